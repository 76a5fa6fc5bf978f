import type { NewSource } from '../repositories/source.repository';

const US = 'ocd-division/country:us';

// Daily, at different minutes, in UTC: the sources publish on working days and a day's delay
// is nothing for a ledger of policy actions; an admin can change any schedule.
const DAILY = (minute: number, hour = 6) => `${minute} ${hour} * * *`;

/** A city's press feed; its URL must be confirmed (and the source enabled) by an admin. */
const cityFeed = (slug: string, name: string, publisher: string, url: string, jurisdictionId: string, minute: number): NewSource => ({
  id: `feed:${slug}`,
  type: 'feed',
  name,
  config: { url, publisher, jurisdictionId },
  enabled: false,
  schedule: DAILY(minute, 7),
});

/**
 * The sources of the 2017 story, added at start when missing (an admin's changes are kept).
 * Enabled are the public APIs that need nothing but the network. CourtListener waits for a
 * token (COURTLISTENER_TOKEN), and the city feeds for an admin to confirm each office's current
 * feed address: offices move their feeds when they redo their sites.
 */
export const DEFAULT_SOURCES: readonly NewSource[] = [
  {
    id: 'federal-register',
    type: 'federal-register',
    name: 'Federal Register: executive orders, proclamations and memoranda',
    config: {},
    enabled: true,
    schedule: DAILY(15),
  },
  {
    id: 'doj-press',
    type: 'doj-press',
    name: 'Justice Department press releases',
    config: {},
    enabled: true,
    schedule: DAILY(30),
  },
  {
    id: 'courtlistener',
    type: 'courtlistener',
    name: 'CourtListener: dockets of the sanctuary-jurisdiction cases',
    config: {
      cases: [
        { court: 'cand', docketNumber: '3:17-cv-00485', jurisdictionId: `${US}/state:ca/county:san_francisco`, caption: 'City and County of San Francisco v. Trump' },
        { court: 'cand', docketNumber: '3:17-cv-00574', jurisdictionId: `${US}/state:ca/county:santa_clara`, caption: 'County of Santa Clara v. Trump' },
        { court: 'ilnd', docketNumber: '1:17-cv-05720', jurisdictionId: `${US}/state:il/place:chicago`, caption: 'City of Chicago v. Sessions' },
        { court: 'paed', docketNumber: '2:17-cv-03894', jurisdictionId: `${US}/state:pa/place:philadelphia`, caption: 'City of Philadelphia v. Sessions' },
      ],
    },
    enabled: false,
    schedule: DAILY(45),
  },
  cityFeed('nyc-mayor', 'New York City: Office of the Mayor', 'Office of the Mayor of New York City', 'https://www.nyc.gov/office-of-the-mayor/news.rss', `${US}/state:ny/place:new_york`, 0),
  cityFeed('chicago-mayor', 'Chicago: Mayor’s Press Office', 'City of Chicago Mayor’s Press Office', 'https://www.chicago.gov/city/en/depts/mayor/press_room/press_releases.rss', `${US}/state:il/place:chicago`, 5),
  cityFeed('boston-mayor', 'Boston: Mayor’s Office news', 'City of Boston', 'https://www.boston.gov/news.rss', `${US}/state:ma/place:boston`, 10),
  cityFeed('syracuse-mayor', 'Syracuse: Mayor’s Office news', 'City of Syracuse', 'https://www.syr.gov/news.rss', `${US}/state:ny/place:syracuse`, 15),
  cityFeed('sf-mayor', 'San Francisco: Office of the Mayor', 'Office of the Mayor of San Francisco', 'https://www.sf.gov/news.rss', `${US}/state:ca/county:san_francisco`, 20),
  {
    id: 'legistar:chicago',
    type: 'legistar',
    name: 'Chicago City Council: ordinances and resolutions',
    config: { client: 'chicago', jurisdictionId: `${US}/state:il/place:chicago`, publisher: 'Chicago City Council' },
    enabled: true,
    schedule: DAILY(50),
  },
];
