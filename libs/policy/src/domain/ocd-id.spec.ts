import { ancestorsOf, inferLevel, isOcdId, ocdIdSchema, parseOcdId, pathParentOf } from './ocd-id';

const US = 'ocd-division/country:us';
const CA = `${US}/state:ca`;
const SF = `${CA}/county:san_francisco`;

describe('OCD division ids', () => {
  it.each([
    US,
    CA,
    SF,
    `${US}/state:ny/place:new_york`,
    `${US}/district:dc`,
    `${US}/state:mi/county:ionia/place:boston`,
    `${US}/court_of_appeals:1`,
    `${US}/state:ca/place:st.helena~x-1`,
    // the official US list has lower-case non-ASCII letters
    `${US}/state:nm/county:doña_ana`,
    `${US}/territory:pr/municipio:bayamón`,
  ])('accepts %s', (id) => {
    expect(isOcdId(id)).toBe(true);
  });

  it.each([
    ['upper case type_id', `${US}/state:CA`],
    ['upper case country', 'ocd-division/country:US'],
    ['upper case non-ASCII', `${US}/state:nm/county:DOÑA_ANA`],
    ['upper case type', `${US}/State:ca`],
    ['missing country', 'ocd-division/state:ca'],
    ['no prefix', 'country:us/state:ca'],
    ['three-letter country', 'ocd-division/country:usa'],
    ['space in type_id', `${US}/state:ca/place:san francisco`],
    ['bad char in type_id', `${US}/state:ca/place:san*francisco`],
    ['digit in type', `${US}/cd2:1`],
    ['empty type_id', `${US}/state:`],
    ['missing colon', `${US}/state`],
    ['trailing slash', `${US}/`],
    ['empty string', ''],
  ])('rejects %s', (_why, id) => {
    expect(isOcdId(id)).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(isOcdId(42)).toBe(false);
    expect(isOcdId(undefined)).toBe(false);
  });

  it('parses segments, country first', () => {
    expect(parseOcdId(SF)).toEqual([
      { type: 'country', id: 'us' },
      { type: 'state', id: 'ca' },
      { type: 'county', id: 'san_francisco' },
    ]);
    expect(parseOcdId('nope')).toBeNull();
  });

  it('gives the path parent, null for a country', () => {
    expect(pathParentOf(SF)).toBe(CA);
    expect(pathParentOf(CA)).toBe(US);
    expect(pathParentOf(US)).toBeNull();
    expect(pathParentOf('bad')).toBeNull();
  });

  it('lists ancestors nearest first', () => {
    expect(ancestorsOf(SF)).toEqual([CA, US]);
    expect(ancestorsOf(US)).toEqual([]);
  });

  it.each([
    [US, 'federal'],
    [CA, 'state'],
    [`${US}/district:dc`, 'state'],
    [`${US}/territory:pr`, 'territorial'],
    [SF, 'county'],
    [`${US}/state:la/parish:orleans`, 'county'],
    [`${US}/state:ak/borough:anchorage`, 'county'],
    [`${US}/state:ak/census_area:bethel`, 'county'],
    [`${US}/state:il/place:chicago`, 'municipal'],
    [`${US}/state:mi/county:ionia/place:boston`, 'municipal'],
    [`${US}/territory:pr/municipio:bayamón`, 'municipal'],
    [`${US}/tribe:navajo`, 'tribal'],
    [`${US}/court_of_appeals:9`, 'federal'],
    [`${US}/court_of_appeals:9/district_court:northern_california`, 'federal'],
    [`${US}/state:ca/cd:12`, undefined],
    [`${US}/state:ca/sldl:1`, undefined],
    ['not an id', undefined],
  ])('infers the level of %s as %s', (id, level) => {
    expect(inferLevel(id)).toBe(level);
  });

  it('has a zod schema with a helpful message', () => {
    const result = ocdIdSchema.safeParse('ocd-division/country:US');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toContain('ocd-division/country:us/state:ca');
  });
});
