import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';

// RSS 2.0 (https://www.rssboard.org/rss-specification) and Atom (RFC 4287), as fast-xml-parser
// reads them with the options below. What the formats leave to a reader:
// - RSS: every item element is optional (a title or a description must be there). `guid` is the
//   item's id, a permalink unless isPermaLink="false"; `pubDate` is an RFC 822 date ("Mon, 27 Mar
//   2017 14:30:00 EDT", two-digit years and zone names allowed); many feeds add `dc:date` (W3CDTF).
// - Atom: `id`, `title` and `updated` are required; `published` is optional; text constructs
//   (title, summary, content) carry type="text|html|xhtml"; links are elements with href and rel
//   (no rel means "alternate").
// - Both: descriptions are often HTML, escaped or in CDATA; an element that is there but empty
//   reads as ''. Unknown elements are ignored, so objects are not strict.

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  // Every value stays a string: a guid of digits is still an id, not a number.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ['item', 'entry', 'link', 'category'].includes(name),
});

/** An element's text: a string, or an object with attributes and '#text' (an Atom title with type). */
const textSchema = z
  .union([z.string(), z.object({ '#text': z.string().optional() }).loose()])
  .optional()
  .transform((value) => (typeof value === 'string' ? value : value?.['#text'])?.trim() || undefined);

const categorySchema = z.union([z.string(), z.object({ '#text': z.string().optional(), '@_term': z.string().optional() }).loose()]);

export const rssItemSchema = z
  .object({
    title: textSchema,
    // In RSS `link` is text; the isArray option makes it a list.
    link: z.array(z.union([z.string(), z.object({ '#text': z.string().optional(), '@_href': z.string().optional() }).loose()])).optional(),
    guid: z.union([z.string(), z.object({ '#text': z.string().optional(), '@_isPermaLink': z.string().optional() }).loose()]).optional(),
    pubDate: textSchema,
    'dc:date': textSchema,
    description: textSchema,
    'content:encoded': textSchema,
    category: z.array(categorySchema).optional(),
  })
  .loose()
  .refine((item) => item.title || item.description, { message: 'needs a title or a description', path: ['title'] });

export const atomEntrySchema = z
  .object({
    id: textSchema.refine((id) => id !== undefined, 'is required'),
    title: textSchema,
    link: z.array(z.object({ '@_href': z.string(), '@_rel': z.string().optional() }).loose()).optional(),
    updated: textSchema,
    published: textSchema,
    summary: textSchema,
    content: textSchema,
    category: z.array(categorySchema).optional(),
  })
  .loose();

export type RssItem = z.output<typeof rssItemSchema>;
export type AtomEntry = z.output<typeof atomEntrySchema>;

export interface ParsedFeed {
  format: 'rss' | 'atom';
  title?: string;
  /** Raw items or entries, each parsed on its own so a bad one is parked alone. */
  items: unknown[];
}

/** A feed document → its format and raw items; undefined when it is neither RSS 2.0 nor Atom. */
export function parseFeed(xml: string): ParsedFeed | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const rss = doc.rss as { channel?: Record<string, unknown> | Record<string, unknown>[] } | undefined;
  if (rss && typeof rss === 'object') {
    const channel = Array.isArray(rss.channel) ? rss.channel[0] : rss.channel;
    if (!channel || typeof channel !== 'object') return undefined;
    return { format: 'rss', title: textSchema.parse(channel.title), items: (channel.item as unknown[] | undefined) ?? [] };
  }
  const feed = doc.feed as Record<string, unknown> | undefined;
  if (feed && typeof feed === 'object') {
    return { format: 'atom', title: textSchema.safeParse(feed.title).data, items: (feed.entry as unknown[] | undefined) ?? [] };
  }
  return undefined;
}
