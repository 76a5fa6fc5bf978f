import { inferLevel, parseOcdId, type JurisdictionLevel, type RegisterJurisdiction } from '@app/policy/domain';
import { readOcdDirectory } from '@app/policy/seed/ocd-directory';

/** One jurisdiction a name may stand for. `stateCode` is '' for the country. */
export interface PlaceCandidate {
  id: string;
  name: string;
  level: JurisdictionLevel;
  stateCode: string;
  /** Its id sits under a county (`…/county:wayne/place:boston`): a township. */
  underCounty: boolean;
}

/** How a state was written: its name ("Illinois") or an abbreviation ("IL", "Ill.", "N.Y."). */
export interface StateForm {
  state: PlaceCandidate;
  abbreviation: boolean;
}

/**
 * Normalised names (see `nameKey`) → the jurisdictions they may stand for. Counties are kept
 * apart because text names them with their descriptor ("Cook County"): "Cook" alone is not read
 * as a county.
 */
export interface PlaceDirectory {
  /** Municipalities, states, DC, territories, the country, aliases; consolidated city-counties. */
  places: ReadonlyMap<string, readonly PlaceCandidate[]>;
  /** County equivalents by name without "County", "Parish", "Borough"… */
  counties: ReadonlyMap<string, readonly PlaceCandidate[]>;
  /** Normalised state name or abbreviation → the state, DC or territory. */
  states: ReadonlyMap<string, StateForm>;
  /** The longest key in words, so the matcher knows how far to look ahead. */
  maxTokens: number;
  /**
   * Every key of `places` and `counties` and each of its leading word runs ("new", "new york"):
   * a run of words that is none of these cannot grow into a name, so the matcher stops there.
   */
  prefixes: ReadonlySet<string>;
}

const US = 'ocd-division/country:us';

// Press text abbreviates states the AP way; USPS codes come from the ids themselves.
const AP_ABBREVIATIONS: Record<string, string> = {
  'Ala.': 'al', 'Ariz.': 'az', 'Ark.': 'ar', 'Calif.': 'ca', 'Cal.': 'ca', 'Colo.': 'co', 'Conn.': 'ct',
  'Del.': 'de', 'D.C.': 'dc', 'Fla.': 'fl', 'Ga.': 'ga', 'Ill.': 'il', 'Ind.': 'in', 'Kan.': 'ks',
  'Kans.': 'ks', 'Ky.': 'ky', 'La.': 'la', 'Md.': 'md', 'Mass.': 'ma', 'Mich.': 'mi', 'Minn.': 'mn',
  'Miss.': 'ms', 'Mo.': 'mo', 'Mont.': 'mt', 'Neb.': 'ne', 'Nebr.': 'ne', 'Nev.': 'nv', 'N.H.': 'nh',
  'N.J.': 'nj', 'N.M.': 'nm', 'N.Y.': 'ny', 'N.C.': 'nc', 'N.D.': 'nd', 'Okla.': 'ok', 'Ore.': 'or',
  'Pa.': 'pa', 'Penn.': 'pa', 'R.I.': 'ri', 'S.C.': 'sc', 'S.D.': 'sd', 'Tenn.': 'tn', 'Tex.': 'tx',
  'Vt.': 'vt', 'Va.': 'va', 'Wash.': 'wa', 'W.Va.': 'wv', 'Wis.': 'wi', 'Wisc.': 'wi', 'Wyo.': 'wy',
};

// Only the inhabited territories have postal codes; the historical ones (Dakota Territory…) do not.
const TERRITORY_CODES = new Set(['as', 'gu', 'mp', 'pr', 'vi']);

// The legal descriptor the Census appends to every name ("Chicago city", "Cook County"). Places
// carry it in lower case, county equivalents capitalised, so matching case keeps real names
// whole: "Carson City" and "Township 1" have no descriptor. Longest first.
const PLACE_DESCRIPTORS = [
  'city and borough', 'city and county', 'consolidated government', 'unified government',
  'metropolitan government', 'urban county', 'municipality', 'plantation', 'corporation', 'township',
  'village', 'borough', 'city', 'town', 'cdp',
];
const COUNTY_DESCRIPTORS = ['Census Area', 'Municipality', 'Municipio', 'Borough', 'County', 'Parish'];

/**
 * Names the data cannot give, added only when their target is in the directory (tests load
 * slices). The press says "New York City"; the data says "New York city". DC's city is
 * Washington, which the data only knows as "District of Columbia". Honolulu is a consolidated
 * city-county with no place row at all.
 */
const ALIASES: ReadonlyArray<[string, string]> = [
  ['New York City', `${US}/state:ny/place:new_york`],
  ['Washington', `${US}/district:dc`],
  ['Washington D.C.', `${US}/district:dc`],
  ['Honolulu', `${US}/state:hi/county:honolulu`],
];

/**
 * Consolidated city-counties the ledger files under their county id (as
 * libs/policy/src/seed/curated-2017.ts does): the city's own name stands for the county.
 * Denver and Philadelphia are consolidated too, but the ledger keeps them under their place
 * ids, so they are not listed.
 */
const CONSOLIDATED: ReadonlyArray<[string, string]> = [
  [`${US}/state:ca/place:san_francisco`, `${US}/state:ca/county:san_francisco`],
];

/**
 * Builds the index from RegisterJurisdiction commands (the OCD reader's output). Federal courts
 * are left out: their names are not place names.
 */
export function buildPlaceDirectory(commands: readonly RegisterJurisdiction[]): PlaceDirectory {
  const places = new Map<string, PlaceCandidate[]>();
  const counties = new Map<string, PlaceCandidate[]>();
  const states = new Map<string, StateForm>();
  const byId = new Map<string, PlaceCandidate>();
  const redirect = new Map(CONSOLIDATED);
  const prefixes = new Set<string>();
  let maxTokens = 1;

  const add = (index: Map<string, PlaceCandidate[]>, key: string, candidate: PlaceCandidate) => {
    if (key === '') return;
    const list = index.get(key);
    if (!list) index.set(key, [candidate]);
    else if (!list.some((c) => c.id === candidate.id)) list.push(candidate);
    const words = key.split(' ');
    maxTokens = Math.max(maxTokens, words.length);
    for (let n = 1; n <= words.length; n++) prefixes.add(words.slice(0, n).join(' '));
  };

  for (const { data } of commands) {
    const segments = parseOcdId(data.id);
    const level = data.level ?? inferLevel(data.id);
    if (!segments || !level) continue;
    const top = segments[1];
    if (top && !['state', 'district', 'territory'].includes(top.type)) continue;
    const candidate: PlaceCandidate = { id: data.id, name: data.name, level, stateCode: top?.id ?? '', underCounty: segments.length > 3 };
    byId.set(candidate.id, candidate);
  }
  for (const candidate of byId.values()) {
    const depth = candidate.id.split('/').length - 1;
    if (depth <= 2) {
      add(places, nameKey(candidate.name), candidate);
      if (depth === 2) {
        states.set(nameKey(candidate.name), { state: candidate, abbreviation: false });
        const code = candidate.stateCode;
        if (!candidate.id.includes('/territory:') || TERRITORY_CODES.has(code)) states.set(code, { state: candidate, abbreviation: true });
      }
      continue;
    }
    const key = nameKey(stripDescriptor(candidate.name));
    if (candidate.level === 'county') {
      add(counties, key, candidate);
      continue;
    }
    const target = byId.get(redirect.get(candidate.id) ?? candidate.id) ?? candidate;
    add(places, key, target);
    // "Lexington-Fayette urban county", "Lynchburg, Moore County metropolitan government": the
    // city is also known by the part before the county's name.
    const consolidated = /^([^,-]+)[,-].*(?:government|urban county)$/.exec(candidate.name);
    if (consolidated) add(places, nameKey(consolidated[1]), target);
  }

  for (const [abbreviation, code] of Object.entries(AP_ABBREVIATIONS)) {
    const form = states.get(code);
    if (form) states.set(nameKey(abbreviation), form);
  }
  for (const [alias, id] of ALIASES) {
    const candidate = byId.get(id);
    if (candidate) add(places, nameKey(alias), candidate);
  }
  return { places, counties, states, maxTokens, prefixes };
}

let shared: PlaceDirectory | undefined;

/** The directory over the shipped OCD files, built on first use and kept for the process. */
export function loadPlaceDirectory(): PlaceDirectory {
  shared ??= buildPlaceDirectory(ocdRegistrations());
  return shared;
}

let registrations: readonly RegisterJurisdiction[] | undefined;

/** The shipped OCD files as registrations, read once per process (the matcher and the pipeline share them). */
export function ocdRegistrations(): readonly RegisterJurisdiction[] {
  registrations ??= readOcdDirectory().commands;
  return registrations;
}

function stripDescriptor(name: string): string {
  for (const d of COUNTY_DESCRIPTORS) if (name.endsWith(` ${d}`)) return name.slice(0, -d.length - 1);
  for (const d of PLACE_DESCRIPTORS) if (name.endsWith(` ${d}`)) return name.slice(0, -d.length - 1);
  return name;
}

/** A word of text with its offsets; `text` is as written, `norm` as compared. */
export interface Token {
  text: string;
  norm: string;
  start: number;
  end: number;
}

// Words may hold inner periods ("D.C", "St"), hyphens ("Winston-Salem"), ampersands, and
// apostrophes except a possessive 's, so "Syracuse's" yields "Syracuse". A trailing period is
// left out: it usually ends the sentence; the matcher looks at it only for abbreviations.
const WORD = /[\p{L}\p{N}]+(?:(?:['’](?!s\b)|[.\-&])[\p{L}\p{N}]+)*/gu;

// Both spellings are common in text and in the data ("St. Paul" / "Saint Paul").
const WORD_FOLDS: Record<string, string> = { saint: 'st', sainte: 'ste', mount: 'mt', fort: 'ft' };

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(WORD)) {
    tokens.push({ text: m[0], norm: normaliseWord(m[0]), start: m.index, end: m.index + m[0].length });
  }
  return tokens;
}

// Words repeat across items (a page of orders says "Executive", "Order", "United" a thousand
// times), and normalising one is the matcher's main cost: keep what was worked out, up to a bound.
const normalisedWords = new Map<string, string>();
const MAX_CACHED_WORDS = 100_000;

/** Case, accents ("Doña Ana"), periods, apostrophes and hyphens do not tell names apart. */
function normaliseWord(word: string): string {
  let norm = normalisedWords.get(word);
  if (norm === undefined) {
    norm = foldWord(word);
    if (normalisedWords.size >= MAX_CACHED_WORDS) normalisedWords.clear();
    normalisedWords.set(word, norm);
  }
  return norm;
}

function foldWord(word: string): string {
  return word
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[.'’]/g, '')
    .split('-')
    .map((w) => WORD_FOLDS[w] ?? w)
    .join(' ');
}

/** The index key of a name: its words normalised, one space apart. */
export function nameKey(name: string): string {
  return tokenize(name)
    .map((t) => t.norm)
    .join(' ');
}
