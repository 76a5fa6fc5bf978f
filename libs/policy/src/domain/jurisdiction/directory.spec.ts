import { CONSOLIDATED_CITY_COUNTIES, consolidatedTwinOf, displayNameOf, parseDirectoryQuery } from './directory';

const US = 'ocd-division/country:us';

describe('displayNameOf', () => {
  it('adds the state, and drops a census place\'s " city"', () => {
    expect(displayNameOf(`${US}/state:pa/place:philadelphia`, 'Philadelphia city')).toBe('Philadelphia, PA');
    expect(displayNameOf(`${US}/state:ca/county:santa_clara`, 'Santa Clara County')).toBe('Santa Clara County, CA');
    expect(displayNameOf(`${US}/state:ny/place:syracuse_town`, 'Syracuse town')).toBe('Syracuse town, NY');
    expect(displayNameOf(`${US}/state:mo/county:caldwell/place:new_york`, 'New York township')).toBe('New York township, MO');
    expect(displayNameOf(`${US}/territory:pr/municipio:san_juan`, 'San Juan Municipio')).toBe('San Juan Municipio, PR');
  });

  it('leaves the country, a state and what sits outside any state as named', () => {
    expect(displayNameOf(US, 'United States')).toBe('United States');
    expect(displayNameOf(`${US}/state:ca`, 'California')).toBe('California');
    expect(displayNameOf(`${US}/district:dc`, 'District of Columbia')).toBe('District of Columbia');
    expect(displayNameOf(`${US}/court_of_appeals:9`, 'Ninth Circuit')).toBe('Ninth Circuit');
  });
});

describe('parseDirectoryQuery', () => {
  it('reads a state after the name, by code or name, with or without a comma', () => {
    for (const q of ['san francisco, ca', 'San Francisco CA', 'san francisco, california', ' san  francisco   California ']) {
      expect(parseDirectoryQuery(q)).toEqual({ name: expect.stringMatching(/^san francisco$/i), stateId: `${US}/state:ca` });
    }
    expect(parseDirectoryQuery('charleston west virginia')).toEqual({ name: 'charleston', stateId: `${US}/state:wv` });
    expect(parseDirectoryQuery('Washington, D.C.')).toEqual({ name: 'Washington', stateId: `${US}/district:dc` });
  });

  it('reads a state alone, or a name that ends like one, as a name', () => {
    expect(parseDirectoryQuery('New York')).toEqual({ name: 'New York' });
    expect(parseDirectoryQuery('West Virginia')).toEqual({ name: 'West Virginia' });
    expect(parseDirectoryQuery('Kansas City')).toEqual({ name: 'Kansas City' });
    expect(parseDirectoryQuery('Carson City, Nevada Territory')).toEqual({ name: 'Carson City, Nevada Territory' });
  });

  it('expands a few whole-query short forms', () => {
    expect(parseDirectoryQuery('NYC')).toEqual({ name: 'new york city', stateId: `${US}/state:ny` });
    expect(parseDirectoryQuery('sf')).toEqual({ name: 'san francisco', stateId: `${US}/state:ca` });
  });
});

describe('consolidated city-counties', () => {
  it('pairs a county-level id with a place id of the same state, each way', () => {
    for (const [county, place] of CONSOLIDATED_CITY_COUNTIES) {
      expect(county).toMatch(/\/state:([a-z]{2})\/(county|parish|borough):[a-z0-9_~.-]+$/);
      expect(place.split('/')[2]).toBe(county.split('/')[2]);
      expect(place).toMatch(/\/place:[a-z0-9_~.-]+$/);
      expect(consolidatedTwinOf(county)).toBe(place);
      expect(consolidatedTwinOf(place)).toBe(county);
    }
    expect(consolidatedTwinOf(`${US}/state:ca/county:santa_clara`)).toBeNull();
  });
});
