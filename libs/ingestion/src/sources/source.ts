import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { ProposeAction } from '@app/policy/domain';
import type { HttpClient } from '../http/http-client';

/** The data of a propose-action command, as an adapter builds it. */
export type ProposalData = ProposeAction['data'];

/** The kinds of source the ledger can read; a source id is the type, or `type:slug` for one of many. */
export const SOURCE_TYPES = ['federal-register', 'doj-press', 'courtlistener', 'feed', 'legistar'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** One upstream item, normalised into a proposal. */
export interface NormalisedItem {
  /** The source's own id for the item: with the source system, the proposal's idempotency key. */
  externalId: string;
  proposal: ProposalData;
  /** sha256 of the proposal's canonical JSON without retrieval times: equal hashes mean nothing changed upstream. */
  contentHash: string;
}

/** An item that could not be read: kept whole with the reason, so a curator can see it and retry it. */
export interface ParkedItem {
  raw: unknown;
  reason: string;
  /** When the item's own id could be read despite the rest. */
  externalId?: string;
}

/**
 * One page as the pipeline stores it: its proposals, its parked items and the cursor that
 * follows it, all in one transaction. A page whose request came back 304 has no items and
 * still carries the cursor.
 */
export interface SourcePage<Cursor> {
  /** What was asked (a URL), for the run's log. */
  label: string;
  /** Items received on the page, parked ones included. */
  fetched: number;
  items: NormalisedItem[];
  parked: ParkedItem[];
  /** Where the next run starts once this page is stored. */
  cursor: Cursor;
}

export interface SourceRunContext<Config, Cursor> {
  /** 'federal-register', 'feed:nyc-mayor', 'legistar:chicago' */
  sourceId: string;
  config: Config;
  /** Null on a source's first run (or after a reset). */
  cursor: Cursor | null;
  /** 'YYYY-MM-DD': read from this date instead of the cursor (a backfill). */
  since?: string;
  http: HttpClient;
  now: () => Date;
}

/**
 * A source adapter: fetch → parse → normalise, a page at a time, so the pipeline can store each
 * page with its cursor before asking for the next. The adapter does no database work; parsing
 * and normalising are pure functions beside it, tested on recorded responses.
 */
export interface SourceAdapter<Config = unknown, Cursor = unknown> {
  type: SourceType;
  /** What a source of this type needs besides the environment's base URLs (a feed's URL, a client's name). */
  configSchema: z.ZodType<Config>;
  /** The cursor as stored: validated when read back, so a stale shape fails loudly. */
  cursorSchema: z.ZodType<Cursor>;
  pages(context: SourceRunContext<Config, Cursor>): AsyncIterable<SourcePage<Cursor>>;
  /** Headers every request to the source carries (a token). */
  requestHeaders?(config: Config): Record<string, string>;
  /**
   * Parses and normalises raw items as a page's are: for a parked item retried once the
   * adapter (or the data it depends on) is fixed.
   */
  normaliseItems(raws: readonly unknown[], context: { sourceId: string; config: Config; retrievedAt: string }): {
    items: NormalisedItem[];
    parked: ParkedItem[];
  };
}

/**
 * Stable across runs: retrieval times change on every fetch and say nothing about the item.
 * Plain JSON text, not a canonical form: an adapter builds its proposals the same way every run,
 * and should a new version order keys otherwise, the field-by-field comparison of a "changed"
 * item finds nothing and appends nothing.
 */
export function contentHash(proposal: ProposalData): string {
  const withoutRetrieval = {
    ...proposal,
    content: {
      ...proposal.content,
      sources: proposal.content.sources?.map(({ retrievedAt: _retrievedAt, ...source }) => source),
    },
  };
  return createHash('sha256').update(JSON.stringify(withoutRetrieval)).digest('hex');
}

/** The item as a proposal with its hash. */
export function normalised(proposal: ProposalData): NormalisedItem {
  return { externalId: proposal.proposal.externalId, proposal, contentHash: contentHash(proposal) };
}

/** Cuts text to a schema's limit, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** A zod error as one line naming each field, for a parked item's reason. */
export function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(item)'}: ${i.message}`).join('; ');
}
