import { sql } from 'kysely';
import { createApiKey, revokeApiKey } from '@app/db';
import { ProjectionRunner } from '@app/event-store';
import {
  J,
  SOURCE,
  actionBody,
  caughtUpFeed,
  enc,
  ifMatch,
  expectNothingAppended,
  expectProblem,
  startApi,
  type ApiHarness,
} from '../support/api-harness';

// Actions: create (with Idempotency-Key), read, history, correct, retract, publish or reject a
// proposal, link, attach a source; every bad input gives its problem and appends nothing.

let api: ApiHarness;
let analystKey: string;


beforeAll(async () => {
  api = await startApi();
  await api.registerTree();
  analystKey = (await createApiKey(api.db, { role: 'analyst', name: 'e2e analyst' })).key;
});

afterAll(async () => {
  await api?.close();
});

describe('POST /api/v1/actions', () => {
  it('records a published action: 201 {id, version, position}, visible to the very next read', async () => {
    const before = await api.eventCount();
    const res = await api.post('/api/v1/actions', actionBody());
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), version: 1, position: expect.any(Number) });
    expect(await api.eventCount()).toBe(before + 1);

    const got = await api.get(`/api/v1/actions/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.etag).toBe('"1"');
    expect(got.body).toMatchObject({
      id: res.body.id,
      version: 1,
      status: 'published',
      kind: 'agency_directive',
      occurredOn: { date: '2017-03-27', precision: 'day' },
      actingJurisdictionId: J.us,
      affectedJurisdictionIds: [J.us],
      sources: [SOURCE],
      relations: [],
      incoming: [],
      proposal: null,
    });
  });

  it('takes a client-chosen id; a second create with that id is 409 ACTION.ALREADY_EXISTS', async () => {
    const res = await api.post('/api/v1/actions', actionBody({ id: 'doj-2017-03-27-byrne-jag' }));
    expect(res.status).toBe(201);
    expect(res.body.id).toBe('doj-2017-03-27-byrne-jag');
    await expectNothingAppended(api, async () => {
      expectProblem(await api.post('/api/v1/actions', actionBody({ id: 'doj-2017-03-27-byrne-jag' })), 409, 'ACTION.ALREADY_EXISTS');
    });
  });

  describe('Idempotency-Key', () => {
    it('same key, same body: the same response, one event', async () => {
      const headers = { 'idempotency-key': 'create-eo-13768' };
      const before = await api.eventCount();
      const first = await api.post('/api/v1/actions', actionBody({ kind: 'executive_order' }), { headers });
      expect(first.status).toBe(201);
      const retry = await api.post('/api/v1/actions', actionBody({ kind: 'executive_order' }), { headers });
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(await api.eventCount()).toBe(before + 1);
      expect((await api.get(`/api/v1/actions/${first.body.id}/history`)).body.events).toHaveLength(1);
    });

    it('concurrent retries of one request all get the same response, and one event is appended', async () => {
      // Several rounds: the race (a retry looking the key up just before the first commits,
      // then loading the stream just after) is narrow.
      for (let round = 0; round < 5; round++) {
        const before = await api.eventCount();
        const headers = { 'idempotency-key': `create-concurrently-${round}` };
        const creates = await Promise.all(Array.from({ length: 8 }, () => api.post('/api/v1/actions', actionBody(), { headers })));
        expect(creates.map((r) => [r.status, r.body])).toEqual(creates.map(() => [201, creates[0].body]));
        const id = creates[0].body.id;
        const patch = { headers: { 'idempotency-key': `correct-concurrently-${round}`, 'if-match': '"1"' } };
        const body = { changes: { title: `Corrected ${round}` }, reason: 'retried' };
        const patches = await Promise.all(Array.from({ length: 6 }, () => api.patch(`/api/v1/actions/${id}`, body, patch)));
        expect(patches.map((r) => [r.status, r.body])).toEqual(patches.map(() => [200, patches[0].body]));
        expect(await api.eventCount()).toBe(before + 2);
      }
    });

    it('same key, different body: 422 EVENT_STORE.IDEMPOTENCY_KEY_REUSED, appending nothing', async () => {
      const headers = { 'idempotency-key': 'create-then-change' };
      expect((await api.post('/api/v1/actions', actionBody(), { headers })).status).toBe(201);
      await expectNothingAppended(api, async () => {
        const res = await api.post('/api/v1/actions', actionBody({ title: 'Something else entirely' }), { headers });
        expectProblem(res, 422, 'EVENT_STORE.IDEMPOTENCY_KEY_REUSED', ['header.idempotency-key']);
        const otherId = await api.post('/api/v1/actions', actionBody({ id: 'another-id' }), { headers });
        expectProblem(otherId, 422, 'EVENT_STORE.IDEMPOTENCY_KEY_REUSED');
      });
    });

    it('is kept per API key: another caller reusing the key makes its own action; each retry meets its own', async () => {
      const second = await api.post('/api/v1/keys', { role: 'curator', name: 'second client' });
      expect(second.status).toBe(201);
      const headers = { 'idempotency-key': 'shared-demo-1' };
      const before = await api.eventCount();
      const mine = await api.post('/api/v1/actions', actionBody({ title: 'First client’s action' }), { headers });
      const theirs = await api.post('/api/v1/actions', actionBody({ title: 'Second client’s action' }), { headers, key: second.body.key });
      expect([mine.status, theirs.status]).toEqual([201, 201]);
      expect(theirs.body.id).not.toBe(mine.body.id);
      expect(await api.eventCount()).toBe(before + 2);
      expect((await api.get(`/api/v1/actions/${mine.body.id}`)).body.title).toBe('First client’s action');
      expect((await api.get(`/api/v1/actions/${theirs.body.id}`)).body.title).toBe('Second client’s action');

      await expectNothingAppended(api, async () => {
        const retry = await api.post('/api/v1/actions', actionBody({ title: 'Second client’s action' }), { headers, key: second.body.key });
        expect([retry.status, retry.body]).toEqual([201, theirs.body]);
        const mineAgain = await api.post('/api/v1/actions', actionBody({ title: 'First client’s action' }), { headers });
        expect([mineAgain.status, mineAgain.body]).toEqual([201, mine.body]);
        // Within one caller the key still refuses a different body.
        const changed = await api.post('/api/v1/actions', actionBody({ title: 'Something else' }), { headers, key: second.body.key });
        expectProblem(changed, 422, 'EVENT_STORE.IDEMPOTENCY_KEY_REUSED', ['header.idempotency-key']);
        expect(changed.body.detail).not.toContain('key:');
      });

      // The feed shows each client the key it sent, not the form it is kept under.
      const feed = await caughtUpFeed(api);
      const shown = feed.filter((e) => [`action-${mine.body.id}`, `action-${theirs.body.id}`].includes(e.streamId));
      expect(shown.map((e) => [e.metadata.actor, e.metadata.idempotencyKey])).toEqual([
        ['env:API_ADMIN_KEY', 'shared-demo-1'],
        [`key:${second.body.id}`, 'shared-demo-1'],
      ]);
    });

    it('400 for an unusable key', async () => {
      await expectNothingAppended(api, async () => {
        const res = await api.post('/api/v1/actions', actionBody(), { headers: { 'idempotency-key': 'x'.repeat(201) } });
        expectProblem(res, 400, 'REQUEST.INVALID', ['header.idempotency-key']);
      });
    });
  });

  describe('bad input gives its problem and appends nothing', () => {
    it('malformed JSON: 400 REQUEST.MALFORMED_JSON', async () => {
      await expectNothingAppended(api, async () => {
        expectProblem(await api.post('/api/v1/actions', undefined, { raw: '{"kind": "executive_order",,}' }), 400, 'REQUEST.MALFORMED_JSON', ['body']);
      });
    });

    it('unknown fields, top level and nested: 400 REQUEST.INVALID naming each', async () => {
      await expectNothingAppended(api, async () => {
        const top = await api.post('/api/v1/actions', actionBody({ importance: 'high' }));
        expectProblem(top, 400, 'REQUEST.INVALID', ['importance']);
        const nested = await api.post('/api/v1/actions', actionBody({ sources: [{ ...SOURCE, paywalled: true }] }));
        expectProblem(nested, 400, 'REQUEST.INVALID', ['sources.0.paywalled']);
        // Lifecycle fields are not content: a client cannot create an action already retracted.
        expectProblem(await api.post('/api/v1/actions', actionBody({ status: 'retracted' })), 400, 'REQUEST.INVALID', ['status']);
      });
    });

    it('impossible date (2017-02-30): 400 naming occurredOn.date', async () => {
      await expectNothingAppended(api, async () => {
        const res = await api.post('/api/v1/actions', actionBody({ occurredOn: { date: '2017-02-30', precision: 'day' } }));
        expectProblem(res, 400, 'REQUEST.INVALID', ['occurredOn.date']);
        const mismatch = await api.post('/api/v1/actions', actionBody({ occurredOn: { date: '2017-03', precision: 'day' } }));
        expectProblem(mismatch, 400, 'REQUEST.INVALID', ['occurredOn.date']);
        const source = await api.post('/api/v1/actions', actionBody({ sources: [{ ...SOURCE, publishedOn: '2017-02-29' }] }));
        expectProblem(source, 400, 'REQUEST.INVALID', ['sources.0.publishedOn']);
      });
    });

    it('invalid OCD id: 400 naming the field', async () => {
      await expectNothingAppended(api, async () => {
        const res = await api.post('/api/v1/actions', actionBody({ actingJurisdictionId: 'ocd-division/country:us/state:CA' }));
        expectProblem(res, 400, 'REQUEST.INVALID', ['actingJurisdictionId']);
        const affected = await api.post('/api/v1/actions', actionBody({ affectedJurisdictionIds: [J.us, 'san jose'] }));
        expectProblem(affected, 400, 'REQUEST.INVALID', ['affectedJurisdictionIds.1']);
      });
    });

    it('unknown jurisdiction in a valid body: 422 JURISDICTION.UNKNOWN, path as the client wrote it', async () => {
      await expectNothingAppended(api, async () => {
        const res = await api.post('/api/v1/actions', actionBody({ affectedJurisdictionIds: [J.us, 'ocd-division/country:us/state:zz'] }));
        const problem = expectProblem(res, 422, 'JURISDICTION.UNKNOWN', ['affectedJurisdictionIds.1']);
        expect(problem.missingJurisdictions).toEqual(['ocd-division/country:us/state:zz']);
        const acting = await api.post('/api/v1/actions', actionBody({ actingJurisdictionId: 'ocd-division/country:us/state:zz' }));
        expectProblem(acting, 422, 'JURISDICTION.UNKNOWN', ['actingJurisdictionId']);
      });
    });

    it('unknown related action: 422 ACTION.UNKNOWN', async () => {
      await expectNothingAppended(api, async () => {
        const res = await api.post('/api/v1/actions', actionBody({ relations: [{ relation: 'responds_to', targetId: 'no-such-action' }] }));
        expectProblem(res, 422, 'ACTION.UNKNOWN', ['relations.0.targetId']);
      });
    });

    it('body over 1 MB: 413 REQUEST.TOO_LARGE', async () => {
      await expectNothingAppended(api, async () => {
        const res = await api.post('/api/v1/actions', actionBody({ summary: 'x'.repeat(1_048_577) }));
        expectProblem(res, 413, 'REQUEST.TOO_LARGE', ['body']);
      });
    });

    it('a body just under 1 MB reaches validation (400 for the long summary, not 413)', async () => {
      await expectNothingAppended(api, async () => {
        const res = await api.post('/api/v1/actions', actionBody({ summary: 'x'.repeat(1_000_000) }));
        expectProblem(res, 400, 'REQUEST.INVALID', ['summary']);
      });
    });

    it('no key, wrong key: 401; analyst key: 403', async () => {
      await expectNothingAppended(api, async () => {
        expectProblem(await api.post('/api/v1/actions', actionBody(), { key: null }), 401, 'AUTH.UNAUTHORIZED');
        expectProblem(await api.post('/api/v1/actions', actionBody(), { key: 'pl_wrong' }), 401, 'AUTH.UNAUTHORIZED');
        expectProblem(await api.post('/api/v1/actions', actionBody(), { key: analystKey }), 403, 'AUTH.FORBIDDEN');
      });
    });
  });
});

describe('GET /api/v1/actions (the review queue)', () => {
  it('lists proposals from one source newest first, each as it stands, and pages them', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const res = await api.post('/api/v1/actions', actionBody({ id: `queue-${n}`, proposal: { sourceSystem: 'e2e-queue', externalId: String(n) } }));
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const first = await api.get('/api/v1/actions?status=proposed&sourceSystem=e2e-queue&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((a: { id: string }) => a.id)).toEqual(['queue-3', 'queue-2']);
    expect(first.body.items[0]).toMatchObject({ status: 'proposed', version: 1, proposal: { sourceSystem: 'e2e-queue', externalId: '3' } });
    const second = await api.get(`/api/v1/actions?status=proposed&sourceSystem=e2e-queue&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: 'queue-1' })], nextCursor: null });
    const published = await api.get(`/api/v1/actions?status=published&sourceSystem=e2e-queue&jurisdiction=${enc(J.us)}`);
    expect(published.body.items).toEqual([]);
  });

  it('finds actions by part of the title (q): any case, trimmed, % and _ taken literally, with the other filters', async () => {
    const create = (id: string, title: string) => api.createAction({ id, title, proposal: { sourceSystem: 'e2e-titles', externalId: id } });
    await create('title-1', 'Mayor affirms SANCTUARY city status');
    await create('title-2', 'Grants cut by 100% for sanctuary_cities');
    await create('title-3', 'Budget hearing on transit');
    const ids = async (query: string) => {
      const res = await api.get(`/api/v1/actions?sourceSystem=e2e-titles&${query}`);
      expect(res.status).toBe(200);
      return res.body.items.map((a: { id: string }) => a.id);
    };
    expect(await ids(`q=${encodeURIComponent('  Sanctuary ')}`)).toEqual(['title-2', 'title-1']);
    expect(await ids(`q=${encodeURIComponent('100%')}`)).toEqual(['title-2']);
    expect(await ids('q=y_c')).toEqual(['title-2']);
    expect(await ids('q=sanctuary&status=published')).toEqual([]);
    const first = await api.get('/api/v1/actions?sourceSystem=e2e-titles&q=sanctuary&limit=1');
    expect(first.body.items.map((a: { id: string }) => a.id)).toEqual(['title-2']);
    const second = await api.get(`/api/v1/actions?sourceSystem=e2e-titles&q=sanctuary&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: 'title-1' })], nextCursor: null });
  });

  it('names the query parameter at fault', async () => {
    expectProblem(await api.get('/api/v1/actions?status=pending'), 400, 'REQUEST.INVALID', ['query.status.0']);
    expectProblem(await api.get('/api/v1/actions?q='), 400, 'REQUEST.INVALID', ['query.q']);
    expectProblem(await api.get('/api/v1/actions?q=%20%20'), 400, 'REQUEST.INVALID', ['query.q']);
    expectProblem(await api.get(`/api/v1/actions?q=${'x'.repeat(201)}`), 400, 'REQUEST.INVALID', ['query.q']);
    expectProblem(await api.get('/api/v1/actions?jurisdiction=garbage'), 400, 'REQUEST.INVALID', ['query.jurisdiction']);
    expectProblem(await api.get('/api/v1/actions?limit=0'), 400, 'REQUEST.INVALID', ['query.limit']);
    expectProblem(await api.get('/api/v1/actions?cursor=garbage'), 400, 'QUERY.INVALID_CURSOR', ['query.cursor']);
  });
});

describe('GET /api/v1/actions/{id} and /history', () => {
  it('404 ACTION.UNKNOWN for an action that does not exist', async () => {
    expectProblem(await api.get('/api/v1/actions/no-such-action'), 404, 'ACTION.UNKNOWN');
    expectProblem(await api.get('/api/v1/actions/no-such-action/history'), 404, 'ACTION.UNKNOWN');
  });

  it('history lists every event of the stream, oldest first, with who and when', async () => {
    const { id } = await api.createAction({ id: 'history-1' });
    await api.patch(`/api/v1/actions/${id}`, { changes: { title: 'Corrected title' }, reason: 'typo' }, ifMatch(1));
    await api.post(`/api/v1/actions/${id}/retraction`, { reason: 'duplicate entry' }, ifMatch(2));
    const res = await api.get(`/api/v1/actions/${id}/history`);
    expect(res.status).toBe(200);
    expect(res.body.actionId).toBe(id);
    expect(res.body.events.map((e: { type: string }) => e.type)).toEqual(['ActionRecorded', 'ActionCorrected', 'ActionRetracted']);
    expect(res.body.events.map((e: { version: number }) => e.version)).toEqual([1, 2, 3]);
    const positions = res.body.events.map((e: { position: number }) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(res.body.events[1]).toMatchObject({
      data: { actionId: id, changes: { title: 'Corrected title' }, reason: 'typo' },
      metadata: { actor: 'env:API_ADMIN_KEY', actorName: 'API_ADMIN_KEY', correlationId: expect.any(String), causationId: expect.any(String) },
      recordedAt: expect.stringMatching(/Z$/),
    });
  });

  it("history names the key behind each event when it has a name, revoked or not", async () => {
    const named = await createApiKey(api.db, { role: 'curator', name: 'Ada (desk editor)' });
    const unnamed = await createApiKey(api.db, { role: 'curator' });
    const { id } = await api.createAction({}, { key: named.key });
    await api.patch(`/api/v1/actions/${id}`, { changes: { title: 'Corrected by the unnamed key' }, reason: 'typo' }, { key: unnamed.key, ...ifMatch(1) });
    await revokeApiKey(api.db, named.id);
    const { events } = (await api.get(`/api/v1/actions/${id}/history`)).body;
    expect(events.map((e: { metadata: object }) => e.metadata)).toEqual([
      expect.objectContaining({ actor: `key:${named.id}`, actorName: 'Ada (desk editor)' }),
      expect.not.objectContaining({ actorName: expect.anything() }),
    ]);
    expect(events[1].metadata.actor).toBe(`key:${unnamed.id}`);
  });

  it('a caller X-Request-Id becomes the causation id, and the correlation id unless X-Correlation-Id names one', async () => {
    const alone = await api.post('/api/v1/actions', actionBody(), { headers: { 'x-request-id': 'req-abc.123' } });
    const history = await api.get(`/api/v1/actions/${alone.body.id}/history`);
    expect(history.body.events[0].metadata).toMatchObject({ correlationId: 'req-abc.123', causationId: 'req-abc.123' });

    const headers = { 'x-request-id': 'req-2', 'x-correlation-id': 'story:defiance-2017' };
    const inStory = await api.post('/api/v1/actions', actionBody(), { headers });
    const storyHistory = await api.get(`/api/v1/actions/${inStory.body.id}/history`);
    expect(storyHistory.body.events[0].metadata).toMatchObject({ correlationId: 'story:defiance-2017', causationId: 'req-2' });

    await expectNothingAppended(api, async () => {
      const bad = await api.post('/api/v1/actions', actionBody(), { headers: { 'x-correlation-id': 'has spaces' } });
      expectProblem(bad, 400, 'REQUEST.INVALID', ['header.x-correlation-id']);
    });
  });
});

describe('PATCH /api/v1/actions/{id}', () => {
  let id: string;

  beforeAll(async () => {
    id = (await api.createAction({ id: 'patch-1' })).id;
  });

  it('corrects with If-Match: 200 {version}; the next GET shows it with the new ETag', async () => {
    const res = await api.patch(`/api/v1/actions/${id}`, { changes: { title: 'Sessions: comply with 1373 or lose grants' }, reason: 'headline' }, ifMatch(1));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 2 });
    const got = await api.get(`/api/v1/actions/${id}`);
    expect(got.headers.etag).toBe('"2"');
    expect(got.body).toMatchObject({ version: 2, title: 'Sessions: comply with 1373 or lose grants' });
  });

  it('accepts the ETag forms: "2", W/"2" and 2', async () => {
    const current = (await api.get(`/api/v1/actions/${id}`)).body.version;
    const weak = await api.patch(`/api/v1/actions/${id}`, { changes: { tags: ['grants'] }, reason: 'tag' }, { headers: { 'if-match': `W/"${current}"` } });
    expect(weak.status).toBe(200);
    const bare = await api.patch(`/api/v1/actions/${id}`, { changes: { tags: ['grants', 'doj'] }, reason: 'tag' }, { headers: { 'if-match': String(current + 1) } });
    expect(bare.status).toBe(200);
  });

  it('stale If-Match: 409 POLICY.VERSION_CONFLICT with currentVersion, appending nothing', async () => {
    const current = (await api.get(`/api/v1/actions/${id}`)).body.version;
    await expectNothingAppended(api, async () => {
      const res = await api.patch(`/api/v1/actions/${id}`, { changes: { title: 'Stale write' }, reason: 'x' }, ifMatch(1));
      const problem = expectProblem(res, 409, 'POLICY.VERSION_CONFLICT');
      expect(problem.currentVersion).toBe(current);
    });
  });

  it('missing If-Match: 428 REQUEST.PRECONDITION_REQUIRED; unreadable If-Match: 400', async () => {
    await expectNothingAppended(api, async () => {
      expectProblem(await api.patch(`/api/v1/actions/${id}`, { changes: { title: 'No precondition' }, reason: 'x' }), 428, 'REQUEST.PRECONDITION_REQUIRED', ['header.if-match']);
      expectProblem(
        await api.patch(`/api/v1/actions/${id}`, { changes: { title: 'x' }, reason: 'x' }, { headers: { 'if-match': '*' } }),
        400,
        'REQUEST.INVALID',
        ['header.if-match'],
      );
    });
  });

  it('bad corrections give their problems and append nothing', async () => {
    const v = (await api.get(`/api/v1/actions/${id}`)).body.version;
    await expectNothingAppended(api, async () => {
      const patch = (body: unknown) => api.patch(`/api/v1/actions/${id}`, body, ifMatch(v));
      expectProblem(await api.patch(`/api/v1/actions/${id}`, undefined, { ...ifMatch(v), raw: '{"changes":' }), 400, 'REQUEST.MALFORMED_JSON');
      expectProblem(await patch({ changes: { title: 'x' }, reason: 'x', force: true }), 400, 'REQUEST.INVALID', ['force']);
      // The unknown field by its own path, and only that: not also "must change at least one field".
      const unknown = expectProblem(await patch({ changes: { headline: 'x' }, reason: 'x' }), 400, 'ACTION.INVALID');
      expect(unknown.errors).toEqual([{ path: 'changes.headline', message: 'is not a known field' }]);
      expectProblem(await patch({ changes: {}, reason: 'x' }), 400, 'ACTION.INVALID', ['changes']);
      expectProblem(await patch({ changes: { status: 'retracted' }, reason: 'x' }), 400, 'ACTION.INVALID', ['changes.status']);
      expectProblem(await patch({ changes: { occurredOn: { date: '2017-02-30', precision: 'day' } }, reason: 'x' }), 400, 'ACTION.INVALID', ['changes.occurredOn.date']);
      expectProblem(await patch({ changes: { title: 'x' } }), 400, 'REQUEST.INVALID', ['reason']);
      expectProblem(await patch({ changes: { affectedJurisdictionIds: ['ocd-division/country:us/state:zz'] }, reason: 'x' }), 422, 'JURISDICTION.UNKNOWN', ['changes.affectedJurisdictionIds.0']);
      const same = (await api.get(`/api/v1/actions/${id}`)).body.title;
      expectProblem(await patch({ changes: { title: same }, reason: 'x' }), 409, 'ACTION.NO_CHANGE');
      expectProblem(await api.patch(`/api/v1/actions/${id}`, { changes: { title: 'x' }, reason: 'x' }, { ...ifMatch(v), key: analystKey }), 403, 'AUTH.FORBIDDEN');
      expectProblem(await api.patch(`/api/v1/actions/${id}`, { changes: { title: 'x' }, reason: 'x' }, { ...ifMatch(v), key: null }), 401, 'AUTH.UNAUTHORIZED');
    });
  });

  it('404 ACTION.UNKNOWN for an action that does not exist, whatever the If-Match', async () => {
    await expectNothingAppended(api, async () => {
      expectProblem(await api.patch('/api/v1/actions/no-such-action', { changes: { title: 'x' }, reason: 'x' }, ifMatch(1)), 404, 'ACTION.UNKNOWN');
      expectProblem(await api.patch('/api/v1/actions/no-such-action', { changes: { title: 'x' }, reason: 'x' }, ifMatch(0)), 404, 'ACTION.UNKNOWN');
    });
  });

  it('a retried correction with the same Idempotency-Key answers as the first and appends nothing more', async () => {
    const v = (await api.get(`/api/v1/actions/${id}`)).body.version;
    const options = { headers: { 'if-match': `"${v}"`, 'idempotency-key': 'correct-patch-1' } };
    const body = { changes: { summary: 'Grants under Byrne JAG and COPS require certification.' }, reason: 'precision' };
    const first = await api.patch(`/api/v1/actions/${id}`, body, options);
    expect(first.status).toBe(200);
    await expectNothingAppended(api, async () => {
      const retry = await api.patch(`/api/v1/actions/${id}`, body, options);
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
      const changed = await api.patch(`/api/v1/actions/${id}`, { ...body, reason: 'another reason' }, options);
      expectProblem(changed, 422, 'EVENT_STORE.IDEMPOTENCY_KEY_REUSED');
    });
  });
});

describe('retraction, publication and rejection', () => {
  it('retracts a published action (If-Match); it then refuses changes', async () => {
    const { id } = await api.createAction({ id: 'retract-1' });
    await expectNothingAppended(api, async () => {
      expectProblem(await api.post(`/api/v1/actions/${id}/retraction`, { reason: 'x' }), 428, 'REQUEST.PRECONDITION_REQUIRED');
      expectProblem(await api.post(`/api/v1/actions/${id}/retraction`, { reason: 'x' }, ifMatch(7)), 409, 'POLICY.VERSION_CONFLICT');
      expectProblem(await api.post(`/api/v1/actions/${id}/retraction`, {}, ifMatch(1)), 400, 'REQUEST.INVALID', ['reason']);
      expectProblem(await api.post(`/api/v1/actions/${id}/retraction`, { reason: 'x', why: 'y' }, ifMatch(1)), 400, 'REQUEST.INVALID', ['why']);
      expectProblem(await api.post(`/api/v1/actions/${id}/retraction`, { reason: 'x' }, { ...ifMatch(1), key: analystKey }), 403, 'AUTH.FORBIDDEN');
      expectProblem(await api.post('/api/v1/actions/no-such-action/retraction', { reason: 'x' }, ifMatch(1)), 404, 'ACTION.UNKNOWN');
    });
    const res = await api.post(`/api/v1/actions/${id}/retraction`, { reason: 'Reported in error' }, ifMatch(1));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 2 });
    expect((await api.get(`/api/v1/actions/${id}`)).body).toMatchObject({ status: 'retracted', statusReason: 'Reported in error' });

    await expectNothingAppended(api, async () => {
      expectProblem(await api.post(`/api/v1/actions/${id}/retraction`, { reason: 'again' }, ifMatch(2)), 409, 'ACTION.ALREADY_RETRACTED');
      expectProblem(await api.patch(`/api/v1/actions/${id}`, { changes: { title: 'x' }, reason: 'x' }, ifMatch(2)), 409, 'ACTION.NOT_CORRECTABLE');
    });
  });

  it('a proposal is not on the timeline until published', async () => {
    const proposal = { sourceSystem: 'federal_register', externalId: '2017-02102' };
    const res = await api.post('/api/v1/actions', actionBody({ id: 'proposal-1', kind: 'executive_order', proposal, affectedJurisdictionIds: [J.ny] }));
    expect(res.status).toBe(201);
    expect((await api.get('/api/v1/actions/proposal-1')).body).toMatchObject({ status: 'proposed', proposal });
    const onTimeline = async () =>
      (await api.get(`/api/v1/jurisdictions/${enc(J.ny)}/timeline`)).body.entries.some((e: { actionId: string }) => e.actionId === 'proposal-1');
    expect(await onTimeline()).toBe(false);

    await expectNothingAppended(api, async () => {
      // A proposal is rejected, not retracted.
      expectProblem(await api.post('/api/v1/actions/proposal-1/retraction', { reason: 'x' }, ifMatch(1)), 409, 'ACTION.NOT_PUBLISHED');
      expectProblem(await api.post('/api/v1/actions/proposal-1/publication', undefined), 428, 'REQUEST.PRECONDITION_REQUIRED');
      expectProblem(await api.post('/api/v1/actions/proposal-1/publication', { now: true }, ifMatch(1)), 400, 'REQUEST.INVALID', ['now']);
      expectProblem(await api.post('/api/v1/actions/proposal-1/publication', undefined, { ...ifMatch(1), key: analystKey }), 403, 'AUTH.FORBIDDEN');
    });

    const published = await api.post('/api/v1/actions/proposal-1/publication', undefined, ifMatch(1));
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ version: 2 });
    expect((await api.get('/api/v1/actions/proposal-1')).body.status).toBe('published');
    expect(await onTimeline()).toBe(true);

    await expectNothingAppended(api, async () => {
      expectProblem(await api.post('/api/v1/actions/proposal-1/publication', {}, ifMatch(2)), 409, 'ACTION.NOT_PROPOSED');
      expectProblem(await api.post('/api/v1/actions/proposal-1/rejection', { reason: 'x' }, ifMatch(2)), 409, 'ACTION.NOT_PROPOSED');
    });
  });

  it('rejects a proposal with a reason; a rejected proposal cannot be published', async () => {
    const proposal = { sourceSystem: 'courtlistener', externalId: 'cand-3:17-cv-00574' };
    await api.createAction({ id: 'proposal-2', kind: 'lawsuit_filing', proposal, actingJurisdictionId: J.santaClara, affectedJurisdictionIds: [J.santaClara] });
    await expectNothingAppended(api, async () => {
      expectProblem(await api.post('/api/v1/actions/proposal-2/rejection', {}, ifMatch(1)), 400, 'REQUEST.INVALID', ['reason']);
      expectProblem(await api.post('/api/v1/actions/proposal-2/rejection', { reason: 'x' }), 428, 'REQUEST.PRECONDITION_REQUIRED');
    });
    const res = await api.post('/api/v1/actions/proposal-2/rejection', { reason: 'Not a policy action' }, ifMatch(1));
    expect(res.status).toBe(200);
    expect((await api.get('/api/v1/actions/proposal-2')).body).toMatchObject({ status: 'rejected', statusReason: 'Not a policy action' });
    await expectNothingAppended(api, async () => {
      expectProblem(await api.post('/api/v1/actions/proposal-2/publication', undefined, ifMatch(2)), 409, 'ACTION.NOT_PROPOSED');
    });
  });
});

describe('POST /api/v1/actions/{id}/links and /sources', () => {
  beforeAll(async () => {
    await api.createAction({ id: 'eo-13768', kind: 'executive_order', occurredOn: { date: '2017-01-25', precision: 'day' } });
    await api.createAction({
      id: 'sf-lawsuit',
      kind: 'lawsuit_filing',
      occurredOn: { date: '2017-01-31', precision: 'day' },
      actingJurisdictionId: 'ocd-division/country:us/state:ca/county:santa_clara',
      affectedJurisdictionIds: [J.santaClara],
    });
  });

  it('links an action to another: 201; both sides show the link', async () => {
    const res = await api.post('/api/v1/actions/sf-lawsuit/links', { relation: 'challenges', targetId: 'eo-13768' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: 2 });
    expect((await api.get('/api/v1/actions/sf-lawsuit')).body.relations).toEqual([{ relation: 'challenges', targetId: 'eo-13768' }]);
    expect((await api.get('/api/v1/actions/eo-13768')).body.incoming).toEqual([{ relation: 'challenges', sourceId: 'sf-lawsuit' }]);
    const timeline = await api.get(`/api/v1/jurisdictions/${enc(J.santaClara)}/timeline`);
    const entry = timeline.body.entries.find((e: { actionId: string }) => e.actionId === 'sf-lawsuit');
    expect(entry.relations).toEqual([{ relation: 'challenges', targetId: 'eo-13768' }]);
  });

  it('a link that is stored answers 201 even when the relation graph has stopped on an error', async () => {
    // The graph is what a write waits for before answering. Stopped (as a failed handler
    // leaves it), the wait fails: the write is committed all the same and must say so.
    const runner = api.app.get(ProjectionRunner);
    await runner.stop();
    await sql`UPDATE projection_checkpoints SET last_error = '{"message": "handler bug"}' WHERE name = 'action-relations'`.execute(api.db);
    try {
      const before = await api.eventCount();
      const res = await api.post('/api/v1/actions/sf-lawsuit/links', { relation: 'cites', targetId: 'eo-13768' });
      expect(res.status).toBe(201);
      expect(await api.eventCount()).toBe(before + 1);
    } finally {
      await sql`UPDATE projection_checkpoints SET last_error = NULL WHERE name = 'action-relations'`.execute(api.db);
      await runner.start();
    }
  });

  it('bad links give their problems and append nothing', async () => {
    await expectNothingAppended(api, async () => {
      const link = (id: string, body: unknown, options = {}) => api.post(`/api/v1/actions/${id}/links`, body, options);
      expectProblem(await link('sf-lawsuit', { relation: 'challenges', targetId: 'eo-13768' }), 409, 'ACTION.DUPLICATE_LINK');
      expectProblem(await link('sf-lawsuit', { relation: 'sues', targetId: 'eo-13768' }), 400, 'REQUEST.INVALID', ['relation']);
      expectProblem(await link('sf-lawsuit', { relation: 'cites', targetId: 'eo-13768', note: 'x' }), 400, 'REQUEST.INVALID', ['note']);
      expectProblem(await link('sf-lawsuit', { relation: 'cites', targetId: 'sf-lawsuit' }), 400, 'ACTION.SELF_LINK', ['targetId']);
      expectProblem(await link('sf-lawsuit', { relation: 'cites', targetId: 'no-such-action' }), 422, 'ACTION.UNKNOWN', ['targetId']);
      expectProblem(await link('no-such-action', { relation: 'cites', targetId: 'eo-13768' }), 404, 'ACTION.UNKNOWN');
      expectProblem(await link('sf-lawsuit', { relation: 'cites', targetId: 'eo-13768' }, { key: analystKey }), 403, 'AUTH.FORBIDDEN');
      expectProblem(await link('sf-lawsuit', undefined, { raw: '[' }), 400, 'REQUEST.MALFORMED_JSON');
    });
  });

  it('attaches a source; the same URL twice is 409 ACTION.DUPLICATE_SOURCE', async () => {
    const source = { url: 'https://www.sfcityattorney.org/2017/01/31/lawsuit/', publisher: 'San Francisco City Attorney', publishedOn: '2017-01-31' };
    const res = await api.post('/api/v1/actions/sf-lawsuit/sources', { source });
    expect(res.status).toBe(201);
    expect((await api.get('/api/v1/actions/sf-lawsuit')).body.sources).toHaveLength(2);
    await expectNothingAppended(api, async () => {
      expectProblem(await api.post('/api/v1/actions/sf-lawsuit/sources', { source }), 409, 'ACTION.DUPLICATE_SOURCE');
      expectProblem(await api.post('/api/v1/actions/sf-lawsuit/sources', { source: { ...source, url: 'ftp://x' } }), 400, 'REQUEST.INVALID', ['source.url']);
    });
  });
});

describe('GET /api/v1/events', () => {
  it('lists every event in commit order, and pages through them without duplicates or gaps', async () => {
    const total = await api.eventCount();
    const all = await caughtUpFeed(api);
    expect(all).toHaveLength(total);
    const positions = all.map((e: { position: number }) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(all[0]).toEqual({
      position: expect.any(Number),
      streamId: `jurisdiction-${J.us}`,
      streamVersion: 1,
      type: 'JurisdictionRegistered',
      schemaVersion: 1,
      recordedAt: expect.stringMatching(/Z$/),
      data: { id: J.us, name: 'United States', level: 'federal', parentId: null },
      metadata: expect.objectContaining({ actor: 'env:API_ADMIN_KEY' }),
    });
    // Each stream's events keep their version order.
    const versions = new Map<string, number>();
    for (const e of all) {
      expect(e.streamVersion).toBe((versions.get(e.streamId) ?? 0) + 1);
      versions.set(e.streamId, e.streamVersion);
    }

    // Small pages, following nextCursor. A short page may just mean the gap-safe horizon has
    // not passed yet (see caughtUpFeed): keep following the same cursor until all are read.
    const paged: number[] = [];
    let after = '';
    const deadline = Date.now() + 10_000;
    while (paged.length < total && Date.now() < deadline) {
      const page = await api.get(`/api/v1/events?limit=7${after ? `&after=${after}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(7);
      paged.push(...page.body.items.map((e: { position: number }) => e.position));
      after = page.body.nextCursor;
    }
    expect(paged).toEqual(positions);

    // The last cursor is where a follower waits: nothing now, the next event once appended.
    expect((await api.get(`/api/v1/events?after=${after}`)).body.items).toEqual([]);
    const { id } = await api.createAction();
    await caughtUpFeed(api);
    const next = await api.get(`/api/v1/events?after=${after}`);
    expect(next.body.items.map((e: { streamId: string }) => e.streamId)).toEqual([`action-${id}`]);
  });

  it('400 for a bad cursor or limit', async () => {
    expectProblem(await api.get('/api/v1/events?after=not-a-cursor'), 400, 'EVENT_STORE.INVALID_CHECKPOINT', ['query.after']);
    expectProblem(await api.get('/api/v1/events?limit=0'), 400, 'REQUEST.INVALID', ['query.limit']);
    expectProblem(await api.get('/api/v1/events?limit=abc'), 400, 'REQUEST.INVALID', ['query.limit']);
    expectProblem(await api.get('/api/v1/events?from=1'), 400, 'REQUEST.INVALID', ['query.from']);
  });
});
