import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { TimelineEntry } from '@app/policy';
import { humanDate, layoutTimeline, periodOf, timelineSvg, wrap, type TimelinePictureContext } from './timeline-svg';

const ORIGIN = 'https://ledger.example';
let n = 0;
function entry(occurredOn: string, extra: Partial<TimelineEntry> = {}): TimelineEntry {
  const precision = occurredOn.length === 4 ? 'year' : occurredOn.length === 7 ? 'month' : 'day';
  return {
    actionId: `a-${++n}`,
    kind: 'public_statement',
    title: `Action ${n}`,
    status: 'published',
    occurredOn,
    precision,
    level: 'municipal',
    actingJurisdictionId: 'ocd-division/country:us/state:ny/place:syracuse',
    inherited: false,
    via: null,
    twin: false,
    relations: [],
    sourceCount: 1,
    ...extra,
  };
}

const noOverlaps = (layout: ReturnType<typeof layoutTimeline>) => {
  for (let i = 1; i < layout.placed.length; i++) {
    const prev = layout.placed[i - 1];
    expect(layout.placed[i].labelTop).toBeGreaterThanOrEqual(prev.labelTop + prev.labelHeight);
  }
};

describe('periodOf', () => {
  it('spans a day, a month or a year, the end exclusive', () => {
    const day = periodOf({ occurredOn: '2017-03-27', precision: 'day' });
    expect(day.end - day.start).toBe(1);
    expect(periodOf({ occurredOn: '2017-02', precision: 'month' }).end - periodOf({ occurredOn: '2017-02', precision: 'month' }).start).toBe(28);
    expect(periodOf({ occurredOn: '2016', precision: 'year' }).end - periodOf({ occurredOn: '2016', precision: 'year' }).start).toBe(366);
  });
});

describe('wrap', () => {
  it('keeps every word, in order, within the width', () => {
    const title = 'Attorney General makes Justice Department grants conditional on certifying compliance with 8 U.S.C. § 1373';
    const lines = wrap(title, 30);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((l) => l.length <= 30)).toBe(true);
    expect(lines.join(' ')).toBe(title);
  });

  it('cuts a word longer than a line rather than letting it run off the picture', () => {
    const lines = wrap(`see ${'x'.repeat(25)} here`, 10);
    expect(lines.every((l) => l.length <= 10)).toBe(true);
    expect(lines).toEqual(['see', 'x'.repeat(10), 'x'.repeat(10), 'xxxxx here']);
  });
});

describe('layoutTimeline', () => {
  it('puts dates on an axis proportional to time: a year apart looks twelve times a month apart', () => {
    const layout = layoutTimeline([entry('2015-01-01'), entry('2015-02-01'), entry('2016-02-01')], ORIGIN, 100);
    const [a, b, c] = layout.placed;
    const month = b.y - a.y;
    const year = c.y - b.y;
    expect(year / month).toBeCloseTo(365 / 31, 5);
    expect(layout.pxPerDay).toBeCloseTo(month / 31, 5);
    // The axis covers whole months, from the first entry's to the last one's.
    expect(layout.axisTop).toBeLessThanOrEqual(a.y);
    expect(layout.axisBottom).toBeCloseTo(c.y + 29 * layout.pxPerDay, 5);
  });

  it('labels a lone entry level with its date', () => {
    const layout = layoutTimeline([entry('2015-01-01'), entry('2017-06-01')], ORIGIN, 100);
    for (const p of layout.placed) expect(p.anchorY).toBeCloseTo(p.y, 5);
  });

  it('pushes crowded labels apart in order, never overlapping, and keeps their true date on the axis', () => {
    const entries = [
      entry('2017-01-25'),
      ...Array.from({ length: 30 }, () => entry('2017-03-27', { title: 'A long title that wraps '.repeat(6).trim() })),
      entry('2017-03-28'),
      entry('2019-12-31'),
    ];
    const layout = layoutTimeline(entries, ORIGIN, 100);
    noOverlaps(layout);
    expect(layout.placed.map((p) => p.entry.actionId)).toEqual(entries.map((e) => e.actionId));
    const crowd = layout.placed.slice(1, 31);
    expect(new Set(crowd.map((p) => p.y)).size).toBe(1);
    // Centred on the date they share: some above it, some below.
    expect(crowd[0].anchorY).toBeLessThan(crowd[0].y);
    expect(crowd[29].anchorY).toBeGreaterThan(crowd[29].y);
    expect(layout.placed.every((p) => p.labelTop >= 100)).toBe(true);
    expect(layout.bottom).toBeGreaterThanOrEqual(layout.placed.at(-1)!.labelTop + layout.placed.at(-1)!.labelHeight);
  });

  it('holds 500 entries on one day without overlap', () => {
    const entries = Array.from({ length: 500 }, () => entry('2017-03-27'));
    const layout = layoutTimeline(entries, ORIGIN, 100);
    noOverlaps(layout);
    expect(layout.placed[0].labelTop).toBe(100);
  });

  it('wraps titles whole over several lines, and makes room for them', () => {
    const title = 'Attorney General makes Justice Department grants conditional on certifying compliance with 8 U.S.C. § 1373, and says so again at length';
    const [short, long] = layoutTimeline([entry('2017-03-27'), entry('2017-03-27', { title: `${title} ${title}` })], ORIGIN, 100).placed;
    expect(long.titleLines.length).toBeGreaterThan(1);
    expect(long.titleLines.join(' ')).toBe(`${title} ${title}`);
    expect(long.labelHeight).toBeGreaterThan(short.labelHeight);
  });

  it('draws a month or a year as a span over its period, in lanes that do not collide', () => {
    const layout = layoutTimeline([entry('2016'), entry('2016-03'), entry('2016-03-10'), entry('2017-06')], ORIGIN, 100);
    const [year, month, day, later] = layout.placed;
    expect(year.yEnd - year.y).toBeCloseTo(366 * layout.pxPerDay, 5);
    expect(month.yEnd - month.y).toBeCloseTo(31 * layout.pxPerDay, 5);
    expect(day.yEnd).toBe(day.y);
    expect(day.bracketLane).toBeNull();
    expect(month.bracketLane).not.toBe(year.bracketLane);
    expect(later.bracketLane).toBe(0);
  });

  it('draws arrows only between entries both in the picture; names the others as text, linked', () => {
    const grant = entry('2017-03-27', { kind: 'grant_condition', level: 'federal', inherited: true, via: 'ocd-division/country:us' });
    const statement = entry('2017-03-27', { relations: [{ relation: 'responds_to', targetId: grant.actionId }, { relation: 'cites', targetId: 'elsewhere' }] });
    const self = entry('2017-04-01');
    self.relations = [{ relation: 'amends', targetId: self.actionId }];
    const layout = layoutTimeline([grant, statement, self], ORIGIN, 100);
    expect(layout.arrows).toEqual([{ from: 1, to: 0, relation: 'responds_to', lane: 0 }]);
    expect(layout.placed[1].notes).toEqual([
      { text: 'responds to the grant condition of 27 Mar 2017 (arrow)', href: null },
      { text: 'cites elsewhere, not in this picture', href: `${ORIGIN}/api/v1/actions/elsewhere` },
    ]);
  });

  it('gives arrows whose spans overlap separate lanes', () => {
    const a = entry('2017-01-01');
    const b = entry('2017-02-01', { relations: [{ relation: 'responds_to', targetId: a.actionId }] });
    const c = entry('2017-03-01', { relations: [{ relation: 'responds_to', targetId: a.actionId }] });
    const layout = layoutTimeline([a, b, c], ORIGIN, 100);
    expect(layout.arrows.map((x) => x.lane).sort()).toEqual([0, 1]);
  });
});

describe('timelineSvg', () => {
  const ctx: TimelinePictureContext = {
    jurisdictionName: 'Syracuse & "Onondaga" <city>',
    filters: { from: '2017-01-01', to: '2017-12-31', kinds: ['public_statement'], levels: ['municipal', 'federal'], asOf: '2017-06-01T00:00:00Z' },
    url: `${ORIGIN}/api/v1/jurisdictions/x/timeline?format=svg&from=2017&kind=public_statement`,
    origin: ORIGIN,
    generatedAt: new Date('2026-12-01T05:00:00Z'),
    ledgerPosition: 42,
  };

  it('is valid, accessible XML with the filters, a legend of what it shows and a citable footer', () => {
    const grant = entry('2017-03-27', { kind: 'grant_condition', level: 'federal', inherited: true, via: 'ocd-division/country:us', title: 'Grants <conditional> & "certified"' });
    const statement = entry('2017-03', { relations: [{ relation: 'responds_to', targetId: grant.actionId }] });
    const svg = timelineSvg({ jurisdictionId: 'x', asOf: ctx.filters.asOf!, entries: [grant, statement], nextCursor: 'abc' }, ctx);
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(svg).svg;
    expect(doc['@role']).toBe('img');
    expect(doc.title['#text']).toBe('Policy timeline of Syracuse & "Onondaga" <city>');
    expect(doc.desc['#text']).toContain('2 policy actions');
    expect(svg).toContain('1 Jan 2017 to 31 Dec 2017');
    expect(svg).toContain('kinds: public statement');
    expect(svg).toContain('acting levels: municipal, federal');
    expect(svg).toContain('as the ledger stood at 2017-06-01T00:00:00Z');
    expect(svg).toContain('Grants &lt;conditional&gt; &amp; &quot;certified&quot;');
    expect(svg).toContain(`href="${ORIGIN}/api/v1/actions/${grant.actionId}"`);
    expect(svg).toContain('Generated 2026-12-01T05:00:00.000Z at ledger position 42, from:');
    expect(svg).toContain('class="foot">https://ledger.example/api/v1/jurisdictions/x/timeline?format=svg&amp;from=2017&amp;kind=public_statement<');
    expect(svg).toContain('cursor=abc');
    // Legend: the levels present only, both markers, the span and the arrow.
    expect(svg).toMatch(/class="legend">federal</);
    expect(svg).toMatch(/class="legend">municipal</);
    expect(svg).not.toMatch(/class="legend">state</);
    expect(svg).toContain('inherited from a jurisdiction above');
    expect(svg).toContain('a month or year known');
    expect(svg).toContain('points from an action to the one it names');
    expect(svg.match(/marker-end=/g)).toHaveLength(2);
  });

  it('says so when nothing matches, and leaves out what is not shown', () => {
    const svg = timelineSvg({ jurisdictionId: 'x', asOf: null, entries: [], nextCursor: null }, { ...ctx, filters: {} });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('No entries match these filters.');
    expect(svg).toContain('Dates: all dates');
    expect(svg).not.toContain('marker-end=');
    expect(svg).not.toContain('Next page');
  });

  it('formats dates as precisely as they are known', () => {
    expect([humanDate('2017-03-07'), humanDate('2017-03'), humanDate('2017')]).toEqual(['7 Mar 2017', 'Mar 2017', '2017']);
  });
});
