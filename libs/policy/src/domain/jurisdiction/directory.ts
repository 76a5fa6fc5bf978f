import { parseOcdId } from '../ocd-id';

/** US states and DC by their OCD type_id (states.csv), for reading "Philadelphia, PA". */
export const US_STATES: Readonly<Record<string, string>> = {
  ak: 'Alaska', al: 'Alabama', ar: 'Arkansas', az: 'Arizona', ca: 'California', co: 'Colorado',
  ct: 'Connecticut', dc: 'District of Columbia', de: 'Delaware', fl: 'Florida', ga: 'Georgia',
  hi: 'Hawaii', ia: 'Iowa', id: 'Idaho', il: 'Illinois', in: 'Indiana', ks: 'Kansas', ky: 'Kentucky',
  la: 'Louisiana', ma: 'Massachusetts', md: 'Maryland', me: 'Maine', mi: 'Michigan', mn: 'Minnesota',
  mo: 'Missouri', ms: 'Mississippi', mt: 'Montana', nc: 'North Carolina', nd: 'North Dakota',
  ne: 'Nebraska', nh: 'New Hampshire', nj: 'New Jersey', nm: 'New Mexico', nv: 'Nevada', ny: 'New York',
  oh: 'Ohio', ok: 'Oklahoma', or: 'Oregon', pa: 'Pennsylvania', ri: 'Rhode Island', sc: 'South Carolina',
  sd: 'South Dakota', tn: 'Tennessee', tx: 'Texas', ut: 'Utah', va: 'Virginia', vt: 'Vermont',
  wa: 'Washington', wi: 'Wisconsin', wv: 'West Virginia', wy: 'Wyoming',
};

/** The OCD id of a state (DC is a `district:`). */
export function stateIdOf(code: string): string {
  return `ocd-division/country:us/${code === 'dc' ? 'district' : 'state'}:${code}`;
}

const REGION_TYPES = new Set(['state', 'district', 'territory']);

/**
 * The name as a reader expects it, with its state: "Philadelphia, PA", "Santa Clara County, CA".
 * A census place's trailing " city" goes ("New York city" reads "New York, NY"); other kinds
 * keep theirs, since "Syracuse town" and "Syracuse" are different governments. The country,
 * states and anything outside a state keep their name.
 */
export function displayNameOf(id: string, name: string): string {
  const segments = parseOcdId(id);
  if (!segments) return name;
  const region = segments.findIndex((s) => REGION_TYPES.has(s.type));
  if (region < 0 || region === segments.length - 1) return name;
  const last = segments.at(-1)!;
  const base = last.type === 'place' ? name.replace(/ city$/, '') : name;
  return `${base}, ${segments[region].id.toUpperCase()}`;
}

/** Whole-query short forms a reader types for a few big places. */
const ALIASES: Readonly<Record<string, string>> = {
  nyc: 'new york city, ny',
  sf: 'san francisco, ca',
  philly: 'philadelphia, pa',
};

export interface DirectoryQuery {
  /** The name part, as typed (normalised by the database's directory_key). */
  name: string;
  /** A state's OCD id when the query ended with one ("…, CA", "… Pennsylvania"). */
  stateId?: string;
}

const STATE_BY_NAME = new Map(Object.entries(US_STATES).map(([code, name]) => [name.toLowerCase(), code]));

function stateCode(text: string): string | undefined {
  const t = text.trim().toLowerCase().replace(/\./g, '');
  if (t.length === 2 && US_STATES[t]) return t;
  return STATE_BY_NAME.get(t);
}

/**
 * Splits a directory query into a name and the state it is narrowed to: "san francisco, ca",
 * "Philadelphia PA", "philadelphia, pennsylvania". Without a comma, only a last word (or two,
 * "New Mexico") that names a state counts, and only when a name is left before it: "New York"
 * alone is a name, not the state filter of an empty name.
 */
export function parseDirectoryQuery(q: string): DirectoryQuery {
  const typed = q.trim().replace(/\s+/g, ' ');
  const text = ALIASES[typed.toLowerCase()] ?? typed;
  // "West Virginia" is the state, not a West in Virginia.
  if (stateCode(text)) return { name: text };
  const comma = text.lastIndexOf(',');
  if (comma > 0) {
    const code = stateCode(text.slice(comma + 1));
    if (code) return { name: text.slice(0, comma).trim(), stateId: stateIdOf(code) };
  }
  const words = text.split(' ');
  for (const n of [3, 2, 1]) {
    if (words.length <= n) continue;
    const code = stateCode(words.slice(-n).join(' '));
    if (code) return { name: words.slice(0, -n).join(' '), stateId: stateIdOf(code) };
  }
  return { name: text };
}

/**
 * Consolidated city-counties: one government under two OCD ids, its county (or parish, or
 * borough) and its place. The OCD files carry no sameAs link between them, so the pairs are
 * listed here: governments the U.S. Census Bureau describes as consolidated city-counties
 * (Census of Governments, individual state descriptions) whose city and county cover the same
 * area, and whose two ids are both in libs/policy/data/ocd. Partly consolidated governments
 * (Indianapolis, Jacksonville, Nashville, Louisville, Kansas City KS), with other cities still
 * inside the county, are left out: there the county's timeline is not the city's.
 */
export const CONSOLIDATED_CITY_COUNTIES: readonly (readonly [county: string, place: string])[] = [
  ['state:ak/borough:anchorage', 'state:ak/place:anchorage'],
  ['state:ak/borough:juneau', 'state:ak/place:juneau'],
  ['state:ak/borough:sitka', 'state:ak/place:sitka'],
  ['state:ak/borough:wrangell', 'state:ak/place:wrangell'],
  ['state:ca/county:san_francisco', 'state:ca/place:san_francisco'],
  ['state:co/county:broomfield', 'state:co/place:broomfield'],
  ['state:co/county:denver', 'state:co/place:denver'],
  ['state:ga/county:chattahoochee', 'state:ga/place:cusseta'],
  ['state:ga/county:muscogee', 'state:ga/place:columbus'],
  ['state:ga/county:webster', 'state:ga/place:webster_county_'],
  ['state:ky/county:fayette', 'state:ky/place:lexington'],
  ['state:la/parish:orleans', 'state:la/place:new_orleans'],
  ['state:mt/county:deer_lodge', 'state:mt/place:anaconda'],
  ['state:pa/county:philadelphia', 'state:pa/place:philadelphia'],
  ['state:tn/county:moore', 'state:tn/place:lynchburg'],
  ['state:tn/county:trousdale', 'state:tn/place:hartsville'],
].map(([county, place]) => [`ocd-division/country:us/${county}`, `ocd-division/country:us/${place}`] as const);

const TWINS = new Map(CONSOLIDATED_CITY_COUNTIES.flatMap(([county, place]) => [[county, place], [place, county]]));

/** The other id of a consolidated city-county, or null. */
export function consolidatedTwinOf(id: string): string | null {
  return TWINS.get(id) ?? null;
}
