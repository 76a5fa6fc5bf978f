import { createDb } from '@app/db';
import type { EventStoreTables } from '@app/event-store';
import { RegisterJurisdictionCommand } from '../commands/register-jurisdiction/register-jurisdiction.command';
import { policyDb } from '../database';
import { createPolicyTestContext, J, type PolicyTestContext } from '../testing';
import { JurisdictionRepository } from './jurisdiction.repository';

const MA = 'ocd-division/country:us/state:ma';
const BOSTON = `${MA}/place:boston`;

describe('JurisdictionRepository', () => {
  let ctx: PolicyTestContext;

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    await ctx.registerTree();
  });
  afterAll(() => ctx?.close());

  /** A repository over a pool of its own, which the test can take away to see what is cached. */
  function isolated(): { repository: JurisdictionRepository; cutOff: () => Promise<void> } {
    const db = createDb<EventStoreTables>(ctx.database.url, { max: 1 });
    return { repository: new JurisdictionRepository(policyDb(db)), cutOff: () => db.destroy() };
  }

  const register = (id: string, name: string) => ctx.registerJurisdiction.execute(new RegisterJurisdictionCommand({ id, name }));

  describe('missing', () => {
    it('answers the ids that are not registered, in the order asked', async () => {
      const other = 'ocd-division/country:us/state:tx';
      expect(await ctx.jurisdictions.missing([BOSTON, J.us, other, J.santaClara])).toEqual([BOSTON, other]);
      expect(await ctx.jurisdictions.missing([])).toEqual([]);
    });

    it('never caches an absence: an id registered after it was reported missing is found', async () => {
      const { repository, cutOff } = isolated();
      try {
        expect(await repository.missing([MA])).toEqual([MA]);
        await register(MA, 'Massachusetts');
        expect(await repository.missing([MA])).toEqual([]);
      } finally {
        await cutOff();
      }
    });

    it('answers ids it has found before without asking the database again', async () => {
      const { repository, cutOff } = isolated();
      expect(await repository.missing([J.us, J.ny, BOSTON])).toEqual([BOSTON]);
      await cutOff();
      expect(await repository.missing([J.ny, J.us])).toEqual([]);
      // Anything not found before still needs the database, which is gone.
      await expect(repository.missing([J.ny, BOSTON])).rejects.toThrow();
    });
  });

  describe('ancestorsOf', () => {
    it('answers the ancestors nearest first, an empty list for the country, and null for an unregistered id', async () => {
      expect(await ctx.jurisdictions.ancestorsOf(J.santaClara)).toEqual([J.ca, J.us]);
      expect(await ctx.jurisdictions.ancestorsOf(J.us)).toEqual([]);
      expect(await ctx.jurisdictions.ancestorsOf('ocd-division/country:us/state:ri')).toBeNull();
    });

    it('caches what it found, never an absence', async () => {
      const { repository, cutOff } = isolated();
      const providence = 'ocd-division/country:us/state:ri';
      expect(await repository.ancestorsOf(providence)).toBeNull();
      await register(providence, 'Rhode Island');
      expect(await repository.ancestorsOf(providence)).toEqual([J.us]);
      expect(await repository.ancestorsOf(J.syracuse)).toEqual([J.ny, J.us]);
      await cutOff();
      expect(await repository.ancestorsOf(J.syracuse)).toEqual([J.ny, J.us]);
      expect(await repository.ancestorsOf(providence)).toEqual([J.us]);
    });
  });

  describe('findDetail', () => {
    it('answers the row with its child count, null when not registered', async () => {
      expect(await ctx.jurisdictions.findDetail(J.ca)).toEqual({
        id: J.ca,
        name: 'California',
        level: 'state',
        parentId: J.us,
        ancestors: [J.us],
        registeredAt: expect.any(Date),
        childCount: 1,
        twin: null,
      });
      expect(await ctx.jurisdictions.findDetail(J.newYork)).toMatchObject({ childCount: 0 });
      expect(await ctx.jurisdictions.findDetail(BOSTON)).toBeNull();
    });
  });

  describe('twins', () => {
    const PA = 'ocd-division/country:us/state:pa';
    const CO = 'ocd-division/country:us/state:co';

    it('links the two ids of a consolidated city-county once both are registered, whichever comes first', async () => {
      await register(PA, 'Pennsylvania');
      await register(`${PA}/place:philadelphia`, 'Philadelphia city');
      await ctx.settled();
      expect(await ctx.jurisdictions.findDetail(`${PA}/place:philadelphia`)).toMatchObject({ twin: null });
      await register(`${PA}/county:philadelphia`, 'Philadelphia County');
      await ctx.settled();
      expect(await ctx.jurisdictions.findDetail(`${PA}/place:philadelphia`)).toMatchObject({
        twin: { id: `${PA}/county:philadelphia`, name: 'Philadelphia County', level: 'county', parentId: PA },
      });
      expect(await ctx.jurisdictions.findDetail(`${PA}/county:philadelphia`)).toMatchObject({ twin: { id: `${PA}/place:philadelphia` } });
    });

    it('links nothing else: a county and a city of the same name are two governments', async () => {
      await register(CO, 'Colorado');
      await register(`${CO}/county:denver`, 'Denver County');
      await register(`${CO}/county:boulder`, 'Boulder County');
      await register(`${CO}/place:boulder`, 'Boulder city');
      await ctx.settled();
      for (const id of [`${CO}/county:denver`, `${CO}/county:boulder`, `${CO}/place:boulder`]) {
        expect(await ctx.jurisdictions.findDetail(id)).toMatchObject({ twin: null });
      }
    });
  });
});
