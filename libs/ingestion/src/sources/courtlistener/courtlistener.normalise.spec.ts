import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionCommandDataSchemas } from '@app/policy/domain';
import { docketNumberCore, docketNumberKey, rebase } from './courtlistener.fetch';
import { docketEntryKindOf, normaliseDocketEntries, normaliseWebhookDelivery, type DocketContext } from './courtlistener.normalise';
import { courtListenerListSchema } from './courtlistener.schema';
import { courtListenerConfigSchema } from './courtlistener.source';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/sources/courtlistener');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const RETRIEVED_AT = '2017-09-20T12:00:00Z';
const SAN_FRANCISCO = 'ocd-division/country:us/state:ca/place:san_francisco';
const CHICAGO = 'ocd-division/country:us/state:il/place:chicago';

const sfCase = { court: 'cand', docketNumber: '3:17-cv-00485', jurisdictionId: SAN_FRANCISCO };
const ctx: DocketContext = {
  case: sfCase,
  caption: 'City and County of San Francisco v. Trump',
  docketPath: '/docket/4336466/city-and-county-of-san-francisco-v-trump/',
  judge: 'William Horsley Orrick',
};
const page1 = courtListenerListSchema.parse(fixture('docket-entries-sf-page-1.json'));
const page2 = courtListenerListSchema.parse(fixture('docket-entries-sf-page-2.json'));

describe('courtlistener list schema', () => {
  it('reads a v4 list, whose count is a URL', () => {
    expect(page1.count).toBe('https://www.courtlistener.com/api/rest/v4/docket-entries/?docket=4336466&order_by=date_modified&count=on');
    expect(page1.next).toMatch(/cursor=/);
    expect(page2.next).toBeNull();
  });
});

describe('normaliseDocketEntries', () => {
  const first = normaliseDocketEntries(page1.results, ctx, RETRIEVED_AT);
  const second = normaliseDocketEntries(page2.results, ctx, RETRIEVED_AT);
  const items = [...first.items, ...second.items];

  it('gives data the propose-action command accepts', () => {
    expect(items).toHaveLength(5);
    for (const { proposal } of items) expect(() => actionCommandDataSchemas.ProposeAction.parse(proposal)).not.toThrow();
  });

  it('proposes each entry by explicit kind rules on its description', () => {
    expect(items.map((i) => [i.externalId, i.proposal.content.kind])).toEqual([
      ['21000101', 'lawsuit_filing'],
      ['21000102', 'other'],
      ['21000182', 'court_ruling'],
      ['21000198', 'other'],
      ['21000241', 'appeal'],
    ]);
  });

  it('parks a malformed entry with its reasons and goes on', () => {
    expect(first.parked).toHaveLength(1);
    expect(first.parked[0].raw).toBe(page1.results[2]);
    expect(first.parked[0].reason).toMatch(/^id: /);
    expect(first.parked[0].reason).toMatch(/date_filed/);
  });

  it('proposes the complaint as a lawsuit filed by San Francisco, cited by docket number and court', () => {
    expect(items[0].proposal).toEqual({
      actionId: 'courtlistener:21000101',
      content: {
        kind: 'lawsuit_filing',
        title: expect.stringMatching(/^City and County of San Francisco v\. Trump: COMPLAINT for Declaratory and Injunctive Relief against/),
        summary: expect.stringContaining('(City and County of San Francisco v. Trump, No. 3:17-cv-00485, U.S. District Court for the Northern District of California, docket entry 1, filed 2017-01-31).'),
        occurredOn: { date: '2017-01-31', precision: 'day' },
        actingJurisdictionId: SAN_FRANCISCO,
        affectedJurisdictionIds: [SAN_FRANCISCO],
        actors: [],
        citations: [
          {
            kind: 'docket',
            text: 'City and County of San Francisco v. Trump, No. 3:17-cv-00485 (U.S. District Court for the Northern District of California)',
            court: 'U.S. District Court for the Northern District of California',
            docketNumber: '3:17-cv-00485',
          },
        ],
        amounts: [],
        sources: [
          {
            url: 'https://www.courtlistener.com/docket/4336466/city-and-county-of-san-francisco-v-trump/#entry-1',
            publisher: 'CourtListener',
            title: 'City and County of San Francisco v. Trump',
            publishedOn: '2017-01-31',
            retrievedAt: RETRIEVED_AT,
            sourceSystem: 'courtlistener',
            externalId: '21000101',
          },
        ],
        tags: ['docket-entry'],
      },
      relations: [],
      proposal: { sourceSystem: 'courtlistener', externalId: '21000101' },
    });
  });

  it("places the injunction with the federal court, its judge as actor, and San Francisco among the affected", () => {
    expect(items[2].proposal.content).toMatchObject({
      occurredOn: { date: '2017-04-25', precision: 'day' },
      actingJurisdictionId: 'ocd-division/country:us',
      affectedJurisdictionIds: ['ocd-division/country:us', SAN_FRANCISCO],
      actors: [{ name: 'William Horsley Orrick', organisation: 'U.S. District Court for the Northern District of California' }],
    });
  });
});

describe('docketEntryKindOf', () => {
  it.each([
    ['FIRST AMENDED COMPLAINT against Jefferson Beauregard Sessions III', 'lawsuit_filing'],
    ['ANSWER to Complaint by United States of America', 'other'],
    ['BRIEF of Amici Curiae 34 Cities and Counties in support of Plaintiff', 'amicus_brief'],
    ['ORDER denying 45 Motion to Dismiss', 'court_ruling'],
    ['JUDGMENT entered in favor of plaintiff', 'court_ruling'],
    ['MOTION for Preliminary Injunction', 'other'],
  ])('%s → %s', (description, kind) => expect(docketEntryKindOf(description)).toBe(kind));
});

describe('normaliseWebhookDelivery', () => {
  const config = courtListenerConfigSchema.parse({
    cases: [
      sfCase,
      { court: 'ilnd', docketNumber: '1:17-cv-05720', jurisdictionId: CHICAGO, caption: 'City of Chicago v. Sessions', docketId: 6146429 },
    ],
  });
  const delivery = fixture('webhook-docket-alert.json') as { payload: { results: unknown[] } };

  it("proposes a watched docket's entries and parks those of other dockets", () => {
    const { items, parked } = normaliseWebhookDelivery(delivery, config, RETRIEVED_AT);

    expect(items.map((i) => [i.externalId, i.proposal.content.kind, i.proposal.content.occurredOn.date])).toEqual([
      ['22000078', 'court_ruling', '2017-09-15'],
    ]);
    expect(items[0].proposal.content.citations).toEqual([
      {
        kind: 'docket',
        text: 'City of Chicago v. Sessions, No. 1:17-cv-05720 (U.S. District Court for the Northern District of Illinois)',
        court: 'U.S. District Court for the Northern District of Illinois',
        docketNumber: '1:17-cv-05720',
      },
    ]);
    expect(items[0].proposal.content.sources?.[0].url).toBe('https://www.courtlistener.com/docket/6146429/78/city-of-chicago-v-sessions/');
    expect(() => actionCommandDataSchemas.ProposeAction.parse(items[0].proposal)).not.toThrow();
    expect(parked).toEqual([{ raw: delivery.payload.results[1], reason: 'docket: 9999999 is not the docketId of a watched case', externalId: '22000079' }]);
  });

  it('parks a delivery that is not a docket alert, or not a delivery at all, whole', () => {
    const searchAlert = { ...delivery, webhook: { version: 2, event_type: 2, date_created: '2017-08-07T12:00:00Z', deprecation_date: null } };
    expect(normaliseWebhookDelivery(searchAlert, config, RETRIEVED_AT)).toEqual({
      items: [],
      parked: [{ raw: searchAlert, reason: 'webhook.event_type: 2 is not a docket alert (1)' }],
    });
    const { parked } = normaliseWebhookDelivery({ hello: 'world' }, config, RETRIEVED_AT);
    expect(parked[0].reason).toMatch(/^not a CourtListener webhook delivery: webhook: /);
  });
});

describe('docket numbers', () => {
  it('reduces a docket number to its core as CourtListener does', () => {
    expect(docketNumberCore('3:17-cv-00485')).toBe('1700485');
    expect(docketNumberCore('1:17-cv-05720')).toBe('1705720');
    expect(docketNumberCore('17-16886')).toBe('1716886');
    expect(docketNumberCore('unknown')).toBeUndefined();
  });

  it('compares docket numbers without the judge’s initials', () => {
    expect(docketNumberKey('3:17-cv-00485-WHO')).toBe(docketNumberKey('3:17-CV-485'));
    expect(docketNumberKey('5:17-cv-00485')).not.toBe(docketNumberKey('3:17-cv-00485'));
  });

  it('follows next on the configured host', () => {
    expect(rebase('https://www.courtlistener.com/api/rest/v4/docket-entries/?cursor=abc&docket=1', 'http://127.0.0.1:4000/api/rest/v4')).toBe(
      'http://127.0.0.1:4000/api/rest/v4/docket-entries/?cursor=abc&docket=1',
    );
  });
});
