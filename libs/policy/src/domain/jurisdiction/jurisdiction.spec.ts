import { deciderSpec } from '../given-when-then';
import { evolveJurisdiction, foldJurisdiction, initialJurisdictionState } from './jurisdiction';
import { decideJurisdiction, type RegisterJurisdiction, resolveParentId } from './jurisdiction.decide';
import type { JurisdictionRegistered } from './jurisdiction.events';

const given = deciderSpec({ decide: decideJurisdiction, evolve: evolveJurisdiction, initialState: initialJurisdictionState });

const US = 'ocd-division/country:us';
const CA = `${US}/state:ca`;
const SF = `${CA}/county:san_francisco`;
const register = (data: RegisterJurisdiction['data']): RegisterJurisdiction => ({ type: 'RegisterJurisdiction', data });
const registered = (data: JurisdictionRegistered['data']): JurisdictionRegistered => ({ type: 'JurisdictionRegistered', data });
const parentExists = { parentExists: true };

describe('RegisterJurisdiction', () => {
  it('registers a country without a parent', () => {
    given([])
      .when(register({ id: US, name: 'United States', level: 'federal' }), { parentExists: false })
      .then([registered({ id: US, name: 'United States', level: 'federal', parentId: null })]);
  });

  it('defaults the parent to the path parent and infers the level', () => {
    given([])
      .when(register({ id: SF, name: '  San Francisco  ' }), parentExists)
      .then([registered({ id: SF, name: 'San Francisco', level: 'county', parentId: CA })]);
  });

  it('accepts an explicit parent (consolidated government)', () => {
    const place = `${CA}/place:san_francisco`;
    given([])
      .when(register({ id: place, name: 'San Francisco city', level: 'municipal', parentId: SF }), parentExists)
      .then([registered({ id: place, name: 'San Francisco city', level: 'municipal', parentId: SF })]);
  });

  it('rejects an invalid id', () => {
    given([]).when(register({ id: `${US}/state:CA`, name: 'California' }), parentExists).thenThrows('JURISDICTION.INVALID_ID');
  });

  it('rejects a blank name and a level it cannot infer', () => {
    given([]).when(register({ id: CA, name: ' ' }), parentExists).thenThrows('JURISDICTION.INVALID', {
      errors: [{ path: 'name', message: 'is required' }],
    });
    given([]).when(register({ id: `${CA}/cd:12`, name: 'District 12' }), parentExists).thenThrows('JURISDICTION.INVALID');
  });

  it('rejects a second registration', () => {
    given([registered({ id: CA, name: 'California', level: 'state', parentId: US })])
      .when(register({ id: CA, name: 'California' }), parentExists)
      .thenThrows('JURISDICTION.ALREADY_EXISTS');
  });

  it('rejects a parent for a country', () => {
    given([]).when(register({ id: US, name: 'United States', parentId: CA }), parentExists).thenThrows('JURISDICTION.INVALID_PARENT');
  });

  it('names a parent that is not registered as an unknown jurisdiction, at its field', () => {
    given([]).when(register({ id: SF, name: 'San Francisco' }), { parentExists: false }).thenThrows('JURISDICTION.UNKNOWN', {
      errors: [{ path: 'parentId', message: `jurisdiction ${CA} is not registered` }],
      details: { id: SF, parentId: CA },
    });
  });

  it('reports a malformed parent before a missing one', () => {
    given([]).when(register({ id: US, name: 'United States', parentId: CA }), { parentExists: false }).thenThrows('JURISDICTION.INVALID_PARENT');
  });

  it.each([
    ['itself', SF],
    ['a descendant', `${SF}/place:x`],
    ['an invalid id', 'ocd-division/country:us/state:CA'],
    ['another country', 'ocd-division/country:ca/province:on'],
  ])('rejects %s as parent', (_why, parentId) => {
    given([]).when(register({ id: SF, name: 'San Francisco', parentId }), parentExists).thenThrows('JURISDICTION.INVALID_PARENT');
  });

  it('tells the handler which parent to look up', () => {
    expect(resolveParentId(register({ id: SF, name: 'x' }))).toBe(CA);
    expect(resolveParentId(register({ id: SF, name: 'x', parentId: US }))).toBe(US);
    expect(resolveParentId(register({ id: US, name: 'x' }))).toBeNull();
  });
});

describe('jurisdiction evolve', () => {
  it('folds a registration into state', () => {
    expect(foldJurisdiction([])).toBeNull();
    expect(foldJurisdiction([registered({ id: CA, name: 'California', level: 'state', parentId: US })])).toEqual({
      id: CA,
      name: 'California',
      level: 'state',
      parentId: US,
    });
  });
});
