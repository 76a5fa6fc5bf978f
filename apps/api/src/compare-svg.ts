import type { Comparison, ComparisonRow } from '@app/policy';
import { LEVEL_COLOURS, escapeXml } from './svg';

const PAD = 24;
const DATE_W = 104;
const GAP = 8;
const LINE = 15;
/** Average advance of a 12–13 px system sans-serif glyph: enough to wrap without measuring. */
const CHAR_W = 6.6;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface CompareSvgContext {
  /** What the comparison was filtered by, as asked (kind and level lists). */
  kinds?: readonly string[];
  levels?: readonly string[];
  /** The request it answers, so the picture says where it came from. */
  source: string;
  generatedAt: Date;
}

/** Greedy word wrap to `max` characters a line; a word longer than a line (a URL) is cut. */
function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const joined = line ? `${line} ${word}` : word;
    if (joined.length <= max) line = joined;
    else if (word.length <= max) {
      lines.push(line);
      line = word;
    } else {
      let rest = joined;
      for (; rest.length > max; rest = rest.slice(max)) lines.push(rest.slice(0, max));
      line = rest;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

/** '25 Jan 2017', 'Jan 2017' or '2017': no more precise than the date is known. */
function displayDate(occurredOn: string): string {
  const [y, m, d] = occurredOn.split('-');
  if (d) return `${Number(d)} ${MONTHS[Number(m) - 1]} ${y}`;
  if (m) return `${MONTHS[Number(m) - 1]} ${y}`;
  return y;
}

/** Consecutive runs of the columns that hold an action: a shared act is a band over each run. */
function runsOf(row: ComparisonRow, ids: readonly string[]): [number, number][] {
  const present = ids.map((id) => row.columns.some((c) => c.jurisdictionId === id));
  const runs: [number, number][] = [];
  present.forEach((here, i) => {
    if (!here) return;
    const last = runs.at(-1);
    if (last && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  });
  return runs;
}

const text = (x: number, y: number, cls: string, content: string, anchor = '') =>
  `<text x="${x}" y="${y}" class="${cls}"${anchor ? ` text-anchor="${anchor}"` : ''}>${escapeXml(content)}</text>`;

/**
 * A comparison as a picture to paste into a memo: the jurisdictions' columns side by side
 * under their names, dates down the left, an act several of them share drawn once as a band
 * across their columns, each one's own acts in its column, coloured by the acting level. A
 * legend and a footer (what was compared, with which filters, from where and when) make it
 * citable on its own.
 */
export function compareSvg(c: Comparison, nextCursor: string | null, ctx: CompareSvgContext): string {
  const ids = c.jurisdictions.map((j) => j.id);
  const n = ids.length;
  const colW = n <= 3 ? 240 : n === 4 ? 200 : 168;
  const width = PAD + DATE_W + n * colW + (n - 1) * GAP + PAD;
  const colX = (i: number) => PAD + DATE_W + i * (colW + GAP);
  const fit = (px: number) => Math.max(8, Math.floor(px / CHAR_W));
  const names = new Map(c.jurisdictions.map((j) => [j.id, j.name]));

  const out: string[] = [];
  let y = PAD + 8;
  out.push(text(PAD, y, 'head', `${c.jurisdictions.map((j) => j.name).join(' · ')}: side by side`));
  y += 20;
  const period = c.from || c.to ? `${c.from ? `from ${c.from}` : ''}${c.from && c.to ? ' ' : ''}${c.to ? `to ${c.to}` : ''}` : 'all dates';
  const shared = c.rows.filter((r) => r.shared).length;
  out.push(text(PAD, y, 'note', `${c.rows.length} acts (${shared} shared), ${period}${nextCursor ? ' · first page only' : ''}`));
  y += 24;

  // Column headings: the names, wrapped, and their level.
  const headLines = c.jurisdictions.map((j) => wrap(j.name, fit(colW - 8)).slice(0, 3));
  const headH = Math.max(...headLines.map((l) => l.length)) * 16 + 18;
  c.jurisdictions.forEach((j, i) => {
    headLines[i].forEach((l, k) => out.push(text(colX(i) + colW / 2, y + 14 + k * 16, 'colhead', l, 'middle')));
    out.push(text(colX(i) + colW / 2, y + headH - 4, 'note', j.level, 'middle'));
  });
  y += headH + 6;
  const bodyTop = y;

  const rowsOut: string[] = [];
  for (const row of c.rows) {
    const runs = runsOf(row, ids);
    const colour = LEVEL_COLOURS[row.level] ?? '#666';
    const [first] = runs;
    const firstW = (first[1] - first[0] + 1) * colW + (first[1] - first[0]) * GAP;
    const titleLines = wrap(row.title, fit(firstW - 20));
    // Title lines, then the kind, then each column's own / via caption.
    const metaY = y + 18 + titleLines.length * LINE + 1;
    const captionY = metaY + 15;
    const bandH = captionY + 8 - y;
    rowsOut.push(text(PAD + DATE_W - 12, y + 18, 'date', displayDate(row.occurredOn), 'end'));
    runs.forEach(([a, b], k) => {
      const x = colX(a);
      const w = (b - a + 1) * colW + (b - a) * GAP;
      rowsOut.push(`<rect x="${x}" y="${y}" width="${w}" height="${bandH}" rx="4" fill="${colour}" fill-opacity="0.1" stroke="${colour}" stroke-width="1.2"/>`);
      rowsOut.push(`<rect x="${x}" y="${y}" width="4" height="${bandH}" fill="${colour}"/>`);
      if (k === 0) {
        titleLines.forEach((l, i) => rowsOut.push(text(x + 12, y + 18 + i * LINE, 'title', l)));
        rowsOut.push(text(x + 12, metaY, 'note', `${row.kind.replace(/_/g, ' ')} · ${row.level}${row.shared ? ' · shared' : ''}`));
      } else {
        // A later run of the same act: the band is split by a column it does not reach.
        const prev = runs[k - 1];
        const x0 = colX(prev[1]) + colW;
        rowsOut.push(`<line x1="${x0}" y1="${y + bandH / 2}" x2="${x}" y2="${y + bandH / 2}" stroke="${colour}" stroke-dasharray="3 3"/>`);
        rowsOut.push(text(x + 12, y + 18, 'note', 'same act'));
      }
      for (let i = a; i <= b; i++) {
        const cell = row.columns.find((col) => col.jurisdictionId === ids[i])!;
        const label = cell.inherited ? `via ${cell.viaName ?? cell.via}` : 'own';
        rowsOut.push(text(colX(i) + 12, captionY, cell.inherited ? 'via' : 'own', wrap(label, fit(colW - 16))[0]));
      }
    });
    y += bandH + 8;
  }
  if (c.rows.length === 0) {
    rowsOut.push(text(colX(0), y + 18, 'note', 'No acts match.'));
    y += 30;
  }
  // Column guides behind the rows.
  const guides = ids.map((_, i) => `<rect x="${colX(i)}" y="${bodyTop - 4}" width="${colW}" height="${y - bodyTop + 4}" fill="#f6f6f4"/>`);
  out.push(...guides, ...rowsOut);

  // Legend: the acting levels shown, then how to read a band.
  y += 22;
  const levels = Object.keys(LEVEL_COLOURS).filter((l) => l === 'federal' || l === 'state' || l === 'county' || l === 'municipal' || c.rows.some((r) => r.level === l));
  let lx = PAD;
  out.push(text(lx, y + 4, 'note', 'Acting level:'));
  lx += 82;
  for (const level of levels) {
    out.push(`<rect x="${lx}" y="${y - 6}" width="12" height="12" rx="2" fill="${LEVEL_COLOURS[level]}"/>`);
    out.push(text(lx + 16, y + 4, 'note', level));
    lx += 26 + level.length * CHAR_W;
  }
  y += 18;
  for (const line of wrap(
    'A band across several columns is one act those jurisdictions share; "own" means it is on that jurisdiction\'s own timeline, "via X" that it reached it from X above.',
    fit(width - 2 * PAD),
  )) {
    out.push(text(PAD, y + 4, 'note', line));
    y += 14;
  }

  // Footer: what, with which filters, where and when.
  y += 10;
  out.push(`<line x1="${PAD}" y1="${y}" x2="${width - PAD}" y2="${y}" stroke="#ccc"/>`);
  y += 16;
  const filters = [
    c.from ? `from ${c.from}` : '',
    c.to ? `to ${c.to}` : '',
    ctx.kinds?.length ? `kind ${ctx.kinds.join(', ')}` : '',
    ctx.levels?.length ? `acting level ${ctx.levels.join(', ')}` : '',
  ].filter(Boolean);
  const footer = [
    `Compared: ${ids.map((id) => `${names.get(id)} (${id})`).join('; ')}.`,
    `Filters: ${filters.length ? filters.join('; ') : 'none'}; published acts, own and inherited.${nextCursor ? ` First ${c.rows.length} acts; the rest with cursor=${nextCursor}.` : ''}`,
    `Generated ${ctx.generatedAt.toISOString()} by Policy Ledger.`,
    `Source: ${ctx.source}`,
  ];
  for (const line of footer.flatMap((f) => wrap(f, fit(width - 2 * PAD)))) {
    out.push(text(PAD, y, 'foot', line));
    y += 14;
  }
  const height = y + PAD - 8;

  const title = `Policy actions compared: ${c.jurisdictions.map((j) => j.name).join(', ')}`;
  const desc =
    `${c.rows.length} acts in date order (${period}), one column per jurisdiction; ${shared} shared by more than one of them. ` +
    `Generated ${ctx.generatedAt.toISOString()}.`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="compare-title compare-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">
<title id="compare-title">${escapeXml(title)}</title>
<desc id="compare-desc">${escapeXml(desc)}</desc>
<style>.head{font-size:17px;font-weight:600;fill:#111}.colhead{font-size:13px;font-weight:600;fill:#111}.date{font-size:12px;fill:#444}.title{font-size:12.5px;fill:#111}.note{font-size:11px;fill:#555}.own{font-size:11px;font-weight:600;fill:#333}.via{font-size:11px;font-style:italic;fill:#555}.foot{font-size:10.5px;fill:#666}</style>
<rect width="100%" height="100%" fill="#fff"/>
${out.join('\n')}
</svg>
`;
}
