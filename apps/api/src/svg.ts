/** What every picture the API draws shares: one colour per acting level, XML-safe text, wrapped titles and dates as people write them. */
export const LEVEL_COLOURS: Record<string, string> = {
  federal: '#1f4e9c',
  state: '#2a8f5b',
  county: '#c47f17',
  municipal: '#b53a3a',
  territorial: '#6b4fa3',
  tribal: '#2b8c99',
};

export function escapeXml(text: string): string {
  // Control characters XML 1.0 forbids (a title may hold them) would make the picture unreadable.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** '25 Jan 2017', 'Mar 2017' or '2017', as precisely as the date is known. */
export function humanDate(occurredOn: string): string {
  const [y, m, d] = occurredOn.split('-');
  if (d) return `${Number(d)} ${MONTHS[Number(m) - 1]} ${y}`;
  if (m) return `${MONTHS[Number(m) - 1]} ${y}`;
  return y;
}

/** Splits text into lines of at most `width` characters at spaces; a longer word is cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > width) {
      if (line) lines.push(line);
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
      line = '';
    }
    if (!rest) continue;
    if (!line) line = rest;
    else if (line.length + 1 + rest.length <= width) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}
