import { ACTION_LIMITS, type ActionKind } from '@app/policy/domain';
import { clip, describeIssues, normalised, type NormalisedItem, type ParkedItem, type ProposalData } from '../source';
import { plainText, uniqueTags } from '../plain-text';
import { legistarMatterSchema, type LegistarMatter } from './legistar.schema';

export interface LegistarContext {
  /** 'legistar:chicago': the proposals' sourceSystem. */
  sourceId: string;
  client: string;
  /** OCD id of the council's city or county. */
  jurisdictionId: string;
  /** 'Chicago City Council' */
  publisher: string;
}

// A resolution that honours, congratulates, mourns or proclaims a day says something and binds no
// one: it is proposed as a public statement. Any other resolution is proposed as a resolution.
const CEREMONIAL =
  /\b(congratulat\w*|commend\w*|condolences?|in memoriam|honou?r(s|ing|ed)?|tribute|recogni[sz]\w*|declar\w*\b.{0,80}\b(day|week|month))\b/i;

/**
 * The kind by the client's own MatterTypeName, read by the words it holds (clients write
 * 'Ordinance', 'Ordinance (Ord)', 'City Resolution', …). Undefined for every other type (orders,
 * appointments, claims, communications): those are not policy actions and are not proposed.
 */
export function legistarKindOf(matter: Pick<LegistarMatter, 'MatterTypeName' | 'MatterTitle' | 'MatterName'>): ActionKind | undefined {
  const type = matter.MatterTypeName ?? '';
  if (/\bordinance\b/i.test(type)) return 'ordinance';
  if (/\bresolution\b/i.test(type)) {
    return CEREMONIAL.test(`${matter.MatterName ?? ''} ${matter.MatterTitle ?? ''}`) ? 'public_statement' : 'resolution';
  }
  return undefined;
}

/** The public page of a matter on the client's Legistar site. */
export function matterUrl(client: string, matter: LegistarMatter): string {
  return matter.MatterGuid
    ? `https://${client}.legistar.com/LegislationDetail.aspx?ID=${matter.MatterId}&GUID=${encodeURIComponent(matter.MatterGuid)}`
    : `https://${client}.legistar.com/LegislationDetail.aspx?ID=${matter.MatterId}`;
}

/** One matter of a proposed type → the data of a propose-action command, or the reason it cannot be. Pure. */
export function normaliseMatter(matter: LegistarMatter, kind: ActionKind, ctx: LegistarContext, retrievedAt: string): NormalisedItem | string {
  const name = matter.MatterName ?? matter.MatterTitle;
  if (!name) return 'MatterTitle: neither a name nor a title';
  // Passed is when the council acted; a matter not yet passed is dated by its introduction.
  const day = matter.MatterPassedDate ?? matter.MatterEnactmentDate ?? matter.MatterIntroDate ?? matter.MatterAgendaDate;
  if (!day) return 'MatterIntroDate: no date to place the matter on';
  const externalId = String(matter.MatterId);
  const file = matter.MatterFile;
  const facts = [matter.MatterTypeName, matter.MatterStatusName, matter.MatterBodyName].filter(Boolean).join(', ');

  const proposal: ProposalData = {
    actionId: `${ctx.sourceId}:${externalId}`,
    content: {
      kind,
      title: clip(plainText(file ? `${file}: ${name}` : name), ACTION_LIMITS.title),
      summary: clip(plainText(`${matter.MatterTitle ?? name}${facts ? ` (${facts})` : ''}`), ACTION_LIMITS.summary),
      occurredOn: { date: day, precision: 'day' },
      actingJurisdictionId: ctx.jurisdictionId,
      affectedJurisdictionIds: [ctx.jurisdictionId],
      actors: matter.MatterRequester ? [{ name: clip(matter.MatterRequester, 200) }] : [],
      citations: [
        ...(file ? [{ kind: 'other' as const, text: clip(`${ctx.publisher} file ${file}`, 500) }] : []),
        ...(matter.MatterEnactmentNumber ? [{ kind: 'other' as const, text: clip(matter.MatterEnactmentNumber, 500) }] : []),
      ],
      amounts: [],
      sources: [
        {
          url: matterUrl(ctx.client, matter),
          publisher: clip(ctx.publisher, 200),
          title: clip(plainText(name), 500),
          publishedOn: matter.MatterIntroDate ?? day,
          retrievedAt,
          sourceSystem: ctx.sourceId,
          externalId,
        },
      ],
      tags: uniqueTags([matter.MatterTypeName ?? '', matter.MatterStatusName ?? ''], ACTION_LIMITS.tags),
    },
    relations: [],
    proposal: { sourceSystem: ctx.sourceId, externalId },
  };
  return normalised(proposal);
}

/**
 * A page of rows → proposals and parked rows. Repeated rows (same MatterId) count once; rows of
 * types that are not proposed are passed over; a malformed row is parked and the page goes on.
 */
export function normaliseMatters(
  rows: readonly unknown[],
  ctx: LegistarContext,
  retrievedAt: string,
): { items: NormalisedItem[]; parked: ParkedItem[] } {
  const items: NormalisedItem[] = [];
  const parked: ParkedItem[] = [];
  const seen = new Set<number>();
  for (const raw of rows) {
    const parsed = legistarMatterSchema.safeParse(raw);
    if (!parsed.success) {
      parked.push({ raw, reason: describeIssues(parsed.error.issues), externalId: idOf(raw) });
      continue;
    }
    const matter = parsed.data;
    if (seen.has(matter.MatterId)) continue;
    seen.add(matter.MatterId);
    const kind = legistarKindOf(matter);
    if (!kind) continue;
    const item = normaliseMatter(matter, kind, ctx, retrievedAt);
    if (typeof item === 'string') parked.push({ raw, reason: item, externalId: String(matter.MatterId) });
    else items.push(item);
  }
  return { items, parked };
}

function idOf(raw: unknown): string | undefined {
  const id = (raw as { MatterId?: unknown } | null)?.MatterId;
  return typeof id === 'number' && Number.isInteger(id) ? String(id) : undefined;
}
