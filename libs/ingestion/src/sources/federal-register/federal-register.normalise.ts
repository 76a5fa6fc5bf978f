import { ACTION_LIMITS, type ActionKind } from '@app/policy/domain';
import { clip, describeIssues, normalised, type NormalisedItem, type ParkedItem, type ProposalData } from '../source';
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

/** Reads the document's presidential type: from `subtype`, or from an EO number when subtype is missing. */
export function presidentialTypeOf(doc: FederalRegisterDocument): PresidentialDocumentType | undefined {
  const fromSubtype = doc.subtype ? SUBTYPE_NAMES[doc.subtype] : undefined;
  return fromSubtype ?? (doc.executive_order_number ? 'executive_order' : undefined);
}

/** One parsed document → the data of a propose-action command. Pure. */
export function normaliseDocument(doc: FederalRegisterDocument, retrievedAt: string): NormalisedItem {
  const type = presidentialTypeOf(doc);
  const eo = doc.executive_order_number;
  const title = eo ? `Executive Order ${eo}: ${doc.title}` : doc.title;
  // The signing date is when it happened; publication follows days later, so it is only the fallback.
  const occurredOn = { date: doc.signing_date ?? doc.publication_date, precision: 'day' as const };

  const proposal: ProposalData = {
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
  return normalised(proposal);
}

/**
 * A page's items → normalised proposals and parked items. An item that fails the schema is
 * parked with the reason, and the rest of the page goes on.
 */
export function normalisePage(raws: readonly unknown[], retrievedAt: string): {
  items: NormalisedItem[];
  parked: ParkedItem[];
} {
  const items: NormalisedItem[] = [];
  const parked: ParkedItem[] = [];
  for (const raw of raws) {
    const parsed = federalRegisterDocumentSchema.safeParse(raw);
    if (parsed.success) items.push(normaliseDocument(parsed.data, retrievedAt));
    else parked.push({ raw, reason: describeIssues(parsed.error.issues), externalId: externalIdOf(raw) });
  }
  return { items, parked };
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

function externalIdOf(raw: unknown): string | undefined {
  const id = (raw as { document_number?: unknown } | null)?.document_number;
  return typeof id === 'string' && id.trim() ? id.trim() : undefined;
}
