import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionCommandDataSchemas } from '@app/policy/domain';
import { dojKindOf, easternDay, normalisePressRelease, normalisePressReleases } from './doj-press.normalise';
import { dojPressReleasePageSchema, dojPressReleaseSchema } from './doj-press.schema';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/sources/doj-press');
const page = dojPressReleasePageSchema.parse(JSON.parse(readFileSync(join(FIXTURES, 'press-releases-2017.json'), 'utf8')));
const RETRIEVED_AT = '2017-09-16T12:00:00Z';
const [, chicagoStatement, byrneJag, malformed, sanctuaryGrants] = page.results;

describe('doj press release schema', () => {
  it('reads the envelope and epoch-second strings', () => {
    expect(page.metadata.resultset).toEqual({ count: 5, pagesize: 50, page: 0 });
    expect(dojPressReleaseSchema.parse(byrneJag)).toMatchObject({ date: 1500955200, changed: 1501014660, number: '17-826' });
  });

  it("reads Drupal's empty fields ([] or null) as absent", () => {
    expect(dojPressReleaseSchema.parse(chicagoStatement)).toMatchObject({ teaser: undefined, number: undefined, topic: [] });
  });
});

describe('normalisePressReleases', () => {
  const { items, parked } = normalisePressReleases(page.results, RETRIEVED_AT);

  it('gives data the propose-action command accepts', () => {
    expect(items).toHaveLength(4);
    for (const { proposal } of items) expect(() => actionCommandDataSchemas.ProposeAction.parse(proposal)).not.toThrow();
  });

  it('parks a malformed release with its reasons and goes on with the rest of the page', () => {
    expect(parked).toHaveLength(1);
    expect(parked[0].raw).toBe(malformed);
    expect(parked[0].reason).toMatch(/uuid/);
    expect(parked[0].reason).toMatch(/url/);
    expect(parked[0].reason).toMatch(/date/);
    expect(items.map((i) => i.externalId)).toEqual([
      '5b1e2f0c-7d3a-4c1e-9a42-3f8d2b6c1e07',
      'c2f4e6a8-3b5d-4f7e-9a1c-2e4f6a8b0c1d',
      '8d0f2a4c-6e8a-4c0e-b2d4-6f8a0c2e4a6b',
      '3e5a7c9e-1b3d-4f5a-8c7e-9a1b3c5d7e9f',
    ]);
  });

  it('proposes each release by explicit kind rules', () => {
    expect(items.map((i) => i.proposal.content.kind)).toEqual(['lawsuit_filing', 'public_statement', 'grant_condition', 'grant_condition']);
  });

  it('proposes the Byrne JAG conditions as a grant condition of the United States, on the day of the release', () => {
    const { proposal } = normalisePressRelease(dojPressReleaseSchema.parse(byrneJag), RETRIEVED_AT);
    expect(proposal).toEqual({
      actionId: 'doj-press:8d0f2a4c-6e8a-4c0e-b2d4-6f8a0c2e4a6b',
      content: {
        kind: 'grant_condition',
        title:
          'Attorney General Sessions Announces Immigration Compliance Requirements for Edward Byrne Memorial Justice Assistance Grant Programs',
        summary: 'New conditions on Byrne JAG grants: access to jails for federal immigration officers and notice before release.',
        occurredOn: { date: '2017-07-25', precision: 'day' },
        actingJurisdictionId: 'ocd-division/country:us',
        affectedJurisdictionIds: ['ocd-division/country:us'],
        actors: [
          { name: 'Office of the Attorney General', organisation: 'U.S. Department of Justice' },
          { name: 'Office of Justice Programs', organisation: 'U.S. Department of Justice' },
        ],
        citations: [{ kind: 'other', text: 'Justice Department press release 17-826' }],
        amounts: [],
        sources: [
          {
            url: 'https://www.justice.gov/opa/pr/attorney-general-sessions-announces-immigration-compliance-requirements-edward-byrne-memorial',
            publisher: 'U.S. Department of Justice',
            title:
              'Attorney General Sessions Announces Immigration Compliance Requirements for Edward Byrne Memorial Justice Assistance Grant Programs',
            publishedOn: '2017-07-25',
            retrievedAt: RETRIEVED_AT,
            sourceSystem: 'doj-press',
            externalId: '8d0f2a4c-6e8a-4c0e-b2d4-6f8a0c2e4a6b',
          },
        ],
        tags: ['press-release', 'immigration', 'grants'],
      },
      relations: [],
      proposal: { sourceSystem: 'doj-press', externalId: '8d0f2a4c-6e8a-4c0e-b2d4-6f8a0c2e4a6b' },
    });
  });

  it('summarises from the body as plain text when there is no teaser', () => {
    const { proposal } = normalisePressRelease(dojPressReleaseSchema.parse(chicagoStatement), RETRIEVED_AT);
    expect(proposal.content.summary).toBe(
      "In response to the ruling of the U.S. District Court for the Northern District of Illinois, Justice Department spokesman Devin O'Malley issued the following statement. “The Department will continue to do everything it can to protect our communities.”",
    );
    expect(proposal.content.occurredOn).toEqual({ date: '2017-09-15', precision: 'day' });
    expect(proposal.content.citations).toEqual([]);
  });

  it('hashes the same content the same whenever it is retrieved', () => {
    const release = dojPressReleaseSchema.parse(sanctuaryGrants);
    expect(normalisePressRelease(release, RETRIEVED_AT).contentHash).toBe(normalisePressRelease(release, '2018-01-01T00:00:00Z').contentHash);
  });
});

describe('dojKindOf', () => {
  it.each([
    ['Justice Department Sues Kansas City', '', 'lawsuit_filing'],
    ['Statement on the lawsuit filed by the City of Chicago', 'The city sued the Department.', 'public_statement'],
    ['Department Announces Grant Conditions', '', 'grant_condition'],
    ['Letters to jurisdictions', 'certify compliance with 8 U.S.C. § 1373', 'grant_condition'],
    ['Attorney General Sessions Meets Police Chiefs', 'A meeting.', 'public_statement'],
  ])('%s (%s) → %s', (title, body, kind) => {
    expect(dojKindOf(title, body)).toBe(kind);
  });
});

describe('easternDay', () => {
  it('reads epoch seconds as the day in Washington', () => {
    expect(easternDay(1490587200)).toBe('2017-03-27');
    // 22:00 in Washington is already the next day in UTC.
    expect(easternDay(Date.parse('2017-03-28T02:00:00Z') / 1000)).toBe('2017-03-27');
  });
});
