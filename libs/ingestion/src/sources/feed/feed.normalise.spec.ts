import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionCommandDataSchemas } from '@app/policy/domain';
import { rfc3339Day, rfc822Day } from './feed.dates';
import { feedActionId, feedKindOf, normaliseFeedItems, normaliseLink, type FeedContext } from './feed.normalise';
import { parseFeed } from './feed.schema';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/sources/feed');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const RETRIEVED_AT = '2017-09-16T12:00:00Z';
const NYC = 'ocd-division/country:us/state:ny/place:new_york';
const CHICAGO = 'ocd-division/country:us/state:il/place:chicago';

const nycFeed: FeedContext = {
  sourceId: 'feed:nyc-mayor',
  feedUrl: 'https://www1.nyc.gov/office-of-the-mayor/news.rss',
  publisher: 'Office of the Mayor of New York City',
  jurisdictionId: NYC,
  kind: 'public_statement',
};
const chicagoFeed: FeedContext = {
  sourceId: 'feed:chicago-mayor',
  feedUrl: 'https://www.chicago.gov/city/en/depts/mayor/press_room/press_releases.atom',
  publisher: "City of Chicago, Mayor's Press Office",
  jurisdictionId: CHICAGO,
  kind: 'public_statement',
};

describe('an RSS 2.0 feed', () => {
  const feed = parseFeed(fixture('nyc-mayor-rss.xml'))!;
  const { items, parked } = normaliseFeedItems(feed.format, feed.items, nycFeed, RETRIEVED_AT);

  it('is read as RSS with all its items', () => {
    expect(feed).toMatchObject({ format: 'rss', title: "NYC Mayor's Office: News" });
    expect(feed.items).toHaveLength(5);
  });

  it('gives data the propose-action command accepts', () => {
    for (const { proposal } of items) expect(() => actionCommandDataSchemas.ProposeAction.parse(proposal)).not.toThrow();
  });

  it('identifies items by guid, else by the normalised link, and drops a repeated item', () => {
    expect(items.map((i) => i.externalId)).toEqual([
      'nyc-mayor-news-183-17',
      'https://www1.nyc.gov/office-of-the-mayor/news/190-17',
      'https://www1.nyc.gov/office-of-the-mayor/news/ny-sues-byrne-jag',
    ]);
    expect(items.map((i) => i.proposal.actionId)).toEqual([
      'feed:nyc-mayor:nyc-mayor-news-183-17',
      expect.stringMatching(/^feed:nyc-mayor:https:-www1\.nyc\.gov-office-of-the-mayor-news-190-17-[0-9a-f]{16}$/),
      expect.stringMatching(/^feed:nyc-mayor:https:-www1\.nyc\.gov-office-of-the-mayor-news-ny-sues-byrne-jag-[0-9a-f]{16}$/),
    ]);
  });

  it("dates items by the publisher's own day, from RFC 822 dates with offsets, zone names and two-digit years", () => {
    expect(items.map((i) => i.proposal.content.occurredOn)).toEqual([
      { date: '2017-03-27', precision: 'day' },
      // 21:15 EDT is already the 29th in UTC.
      { date: '2017-03-28', precision: 'day' },
      { date: '2018-07-18', precision: 'day' },
    ]);
  });

  it('proposes by explicit kind rules: a mayor signing an executive order, a suit, else a public statement', () => {
    expect(items.map((i) => i.proposal.content.kind)).toEqual(['public_statement', 'executive_order', 'lawsuit_filing']);
  });

  it("proposes the mayor's statement with the feed's jurisdiction and publisher, and the text as plain text", () => {
    expect(items[0].proposal).toEqual({
      actionId: 'feed:nyc-mayor:nyc-mayor-news-183-17',
      content: {
        kind: 'public_statement',
        title: 'Mayor de Blasio on Attorney General Sessions’ Threat to Sanctuary Cities',
        summary:
          '“President Trump’s latest threat changes nothing. We will remain a city welcoming of immigrants who have helped make our city the safest big city in the nation. Any attempt to cut NYPD funding for the nation’s top terror target will be aggressively fought in court.”',
        occurredOn: { date: '2017-03-27', precision: 'day' },
        actingJurisdictionId: NYC,
        affectedJurisdictionIds: [NYC],
        actors: [],
        citations: [],
        amounts: [],
        sources: [
          {
            url: 'https://www1.nyc.gov/office-of-the-mayor/news/183-17/mayor-de-blasio-attorney-general-sessions-threat-sanctuary-cities',
            publisher: 'Office of the Mayor of New York City',
            title: 'Mayor de Blasio on Attorney General Sessions’ Threat to Sanctuary Cities',
            publishedOn: '2017-03-27',
            retrievedAt: RETRIEVED_AT,
            sourceSystem: 'feed:nyc-mayor',
            externalId: 'nyc-mayor-news-183-17',
          },
        ],
        tags: ['immigration', 'public-safety'],
      },
      relations: [],
      proposal: { sourceSystem: 'feed:nyc-mayor', externalId: 'nyc-mayor-news-183-17' },
    });
    expect(items[1].proposal.content.summary).toBe(
      "Mayor Bill de Blasio today signed an executive order limiting what city agencies share about New Yorkers' immigration status.",
    );
  });

  it('parks an item whose date is not an RFC 822 date, and goes on', () => {
    expect(parked).toEqual([{ raw: feed.items[3], reason: 'pubDate: "27/04/2017" is not an RFC 822 date' }]);
  });
});

describe('an Atom feed', () => {
  const feed = parseFeed(fixture('chicago-mayor-atom.xml'))!;
  const { items, parked } = normaliseFeedItems(feed.format, feed.items, chicagoFeed, RETRIEVED_AT);

  it('identifies entries by their id and resolves relative links against the feed', () => {
    expect(feed.format).toBe('atom');
    expect(items.map((i) => i.externalId)).toEqual([
      'tag:chicago.gov,2017:press/2017-08-07-lawsuit',
      'tag:chicago.gov,2017:press/2017-09-15-injunction',
    ]);
    expect(items[0].proposal.content.sources?.[0].url).toBe(
      'https://www.chicago.gov/city/en/depts/mayor/press_room/press_releases/2017/august/lawsuit.html',
    );
    for (const { proposal } of items) expect(() => actionCommandDataSchemas.ProposeAction.parse(proposal)).not.toThrow();
  });

  it('dates an entry by published, else updated, as written (RFC 3339)', () => {
    expect(items.map((i) => i.proposal.content.occurredOn.date)).toEqual(['2017-08-07', '2017-09-15']);
  });

  it('reads html text constructs as plain text and proposes the suit as a lawsuit filing', () => {
    expect(items[0].proposal.content).toMatchObject({
      kind: 'lawsuit_filing',
      title: 'City of Chicago Files Lawsuit Against the U.S. Department of Justice Over Byrne JAG Conditions',
      actingJurisdictionId: CHICAGO,
      tags: ['public-safety'],
    });
    expect(items[1].proposal.content).toMatchObject({
      kind: 'public_statement',
      summary: 'Today’s ruling is a victory for the City of Chicago and for cities across the nation.',
    });
  });

  it('parks an entry with no date', () => {
    expect(parked).toEqual([{ raw: feed.items[2], reason: 'updated: is required to date the entry' }]);
  });
});

describe('parseFeed', () => {
  it('knows neither HTML nor RSS 1.0 (RDF)', () => {
    expect(parseFeed('<html><body>Not found</body></html>')).toBeUndefined();
    expect(parseFeed('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><item/></rdf:RDF>')).toBeUndefined();
  });

  it('reads a feed with no items', () => {
    expect(parseFeed('<rss version="2.0"><channel><title>Empty</title></channel></rss>')).toEqual({ format: 'rss', title: 'Empty', items: [] });
  });
});

describe('normaliseLink', () => {
  it.each([
    ['HTTPS://WWW1.NYC.GOV/Office/News/?utm_source=rss&id=4&UTM_Campaign=x#top', 'https://www1.nyc.gov/Office/News?id=4'],
    ['https://www.chicago.gov/', 'https://www.chicago.gov'],
    ['/news/1/', 'https://example.gov/news/1'],
    ['mailto:press@example.gov', undefined],
  ])('%s → %s', (link, expected) => {
    expect(normaliseLink(link, 'https://example.gov/feed.xml')).toBe(expected);
  });
});

describe('feedActionId', () => {
  it('keeps ids the pattern allows and makes the others safe, short and distinct', () => {
    expect(feedActionId('feed:a', 'item-1')).toBe('feed:a:item-1');
    const a = feedActionId('feed:a', 'https://x.gov/a?b');
    const b = feedActionId('feed:a', 'https://x.gov/a/b');
    expect(a).not.toBe(b);
    const long = feedActionId('feed:a', `https://x.gov/${'p'.repeat(300)}`);
    expect(long.length).toBeLessThanOrEqual(128);
    for (const id of [a, b, long]) expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/);
  });
});

describe('feed dates', () => {
  it.each([
    ['Mon, 27 Mar 2017 16:40:00 -0400', '2017-03-27'],
    ['27 Mar 2017 16:40 GMT', '2017-03-27'],
    ['Tue, 28 Mar 2017 23:59:59 PST', '2017-03-28'],
    ['Wed, 1 Mar 17 08:00:00 Z', '2017-03-01'],
    ['Thu, 30 Feb 2017 08:00:00 GMT', undefined],
    ['2017-03-27T16:40:00-04:00', undefined],
  ])('RFC 822 %s → %s', (text, day) => expect(rfc822Day(text)).toBe(day));

  it.each([
    ['2017-03-27T23:40:00-07:00', '2017-03-27'],
    ['2017-03-27T16:40:00.123Z', '2017-03-27'],
    ['2017-03-27', '2017-03-27'],
    ['Mon, 27 Mar 2017 16:40:00 -0400', undefined],
  ])('RFC 3339 %s → %s', (text, day) => expect(rfc3339Day(text)).toBe(day));
});

describe('feedKindOf', () => {
  it('does not take a mayor talking about the President’s executive order for one the mayor signed', () => {
    expect(feedKindOf('Mayor responds to the executive order the President signed', '', 'public_statement')).toBe('public_statement');
    expect(feedKindOf('Statement', '', 'defiance_pledge')).toBe('defiance_pledge');
  });
});
