import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EventStore, NewEvent, StreamAppend } from '@app/event-store';
import {
  actionContentSchema,
  actionStream,
  seedJurisdictions,
  type ActionContent,
  type ActionKind,
  type JurisdictionLevel,
  type RelationType,
  type Source,
} from '@app/policy';

// The benchmark's dataset: a real-looking jurisdiction tree taken from the OCD division files
// the project ships (country, 50 states, a sample of counties and of places under states),
// and a stream of policy-action events over it, generated from a seeded PRNG so every run
// loads the same ledger.

/** libs/policy/data/ocd, found from the nearest package.json above (works from src and dist). */
function ocdDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'libs/policy/data/ocd');
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

/** RFC 4180 CSV (the OCD names hold quoted commas). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[i++];
      else quoted = false;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',' || c === '\n') {
      row.push(field);
      field = '';
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    } else if (c !== '\r') {
      field += c;
    }
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

export interface Jurisdiction {
  id: string;
  name: string;
  level: JurisdictionLevel;
  /** Index of its state in Tree.states (-1 for the country). */
  state: number;
}

export interface Tree {
  country: Jurisdiction;
  states: Jurisdiction[];
  counties: Jurisdiction[];
  places: Jurisdiction[];
  countiesByState: Jurisdiction[][];
  placesByState: Jurisdiction[][];
  /** Parents first: country, states, then counties and places. */
  all: Jurisdiction[];
}

function sample<T>(items: T[], n: number, rand: () => number): T[] {
  const copy = items.slice();
  for (let i = 0; i < Math.min(n, copy.length); i++) {
    const j = i + Math.floor(rand() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

/**
 * 1 country + 50 states + `counties` counties (county/parish) + places directly under a
 * state (`…/state:xx/place:yy`, as OCD files them) to make `total` jurisdictions.
 */
export function buildTree(rand: () => number, total = 10_000, counties = 2_000): Tree {
  const dir = ocdDir();
  const stateRows = parseCsv(readFileSync(join(dir, 'states.csv'), 'utf8'));
  const countryRow = stateRows.find((r) => r[0] === 'ocd-division/country:us')!;
  const country: Jurisdiction = { id: countryRow[0], name: countryRow[1], level: 'federal', state: -1 };
  const states: Jurisdiction[] = stateRows
    .filter((r) => /^ocd-division\/country:us\/state:[a-z]{2}$/.test(r[0]))
    .map((r, i) => ({ id: r[0], name: r[1], level: 'state', state: i }));
  if (states.length !== 50) throw new Error(`expected 50 states in states.csv, found ${states.length}`);
  const stateIndex = new Map(states.map((s, i) => [s.id, i]));

  const rows = parseCsv(readFileSync(join(dir, 'us_census_places.csv'), 'utf8')).slice(1);
  const countyRows: string[][] = [];
  const placeRows: string[][] = [];
  for (const r of rows) {
    const m = /^(ocd-division\/country:us\/state:[a-z]{2})\/(county|parish|place):[^/]+$/u.exec(r[0] ?? '');
    if (!m || !stateIndex.has(m[1]) || !r[1]) continue;
    (m[2] === 'place' ? placeRows : countyRows).push(r);
  }
  const toJ = (level: JurisdictionLevel) => (r: string[]): Jurisdiction => ({
    id: r[0].normalize('NFC'),
    name: r[1],
    level,
    state: stateIndex.get(r[0].slice(0, r[0].lastIndexOf('/')))!,
  });
  const placeCount = total - 1 - states.length - counties;
  const countyList = sample(countyRows, counties, rand).map(toJ('county'));
  const placeList = sample(placeRows, placeCount, rand).map(toJ('municipal'));
  const countiesByState = states.map(() => [] as Jurisdiction[]);
  const placesByState = states.map(() => [] as Jurisdiction[]);
  for (const c of countyList) countiesByState[c.state].push(c);
  for (const p of placeList) placesByState[p.state].push(p);
  return {
    country,
    states,
    counties: countyList,
    places: placeList,
    countiesByState,
    placesByState,
    all: [country, ...states, ...countyList, ...placeList],
  };
}

// ---------------------------------------------------------------------------------------------
// Policy actions

const LEVELS = ['federal', 'state', 'county', 'municipal'] as const;
type Level = (typeof LEVELS)[number];
/** Share of actions by acting level (and of follow-up events by the level of their action). */
const LEVEL_WEIGHTS: [Level, number][] = [
  ['federal', 0.03],
  ['state', 0.17],
  ['county', 0.25],
  ['municipal', 0.55],
];

const KINDS: Record<Level, ActionKind[]> = {
  federal: ['executive_order', 'agency_directive', 'grant_condition', 'agency_report', 'funding_action', 'legislation', 'court_ruling', 'public_statement', 'lawsuit_filing'],
  state: ['legislation', 'executive_order', 'agency_directive', 'lawsuit_filing', 'court_ruling', 'public_statement', 'funding_action', 'resolution'],
  county: ['ordinance', 'resolution', 'public_statement', 'lawsuit_filing', 'amicus_brief', 'funding_action', 'defiance_pledge', 'agency_directive'],
  municipal: ['ordinance', 'resolution', 'public_statement', 'defiance_pledge', 'lawsuit_filing', 'amicus_brief', 'funding_action', 'agency_directive'],
};

const KIND_LABEL: Record<ActionKind, string> = {
  executive_order: 'Executive order',
  agency_directive: 'Agency directive',
  grant_condition: 'Grant condition',
  agency_report: 'Agency report',
  legislation: 'Act',
  ordinance: 'Ordinance',
  resolution: 'Resolution',
  defiance_pledge: 'Pledge of non-cooperation',
  public_statement: 'Statement',
  lawsuit_filing: 'Complaint',
  amicus_brief: 'Amicus brief',
  court_ruling: 'Ruling',
  appeal: 'Appeal',
  funding_action: 'Funding decision',
  other: 'Action',
};

const TOPICS = [
  'immigration detainer requests', 'sanctuary jurisdiction status', 'Byrne JAG grant conditions',
  'cooperation with federal immigration enforcement', 'police body-worn cameras', 'short-term rental regulation',
  'the minimum wage', 'single-use plastic bags', 'zoning and housing density', 'opioid settlement funds',
  'a public health emergency', 'broadband expansion', 'drinking water standards', 'affordable housing',
  'a climate action plan', 'election administration', 'firearm storage', 'homelessness services',
  'transit funding', 'school safety', 'COPS hiring grants', 'data sharing with ICE', '8 U.S.C. § 1373 compliance',
];

const PUBLISHERS: Record<Level, { publisher: string; host: string }[]> = {
  federal: [
    { publisher: 'Federal Register', host: 'https://www.federalregister.gov/d' },
    { publisher: 'U.S. Department of Justice', host: 'https://www.justice.gov/opa/pr' },
    { publisher: 'The White House', host: 'https://www.whitehouse.gov/presidential-actions' },
  ],
  state: [
    { publisher: 'Office of the Governor', host: 'https://gov.example.gov/news' },
    { publisher: 'Office of the Attorney General', host: 'https://oag.example.gov/press' },
  ],
  county: [{ publisher: 'Board of Supervisors', host: 'https://county.example.gov/board' }],
  municipal: [
    { publisher: 'Office of the Mayor', host: 'https://city.example.gov/mayor/news' },
    { publisher: 'City Council', host: 'https://city.example.gov/council/legislation' },
  ],
};

const FIRST = ['Maria', 'James', 'Linda', 'Robert', 'Ana', 'Michael', 'Grace', 'David', 'Keisha', 'Thomas', 'Mei', 'Jorge'];
const LAST = ['Garcia', 'Smith', 'Nguyen', 'Johnson', 'Okafor', 'Williams', 'Rossi', 'Brown', 'Cohen', 'Martinez', 'Kim', 'Walsh'];
const OFFICES: Record<Level, string[]> = {
  federal: ['President', 'Attorney General', 'Secretary of Homeland Security', 'Director, Office of Justice Programs'],
  state: ['Governor', 'Attorney General', 'State Senator', 'Secretary of State'],
  county: ['Chair, Board of Supervisors', 'County Executive', 'Sheriff', 'County Counsel'],
  municipal: ['Mayor', 'City Attorney', 'Council Member', 'Chief of Police'],
};
const TAGS = ['immigration', 'sanctuary', 'grants', 'policing', 'housing', 'health', 'environment', 'elections', 'budget', 'courts', 'labor', 'transit'];
const CORRECTION_REASONS = ['Title as published in the official record', 'Summary expanded from the full text', 'Date corrected from the signed document'];
const RETRACTION_REASONS = ['Duplicate of an existing entry', 'Misattributed to the wrong jurisdiction', 'Source withdrawn by publisher'];
const LINK_RELATIONS: RelationType[] = ['responds_to', 'challenges', 'implements', 'cites', 'joins'];

interface Rec {
  id: string;
  /** Stream version after the events generated so far. */
  v: number;
  level: number;
  /** Last batch that wrote to the stream: it may not be picked again while that batch is in flight. */
  batch: number;
}

/** Event-type mix: creates plus the follow-ups a curated ledger sees. Cumulative thresholds. */
const MIX: [string, number][] = [
  ['ActionRecorded', 0.62],
  ['ActionProposed', 0.7],
  ['ProposalPublished', 0.745],
  ['ProposalRejected', 0.755],
  ['ActionCorrected', 0.845],
  ['ActionRetracted', 0.875],
  ['ActionLinked', 0.935],
  ['SourceAttached', 1],
];

export interface GeneratorStats {
  actions: number;
  byType: Record<string, number>;
  byLevel: Record<Level, number>;
}

/** Generates batches of action events (one stream append per action per batch). */
export class ActionEventGenerator {
  /** Published actions by level: targets of corrections, retractions, links, sources. */
  private readonly live: Rec[][] = LEVELS.map(() => []);
  /** Proposed actions awaiting a decision, by level. */
  private readonly pending: Rec[][] = LEVELS.map(() => []);
  private serial = 0;
  private validated = 0;
  readonly stats: GeneratorStats = { actions: 0, byType: {}, byLevel: { federal: 0, state: 0, county: 0, municipal: 0 } };

  constructor(
    private readonly rand: () => number,
    private readonly tree: Tree,
  ) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)];
  }

  private level(): number {
    let r = this.rand();
    for (let i = 0; i < LEVEL_WEIGHTS.length; i++) {
      r -= LEVEL_WEIGHTS[i][1];
      if (r < 0) return i;
    }
    return LEVEL_WEIGHTS.length - 1;
  }

  private uuid(): string {
    const hex = (n: number) => Math.floor(this.rand() * 16 ** n).toString(16).padStart(n, '0');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(this.rand() * 4)).toString(16)}${hex(3)}-${hex(6)}${hex(6)}`;
  }

  /** A record from `pool` that no in-flight batch touches, removed from the pool if `take`. */
  private choose(pool: Rec[], inflight: ReadonlySet<number>, take: boolean): Rec | undefined {
    for (let attempt = 0; attempt < 8 && pool.length; attempt++) {
      const i = Math.floor(this.rand() * pool.length);
      const rec = pool[i];
      if (inflight.has(rec.batch)) continue;
      if (take) {
        pool[i] = pool[pool.length - 1];
        pool.pop();
      }
      return rec;
    }
    return undefined;
  }

  private date(): { date: string; precision: 'day' | 'month' | 'year' } {
    const start = Date.UTC(1995, 0, 1);
    const end = Date.UTC(2026, 9, 31);
    const day = new Date(start + Math.floor(this.rand() * ((end - start) / 86_400_000)) * 86_400_000).toISOString().slice(0, 10);
    const r = this.rand();
    if (r < 0.9) return { date: day, precision: 'day' };
    if (r < 0.97) return { date: day.slice(0, 7), precision: 'month' };
    return { date: day.slice(0, 4), precision: 'year' };
  }

  private source(level: Level, publishedOn: string): Source {
    const p = this.pick(PUBLISHERS[level]);
    const n = ++this.serial;
    return {
      url: `${p.host}/${publishedOn.slice(0, 4)}-${String(n).padStart(6, '0')}`,
      publisher: p.publisher,
      title: `${p.publisher} release ${n}`,
      publishedOn,
      retrievedAt: '2026-11-24T09:00:00Z',
    };
  }

  private actingAndAffected(level: Level): { acting: Jurisdiction; affected: string[] } {
    const t = this.tree;
    const r = this.rand();
    switch (level) {
      case 'federal': {
        // Most federal actions reach everyone; some name particular jurisdictions (the DOJ
        // letters to nine "sanctuary" jurisdictions): direct on those, not inherited.
        if (r < 0.8) return { acting: t.country, affected: [t.country.id] };
        const n = 1 + Math.floor(this.rand() * 8);
        const named = new Set<string>();
        while (named.size < n) {
          const k = this.rand();
          named.add((k < 0.15 ? this.pick(t.states) : k < 0.4 ? this.pick(t.counties) : this.pick(t.places)).id);
        }
        return { acting: t.country, affected: [...named] };
      }
      case 'state': {
        const s = this.pick(t.states);
        if (r < 0.85) return { acting: s, affected: [s.id] };
        // A state acting on some of its own counties or cities (preemption, an AG's suit).
        const locals = [...t.countiesByState[s.state], ...t.placesByState[s.state]];
        const named = new Set<string>([s.id]);
        for (let i = 0, n = 1 + Math.floor(this.rand() * 3); i < n && locals.length; i++) named.add(this.pick(locals).id);
        return { acting: s, affected: [...named] };
      }
      case 'county': {
        const c = this.pick(t.counties);
        const places = t.placesByState[c.state];
        if (r < 0.9 || places.length === 0) return { acting: c, affected: [c.id] };
        return { acting: c, affected: [c.id, this.pick(places).id] };
      }
      default: {
        const p = this.pick(t.places);
        return { acting: p, affected: [p.id] };
      }
    }
  }

  /** Content of a new action: what the API would have validated (defaults applied). */
  content(level: Level): ActionContent {
    const { acting, affected } = this.actingAndAffected(level);
    const kind = this.pick(KINDS[level]);
    const topic = this.pick(TOPICS);
    const occurredOn = this.date();
    const n = ++this.serial;
    const title =
      level === 'federal' && kind === 'executive_order'
        ? `Executive Order ${13_000 + (n % 2000)}: ${topic[0].toUpperCase()}${topic.slice(1)}`
        : `${acting.name}: ${KIND_LABEL[kind]} on ${topic}`;
    const office = this.pick(OFFICES[level]);
    const person = `${this.pick(FIRST)} ${this.pick(LAST)}`;
    const content: ActionContent = {
      kind,
      title,
      summary:
        `${office} ${person} of ${acting.name} issued a ${KIND_LABEL[kind].toLowerCase()} concerning ${topic}. ` +
        `It applies to ${affected.length === 1 ? 'the jurisdiction itself' : `${affected.length} named jurisdictions`} ` +
        `and takes effect on publication; reference ${level.toUpperCase()}-${n}.`,
      occurredOn,
      actingJurisdictionId: acting.id,
      affectedJurisdictionIds: affected,
      actors: [{ name: person, office, organisation: acting.name }],
      citations:
        level === 'federal' && this.rand() < 0.5
          ? [{ kind: 'federal_register', text: `${82 + Math.floor(this.rand() * 9)} FR ${1000 + Math.floor(this.rand() * 90_000)}` }]
          : [],
      amounts:
        kind === 'funding_action' || kind === 'grant_condition'
          ? [{ value: Math.round(this.rand() * 50_000_000), currency: 'USD', description: `Funds tied to ${topic}` }]
          : [],
      sources: [this.source(level, occurredOn.date)],
      tags: [...new Set([this.pick(TAGS), this.pick(TAGS)])],
    };
    // Spot-check the generator against the domain's schema (cheap at 1 in 1000).
    if (this.validated++ % 1000 === 0) {
      const parsed = actionContentSchema.safeParse(content);
      if (!parsed.success) throw new Error(`generated content fails the schema: ${JSON.stringify(parsed.error.issues)}`);
    }
    return content;
  }

  private create(level: number, type: 'ActionRecorded' | 'ActionProposed', batch: number, inflight: ReadonlySet<number>): { rec: Rec; event: NewEvent } {
    const id = this.uuid();
    const content = this.content(LEVELS[level]);
    const relations: { relation: RelationType; targetId: string }[] = [];
    if (level > 0 && this.rand() < 0.1) {
      // Responds to or challenges something from above (a city answering an executive order).
      const target = this.choose(this.live[this.rand() < 0.5 ? 0 : 1], inflight, false);
      if (target) relations.push({ relation: this.rand() < 0.6 ? 'responds_to' : 'challenges', targetId: target.id });
    }
    const rec: Rec = { id, v: 1, level, batch };
    this.stats.actions++;
    this.stats.byLevel[LEVELS[level]]++;
    const data =
      type === 'ActionProposed'
        ? { actionId: id, content, relations, proposal: { sourceSystem: 'city_press_feed', externalId: `item-${this.serial}` } }
        : { actionId: id, content, relations };
    return { rec, event: { type, data } };
  }

  /** `events` events over distinct streams; marks every stream it touches with `batch`. */
  batch(events: number, batch: number, inflight: ReadonlySet<number>): StreamAppend[] {
    const appends: StreamAppend[] = [];
    const created: [Rec, boolean][] = [];
    for (let i = 0; i < events; i++) {
      const r = this.rand();
      let type = MIX.find(([, t]) => r < t)![0];
      const level = this.level();
      let rec: Rec | undefined;
      let data: Record<string, unknown> | undefined;
      const expected = () => rec!.v;
      switch (type) {
        case 'ProposalPublished':
        case 'ProposalRejected':
          rec = this.choose(this.pending[level], inflight, true);
          if (rec) {
            data = type === 'ProposalPublished' ? { actionId: rec.id } : { actionId: rec.id, reason: 'Not a policy action of this jurisdiction' };
            if (type === 'ProposalPublished') this.live[level].push(rec);
          }
          break;
        case 'ActionRetracted':
          rec = this.choose(this.live[level], inflight, true);
          if (rec) data = { actionId: rec.id, reason: this.pick(RETRACTION_REASONS) };
          break;
        case 'ActionCorrected':
          rec = this.choose(this.live[level], inflight, false);
          if (rec) {
            const k = this.rand();
            const changes =
              k < 0.6
                ? { summary: `Corrected summary ${this.serial++}: the measure was amended before adoption and now also covers reporting duties.` }
                : k < 0.85
                  ? { title: `${KIND_LABEL[this.pick(KINDS[LEVELS[level]])]} on ${this.pick(TOPICS)} (as adopted)` }
                  : { occurredOn: this.date() };
            data = { actionId: rec.id, changes, reason: this.pick(CORRECTION_REASONS) };
          }
          break;
        case 'ActionLinked': {
          rec = this.choose(this.live[level], inflight, false);
          const target = rec && this.choose(this.live[Math.floor(this.rand() * (level + 1))], inflight, false);
          if (rec && target && target !== rec) {
            data = { actionId: rec.id, relation: this.pick(LINK_RELATIONS), targetId: target.id };
          } else rec = undefined;
          break;
        }
        case 'SourceAttached':
          rec = this.choose(this.live[level], inflight, false);
          if (rec) data = { actionId: rec.id, source: this.source(LEVELS[level], this.date().date) };
          break;
      }
      if (!rec || !data) {
        // Nothing eligible yet (early batches): create instead.
        type = this.rand() < 0.9 ? 'ActionRecorded' : 'ActionProposed';
        const made = this.create(level, type as 'ActionRecorded', batch, inflight);
        appends.push({ streamId: actionStream(made.rec.id), events: [made.event], expectedVersion: 'no_stream' });
        created.push([made.rec, type === 'ActionProposed']);
      } else {
        appends.push({ streamId: actionStream(rec.id), events: [{ type, data }], expectedVersion: expected() });
        rec.v++;
        rec.batch = batch;
      }
      this.stats.byType[type] = (this.stats.byType[type] ?? 0) + 1;
    }
    for (const [rec, proposed] of created) (proposed ? this.pending : this.live)[rec.level].push(rec);
    return appends;
  }
}

// ---------------------------------------------------------------------------------------------
// Loading

export interface LoadProgress {
  events: number;
  total: number;
}

export interface LoadResult {
  events: number;
  seconds: number;
  jurisdictionSeconds: number;
  stats: GeneratorStats;
}

/**
 * Appends the tree's JurisdictionRegistered events, then `totalEvents` minus those as action
 * events, through EventStore.appendMany (the store's inline projections fill the read model
 * in each append's transaction), `parallel` appends in flight.
 */
export async function loadDataset(
  store: EventStore,
  tree: Tree,
  rand: () => number,
  options: { totalEvents: number; batchEvents: number; parallel: number; onProgress?: (p: LoadProgress) => void },
): Promise<LoadResult> {
  const t0 = performance.now();
  const metadata = { actor: 'bench:api-loader' };
  let done = 0;
  // Jurisdictions, parents first, through the seed every other loader uses (the decider,
  // appended 1000 at a time).
  const seeded = await seedJurisdictions(
    store,
    tree.all.map((j) => ({ type: 'RegisterJurisdiction' as const, data: { id: j.id, name: j.name } })),
    { metadata, batchSize: 1000, onProgress: (p) => options.onProgress?.({ events: p.done, total: options.totalEvents }) },
  );
  if (seeded.registered !== tree.all.length) throw new Error(`registered ${seeded.registered} of ${tree.all.length} jurisdictions: ${JSON.stringify(seeded.rejections.slice(0, 3))}`);
  done = seeded.registered;
  const jurisdictionSeconds = (performance.now() - t0) / 1000;

  const generator = new ActionEventGenerator(rand, tree);
  // Batch `no` is generated only once every batch up to `no - parallel` has committed, and it
  // leaves alone the streams of the `parallel - 1` batches before it (they may still be in
  // flight): the same events on every run, whatever order the appends finish in.
  const running = new Map<number, Promise<void>>();
  let generated = done;
  let failure: unknown;
  for (let no = 1; generated < options.totalEvents && failure === undefined; no++) {
    await running.get(no - options.parallel);
    if (failure !== undefined) break;
    const inflight = new Set(Array.from({ length: options.parallel }, (_, i) => no - i));
    const n = Math.min(options.batchEvents, options.totalEvents - generated);
    const appends = generator.batch(n, no, inflight);
    generated += n;
    const p: Promise<void> = store
      .appendMany(appends, { metadata })
      .then(
        () => {
          done += n;
          options.onProgress?.({ events: done, total: options.totalEvents });
        },
        (err: unknown) => {
          failure ??= err;
        },
      )
      .finally(() => running.delete(no));
    running.set(no, p);
  }
  await Promise.all(running.values());
  if (failure !== undefined) throw failure;
  return { events: done, seconds: (performance.now() - t0) / 1000, jurisdictionSeconds, stats: generator.stats };
}
