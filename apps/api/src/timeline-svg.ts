import type { TimelinePage } from '@app/policy';
import { LEVEL_COLOURS, escapeXml } from './svg';

const ROW = 28;
const WIDTH = 980;
const TOP = 56;

/**
 * The timeline as a picture: one row per entry in date order on a vertical spine, a dot
 * coloured by the acting level (hollow when inherited), date, title and kind. Self-contained
 * SVG, so it opens in a browser, a slide or a newsroom CMS as it is.
 */
export function timelineSvg(page: TimelinePage, jurisdictionName: string): string {
  const height = TOP + Math.max(1, page.entries.length) * ROW + 40;
  const rows = page.entries.map((e, i) => {
    const y = TOP + i * ROW + ROW / 2;
    const colour = LEVEL_COLOURS[e.level] ?? '#666';
    const dot = e.inherited
      ? `<circle cx="130" cy="${y}" r="6" fill="#fff" stroke="${colour}" stroke-width="2.5"/>`
      : `<circle cx="130" cy="${y}" r="7" fill="${colour}"/>`;
    const title = e.title.length > 80 ? `${e.title.slice(0, 79)}…` : e.title;
    const note = e.inherited ? ` · via ${e.via?.split('/').pop()}` : '';
    return [
      `<text x="112" y="${y + 4}" text-anchor="end" class="date">${escapeXml(e.occurredOn)}</text>`,
      dot,
      `<text x="148" y="${y + 4}" class="title">${escapeXml(title)}</text>`,
      `<text x="${WIDTH - 16}" y="${y + 4}" text-anchor="end" class="kind">${escapeXml(e.kind.replace(/_/g, ' ') + note)}</text>`,
    ].join('');
  });
  const legend = Object.entries(LEVEL_COLOURS)
    .slice(0, 4)
    .map(([level, colour], i) => `<circle cx="${24 + i * 110}" cy="${height - 18}" r="5" fill="${colour}"/><text x="${34 + i * 110}" y="${height - 14}" class="kind">${level}</text>`)
    .join('');
  const asOf = page.asOf ? ` — as of ${page.asOf}` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif">
<style>.date{font-size:12px;fill:#444}.title{font-size:13px;fill:#111}.kind{font-size:11px;fill:#666}.head{font-size:16px;font-weight:600}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="16" y="28" class="head">${escapeXml(jurisdictionName)}${escapeXml(asOf)}</text>
<text x="16" y="44" class="kind">${page.entries.length} entries · hollow = inherited from a parent jurisdiction</text>
<line x1="130" y1="${TOP}" x2="130" y2="${TOP + page.entries.length * ROW}" stroke="#ccc" stroke-width="2"/>
${rows.join('\n')}
${page.entries.length === 0 ? `<text x="148" y="${TOP + 18}" class="kind">No entries</text>` : ''}
${legend}
</svg>
`;
}
