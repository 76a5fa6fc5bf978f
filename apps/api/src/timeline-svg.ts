import type { TimelineEntry, TimelinePage } from '@app/policy';
import { LEVEL_COLOURS, MONTHS, escapeXml, humanDate, wrap } from './svg';

/** What the picture says about how it was asked for, so a reader can cite and redraw it. */
export interface TimelinePictureContext {
  jurisdictionName: string;
  /** The filters as understood: `from`/`to` are whole days (a month or year already widened). */
  filters: {
    from?: string;
    to?: string;
    levels?: readonly string[];
    kinds?: readonly string[];
    statuses?: readonly string[];
    inherited?: boolean;
    asOf?: string;
    cursor?: string;
  };
  /** The absolute URL asked, e.g. https://ledger.example/api/v1/jurisdictions/…/timeline?format=svg */
  url: string;
  /** Scheme and host of the request: links to actions are absolute so a saved file still works. */
  origin: string;
  generatedAt: Date;
  /** The ledger's last event position when the page was read, if known. */
  ledgerPosition?: number;
}

// Geometry, in px. The picture is one column of labels right of a vertical time axis; arrows
// between related entries run in lanes right of the labels.
const WIDTH = 1000;
const AXIS_X = 120;
const BRACKET_X = AXIS_X + 12;
const BRACKET_STEP = 6;
const BRACKET_LANES = 8;
const LABEL_X = 250;
const TEXT_WIDTH = 560;
const ARROW_X = LABEL_X + TEXT_WIDTH + 14;
const ARROW_STEP = 7;
const ARROW_LANES = Math.floor((WIDTH - 12 - ARROW_X) / ARROW_STEP);
/** Characters per title line: 13px system-ui averages about 7px a character. */
const TITLE_CHARS = Math.floor(TEXT_WIDTH / 7.2);
const META_LINE = 16;
const TITLE_LINE = 16;
const NOTE_LINE = 14;
const LABEL_GAP = 10;
/** The first line of a label sits this far below its top; its leader line ends there. */
const ANCHOR = 11;
/** Below this a month is too short to name; years are always named. */
const MONTH_LABEL_MIN_PX = 15;
const DAY_MS = 86_400_000;

/** An entry placed: where its date is on the axis and where its label went. */
export interface PlacedEntry {
  entry: TimelineEntry;
  /** The axis position of its first day, and of the end of its last (equal for a day). */
  y: number;
  yEnd: number;
  /** For a month or year, which bracket lane beside the axis it is drawn in. */
  bracketLane: number | null;
  labelTop: number;
  labelHeight: number;
  /** Where the label's first line (and its leader) sits. */
  anchorY: number;
  /** The first line's text, and about where it ends: arrows start and end just past it. */
  meta: string;
  metaEnd: number;
  titleLines: string[];
  notes: { text: string; href: string | null }[];
}

export interface Arrow {
  from: number;
  to: number;
  relation: string;
  lane: number;
}

export interface Tick {
  y: number;
  label: string | null;
  year: boolean;
}

export interface TimelineLayout {
  placed: PlacedEntry[];
  arrows: Arrow[];
  ticks: Tick[];
  axisTop: number;
  axisBottom: number;
  /** The lowest point drawn (labels may run past the axis end when entries crowd at its end). */
  bottom: number;
  pxPerDay: number;
}

/** First day and the day after the last, in UTC days since the epoch, of an entry's period. */
export function periodOf(e: Pick<TimelineEntry, 'occurredOn' | 'precision'>): { start: number; end: number } {
  const [y, m = 1, d = 1] = e.occurredOn.split('-').map(Number);
  const start = Date.UTC(y, m - 1, d) / DAY_MS;
  const end =
    e.precision === 'year' ? Date.UTC(y + 1, 0, 1) / DAY_MS : e.precision === 'month' ? Date.UTC(y, m, 1) / DAY_MS : start + 1;
  return { start, end };
}

const RELATION_WORDS: Record<string, string> = {
  responds_to: 'responds to',
  challenges: 'challenges',
  implements: 'implements',
  enjoins: 'enjoins',
  amends: 'amends',
  supersedes: 'supersedes',
  joins: 'joins',
  cites: 'cites',
};
const relationWords = (r: string) => RELATION_WORDS[r] ?? r.replace(/_/g, ' ');

export const actionHref = (origin: string, actionId: string) => `${origin}/api/v1/actions/${encodeURIComponent(actionId)}`;

/**
 * Gives each interval the lowest lane where it overlaps nothing, shortest first, so short
 * arrows run nearest the labels and long ones outside them, crossing as few as can be (a lane
 * is reused, modulo `lanes`, when there are more than that many at once).
 */
function assignLanes(intervals: { lo: number; hi: number }[], lanes: number): number[] {
  const taken: { lo: number; hi: number }[][] = [];
  const order = intervals.map((_, i) => i).sort((a, b) => intervals[a].hi - intervals[a].lo - (intervals[b].hi - intervals[b].lo) || intervals[a].lo - intervals[b].lo);
  const out = new Array<number>(intervals.length);
  for (const i of order) {
    const { lo, hi } = intervals[i];
    let lane = taken.findIndex((used) => used.every((u) => u.hi < lo || u.lo > hi));
    if (lane < 0) lane = taken.push([]) - 1;
    taken[lane].push(intervals[i]);
    out[i] = lane % lanes;
  }
  return out;
}

/**
 * Where everything goes. Pure: the same entries always give the same picture.
 *
 * The axis is proportional to time. Labels want their first line level with their date; where
 * entries crowd, they are stacked in order without overlapping, each run of touching labels
 * centred on the dates it stands for (so the leaders are as short as they can be), never above
 * `top`.
 */
export function layoutTimeline(entries: readonly TimelineEntry[], origin: string, top: number): TimelineLayout {
  const periods = entries.map(periodOf);
  const drawn = new Map(entries.map((e, i) => [e.actionId, i]));
  const labels = entries.map((e) => {
    const titleLines = wrap(e.title, TITLE_CHARS);
    const notes = e.relations.map((r) => {
      const inside = drawn.has(r.targetId) && r.targetId !== e.actionId;
      return inside
        ? { text: `${relationWords(r.relation)} ${describe(entries[drawn.get(r.targetId)!])} (arrow)`, href: null }
        : { text: `${relationWords(r.relation)} ${r.targetId}, not in this picture`, href: actionHref(origin, r.targetId) };
    });
    const height = META_LINE + titleLines.length * TITLE_LINE + notes.length * NOTE_LINE;
    return { titleLines, notes, height, meta: metaText(e) };
  });

  // The axis runs over whole months, from the first entry's month to the last one's end.
  const first = periods.length ? Math.min(...periods.map((p) => p.start)) : 0;
  const last = periods.length ? Math.max(...periods.map((p) => p.end)) : 1;
  const d0 = new Date(first * DAY_MS);
  const axisStart = Date.UTC(d0.getUTCFullYear(), d0.getUTCMonth(), 1) / DAY_MS;
  const d1 = new Date((last - 1) * DAY_MS);
  const axisEnd = Date.UTC(d1.getUTCFullYear(), d1.getUTCMonth() + 1, 1) / DAY_MS;
  const spanDays = Math.max(1, axisEnd - axisStart);
  // Long enough for the labels to stack beside their dates, but a day no longer than 40px (a
  // crowd on a few days then stacks below them rather than stretching the weeks around it);
  // a few entries over many years get at least a readable month, within reason.
  const stack = labels.reduce((sum, l) => sum + l.height + LABEL_GAP, 0);
  const axisLength = Math.max(360, Math.min(stack, spanDays * 40), Math.min(spanDays * 0.8, Math.max(1200, stack * 2)));
  const pxPerDay = axisLength / spanDays;
  const axisTop = top + 14;
  const yOf = (day: number) => axisTop + (day - axisStart) * pxPerDay;

  // Labels in order, touching runs merged and centred (isotonic placement).
  const blocks: { first: number; n: number; sum: number; height: number; top: number }[] = [];
  entries.forEach((_, i) => {
    const ideal = yOf(periods[i].start) - ANCHOR;
    const h = labels[i].height + LABEL_GAP;
    let b = { first: i, n: 1, sum: ideal, height: h, top: Math.max(top, ideal) };
    while (blocks.length && blocks[blocks.length - 1].top + blocks[blocks.length - 1].height > b.top) {
      const prev = blocks.pop()!;
      const sum = prev.sum + b.sum - b.n * prev.height;
      const n = prev.n + b.n;
      b = { first: prev.first, n, sum, height: prev.height + b.height, top: Math.max(top, sum / n) };
    }
    blocks.push(b);
  });
  const labelTops = new Array<number>(entries.length);
  for (const b of blocks) {
    let y = b.top;
    for (let i = b.first; i < b.first + b.n; i++) {
      labelTops[i] = y;
      y += labels[i].height + LABEL_GAP;
    }
  }

  const spans = entries.map((e, i) => (e.precision === 'day' ? null : { lo: yOf(periods[i].start), hi: yOf(periods[i].end) }));
  const spanIndexes = spans.flatMap((s, i) => (s ? [i] : []));
  const spanLanes = assignLanes(spanIndexes.map((i) => spans[i]!), BRACKET_LANES);
  const bracketLane = new Map(spanIndexes.map((i, k) => [i, spanLanes[k]]));

  const placed: PlacedEntry[] = entries.map((entry, i) => ({
    entry,
    y: yOf(periods[i].start),
    yEnd: entry.precision === 'day' ? yOf(periods[i].start) : yOf(periods[i].end),
    bracketLane: bracketLane.get(i) ?? null,
    labelTop: labelTops[i],
    labelHeight: labels[i].height,
    anchorY: labelTops[i] + ANCHOR,
    meta: labels[i].meta,
    // 11px text averages under 6.5px a character; the bold date a little more.
    metaEnd: LABEL_X + labels[i].meta.length * 6.5 + 8,
    titleLines: labels[i].titleLines,
    notes: labels[i].notes,
  }));

  const links = entries.flatMap((e, i) =>
    e.relations
      .filter((r) => drawn.has(r.targetId) && r.targetId !== e.actionId)
      .map((r) => ({ from: i, to: drawn.get(r.targetId)!, relation: r.relation })),
  );
  const arrowLanes = assignLanes(
    links.map((l) => ({ lo: Math.min(placed[l.from].anchorY, placed[l.to].anchorY), hi: Math.max(placed[l.from].anchorY, placed[l.to].anchorY) })),
    ARROW_LANES,
  );
  const arrows = links.map((l, k) => ({ ...l, lane: arrowLanes[k] }));

  const axisBottom = yOf(axisEnd);
  const ticks = monthTicks(axisStart, axisEnd, yOf, pxPerDay);
  const labelsBottom = placed.length ? Math.max(...placed.map((p) => p.labelTop + p.labelHeight)) : axisTop;
  return { placed, arrows, ticks, axisTop, axisBottom, bottom: Math.max(axisBottom, labelsBottom), pxPerDay };
}

function monthTicks(start: number, end: number, yOf: (day: number) => number, pxPerDay: number): Tick[] {
  const ticks: Tick[] = [];
  const monthPx = 30 * pxPerDay;
  // Years named every year when there is room, else every 2, 5 or 10.
  const yearEvery = [1, 2, 5, 10, 20, 50].find((k) => k * 365 * pxPerDay >= 18) ?? 100;
  const d = new Date(start * DAY_MS);
  for (let y = d.getUTCFullYear(), m = d.getUTCMonth(); ; m++) {
    if (m === 12) {
      m = 0;
      y++;
    }
    const day = Date.UTC(y, m, 1) / DAY_MS;
    if (day > end) break;
    const year = m === 0 || day === start;
    const label = year
      ? y % yearEvery === 0 || day === start
        ? m === 0 ? String(y) : `${MONTHS[m]} ${y}`
        : null
      : monthPx >= MONTH_LABEL_MIN_PX
        ? MONTHS[m]
        : null;
    if (year || monthPx >= 4) ticks.push({ y: yOf(day), label, year: m === 0 });
  }
  return ticks;
}

const kindWords = (kind: string) => kind.replace(/_/g, ' ');

/** A label's first line: when, what, who acted, and how it reached this timeline. */
function metaText(e: TimelineEntry): string {
  const via = e.inherited && e.via ? ` · via ${e.via.split('/').pop()}` : '';
  return `${humanDate(e.occurredOn)} · ${kindWords(e.kind)} · ${e.level}${via}${e.status === 'published' ? '' : ` · ${e.status}`}`;
}
const describe = (e: TimelineEntry) => `the ${kindWords(e.kind)} of ${humanDate(e.occurredOn)}`;

function filtersText(f: TimelinePictureContext['filters']): string {
  const dates = f.from && f.to ? `${humanDate(f.from)} to ${humanDate(f.to)}` : f.from ? `from ${humanDate(f.from)}` : f.to ? `up to ${humanDate(f.to)}` : 'all dates';
  const parts = [
    `Dates: ${dates}${f.from || f.to ? ' (a month or year overlapping it included)' : ''}`,
    `kinds: ${f.kinds?.length ? f.kinds.map(kindWords).join(', ') : 'all'}`,
    `acting levels: ${f.levels?.length ? f.levels.join(', ') : 'all'}`,
    `status: ${f.statuses?.length ? f.statuses.join(', ') : 'published'}`,
    f.inherited === false ? 'own entries only' : 'own and inherited entries',
    f.asOf ? `as the ledger stood at ${f.asOf}` : 'as the ledger stands',
  ];
  return parts.join(' · ');
}

/** The URL asked, with `cursor` set; a Host header URL cannot parse still gets a usable line. */
function withCursor(url: string, cursor: string): string {
  try {
    const next = new URL(url);
    next.searchParams.set('cursor', cursor);
    return next.toString();
  } catch {
    return `${url}${url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
  }
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

/**
 * The timeline as a picture a reader can paste into a memo: a time axis where a year's gap looks
 * like a year, each entry's whole title linked to its action, arrows between related entries,
 * its filters in the heading, a legend of what it shows and a footer saying where it came from.
 * Self-contained SVG, so it opens in a browser, a slide or a newsroom CMS as it is.
 */
export function timelineSvg(page: TimelinePage, ctx: TimelinePictureContext): string {
  const entries = page.entries;
  const headLines = [
    ...wrap(filtersText(ctx.filters), 150),
    `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}${
      entries.length ? `, ${humanDate(entries[0].occurredOn)} to ${humanDate(entries[entries.length - 1].occurredOn)}` : ''
    }${ctx.filters.cursor ? ', continuing an earlier page' : ''}${page.nextCursor ? '; more follow on the next page (see below)' : ''}`,
  ];
  const top = 40 + headLines.length * 16 + 12;
  const layout = layoutTimeline(entries, ctx.origin, top);
  const out: string[] = [];

  // Axis, ticks, year lines.
  if (entries.length) {
    out.push(`<line x1="${AXIS_X}" y1="${fmt(layout.axisTop)}" x2="${AXIS_X}" y2="${fmt(layout.axisBottom)}" class="axis"/>`);
    for (const t of layout.ticks) {
      out.push(`<line x1="${t.year ? AXIS_X - 12 : AXIS_X - 5}" y1="${fmt(t.y)}" x2="${AXIS_X}" y2="${fmt(t.y)}" class="${t.year ? 'axis' : 'tick'}"/>`);
      if (t.label) out.push(`<text x="${AXIS_X - 16}" y="${fmt(t.y + 4)}" text-anchor="end" class="${t.year ? 'year' : 'month'}">${escapeXml(t.label)}</text>`);
    }
  }

  // Leaders first, so marks and labels are drawn over them.
  for (const p of layout.placed) {
    const markX = p.bracketLane === null ? AXIS_X + 6 : BRACKET_X + p.bracketLane * BRACKET_STEP + 2;
    out.push(
      `<polyline points="${markX},${fmt(p.y)} ${LABEL_X - 44},${fmt(p.y)} ${LABEL_X - 16},${fmt(p.anchorY - 4)} ${LABEL_X - 6},${fmt(p.anchorY - 4)}" class="leader"/>`,
    );
  }

  const ringsOn = new Map<number, number>();
  const ownOn = new Set(layout.placed.filter((p) => p.bracketLane === null && !p.entry.inherited).map((p) => p.y));
  const rings: string[] = [];
  for (const p of layout.placed) {
    const e = p.entry;
    const colour = LEVEL_COLOURS[e.level] ?? '#666';
    if (p.bracketLane === null) {
      // Several on one day share a point: own dots below, inherited rings widening around them,
      // so each stays visible.
      if (e.inherited) {
        const before = (ringsOn.get(p.y) ?? 0) + (ownOn.has(p.y) ? 1 : 0);
        ringsOn.set(p.y, (ringsOn.get(p.y) ?? 0) + 1);
        const r = 5 + 3 * Math.min(3, before);
        rings.push(`<circle cx="${AXIS_X}" cy="${fmt(p.y)}" r="${r}" fill="${before ? 'none' : '#fff'}" stroke="${colour}" stroke-width="2.5" class="mark"/>`);
      } else out.push(`<circle cx="${AXIS_X}" cy="${fmt(p.y)}" r="6" fill="${colour}" class="mark"/>`);
    } else {
      // A bracket over the month or year the date is known to: ticks at its first and last day.
      const x = BRACKET_X + p.bracketLane * BRACKET_STEP;
      const dash = e.inherited ? ' stroke-dasharray="3 2"' : '';
      out.push(
        `<path d="M${x + 4},${fmt(p.y)} H${x} V${fmt(p.yEnd)} H${x + 4}" fill="none" stroke="${colour}" stroke-width="2.5"${dash} class="span"/>`,
      );
    }
    const date = humanDate(e.occurredOn);
    const href = escapeXml(actionHref(ctx.origin, e.actionId));
    const lines: string[] = [];
    let y = p.labelTop + ANCHOR + 1;
    lines.push(
      `<text x="${LABEL_X}" y="${fmt(y)}" class="meta"><tspan class="date">${escapeXml(date)}</tspan>${escapeXml(p.meta.slice(date.length))}</text>`,
    );
    y += TITLE_LINE;
    lines.push(
      `<a href="${href}" xlink:href="${href}" target="_blank"><text x="${LABEL_X}" y="${fmt(y)}" class="title">${p.titleLines
        .map((line, k) => `<tspan x="${LABEL_X}" dy="${k === 0 ? 0 : TITLE_LINE}">${escapeXml(line)}</tspan>`)
        .join('')}</text></a>`,
    );
    y += (p.titleLines.length - 1) * TITLE_LINE + NOTE_LINE;
    for (const note of p.notes) {
      const text = `<text x="${LABEL_X + 10}" y="${fmt(y)}" class="note">↳ ${escapeXml(note.text)}</text>`;
      if (note.href) {
        const h = escapeXml(note.href);
        lines.push(`<a href="${h}" xlink:href="${h}" target="_blank">${text}</a>`);
      } else lines.push(text);
      y += NOTE_LINE;
    }
    out.push(`<g class="entry" data-action-id="${escapeXml(e.actionId)}">${lines.join('')}</g>`);
  }

  out.push(...rings);

  for (const a of layout.arrows) {
    const x = ARROW_X + 6 + a.lane * ARROW_STEP;
    const from = layout.placed[a.from];
    const to = layout.placed[a.to];
    // Out of a label a little lower than into one, so a label that is both does not tangle.
    const y1 = from.anchorY - 2;
    const y2 = to.anchorY - 7;
    out.push(
      `<circle cx="${fmt(from.metaEnd)}" cy="${fmt(y1)}" r="2.5" fill="#555"/><path d="M${fmt(from.metaEnd)},${fmt(y1)} H${x} V${fmt(y2)} H${fmt(to.metaEnd + 12)}" class="arrow" marker-end="url(#head)" data-from="${escapeXml(
        layout.placed[a.from].entry.actionId,
      )}" data-to="${escapeXml(layout.placed[a.to].entry.actionId)}" data-relation="${escapeXml(a.relation)}"/>`,
    );
  }

  if (!entries.length) out.push(`<text x="${LABEL_X}" y="${top + 20}" class="title">No entries match these filters.</text>`);

  // Legend: only what the picture holds.
  const legend: string[] = [];
  let lx = 16;
  const ly = layout.bottom + 34;
  let row = ly;
  // Marks are written with {x} and {y} for where they land; a row full, the next one below.
  const item = (mark: string, text: string) => {
    const width = 14 + text.length * 6.3;
    if (lx > 16 && lx + width > WIDTH - 16) {
      lx = 16;
      row += 20;
    }
    legend.push(`${mark.replace(/\{x\}/g, String(lx)).replace(/\{y\}/g, fmt(row))}<text x="${lx + 14}" y="${fmt(row + 4)}" class="legend">${escapeXml(text)}</text>`);
    lx += width + 18;
  };
  const levels = [...new Set(entries.map((e) => e.level))].sort((a, b) => Object.keys(LEVEL_COLOURS).indexOf(a) - Object.keys(LEVEL_COLOURS).indexOf(b));
  for (const level of levels) item(`<circle cx="{x}" cy="{y}" r="5" fill="${LEVEL_COLOURS[level] ?? '#666'}"/>`, level);
  const own = entries.some((e) => !e.inherited);
  const inherited = entries.some((e) => e.inherited);
  if (own && entries.some((e) => e.precision === 'day' && !e.inherited)) item(`<circle cx="{x}" cy="{y}" r="5" fill="#777"/>`, 'its own act');
  if (inherited && entries.some((e) => e.precision === 'day' && e.inherited))
    item(`<circle cx="{x}" cy="{y}" r="4" fill="#fff" stroke="#777" stroke-width="2.5"/>`, 'inherited from a jurisdiction above');
  if (entries.some((e) => e.precision !== 'day'))
    item(
      '<path d="M{x},{y} m4,-6 h-4 v12 h4" fill="none" stroke="#777" stroke-width="2.5"/>',
      `a month or year known, not the day${entries.some((e) => e.precision !== 'day' && e.inherited) ? ' (dashed: inherited)' : ''}`,
    );
  const legendRows = [legend.join('')];
  if (layout.arrows.length) {
    legendRows.push(
      `<circle cx="16" cy="${fmt(row + 24)}" r="2.5" fill="#555"/><path d="M16,${fmt(row + 24)} H46" class="arrow" marker-end="url(#head)"/><text x="56" y="${fmt(row + 28)}" class="legend">points from an action to the one it names (responds to, challenges…), as written under the first; each title links to its action</text>`,
    );
  } else {
    legendRows.push(`<text x="16" y="${fmt(row + 28)}" class="legend">Each title links to its action.</text>`);
  }

  const footY = row + 56;
  const footer = [
    `Generated ${ctx.generatedAt.toISOString()}${ctx.ledgerPosition !== undefined ? ` at ledger position ${ctx.ledgerPosition}` : ''}, from:`,
    ...wrap(ctx.url, 160),
  ];
  if (page.nextCursor) footer.push(...wrap(`Next page: ${withCursor(ctx.url, page.nextCursor)}`, 160));
  const height = Math.ceil(footY + footer.length * 14 + 16);

  const levelCounts = levels.map((l) => `${entries.filter((e) => e.level === l).length} ${l}`).join(', ');
  const desc = entries.length
    ? `${entries.length} policy actions on the timeline of ${ctx.jurisdictionName}, from ${humanDate(entries[0].occurredOn)} to ${humanDate(
        entries[entries.length - 1].occurredOn,
      )}, by acting level: ${levelCounts}; ${entries.filter((e) => e.inherited).length} inherited from jurisdictions above. ${
        layout.arrows.length
      } arrows show how they relate. ${filtersText(ctx.filters)}.`
    : `No policy actions on the timeline of ${ctx.jurisdictionName} for these filters. ${filtersText(ctx.filters)}.`;

  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" role="img" aria-labelledby="timeline-title timeline-desc" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">
<title id="timeline-title">${escapeXml(`Policy timeline of ${ctx.jurisdictionName}`)}</title>
<desc id="timeline-desc">${escapeXml(desc)}</desc>
<defs><marker id="head" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>
<style>.head{font-size:18px;font-weight:600;fill:#111}.sub{font-size:12px;fill:#444}.axis{stroke:#999;stroke-width:2}.tick{stroke:#bbb;stroke-width:1}.year{font-size:13px;font-weight:600;fill:#333}.month{font-size:10px;fill:#777}.leader{fill:none;stroke:#c8c8c8;stroke-width:1}.meta{font-size:11px;fill:#555}.date{font-weight:600;fill:#222}.title{font-size:13px;fill:#0b3d91}a:hover .title{text-decoration:underline}.note{font-size:11px;fill:#555;font-style:italic}.arrow{fill:none;stroke:#555;stroke-width:1.2}.legend{font-size:11px;fill:#333}.foot{font-size:10px;fill:#666}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="16" y="30" class="head">${escapeXml(`${ctx.jurisdictionName}: policy timeline`)}</text>
${headLines.map((l, i) => `<text x="16" y="${52 + i * 16}" class="sub">${escapeXml(l)}</text>`).join('\n')}
${out.join('\n')}
<line x1="16" y1="${fmt(ly - 18)}" x2="${WIDTH - 16}" y2="${fmt(ly - 18)}" class="tick"/>
${legendRows.join('\n')}
${footer.map((l, i) => `<text x="16" y="${fmt(footY + i * 14)}" class="foot">${escapeXml(l)}</text>`).join('\n')}
</svg>
`;
}
