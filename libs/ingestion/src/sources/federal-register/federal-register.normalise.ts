import { createHash } from 'node:crypto';
import { ACTION_LIMITS, type ActionKind, type ProposeAction } from '@app/policy/domain';
import {
  federalRegisterDocumentSchema,
  SUBTYPE_NAMES,
  type FederalRegisterDocument,
  type PresidentialDocumentType,
} from './federal-register.schema';

/** The proposal's `sourceSystem`: with the document number, the idempotency key of an ingested action. */
export const FEDERAL_REGISTER_SOURCE_SYSTEM = 'federal-register';

const UNITED_STATES = 'ocd-division/country:us';

/**
 * Explicit rules, so a curator can predict the kind. A proclamation is mostly ceremonial (a day,
 * a month, a week of observance), so it is proposed as a public statement; the few that carry legal
 * force are re-kinded by the curator, and the `proclamation` tag keeps the type in sight. A
 * presidential memorandum tells agencies what to do, which is what an agency directive records.
 */
const KIND_BY_TYPE: Record<PresidentialDocumentType, ActionKind> = {
  executive_order: 'executive_order',
  proclamation: 'public_statement',
  memorandum: 'agency_directive',
};

export type FederalRegisterProposal = ProposeAction['data'];

export interface NormalisedDocument {
  proposal: FederalRegisterProposal;
  /** sha256 of the proposal's canonical JSON, retrieval time left out: equal hashes mean nothing changed upstream. */
  contentHash: string;
}

export interface ParkedItem {
  raw: unknown;
  reason: string;
}

/** Reads the document's presidential type: from `subtype`, or from an EO number when subtype is missing. */
export function presidentialTypeOf(doc: FederalRegisterDocument): PresidentialDocumentType | undefined {
  const fromSubtype = doc.subtype ? SUBTYPE_NAMES[doc.subtype] : undefined;
  return fromSubtype ?? (doc.executive_order_number ? 'executive_order' : undefined);
}

/** One parsed document → the data of a propose-action command. Pure. */
export function normaliseDocument(doc: FederalRegisterDocument, retrievedAt: string): NormalisedDocument {
  const type = presidentialTypeOf(doc);
  const eo = doc.executive_order_number;
  const title = eo ? `Executive Order ${eo}: ${doc.title}` : doc.title;
  // The signing date is when it happened; publication follows days later, so it is only the fallback.
  const occurredOn = { date: doc.signing_date ?? doc.publication_date, precision: 'day' as const };

  const proposal: FederalRegisterProposal = {
    actionId: `${FEDERAL_REGISTER_SOURCE_SYSTEM}:${doc.document_number}`,
    content: {
      kind: type ? KIND_BY_TYPE[type] : 'other',
      title: clip(title, ACTION_LIMITS.title),
      summary: clip(doc.abstract?.trim() || fallbackSummary(doc, type), ACTION_LIMITS.summary),
      occurredOn,
      actingJurisdictionId: UNITED_STATES,
      // A federal act applies to the whole country; places it names are matched in a later step.
      affectedJurisdictionIds: [UNITED_STATES],
      actors: doc.president ? [{ name: doc.president.name, office: 'President of the United States' }] : [],
      citations: [
        ...(eo ? [{ kind: 'other' as const, text: `Executive Order ${eo}` }] : []),
        ...(doc.citation ? [{ kind: 'federal_register' as const, text: doc.citation }] : []),
      ],
      amounts: [],
      sources: [
        {
          url: doc.html_url,
          publisher: 'Federal Register',
          title: clip(doc.title, 500),
          publishedOn: doc.publication_date,
          retrievedAt,
          sourceSystem: FEDERAL_REGISTER_SOURCE_SYSTEM,
          externalId: doc.document_number,
        },
      ],
      tags: type ? [type.replace(/_/g, '-')] : [],
    },
    relations: [],
    // Document numbers are unique from 2016 on; earlier years reused a few, which this window never reaches.
    proposal: { sourceSystem: FEDERAL_REGISTER_SOURCE_SYSTEM, externalId: doc.document_number },
  };
  return { proposal, contentHash: contentHash(proposal) };
}

/**
 * A page's items → normalised proposals and parked items. An item that fails the schema is
 * parked with the reason, and the rest of the page goes on.
 */
export function normalisePage(items: readonly unknown[], retrievedAt: string): {
  normalised: NormalisedDocument[];
  parked: ParkedItem[];
} {
  const normalised: NormalisedDocument[] = [];
  const parked: ParkedItem[] = [];
  for (const raw of items) {
    const parsed = federalRegisterDocumentSchema.safeParse(raw);
    if (parsed.success) normalised.push(normaliseDocument(parsed.data, retrievedAt));
    else parked.push({ raw, reason: describeIssues(parsed.error.issues) });
  }
  return { normalised, parked };
}

/** Stable across runs: the retrieval time changes on every fetch and says nothing about the document. */
export function contentHash(proposal: FederalRegisterProposal): string {
  const withoutRetrieval = {
    ...proposal,
    content: {
      ...proposal.content,
      sources: proposal.content.sources?.map(({ retrievedAt: _retrievedAt, ...source }) => source),
    },
  };
  return createHash('sha256').update(canonicalJson(withoutRetrieval)).digest('hex');
}

/** JSON with object keys sorted at every depth, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const TYPE_WORDS: Record<PresidentialDocumentType, string> = {
  executive_order: 'Executive order',
  proclamation: 'Proclamation',
  memorandum: 'Presidential memorandum',
};

// Most presidential documents have no abstract, and a summary may never be empty.
function fallbackSummary(doc: FederalRegisterDocument, type: PresidentialDocumentType | undefined): string {
  const what = type ? TYPE_WORDS[type] : 'Presidential document';
  const signed = doc.signing_date
    ? ` signed${doc.president ? ` by ${doc.president.name}` : ''} on ${doc.signing_date}`
    : '';
  const where = doc.citation ? ` (${doc.citation})` : '';
  return `${what} "${doc.title}"${signed}, published in the Federal Register on ${doc.publication_date}${where}.`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(item)'}: ${i.message}`).join('; ');
}
