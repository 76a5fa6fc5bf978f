import { z } from 'zod';
import { isoInstantSchema, parsePartialDate, partialDateSchema } from '../dates';
import { ocdIdSchema } from '../ocd-id';

// Validation of a policy action's content, shared by `decide` (the last word) and the API layer
// (early, friendly 400s). Objects are strict: an unknown key is an error, never silently dropped.
// A `.meta({ id })` names the schema in the API's OpenAPI document (components.schemas), where
// the request bodies and responses that hold it refer to it.

export const ACTION_KINDS = [
  'executive_order', 'agency_directive', 'grant_condition', 'agency_report', 'legislation',
  'ordinance', 'resolution', 'defiance_pledge', 'public_statement', 'lawsuit_filing',
  'amicus_brief', 'court_ruling', 'appeal', 'funding_action', 'other',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** `merged`: a duplicate folded into another action (its survivor), which now carries its sources. */
export const ACTION_STATUSES = ['proposed', 'published', 'rejected', 'retracted', 'merged'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const RELATION_TYPES = [
  'responds_to', 'challenges', 'implements', 'enjoins', 'amends', 'supersedes', 'joins', 'cites',
] as const;
export type RelationType = (typeof RELATION_TYPES)[number];

export const CITATION_KINDS = ['statute', 'federal_register', 'docket', 'other'] as const;
export type CitationKind = (typeof CITATION_KINDS)[number];

export const ACTION_LIMITS = {
  title: 300,
  summary: 5000,
  affectedJurisdictions: 200,
  actors: 100,
  citations: 100,
  amounts: 50,
  sources: 100,
  tags: 50,
  relations: 100,
  reason: 2000,
} as const;

const text = (max: number) =>
  z.string('must be a string').trim().min(1, 'is required').max(max, `must be at most ${max} characters`);

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

const unique = <T extends z.ZodType<string>>(item: T, max: number, what: string) =>
  z
    .array(item)
    .max(max, `must have at most ${max} ${what}`)
    .refine((list) => new Set(list).size === list.length, `must not repeat ${what}`);

/** An action's id: chosen by the handler (UUID or readable slug), stable forever. */
export const actionIdSchema = z
  .string('must be a string')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1–128 letters, digits, ".", "_", ":" or "-"')
  .meta({ id: 'ActionId' });

export const httpUrlSchema = z.string('must be a string').refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

export const actorSchema = z.strictObject({
  name: text(200),
  office: text(200).optional(),
  organisation: text(200).optional(),
}).meta({ id: 'Actor' });

export const citationSchema = z.strictObject({
  kind: oneOf(CITATION_KINDS),
  text: text(500),
  court: text(200).optional(),
  docketNumber: text(100).optional(),
}).meta({ id: 'Citation' });

export const amountSchema = z.strictObject({
  value: z.number('must be a finite number'),
  currency: z.string('must be a string').regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, like USD'),
  description: text(500),
}).meta({ id: 'Amount' });

export const sourceSchema = z
  .strictObject({
    url: httpUrlSchema,
    publisher: text(200),
    title: text(500).optional(),
    /** '2017-03-27', '2017-03' or '2017'. */
    publishedOn: z
      .string('must be a string')
      .refine((v) => parsePartialDate(v) !== undefined, 'must be a real date YYYY-MM-DD, YYYY-MM or YYYY')
      .optional(),
    retrievedAt: isoInstantSchema.optional(),
    quote: text(1000).optional(),
    quoteAttribution: text(300).optional(),
    /** For ingested items: which system (e.g. 'federal_register') and its id there. */
    sourceSystem: text(100).optional(),
    externalId: text(300).optional(),
  })
  .refine((s) => s.quoteAttribution === undefined || s.quote !== undefined, {
    message: 'needs a quote to attribute',
    path: ['quoteAttribution'],
  })
  .refine((s) => s.externalId === undefined || s.sourceSystem !== undefined, {
    message: 'needs the sourceSystem it belongs to',
    path: ['externalId'],
  })
  .meta({ id: 'Source' });

export const relationSchema = z.strictObject({
  relation: oneOf(RELATION_TYPES),
  targetId: actionIdSchema,
}).meta({ id: 'Relation' });

/** A place name found in an ingested item's text, with the jurisdiction it was matched to. */
const placeMatchSchema = z.strictObject({ jurisdictionId: ocdIdSchema, evidence: text(200) });
/** A place name that fits several jurisdictions: listed for the curator, never picked silently. */
const ambiguousPlaceSchema = z.strictObject({
  evidence: text(200),
  candidates: z.array(ocdIdSchema).min(2).max(20),
});

export const proposalSchema = z.strictObject({
  sourceSystem: text(100),
  externalId: text(300),
  /** Places named in the item's text: matched ones became affected jurisdictions; the others await the curator. */
  places: z
    .strictObject({
      matched: z.array(placeMatchSchema).max(ACTION_LIMITS.affectedJurisdictions).default([]),
      ambiguous: z.array(ambiguousPlaceSchema).max(50).default([]),
      /** Phrases shaped like places that match no jurisdiction ("Springfield, Atlantis"): the curator may know. */
      unmatched: z.array(z.strictObject({ evidence: text(200) })).max(50).default([]),
    })
    .optional(),
}).meta({ id: 'Proposal' });

/** A correction ingestion found upstream for a published action: a curator accepts or dismisses it. */
export const suggestedCorrectionSchema = z.strictObject({
  changes: z.lazy(() => actionChangesSchema),
  reason: text(ACTION_LIMITS.reason),
}).meta({ id: 'SuggestedCorrection' });

export const reasonSchema = text(ACTION_LIMITS.reason);

// Every content field without defaults: the base of both the full schema and the changes schema
// (a default inside a partial would invent changes nobody asked for).
const contentFields = {
  kind: oneOf(ACTION_KINDS),
  title: text(ACTION_LIMITS.title),
  summary: text(ACTION_LIMITS.summary),
  occurredOn: partialDateSchema.meta({ id: 'PartialDate' }),
  actingJurisdictionId: ocdIdSchema,
  affectedJurisdictionIds: unique(ocdIdSchema, ACTION_LIMITS.affectedJurisdictions, 'jurisdictions').min(
    1,
    'must name at least one jurisdiction',
  ),
  actors: z.array(actorSchema).max(ACTION_LIMITS.actors, `must have at most ${ACTION_LIMITS.actors} actors`),
  citations: z.array(citationSchema).max(ACTION_LIMITS.citations, `must have at most ${ACTION_LIMITS.citations} citations`),
  amounts: z.array(amountSchema).max(ACTION_LIMITS.amounts, `must have at most ${ACTION_LIMITS.amounts} amounts`),
  sources: z.array(sourceSchema).max(ACTION_LIMITS.sources, `must have at most ${ACTION_LIMITS.sources} sources`),
  tags: unique(text(64).toLowerCase(), ACTION_LIMITS.tags, 'tags'),
};

/** What a policy action says. actors, citations, amounts, sources and tags default to []. */
export const actionContentSchema = z.strictObject({
  ...contentFields,
  actors: contentFields.actors.default([]),
  citations: contentFields.citations.default([]),
  amounts: contentFields.amounts.default([]),
  sources: contentFields.sources.default([]),
  tags: contentFields.tags.default([]),
});

/** A correction: any subset of content fields (at least one), each replaced whole. */
export const actionChangesSchema = z
  .strictObject(contentFields)
  .partial()
  // Only when the object is otherwise valid: `{foo: 1}` is an unknown field, not also an empty change.
  .refine((changes) => Object.keys(changes).length > 0, {
    message: 'must change at least one field',
    when: (payload) => payload.issues.length === 0,
  })
  .meta({ id: 'ActionChanges' });

export type Actor = z.output<typeof actorSchema>;
export type Citation = z.output<typeof citationSchema>;
export type Amount = z.output<typeof amountSchema>;
export type Source = z.output<typeof sourceSchema>;
export type SourceInput = z.input<typeof sourceSchema>;
export type Relation = z.output<typeof relationSchema>;
export type Proposal = z.output<typeof proposalSchema>;
export type SuggestedCorrection = z.output<typeof suggestedCorrectionSchema>;
/** Content after validation (defaults applied, strings trimmed, tags lower-cased). */
export type ActionContent = z.output<typeof actionContentSchema>;
/** Content as a caller may send it (defaulted arrays optional). */
export type ActionContentInput = z.input<typeof actionContentSchema>;
export type ActionChanges = z.output<typeof actionChangesSchema>;
export type ActionChangesInput = z.input<typeof actionChangesSchema>;
