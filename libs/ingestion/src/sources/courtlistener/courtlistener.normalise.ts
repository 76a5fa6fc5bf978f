import { ACTION_LIMITS, type ActionKind } from '@app/policy/domain';
import { clip, describeIssues, normalised, type NormalisedItem, type ParkedItem, type ProposalData } from '../source';
import { plainText } from '../plain-text';
import {
  courtListenerDocketEntrySchema,
  courtListenerWebhookSchema,
  DOCKET_ALERT,
  type CourtListenerDocketEntry,
} from './courtlistener.schema';
import type { CourtListenerCase, CourtListenerConfig } from './courtlistener.source';

/** The proposal's `sourceSystem`: with the docket entry's id, the idempotency key. */
export const COURTLISTENER_SOURCE_SYSTEM = 'courtlistener';

const SITE = 'https://www.courtlistener.com';
const UNITED_STATES = 'ocd-division/country:us';

/** Names for the courts of the watched cases; any other court is named by its CourtListener id. */
const COURT_NAMES: Record<string, string> = {
  cand: 'U.S. District Court for the Northern District of California',
  ilnd: 'U.S. District Court for the Northern District of Illinois',
  paed: 'U.S. District Court for the Eastern District of Pennsylvania',
  ca7: 'U.S. Court of Appeals for the Seventh Circuit',
  ca9: 'U.S. Court of Appeals for the Ninth Circuit',
  scotus: 'Supreme Court of the United States',
};

export function courtName(court: string): string {
  return COURT_NAMES[court] ?? court;
}

/** What normalising an entry knows about its case besides the entry itself. */
export interface DocketContext {
  case: CourtListenerCase;
  caption: string;
  /** '/docket/4336466/city-and-county-of-san-francisco-v-trump/', when the docket was read. */
  docketPath?: string;
  judge?: string;
}

// Explicit rules on the clerk's description, which starts with the document's type in capitals
// ("COMPLAINT for Declaratory and Injunctive Relief…", "ORDER GRANTING … MOTION FOR PRELIMINARY
// INJUNCTION…"). An order is a ruling only when it decides something that matters (an injunction,
// a dismissal, a judgment); scheduling orders and the like are 'other' for a curator to dismiss.
const RULES: [RegExp, ActionKind][] = [
  [/^(first |second |third )?(amended )?complaint\b/i, 'lawsuit_filing'],
  [/^notice of appeal\b/i, 'appeal'],
  [/\bamic(us|i) curiae\b|\bamicus brief\b/i, 'amicus_brief'],
];
const ORDER = /^(order|memorandum( opinion)?( and| &)? order|opinion|judgment)\b/i;
const DECIDES = /\b(injunction|enjoin\w*|summary judgment|dismiss\w*|judgment)\b/i;

export function docketEntryKindOf(description: string): ActionKind {
  for (const [rule, kind] of RULES) if (rule.test(description)) return kind;
  if (ORDER.test(description) && DECIDES.test(description)) return 'court_ruling';
  return 'other';
}

/** One parsed docket entry → the data of a propose-action command, or why it cannot be one. Pure. */
export function normaliseDocketEntry(entry: CourtListenerDocketEntry, ctx: DocketContext, retrievedAt: string): NormalisedItem | string {
  if (!entry.date_filed) return 'date_filed: the entry has no filing date';
  const description = plainText(entry.description);
  const kind = docketEntryKindOf(description);
  const court = courtName(ctx.case.court);
  const plaintiff = ctx.case.jurisdictionId;
  // Who sued files the complaint; anything else on the docket is the federal court's doing or a
  // party's the entry does not name, so it is placed with the court's jurisdiction.
  const acting = kind === 'lawsuit_filing' ? plaintiff : UNITED_STATES;
  const number = entry.entry_number ?? undefined;
  const what = description || `Docket entry${number !== undefined ? ` ${number}` : ''}`;
  const externalId = String(entry.id);

  const proposal: ProposalData = {
    actionId: `${COURTLISTENER_SOURCE_SYSTEM}:${externalId}`,
    content: {
      kind,
      title: clip(`${ctx.caption}: ${what}`, ACTION_LIMITS.title),
      summary: clip(
        `${what} (${ctx.caption}, No. ${ctx.case.docketNumber}, ${court}${number !== undefined ? `, docket entry ${number}` : ''}, filed ${entry.date_filed}).`,
        ACTION_LIMITS.summary,
      ),
      occurredOn: { date: entry.date_filed, precision: 'day' },
      actingJurisdictionId: acting,
      affectedJurisdictionIds: [...new Set([acting, plaintiff])],
      actors: kind === 'court_ruling' && ctx.judge ? [{ name: clip(ctx.judge, 200), organisation: clip(court, 200) }] : [],
      citations: [{ kind: 'docket', text: clip(`${ctx.caption}, No. ${ctx.case.docketNumber} (${court})`, 500), court: clip(court, 200), docketNumber: ctx.case.docketNumber }],
      amounts: [],
      sources: [
        {
          url: entryUrl(entry, ctx),
          publisher: 'CourtListener',
          title: clip(ctx.caption, 500),
          publishedOn: entry.date_filed,
          retrievedAt,
          sourceSystem: COURTLISTENER_SOURCE_SYSTEM,
          externalId,
        },
      ],
      tags: ['docket-entry'],
    },
    relations: [],
    proposal: { sourceSystem: COURTLISTENER_SOURCE_SYSTEM, externalId },
  };
  return normalised(proposal);
}

function entryUrl(entry: CourtListenerDocketEntry, ctx: DocketContext): string {
  if (ctx.docketPath) return `${SITE}${ctx.docketPath}${entry.entry_number != null ? `#entry-${entry.entry_number}` : ''}`;
  const document = entry.recap_documents.find((d) => d.absolute_url);
  return document?.absolute_url ? `${SITE}${document.absolute_url}` : `${SITE}/api/rest/v4/docket-entries/${entry.id}/`;
}

/** A page of entries of one docket → proposals and parked entries; a bad entry is parked and the rest go on. */
export function normaliseDocketEntries(
  raws: readonly unknown[],
  ctx: DocketContext,
  retrievedAt: string,
): { items: NormalisedItem[]; parked: ParkedItem[] } {
  const items: NormalisedItem[] = [];
  const parked: ParkedItem[] = [];
  for (const raw of raws) {
    const parsed = courtListenerDocketEntrySchema.safeParse(raw);
    const item = parsed.success ? normaliseDocketEntry(parsed.data, ctx, retrievedAt) : describeIssues(parsed.error.issues);
    if (typeof item === 'string') parked.push({ raw, reason: item, externalId: idOf(raw) });
    else items.push(item);
  }
  return { items, parked };
}

/**
 * A webhook delivery (a docket alert) → proposals and parked entries, for the API to store like
 * a page. A webhook names the docket by id only, so an entry is matched to a watched case by the
 * case's `docketId`; an entry of any other docket, or a delivery that is not a docket alert, is
 * parked with the reason. Never throws: whatever arrives is kept.
 */
export function normaliseWebhookDelivery(
  body: unknown,
  config: Pick<CourtListenerConfig, 'cases'>,
  retrievedAt: string,
): { items: NormalisedItem[]; parked: ParkedItem[] } {
  const parsed = courtListenerWebhookSchema.safeParse(body);
  if (!parsed.success) return { items: [], parked: [{ raw: body, reason: `not a CourtListener webhook delivery: ${describeIssues(parsed.error.issues)}` }] };
  const { webhook, payload } = parsed.data;
  if (webhook.event_type !== DOCKET_ALERT) {
    return { items: [], parked: [{ raw: body, reason: `webhook.event_type: ${webhook.event_type} is not a docket alert (${DOCKET_ALERT})` }] };
  }
  return normaliseWatchedEntries(payload.results, config, retrievedAt);
}

/**
 * Docket entries known only by their docket's id (a webhook's, a parked entry's) → proposals,
 * each matched to the watched case whose `docketId` it names; others are parked with the reason.
 */
export function normaliseWatchedEntries(
  raws: readonly unknown[],
  config: Pick<CourtListenerConfig, 'cases'>,
  retrievedAt: string,
): { items: NormalisedItem[]; parked: ParkedItem[] } {
  const items: NormalisedItem[] = [];
  const parked: ParkedItem[] = [];
  for (const raw of raws) {
    const entry = courtListenerDocketEntrySchema.safeParse(raw);
    if (!entry.success) {
      parked.push({ raw, reason: describeIssues(entry.error.issues), externalId: idOf(raw) });
      continue;
    }
    const docketId = typeof entry.data.docket === 'number' ? entry.data.docket : docketIdOfUrl(entry.data.docket);
    const watched = config.cases.find((c) => c.docketId !== undefined && c.docketId === docketId);
    if (!watched) {
      parked.push({ raw, reason: `docket: ${docketId ?? entry.data.docket} is not the docketId of a watched case`, externalId: String(entry.data.id) });
      continue;
    }
    const item = normaliseDocketEntry(entry.data, { case: watched, caption: watched.caption ?? `No. ${watched.docketNumber}` }, retrievedAt);
    if (typeof item === 'string') parked.push({ raw, reason: item, externalId: String(entry.data.id) });
    else items.push(item);
  }
  return { items, parked };
}

function docketIdOfUrl(url: string): number | undefined {
  const match = /\/dockets\/(\d+)\/?$/.exec(url);
  return match ? Number(match[1]) : undefined;
}

function idOf(raw: unknown): string | undefined {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isInteger(id) ? String(id) : undefined;
}
