import { readOcdDirectory } from '@app/policy/seed/ocd-directory';
import { buildPlaceDirectory, nameKey } from './place-directory';

describe('buildPlaceDirectory', () => {
  const { commands } = readOcdDirectory();

  // Built in about a quarter of a second (measured); no clock assertion, which would flake on a
  // loaded machine.
  it('indexes the whole OCD directory', () => {
    const directory = buildPlaceDirectory(commands);
    expect(commands.length).toBeGreaterThan(39_000);
    expect(directory.places.get('chicago')?.map((c) => c.id)).toContain('ocd-division/country:us/state:il/place:chicago');
    expect(directory.counties.get('cook')?.map((c) => c.stateCode).sort()).toEqual(['ga', 'il', 'mn']);
  });

  it('strips the Census descriptor, keeping names that are not one', () => {
    const directory = buildPlaceDirectory(commands);
    expect(directory.places.get('kansas city')?.length).toBeGreaterThan(0); // "Kansas City city"
    expect(directory.places.get('carson city')?.map((c) => c.id)).toContain('ocd-division/country:us/state:nv/place:carson_city');
    expect(directory.places.get('carson')?.map((c) => c.id)).not.toContain('ocd-division/country:us/state:nv/place:carson_city');
    expect(directory.places.get('lexington')?.map((c) => c.id)).toContain('ocd-division/country:us/state:ky/place:lexington');
  });

  it('knows states by name, USPS code and AP abbreviation', () => {
    const { states } = buildPlaceDirectory(commands);
    for (const form of ['Illinois', 'IL', 'Ill.']) expect(states.get(nameKey(form))?.state.id).toBe('ocd-division/country:us/state:il');
    expect(states.get(nameKey('D.C.'))?.state.id).toBe('ocd-division/country:us/district:dc');
  });

  it('normalises case, accents, periods and saints alike', () => {
    expect(nameKey('Saint Paul')).toBe(nameKey('St. Paul'));
    expect(nameKey('DOÑA ANA')).toBe('dona ana');
    expect(nameKey('Winston-Salem')).toBe(nameKey('Winston Salem'));
  });
});
