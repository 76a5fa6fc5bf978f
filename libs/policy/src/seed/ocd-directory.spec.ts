import { CONSOLIDATED_CITY_COUNTIES, inferLevel, pathParentOf } from '../domain';
import { parseCsv, readOcdDirectory } from './ocd-directory';

const US = 'ocd-division/country:us';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and newlines', () => {
    expect(parseCsv('id,name\r\na,"Islamorada, Village of Islands village"\nb,"say ""hi""\nthere"\n')).toEqual([
      ['id', 'name'],
      ['a', 'Islamorada, Village of Islands village'],
      ['b', 'say "hi"\nthere'],
    ]);
  });

  it('keeps empty fields, a last line without newline, and drops a BOM', () => {
    expect(parseCsv('\ufeffx,,\ny,z')).toEqual([
      ['x', '', ''],
      ['y', 'z'],
    ]);
  });

  it('refuses an unterminated quote', () => {
    expect(() => parseCsv('a,"open\n')).toThrow(/quoted field/);
  });
});

describe('readOcdDirectory (the shipped OCD files)', () => {
  const directory = readOcdDirectory();
  const ids = directory.commands.map((c) => c.data.id);

  it('lists the country, states, DC, territories, counties, places and townships', () => {
    expect(ids[0]).toBe(US);
    expect(ids).toEqual(
      expect.arrayContaining([
        `${US}/state:ca`,
        `${US}/district:dc`,
        `${US}/territory:pr`,
        `${US}/territory:pr/municipio:adjuntas`,
        `${US}/state:ca/county:san_francisco`,
        `${US}/state:nm/county:doña_ana`,
        `${US}/state:il/place:chicago`,
        `${US}/state:nj/county:cape_may/place:dennis`,
      ]),
    );
    expect(directory.commands.length).toBeGreaterThan(39_000);
  });

  it('puts every parent before its children', () => {
    const seen = new Set<string>();
    const orphans = ids.filter((id) => {
      const parent = pathParentOf(id);
      seen.add(id);
      return parent !== null && !seen.has(parent);
    });
    expect(orphans).toEqual([]);
  });

  it('keeps quoted names whole', () => {
    const islamorada = directory.commands.find((c) => c.data.id === `${US}/state:fl/place:islamorada~_village_of_islands`);
    expect(islamorada?.data.name).toBe('Islamorada, Village of Islands village');
  });

  it('places every shipped row, federal district courts included', () => {
    expect(directory.unplaced).toEqual([]);
    const court = directory.commands.find((c) => c.data.id === `${US}/court_of_appeals:11/district_court:northern_alabama`);
    expect(court && inferLevel(court.data.id)).toBe('federal');
  });

  it('loads a slice', () => {
    const slice = readOcdDirectory({ filter: (id) => id === US || id.startsWith(`${US}/state:ri`) });
    expect(slice.commands.map((c) => c.data.id)).toEqual(expect.arrayContaining([US, `${US}/state:ri`, `${US}/state:ri/place:providence`]));
    expect(slice.commands.every((c) => c.data.id === US || c.data.id.startsWith(`${US}/state:ri`))).toBe(true);
  });
});

describe('the consolidated city-counties', () => {
  it('are all in the shipped OCD directory, under both ids', () => {
    const ids = new Set(readOcdDirectory().commands.map((c) => c.data.id));
    const absent = CONSOLIDATED_CITY_COUNTIES.flat().filter((id) => !ids.has(id));
    expect(absent).toEqual([]);
  });
});
