import { z } from 'zod';

/**
 * Open Civic Data division ids: `ocd-division/country:us/state:ca/county:santa_clara`.
 *
 * `type` is `[a-z_]+`. `type_id` is `[a-z0-9._~-]+` **plus lower-case non-ASCII letters**: the
 * OCD spec allows "lowercase UTF-8 letters" and the official US list uses them
 * (`state:nm/county:doña_ana`, `territory:pr/municipio:bayamón`). Upper case is always rejected.
 * Ids are compared as exact strings, so callers should pass NFC text (as the OCD files are).
 */
const OCD_ID = /^ocd-division\/country:[a-z]{2}(?:\/[a-z_]+:[\p{Ll}0-9._~-]+)*$/u;

export type JurisdictionLevel = 'federal' | 'state' | 'county' | 'municipal' | 'territorial' | 'tribal';
export const JURISDICTION_LEVELS = [
  'federal',
  'state',
  'county',
  'municipal',
  'territorial',
  'tribal',
] as const satisfies readonly JurisdictionLevel[];

export interface OcdSegment {
  type: string;
  id: string;
}

export function isOcdId(value: unknown): value is string {
  return typeof value === 'string' && OCD_ID.test(value);
}

/** The id's `type:type_id` segments, country first; null when the id is not valid. */
export function parseOcdId(id: string): OcdSegment[] | null {
  if (!isOcdId(id)) return null;
  return id
    .slice('ocd-division/'.length)
    .split('/')
    .map((segment) => {
      const colon = segment.indexOf(':');
      return { type: segment.slice(0, colon), id: segment.slice(colon + 1) };
    });
}

/** The id minus its last segment; null for a country (or an invalid id). */
export function pathParentOf(id: string): string | null {
  if (!isOcdId(id)) return null;
  const cut = id.lastIndexOf('/');
  return cut > 'ocd-division'.length ? id.slice(0, cut) : null;
}

/**
 * Ancestors by path, NEAREST FIRST, ending with the country:
 * `…/state:ca/county:x` → [`…/state:ca`, `ocd-division/country:us`]. Empty for a country.
 * Explicit (non-path) parents such as consolidated governments are not known here.
 */
export function ancestorsOf(id: string): string[] {
  const ancestors: string[] = [];
  for (let parent = pathParentOf(id); parent; parent = pathParentOf(parent)) ancestors.push(parent);
  return ancestors;
}

const COUNTY_TYPES = new Set(['county', 'parish', 'borough', 'census_area']);
const MUNICIPAL_TYPES = new Set([
  'place', 'city', 'town', 'township', 'village', 'municipality', 'municipio', 'borough', 'ward',
]);
const TRIBAL_TYPES = new Set([
  'tribe', 'tribal', 'tribal_nation', 'tribal_land', 'nation', 'reservation', 'rancheria',
  'pueblo', 'band', 'native_village', 'anvsa',
]);
// Federal courts: circuits sit under the country, district courts under their circuit.
const FEDERAL_COURTS = new Set(['court_of_appeals', 'district_court']);

/**
 * Best guess of a division's level from its last segment's type; undefined when unsure
 * (electoral districts, school districts, unknown types) so the caller must say.
 */
export function inferLevel(id: string): JurisdictionLevel | undefined {
  const segments = parseOcdId(id);
  if (!segments) return undefined;
  const { type } = segments[segments.length - 1];
  const depth = segments.length; // 1 = country, 2 = directly under the country
  if (type === 'country') return 'federal';
  if (TRIBAL_TYPES.has(type)) return 'tribal';
  if (segments.every((s, i) => i === 0 || FEDERAL_COURTS.has(s.type))) return 'federal';
  if (depth === 2) {
    if (type === 'state' || type === 'district') return 'state'; // district:dc
    if (type === 'territory') return 'territorial';
    return undefined;
  }
  // A borough right under a state is a county equivalent (Alaska); deeper, a municipality.
  if (COUNTY_TYPES.has(type) && depth === 3) return 'county';
  if (MUNICIPAL_TYPES.has(type)) return 'municipal';
  if (COUNTY_TYPES.has(type)) return 'county';
  return undefined;
}

/** Zod schema for an OCD division id, with a message that shows the expected shape. */
export const ocdIdSchema = z
  .string()
  .refine(isOcdId, 'must be an Open Civic Data division id like ocd-division/country:us/state:ca (lower case)');
