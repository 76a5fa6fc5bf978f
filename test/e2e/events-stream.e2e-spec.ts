import { J, caughtUpFeed, expectProblem, sleep, startApi, type ApiHarness } from '../support/api-harness';
import { checkedFetch } from '../support/openapi-check';

// GET /api/v1/events/stream over a real socket (inject waits for a body to end; this one does
// not): server-sent events in commit order, resumed with Last-Event-ID, each event once.

interface Message {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
}

const WAIT_MS = 10_000;

/** An open event stream, read message by message. */
class EventStream {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';
  /** Messages with data, in order; retry and comment lines are kept apart. */
  readonly retries: string[] = [];

  constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    this.reader = response.body!.getReader();
  }

  /** The next `count` events, failing (not hanging) when they do not come. */
  async events(count: number): Promise<{ id: string; event: string; data: any }[]> {
    const out: { id: string; event: string; data: any }[] = [];
    const deadline = Date.now() + WAIT_MS;
    while (out.length < count) {
      const message = await this.message(deadline);
      if (message === null) throw new Error(`the stream ended after ${out.length} of ${count} events`);
      if (message.retry !== undefined) this.retries.push(message.retry);
      if (message.data !== undefined) out.push({ id: message.id!, event: message.event!, data: JSON.parse(message.data) });
    }
    return out;
  }

  /** Reads to the end of the stream, which must come (the server closed it). */
  async ended(): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while ((await this.message(deadline)) !== null);
  }

  private async message(deadline: number): Promise<Message | null> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const message: Message = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue; // a comment: the keep-alive
          const colon = line.indexOf(':');
          const field = line.slice(0, colon) as keyof Message;
          message[field] = line.slice(colon + 1).replace(/^ /, '');
        }
        if (Object.keys(message).length) return message;
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no event stream message within ${WAIT_MS} ms`)), Math.max(0, deadline - Date.now()));
      });
      try {
        const { done, value } = await Promise.race([this.reader.read(), timeout]);
        if (done) return null;
        this.buffer += this.decoder.decode(value, { stream: true });
      } finally {
        clearTimeout(timer);
      }
    }
  }

  close(): void {
    this.abort.abort();
  }
}

let api: ApiHarness;
let baseUrl: string;
const open: EventStream[] = [];

async function connect(query = '', headers: Record<string, string> = {}): Promise<EventStream> {
  const abort = new AbortController();
  const response = await checkedFetch(`${baseUrl}/api/v1/events/stream${query}`, { headers, signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const stream = new EventStream(response, abort);
  open.push(stream);
  return stream;
}

/** The feed's events (as /events gives them) after these positions were there. */
async function feedAfter(before: number[]): Promise<any[]> {
  const seen = new Set(before);
  return (await caughtUpFeed(api)).filter((e) => !seen.has(e.position));
}

const positions = async () => (await caughtUpFeed(api)).map((e) => e.position as number);
const create = (title: string) => api.createAction({ title, actingJurisdictionId: J.sanJose, affectedJurisdictionIds: [J.sanJose] });

beforeAll(async () => {
  api = await startApi();
  await api.registerTree();
  await api.app.listen(0, '127.0.0.1');
  baseUrl = (await api.app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterEach(() => {
  for (const stream of open.splice(0)) stream.close();
});

afterAll(async () => {
  await api?.close();
});

it('starts at the head and sends what is appended, in commit order, each with its checkpoint as id', async () => {
  const before = await positions();
  const stream = await connect();
  const a = await create('Streamed first');
  const b = await create('Streamed second');
  const expected = await feedAfter(before);
  expect(expected.map((e) => e.streamId)).toEqual(expect.arrayContaining([`action-${a.id}`, `action-${b.id}`]));

  const got = await stream.events(expected.length);
  expect(stream.retries).toEqual(['2000']);
  expect(got.map((m) => m.data)).toEqual(expected);
  expect(got.map((m) => m.event)).toEqual(expected.map((e) => e.type));
  // The id is the feed's cursor: /events after it continues with the next event.
  const next = await api.get(`/api/v1/events?after=${got[0].id}&limit=1`);
  expect(next.body.items).toEqual(expected.slice(1, 2));
  expect(new Set(got.map((m) => m.id)).size).toBe(got.length);
});

it('resumes after Last-Event-ID with exactly the events missed while away', async () => {
  const before = await positions();
  const first = await connect();
  await create('Seen before leaving');
  const [seen] = await first.events(1);
  first.close();

  await create('Missed one');
  await create('Missed two');
  const expected = await feedAfter([...before, seen.data.position]);
  expect(expected.length).toBeGreaterThanOrEqual(2);

  // `after` is overruled by the header, as an EventSource reconnecting would send both.
  const early = (await api.get('/api/v1/events?limit=1')).body.nextCursor;
  const again = await connect(`?after=${early}`, { 'Last-Event-ID': seen.id });
  const got = await again.events(expected.length);
  expect(got.map((m) => m.data)).toEqual(expected);
  // Nothing is sent twice: what comes next is the next append's.
  const later = await create('After the resume');
  const [following] = await again.events(1);
  expect(following.data.streamId).toBe(`action-${later.id}`);
});

it('resumes from the `after` query as from the header', async () => {
  const { body } = await api.get('/api/v1/events?limit=1');
  const stream = await connect(`?after=${body.nextCursor}`);
  const expected = (await caughtUpFeed(api)).slice(1, 4);
  const got = await stream.events(expected.length);
  expect(got.map((m) => m.data)).toEqual(expected);
});

it('sends only the types asked for, and only the streams under the prefix', async () => {
  const kept = await create('Kept and retracted');
  const stream = await connect(`?type=ActionRetracted,ActionLinked&stream=action-${kept.id}`);
  const other = await create('Another action');
  expect((await api.post(`/api/v1/actions/${other.id}/retraction`, { reason: 'not ours' }, { headers: { 'if-match': '"1"' } })).status).toBe(200);
  expect((await api.post(`/api/v1/actions/${kept.id}/retraction`, { reason: 'duplicate entry' }, { headers: { 'if-match': '"1"' } })).status).toBe(200);
  const [only] = await stream.events(1);
  expect(only).toEqual(expect.objectContaining({ event: 'ActionRetracted' }));
  expect(only.data).toEqual(expect.objectContaining({ streamId: `action-${kept.id}`, type: 'ActionRetracted' }));
});

it('refuses a cursor it did not issue with a 400 naming where it was, before any event is sent', async () => {
  expectProblem(
    await api.get('/api/v1/events/stream', { headers: { 'last-event-id': 'bm90IGEgY3Vyc29y' } }),
    400,
    'EVENT_STORE.INVALID_CHECKPOINT',
    ['header.last-event-id'],
  );
  expectProblem(await api.get('/api/v1/events/stream?after=nope'), 400, 'EVENT_STORE.INVALID_CHECKPOINT', ['query.after']);
  expectProblem(await api.get('/api/v1/events/stream?type=Action%20Recorded'), 400, 'REQUEST.INVALID', ['query.type.0']);
});

it('starts from the end with after=latest, as the feed does', async () => {
  const stream = await connect('?after=latest');
  const created = await create('After latest');
  const [first] = await stream.events(1);
  expect(first.data.streamId).toBe(`action-${created.id}`);
  expectProblem(await api.get('/api/v1/events/stream?type=NoSuchEvent'), 400, 'REQUEST.INVALID', ['query.type.0']);
  expectProblem(await api.get('/api/v1/events/stream?stream=probe-1'), 400, 'REQUEST.INVALID', ['query.stream']);
});

describe('GET /api/v1/events, from the end and filtered', () => {
  it('after=latest answers an empty page whose cursor sees only what comes next', async () => {
    // The end is the gap-safe horizon: while a transaction (of any database on the server) is
    // open it may lag the last event a moment, as every follower's does; ask until it has
    // reached the end a follower that read the whole log reached.
    const total = (await caughtUpFeed(api)).length;
    let latest = await api.get('/api/v1/events?after=latest');
    let all = await api.get('/api/v1/events?limit=1000');
    for (let i = 0; i < 200 && !(all.body.items.length === total && latest.body.nextCursor === all.body.nextCursor); i++) {
      await sleep(20);
      latest = await api.get('/api/v1/events?after=latest');
      all = await api.get('/api/v1/events?limit=1000');
    }
    expect(latest.status).toBe(200);
    expect(latest.body).toEqual({ items: [], nextCursor: expect.any(String), caughtUp: true });
    // The same cursor as a follower that read the whole log.
    expect(all.body.items).toHaveLength(total);
    expect(latest.body.nextCursor).toBe(all.body.nextCursor);
    const created = await create('After the end');
    let next = await api.get(`/api/v1/events?after=${latest.body.nextCursor}`);
    for (let i = 0; i < 200 && next.body.items.length === 0; i++) {
      await sleep(20);
      next = await api.get(`/api/v1/events?after=${latest.body.nextCursor}`);
    }
    expect(next.body.items.map((e: { streamId: string }) => e.streamId)).toEqual([`action-${created.id}`]);
  });

  it('filters by type (a comma list) and by stream id or prefix; the cursor moves past what is left out', async () => {
    const all = await caughtUpFeed(api);
    const only = async (query: string) => {
      const res = await api.get(`/api/v1/events?limit=1000&${query}`);
      expect(res.status).toBe(200);
      return res.body;
    };
    const registered = await only('type=JurisdictionRegistered');
    expect(registered.items.map((e: { position: number }) => e.position)).toEqual(
      all.filter((e) => e.type === 'JurisdictionRegistered').map((e) => e.position),
    );
    // Past what the filter left out, to the end (asked again while the horizon lags a moment).
    let end = (await api.get('/api/v1/events?after=latest')).body.nextCursor;
    for (let i = 0; i < 200 && end !== registered.nextCursor; i++) {
      await sleep(20);
      end = (await api.get('/api/v1/events?after=latest')).body.nextCursor;
    }
    expect(registered.nextCursor).toBe(end);
    const types = await only('type=JurisdictionRegistered,ActionRecorded');
    expect(types.items.length).toBe(all.filter((e) => ['JurisdictionRegistered', 'ActionRecorded'].includes(e.type)).length);
    const jurisdictions = await only('stream=jurisdiction-');
    expect(jurisdictions.items.map((e: { streamId: string }) => e.streamId)).toEqual(
      all.filter((e) => e.streamId.startsWith('jurisdiction-')).map((e) => e.streamId),
    );
    const action = all.find((e) => e.streamId.startsWith('action-'))!;
    const one = await only(`stream=${encodeURIComponent(action.streamId)}&type=${action.type}`);
    expect(one.items).toEqual([action]);
  });

  it('400 naming the field for an unknown type, a stream that is no stream, and a bad cursor', async () => {
    // As every comma list: the path names the item refused.
    expectProblem(await api.get('/api/v1/events?type=ActionRecorded,NoSuchEvent'), 400, 'REQUEST.INVALID', ['query.type.1']);
    expectProblem(await api.get('/api/v1/events?stream=probe-1'), 400, 'REQUEST.INVALID', ['query.stream']);
    expectProblem(await api.get('/api/v1/events?after=earliest'), 400, 'EVENT_STORE.INVALID_CHECKPOINT', ['query.after']);
  });
});

it('ends open streams when the application shuts down', async () => {
  const stream = await connect();
  const closing = api.close();
  api = undefined as unknown as ApiHarness;
  await stream.ended();
  await closing;
});
