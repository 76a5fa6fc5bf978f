import { IdempotencyKeyReusedError } from '@app/event-store';
import { jurisdictionStream } from '../../streams';
import { createPolicyTestContext, J, type PolicyTestContext } from '../../testing';
import { RegisterJurisdictionCommand } from './register-jurisdiction.command';

const MA = 'ocd-division/country:us/state:ma';
const BOSTON = `${MA}/place:boston`;
const SAN_JOSE = `${J.ca}/place:san_jose`;

describe('RegisterJurisdictionHandler', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
  });
  afterAll(() => ctx?.close());

  const register = (data: RegisterJurisdictionCommand['data'], meta = {}) =>
    ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand(data, meta));

  const directoryRow = (id: string) => ctx.db.selectFrom('jurisdictions').selectAll().where('id', '=', id).executeTakeFirst();

  const streamLength = (id: string) => ctx.store.streamVersion(jurisdictionStream(id));

  it('registers a country, a state and a county; each directory row carries its ancestors, nearest first', async () => {
    const us = await register({ id: J.us, name: 'United States' }, { actor: 'curator:ada', correlationId: 'setup' });
    expect(us).toEqual({ id: J.us, version: 1, position: expect.any(Number) });
    await register({ id: J.ca, name: ' California ' });
    await register({ id: J.santaClara, name: 'Santa Clara County' });

    expect(await directoryRow(J.us)).toMatchObject({ level: 'federal', parent_id: null, ancestors: [] });
    expect(await directoryRow(J.ca)).toMatchObject({ name: 'California', level: 'state', parent_id: J.us, ancestors: [J.us] });
    expect(await directoryRow(J.santaClara)).toMatchObject({
      level: 'county',
      parent_id: J.ca,
      ancestors: [J.ca, J.us],
      registered_at: expect.any(Date),
    });
    const [event] = await ctx.store.readStream(jurisdictionStream(J.us));
    expect(event).toMatchObject({
      type: 'JurisdictionRegistered',
      position: us.position,
      data: { id: J.us, name: 'United States', level: 'federal', parentId: null },
      metadata: { actor: 'curator:ada', correlationId: 'setup' },
    });
  });

  it('places a jurisdiction under an explicit parent (a city in its county), inheriting the whole chain', async () => {
    await register({ id: SAN_JOSE, name: 'San Jose city', parentId: J.santaClara });
    expect(await directoryRow(SAN_JOSE)).toMatchObject({
      level: 'municipal',
      parent_id: J.santaClara,
      ancestors: [J.santaClara, J.ca, J.us],
    });
  });

  it('refuses a parent that is not registered, at parentId, appending nothing', async () => {
    const before = await ctx.eventCount();
    await expect(register({ id: BOSTON, name: 'Boston' })).rejects.toMatchObject({
      code: 'JURISDICTION.UNKNOWN',
      errors: [{ path: 'parentId', message: `jurisdiction ${MA} is not registered` }],
      details: { id: BOSTON, parentId: MA },
    });
    expect(await ctx.eventCount()).toBe(before);
    expect(await directoryRow(BOSTON)).toBeUndefined();
  });

  it('refuses a second registration of the same id, appending nothing', async () => {
    await expect(register({ id: J.ca, name: 'California again' })).rejects.toMatchObject({
      code: 'JURISDICTION.ALREADY_EXISTS',
      details: { id: J.ca },
    });
    expect(await streamLength(J.ca)).toBe(1);
    expect((await directoryRow(J.ca))?.name).toBe('California');
  });

  it('lets exactly one of two concurrent registrations of an id through', async () => {
    const id = `${J.ca}/county:alameda`;
    const outcomes = await Promise.allSettled([register({ id, name: 'Alameda County' }), register({ id, name: 'Alameda County' })]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'JURISDICTION.ALREADY_EXISTS' } });
    expect(await streamLength(id)).toBe(1);
  });

  it('refuses a malformed id, appending nothing', async () => {
    const before = await ctx.eventCount();
    await expect(register({ id: 'ocd-division/country:us/state:CA', name: 'California' })).rejects.toMatchObject({
      code: 'JURISDICTION.INVALID_ID',
      errors: [{ path: 'id', message: expect.any(String) }],
    });
    expect(await ctx.eventCount()).toBe(before);
  });

  it('answers a retry under the same idempotency key with the first result, and refuses the key for another body', async () => {
    await register({ id: J.ny, name: 'New York' });
    const idempotencyKey = ctx.newId('key');
    const first = await register({ id: J.newYork, name: 'New York city' }, { idempotencyKey });
    expect(await register({ id: J.newYork, name: 'New York city' }, { idempotencyKey })).toEqual(first);
    expect(await streamLength(J.newYork)).toBe(1);

    await expect(register({ id: J.newYork, name: 'NYC' }, { idempotencyKey })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    await expect(register({ id: J.syracuse, name: 'Syracuse city' }, { idempotencyKey })).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
    expect(await streamLength(J.syracuse)).toBe(0);
  });

  it('makes a new jurisdiction usable by actions at once, though the writer was told it was unknown', async () => {
    const content = { actingJurisdictionId: BOSTON, affectedJurisdictionIds: [BOSTON], kind: 'defiance_pledge' as const };
    await expect(ctx.record(content)).rejects.toMatchObject({ code: 'JURISDICTION.UNKNOWN' });
    await register({ id: MA, name: 'Massachusetts' });
    await register({ id: BOSTON, name: 'Boston city' });
    await expect(ctx.record(content)).resolves.toMatchObject({ version: 1 });
  });
});
