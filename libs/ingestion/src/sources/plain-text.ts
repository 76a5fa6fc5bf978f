// Press releases arrive as HTML (a DOJ body, an RSS description, an Atom content of type html);
// a summary is plain text. Kept small on purpose: the text is a summary for a curator, not a
// rendering, so tags are dropped and block ends become spaces.

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', hellip: '…', sect: '§',
};

/** HTML (or text that may hold entities) → one line of plain text. */
export function plainText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<[^>]*>/g, ' '),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** A tag as the action schema keeps it: lower case, words joined by hyphens, at most 64 characters. */
export function tagOf(text: string): string | undefined {
  const tag = text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return tag || undefined;
}

/** Tags without repeats or empties, at most `max`. */
export function uniqueTags(texts: readonly string[], max: number): string[] {
  const tags = new Set<string>();
  for (const text of texts) {
    const tag = tagOf(text);
    if (tag) tags.add(tag);
    if (tags.size >= max) break;
  }
  return [...tags];
}
