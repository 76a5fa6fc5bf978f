import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionCommandDataSchemas } from '@app/policy/domain';
import { legistarKindOf, normaliseMatters, type LegistarContext } from './legistar.normalise';
import { legistarMatterSchema } from './legistar.schema';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/sources/legistar');
const rows = JSON.parse(readFileSync(join(FIXTURES, 'chicago-matters-2017.json'), 'utf8')) as Record<string, unknown>[];
const RETRIEVED_AT = '2017-10-12T06:00:00Z';
const CHICAGO = 'ocd-division/country:us/state:il/place:chicago';
const ctx: LegistarContext = { sourceId: 'legistar:chicago', client: 'chicago', jurisdictionId: CHICAGO, publisher: 'Chicago City Council' };

describe('legistar matter schema', () => {
  it('reads local days as written, without shifting them through a zone', () => {
    expect(legistarMatterSchema.parse(rows[4])).toMatchObject({
      MatterId: 33540,
      MatterLastModifiedUtc: '2017-10-11T22:41:05.5',
      MatterIntroDate: '2017-09-06',
      MatterPassedDate: '2017-10-11',
      MatterAgendaDate: undefined,
    });
  });
});

describe('normaliseMatters', () => {
  const { items, parked } = normaliseMatters(rows, ctx, RETRIEVED_AT);

  it('proposes ordinances and resolutions once each, passing over other types and repeated rows', () => {
    expect(items.map((i) => [i.externalId, i.proposal.content.kind])).toEqual([
      ['31277', 'resolution'],
      ['31281', 'public_statement'],
      ['33540', 'ordinance'],
    ]);
    for (const { proposal } of items) expect(() => actionCommandDataSchemas.ProposeAction.parse(proposal)).not.toThrow();
  });

  it('parks a malformed row with its reasons and goes on', () => {
    expect(parked).toHaveLength(1);
    expect(parked[0].raw).toBe(rows[3]);
    expect(parked[0].reason).toMatch(/MatterId/);
    expect(parked[0].reason).toMatch(/MatterLastModifiedUtc/);
  });

  it('dates a passed matter by its passage and others by their introduction', () => {
    expect(items.map((i) => i.proposal.content.occurredOn)).toEqual([
      { date: '2017-04-19', precision: 'day' },
      { date: '2017-04-19', precision: 'day' },
      { date: '2017-10-11', precision: 'day' },
    ]);
  });

  it("proposes the Welcoming City amendment as an ordinance of Chicago, linked to the clerk's page", () => {
    expect(items[2].proposal).toEqual({
      actionId: 'legistar:chicago:33540',
      content: {
        kind: 'ordinance',
        title: 'O2017-6234: Amendment of Municipal Code Chapter 2-173 regarding Welcoming City Ordinance',
        summary:
          'Amendment of Municipal Code Chapter 2-173 regarding Welcoming City Ordinance, to restrict access of federal civil immigration agents to persons in city custody (Ordinance, Passed, City Council)',
        occurredOn: { date: '2017-10-11', precision: 'day' },
        actingJurisdictionId: CHICAGO,
        affectedJurisdictionIds: [CHICAGO],
        actors: [{ name: 'Emanuel, Rahm' }],
        citations: [
          { kind: 'other', text: 'Chicago City Council file O2017-6234' },
          { kind: 'other', text: 'SO2017-6234' },
        ],
        amounts: [],
        sources: [
          {
            url: 'https://chicago.legistar.com/LegislationDetail.aspx?ID=33540&GUID=00008304-3A5B-4C7D-9E1F-2A4B6C8D0E40',
            publisher: 'Chicago City Council',
            title: 'Amendment of Municipal Code Chapter 2-173 regarding Welcoming City Ordinance',
            publishedOn: '2017-09-06',
            retrievedAt: RETRIEVED_AT,
            sourceSystem: 'legistar:chicago',
            externalId: '33540',
          },
        ],
        tags: ['ordinance', 'passed'],
      },
      relations: [],
      proposal: { sourceSystem: 'legistar:chicago', externalId: '33540' },
    });
  });
});

describe('legistarKindOf', () => {
  it.each([
    ['Ordinance (Ord)', 'Amending the code', 'ordinance'],
    ['City Resolution', 'Opposing federal grant conditions', 'resolution'],
    ['Resolution (Res)', 'Declaring April 2017 as Immigrant Heritage Month', 'public_statement'],
    ['Resolution', 'In memoriam: a former alderman', 'public_statement'],
    ['Order', 'Sign permits', undefined],
    [undefined, 'No type', undefined],
  ])('%s "%s" → %s', (type, title, kind) => {
    expect(legistarKindOf({ MatterTypeName: type, MatterTitle: title, MatterName: undefined })).toBe(kind);
  });
});
