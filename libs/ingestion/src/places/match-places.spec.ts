import { readOcdDirectory } from '@app/policy/seed/ocd-directory';
import { buildPlaceDirectory, type PlaceDirectory } from './place-directory';
import { matchPlaces, type PlaceMatches } from './match-places';

const US = 'ocd-division/country:us';
let directory: PlaceDirectory;
beforeAll(() => {
  directory = buildPlaceDirectory(readOcdDirectory().commands);
});

const match = (text: string): PlaceMatches => {
  const result = matchPlaces(text, directory);
  for (const span of [...result.matched, ...result.ambiguous, ...result.unmatched]) {
    expect(text.slice(span.start, span.end)).toBe(span.evidence);
  }
  return result;
};
const only = (text: string) => {
  const { matched, ambiguous, unmatched } = match(text);
  expect({ ambiguous, unmatched }).toEqual({ ambiguous: [], unmatched: [] });
  expect(matched).toHaveLength(1);
  return matched[0];
};

describe('matchPlaces', () => {
  it.each([
    ['Cook County, Illinois', `${US}/state:il/county:cook`],
    ['New York, New York', `${US}/state:ny/place:new_york`],
    ['New York City', `${US}/state:ny/place:new_york`],
    ['Chicago, Ill.', `${US}/state:il/place:chicago`],
    ['Richmond, Virginia', `${US}/state:va/place:richmond`],
    ['Philadelphia, PA', `${US}/state:pa/place:philadelphia`],
    ['San Francisco', `${US}/state:ca/county:san_francisco`],
    ['City and County of San Francisco', `${US}/state:ca/county:san_francisco`],
    ['Santa Clara County', `${US}/state:ca/county:santa_clara`],
    ['Washington, D.C.', `${US}/district:dc`],
    ['St. Louis, Mo.', `${US}/state:mo/place:st_louis`],
    ['Saint Paul, Minn.', `${US}/state:mn/place:st_paul`],
    ['Orleans Parish', `${US}/state:la/parish:orleans`],
  ])('%s → %s, the whole phrase as evidence', (text, id) => {
    expect(only(text)).toEqual({ id, evidence: text, start: 0, end: text.length });
  });

  it('keeps offsets inside a sentence and leaves out "the"', () => {
    const text = 'A suit by the City of Chicago and the State of California.';
    expect(match(text).matched).toEqual([
      { id: `${US}/state:il/place:chicago`, evidence: 'City of Chicago', start: 14, end: 29 },
      { id: `${US}/state:ca`, evidence: 'State of California', start: 38, end: 57 },
    ]);
  });

  it('reads an ordinary word that is also a town as a word, unless its state follows', () => {
    const text = 'Enhancing Public Safety in the Interior of the United States. Sanctuary jurisdictions lose grants; Congress acted for Independence.';
    expect(match(text).matched.map((m) => m.evidence)).toEqual(['United States']);
    expect(only('Independence, Mo.').id).toBe(`${US}/state:mo/place:independence`);
  });

  it('lists every candidate of a bare name found in several states', () => {
    const { matched, ambiguous } = match('Richmond');
    expect(matched).toEqual([]);
    expect(ambiguous).toHaveLength(1);
    expect(ambiguous[0]).toMatchObject({ evidence: 'Richmond', start: 0, end: 8 });
    expect(ambiguous[0].candidates).toEqual(expect.arrayContaining([`${US}/state:ca/place:richmond`, `${US}/state:va/place:richmond`]));
    expect(ambiguous[0].candidates.length).toBeGreaterThan(10);
  });

  it('reads a bare name again as the one the text placed in a state', () => {
    const { matched, ambiguous } = match('Richmond, Virginia sued; Richmond said so.');
    expect(matched.map((m) => m.id)).toEqual([`${US}/state:va/place:richmond`]);
    expect(ambiguous).toEqual([]);
  });

  it('reports place-shaped phrases that match nothing', () => {
    expect(match('Springfield, Narnia').unmatched).toEqual([{ evidence: 'Springfield, Narnia', start: 0, end: 19 }]);
    expect(match('officials in Gotham, New York said').unmatched).toEqual([{ evidence: 'Gotham, New York', start: 13, end: 29 }]);
    expect(match('the City of Gotham').unmatched).toEqual([{ evidence: 'City of Gotham', start: 4, end: 18 }]);
    expect(match('Chicago, Texas').unmatched).toEqual([{ evidence: 'Chicago, Texas', start: 0, end: 14 }]);
  });

  it.each(['COOK COUNTY, ILLINOIS', 'Cook county, Ill.', 'Cook County, IL', 'Cook County,Illinois'])('accepts %s', (text) => {
    expect(only(text)).toEqual({ id: `${US}/state:il/county:cook`, evidence: text, start: 0, end: text.length });
  });

  it('does not read "Pa" without its period, nor a lower-case "in", as a state', () => {
    expect(match('Philadelphia, Pa said').matched).toEqual([]);
    expect(match('Chicago, in March').matched.map((m) => m.id)).toEqual([`${US}/state:il/place:chicago`]);
  });

  it('leaves out people and institutions named like places', () => {
    const { matched, ambiguous } = match('Jeff Sessions spoke at the Justice Department and the White House.');
    expect({ matched, ambiguous }).toEqual({ matched: [], ambiguous: [] });
  });

  it('finds the cities of a news sentence, resolving only the unique ones', () => {
    // Paraphrased from the seed article (sanctuary cities, 2017-03-27).
    const text = 'Officials from San Francisco, Seattle, Denver, Chicago, Philadelphia and New York City met; Chicago Mayor Rahm Emanuel spoke.';
    const { matched, ambiguous, unmatched } = match(text);
    expect(matched).toEqual([
      { id: `${US}/state:ca/county:san_francisco`, evidence: 'San Francisco', start: 15, end: 28 },
      { id: `${US}/state:wa/place:seattle`, evidence: 'Seattle', start: 30, end: 37 },
      { id: `${US}/state:il/place:chicago`, evidence: 'Chicago', start: 47, end: 54 },
      { id: `${US}/state:ny/place:new_york`, evidence: 'New York City', start: 73, end: 86 },
    ]);
    expect(ambiguous.map((a) => a.evidence)).toEqual(['Denver', 'Philadelphia']);
    expect(ambiguous[0].candidates).toContain(`${US}/state:co/place:denver`);
    expect(unmatched).toEqual([]);
  });

  it('reads "New York" alone as ambiguous between the state and the city', () => {
    expect(match('leaders in New York vowed').ambiguous[0].candidates).toEqual([`${US}/state:ny`, `${US}/state:ny/place:new_york`]);
  });
});
