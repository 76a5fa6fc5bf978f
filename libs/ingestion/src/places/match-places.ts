import { tokenize, type PlaceCandidate, type PlaceDirectory, type StateForm, type Token } from './place-directory';

/** Offsets are UTF-16 indices into the text, `end` exclusive: `evidence === text.slice(start, end)`. */
export interface PlaceSpan {
  evidence: string;
  start: number;
  end: number;
}

export interface PlaceMatch extends PlaceSpan {
  id: string;
}

export interface AmbiguousPlace extends PlaceSpan {
  candidates: string[];
}

export interface PlaceMatches {
  matched: PlaceMatch[];
  ambiguous: AmbiguousPlace[];
  /** Phrases shaped like places ("Springfield, Atlantis", "City of Gotham") that match nothing. */
  unmatched: PlaceSpan[];
}

type Found = { start: number; end: number; candidates: readonly PlaceCandidate[] | null };
type Name = { length: number; key: string; candidates: readonly PlaceCandidate[] };

const COUNTY_WORDS = new Set(['county', 'parish', 'borough']);
const MUNICIPAL_PREFIXES = new Set(['city', 'town', 'village', 'borough']);
const STATE_PREFIXES = new Set(['state', 'commonwealth']);
// Institutions that policy text names far more often than the town of the same name (White
// House, Tennessee); with a state ("White House, Tenn.") the town is still found.
const NOT_PLACES = new Set(['white house']);
// Ordinary words of policy text that are also the whole name of some town ("the Interior of the
// United States" is not Interior, South Dakota; "Congress passed" is not Congress, Arizona). Alone
// they are read as words; with their state ("Congress, Ariz.") they are still places.
const COMMON_WORDS = new Set([
  'interior', 'sanctuary', 'justice', 'liberty', 'union', 'commerce', 'independence', 'enterprise', 'security', 'energy',
  'freedom', 'victory', 'opportunity', 'progress', 'unity', 'harmony', 'friendship', 'welfare', 'reform', 'republic',
  'equality', 'industry', 'congress', 'grant', 'order', 'president', 'federal', 'national', 'homeland', 'defense',
  'protection', 'mercy', 'hope', 'faith', 'charity', 'eden', 'paradise', 'plain', 'normal', 'temple', 'chance', 'accord',
  'alliance', 'concord', 'commonwealth', 'patriot', 'pleasant', 'fairview', 'midway', 'center', 'central', 'nation',
]);
// Words that may follow a place name ("Chicago Mayor") or precede it ("Mayor of Boston")
// without making it part of another name.
const TITLES_AFTER = new Set(['mayor', 'mayors', 'council', 'police', 'sheriff']);
const TITLES_BEFORE_OF = new Set(['mayor', 'mayors', 'governor', 'people', 'residents', 'city', 'town', 'village', 'county', 'state']);
// A township sits under its county: `…/state:in/county:wayne/place:boston`.
const isTownship = (c: PlaceCandidate) => c.level === 'municipal' && c.underCounty;
const isStateLevel = (c: PlaceCandidate) => c.level === 'state' || c.level === 'territorial' || c.level === 'federal';

/**
 * Finds place names in `text` and resolves them to OCD ids using only what the text says: a
 * name resolves when exactly one jurisdiction fits it (within the state the text gives, if it
 * gives one); otherwise it is reported as ambiguous with every candidate left. Each id is
 * matched once, at its first mention.
 */
export function matchPlaces(text: string, directory: PlaceDirectory): PlaceMatches {
  const tokens = tokenize(text);
  const found: Found[] = [];
  // Worked out once per token: the loops below ask about the same words many times.
  const capitals = new Set(tokens.filter((t) => /^\p{Lu}/u.test(t.text)));
  const cap = (t: Token | undefined): t is Token => t !== undefined && capitals.has(t);
  // Words of one name are separated by spaces only, the apostrophe of "Clark's Point" or the
  // period of a short abbreviation ("St. Louis", "A. Miner"): a comma or a line break ends the
  // name, so "Seattle, Denver" is two names.
  const joinsNext = tokens.map((t, k) => {
    if (k + 1 >= tokens.length) return false;
    const gap = text.slice(t.end, tokens[k + 1].start);
    return /^(?: +|['’])$/.test(gap) || (t.text.length <= 3 && /^\. +$/.test(gap));
  });
  /** Token b follows token a (always b = a + 1) within one name. */
  const joined = (a: number, b: number) => b < tokens.length && joinsNext[a];
  const commaBefore = (i: number) => i > 0 && i < tokens.length && /^, *$/.test(text.slice(tokens[i - 1].end, tokens[i].start));

  /** The longest key of `index` starting at token i; its first and last words capitalised. */
  const nameAt = (index: PlaceDirectory['places'], i: number): Name | null => {
    if (!cap(tokens[i])) return null;
    let key = '';
    let best: Name | null = null;
    for (let n = 1; n <= directory.maxTokens && i + n <= tokens.length; n++) {
      if (n > 1 && !joined(i + n - 2, i + n - 1)) break;
      key = n === 1 ? tokens[i].norm : `${key} ${tokens[i + n - 1].norm}`;
      if (!directory.prefixes.has(key)) break;
      const candidates = index.get(key);
      if (candidates && cap(tokens[i + n - 1])) best = { length: n, key, candidates };
    }
    return best;
  };

  /** A state at token i: its name, its USPS code in capitals ("IL"), or an AP form with its period ("Ill."). */
  const stateAt = (i: number): { form: StateForm; next: number; end: number } | null => {
    let key = '';
    let best: { form: StateForm; next: number; end: number } | null = null;
    for (let n = 1; n <= 3 && i + n <= tokens.length; n++) {
      if (n > 1 && !joined(i + n - 2, i + n - 1)) break;
      const last = tokens[i + n - 1];
      key = n === 1 ? last.norm : `${key} ${last.norm}`;
      const form = directory.states.get(key);
      if (!form || !cap(tokens[i]) || !cap(last)) continue;
      const raw = text.slice(tokens[i].start, last.end);
      if (!form.abbreviation || /^[A-Z]{2}$/.test(raw)) best = { form, next: i + n, end: last.end };
      // Without its period "Pa" or "Ill" is a word, not a state; with it, the period is evidence.
      else if (text[last.end] === '.') best = { form, next: i + n, end: last.end + 1 };
    }
    return best;
  };

  /** A capitalised run of up to `max` words from token i (for phrases that match nothing). */
  const runFrom = (i: number, max: number) => {
    let n = 0;
    while (n < max && cap(tokens[i + n]) && (n === 0 || joined(i + n - 1, i + n))) n++;
    return n;
  };

  // Looks back over the spaces before the token only (a regex over the whole prefix is quadratic).
  const sentenceStart = (i: number) => {
    let k = tokens[i].start - 1;
    while (k >= 0 && /\s/.test(text[k]) && text[k] !== '\n') k--;
    return k < 0 || '.!?:"“‘(\n'.includes(text[k]);
  };

  /**
   * Settles a name whose candidates are known and whose words end before token `next`, reading
   * an optional ", State" after it. Records the result; returns where to continue.
   */
  const settle = (next: number, candidates: readonly PlaceCandidate[], start: number, end: number): number => {
    const state = commaBefore(next) ? stateAt(next) : null;
    if (state) {
      // "Richmond, Virginia": Virginia's only. The state itself is dropped unless it is all there
      // is ("New York, New York" is the city; "Washington, D.C." is the district).
      const inState = candidates.filter((c) => c.stateCode === state.form.state.stateCode);
      const within = inState.filter((c) => c.id !== state.form.state.id);
      const kept = within.length ? within : inState;
      if (kept.length) {
        found.push({ start, end: state.end, candidates: kept });
        return state.next;
      }
      // A named state with no such place ("Chicago, Texas") is reported, not dropped; but a
      // state followed by a state ("California, Oregon") is a list.
      if (!candidates.some(isStateLevel)) {
        found.push({ start, end: state.end, candidates: null });
        return state.next;
      }
    } else if (commaBefore(next) && !candidates.some(isStateLevel)) {
      // "Springfield, Atlantis": a region that is neither a state nor a known place, closing the
      // phrase. Reading "Springfield" alone would drop what the text says about it.
      const region = runFrom(next, 3);
      const tail = region ? text.slice(tokens[next + region - 1].end) : '';
      if (region && /^\s*(?:$|[.;:!?)\n])/.test(tail) && !nameAt(directory.places, next)) {
        found.push({ start, end: tokens[next + region - 1].end, candidates: null });
        return next + region;
      }
    }
    found.push({ start, end, candidates });
    return next;
  };

  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i];
    if (!cap(t)) {
      i++;
      continue;
    }

    // "the State of California", "Commonwealth of Virginia": only a state's name may follow, and
    // "State of Emergency" is not a place, so nothing is reported when none does.
    if (STATE_PREFIXES.has(t.norm) && tokens[i + 1]?.norm === 'of' && joined(i, i + 1) && joined(i + 1, i + 2)) {
      const state = stateAt(i + 2);
      if (state && !state.form.abbreviation) {
        found.push({ start: t.start, end: state.end, candidates: [state.form.state] });
        i = state.next;
        continue;
      }
    }

    // "City of Chicago", "Village of Skokie", "County of Santa Clara", "City and County of San
    // Francisco": the prefix says which kind of government, so only that kind fits.
    const prefix = prefixAt(i);
    if (prefix) {
      const name = nameAt(prefix.county ? directory.counties : directory.places, prefix.next);
      // A city or village is not a township; New York's and New England's towns are.
      const fitting = name?.candidates.filter((c) => !isStateLevel(c) && (prefix.county || !prefix.city || !isTownship(c))) ?? [];
      if (name && fitting.length) {
        i = settle(prefix.next + name.length, fitting, t.start, tokens[prefix.next + name.length - 1].end);
        continue;
      }
      const run = runFrom(prefix.next, 4);
      if (run) {
        found.push({ start: t.start, end: tokens[prefix.next + run - 1].end, candidates: null });
        i = prefix.next + run;
        continue;
      }
    }

    // "Cook County", "Orleans Parish": a county name needs its descriptor. Of the right kind
    // when the data has one (Louisiana's parishes share names with other states' counties).
    const county = nameAt(directory.counties, i);
    const word = county ? tokens[i + county.length] : undefined;
    if (county && word && COUNTY_WORDS.has(word.norm) && joined(i + county.length - 1, i + county.length)) {
      const sameKind = county.candidates.filter((c) => c.name.toLowerCase().endsWith(` ${word.norm}`));
      i = settle(i + county.length + 1, sameKind.length ? sameKind : county.candidates, t.start, word.end);
      continue;
    }

    // A bare name: a city, town or village, a state, DC, a territory or the country. Townships
    // are left to names with a state: the press does not name one alone. Unless a state follows,
    // the name must stand alone among capitalised words, so people and institutions named
    // after places ("Jeff Sessions", "Justice Department", "Statue of Liberty", "Alexander
    // Hamilton") are not read as places; a government title may follow ("Chicago Mayor").
    const place = nameAt(directory.places, i);
    const cities = place && !NOT_PLACES.has(place.key) ? place.candidates.filter((c) => !isTownship(c)) : [];
    if (place && cities.length) {
      const next = i + place.length;
      const qualified = commaBefore(next) && stateAt(next) !== null;
      if (!qualified && COMMON_WORDS.has(place.key)) {
        i = next;
        continue;
      }
      const alone = !attachedBefore(i) && (!cap(tokens[next]) || !joined(next - 1, next) || TITLES_AFTER.has(tokens[next].norm));
      if (qualified || alone) {
        i = settle(next, qualified ? place.candidates : cities, t.start, tokens[next - 1].end);
        continue;
      }
      i = next;
      continue;
    }

    // A name the directory does not know, followed by a state ("Gotham, New York") or a county
    // word ("Gotham County"), still looks like a place and is reported. One unknown word opening
    // a sentence before a comma ("Meanwhile, California …") is an aside, not a place.
    const run = t.norm === 'the' ? 0 : runFrom(i, 3);
    if (run) {
      const state = commaBefore(i + run) ? stateAt(i + run) : null;
      const after = tokens[i + run];
      if (state && !(run === 1 && sentenceStart(i))) {
        found.push({ start: t.start, end: state.end, candidates: null });
        i = state.next;
        continue;
      }
      if (cap(after) && COUNTY_WORDS.has(after.norm) && joined(i + run - 1, i + run)) {
        found.push({ start: t.start, end: after.end, candidates: null });
        i = i + run + 1;
        continue;
      }
    }
    i++;
  }

  return collect(text, found);

  /** Token i continues a capitalised name: "Jeff Sessions", "Statue of Liberty" (not "Mayor of Boston"). */
  function attachedBefore(at: number): boolean {
    if (at > 0 && cap(tokens[at - 1]) && joined(at - 1, at)) return true;
    return at > 1 && tokens[at - 1].norm === 'of' && joined(at - 2, at - 1) && joined(at - 1, at) && cap(tokens[at - 2]) && !TITLES_BEFORE_OF.has(tokens[at - 2].norm);
  }

  function prefixAt(at: number): { next: number; county: boolean; city: boolean } | null {
    const norm = (k: number) => tokens[at + k]?.norm;
    const chain = (n: number) => Array.from({ length: n }, (_, k) => k === 0 || joined(at + k - 1, at + k)).every(Boolean);
    if (norm(0) === 'city' && norm(1) === 'and' && norm(2) === 'county' && norm(3) === 'of' && chain(5)) {
      return { next: at + 4, county: true, city: false };
    }
    if (norm(1) !== 'of' || !chain(3)) return null;
    if (MUNICIPAL_PREFIXES.has(norm(0)!)) return { next: at + 2, county: false, city: norm(0) === 'city' || norm(0) === 'village' };
    if (norm(0) === 'county' || norm(0) === 'parish') return { next: at + 2, county: true, city: false };
    return null;
  }
}

/**
 * Narrows candidates the text cannot tell apart, by rules that hold whatever the text:
 * - within one state, an incorporated place (or county) outranks a township of the same name
 *   under a county ("Washington, Indiana" is the city, not its forty Washington townships);
 * - a state's name alone is the state, unless a place in that state shares it ("New York") or
 *   another state-level division does ("Washington": the state or DC). Towns elsewhere named
 *   after a state ("California, Mo.") are written with their state.
 * Candidates in different states are never narrowed: "Richmond" stays ambiguous.
 */
export function narrow(candidates: readonly PlaceCandidate[]): PlaceCandidate[] {
  const depth = (c: PlaceCandidate) => c.id.split('/').length;
  const best = new Map<string, number>();
  for (const c of candidates) {
    if (!isStateLevel(c)) best.set(c.stateCode, Math.min(best.get(c.stateCode) ?? Infinity, depth(c)));
  }
  const kept = candidates.filter((c) => isStateLevel(c) || depth(c) === best.get(c.stateCode));
  const statesNamed = kept.filter(isStateLevel);
  if (statesNamed.length === 1 && !kept.some((c) => !isStateLevel(c) && c.stateCode === statesNamed[0].stateCode)) {
    return statesNamed;
  }
  return kept;
}

/**
 * One entry per id, at its first mention. An ambiguous mention is dropped when exactly one of
 * its candidates is matched elsewhere in the text: "Richmond, Virginia … Richmond" names the
 * same city twice.
 */
function collect(text: string, found: Found[]): PlaceMatches {
  const result: PlaceMatches = { matched: [], ambiguous: [], unmatched: [] };
  const span = (f: Found): PlaceSpan => ({ evidence: text.slice(f.start, f.end), start: f.start, end: f.end });
  const ambiguous: Array<{ f: Found; ids: string[] }> = [];
  const matchedIds = new Set<string>();
  for (const f of found) {
    if (!f.candidates) {
      result.unmatched.push(span(f));
      continue;
    }
    const ids = [...new Set(narrow(f.candidates).map((c) => c.id))];
    if (ids.length === 1) {
      if (!matchedIds.has(ids[0])) result.matched.push({ id: ids[0], ...span(f) });
      matchedIds.add(ids[0]);
    } else ambiguous.push({ f, ids });
  }
  const seen = new Set<string>();
  for (const { f, ids } of ambiguous) {
    if (ids.filter((id) => matchedIds.has(id)).length === 1) continue;
    const key = `${text.slice(f.start, f.end).toLowerCase()}|${ids.join(' ')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.ambiguous.push({ ...span(f), candidates: [...ids].sort() });
  }
  return result;
}
