import { ACTION_LIMITS, type ActionKind } from '@app/policy/domain';
import { clip, describeIssues, normalised, type NormalisedItem, type ParkedItem, type ProposalData } from '../source';
import { plainText, uniqueTags } from '../plain-text';
import { dojPressReleaseSchema, epochSecondsSchema, type DojPressRelease } from './doj-press.schema';

/** The proposal's `sourceSystem`: with the release's uuid, the idempotency key. */
export const DOJ_PRESS_SOURCE_SYSTEM = 'doj-press';

const UNITED_STATES = 'ocd-division/country:us';
const DEPARTMENT = 'U.S. Department of Justice';

// Explicit rules, so a curator can predict the kind. Only the title says the Department itself
// sues: a body mentioning a lawsuit is as often about someone suing the Department.
const SUES = /\b(sues|files? (a )?(lawsuit|complaint|suit)|lawsuit (against|challenging))\b/i;
// Conditions on grants, by the words the 2017 releases use: the Byrne JAG programme and the
// certification of compliance with 8 U.S.C. § 1373.
const GRANT_CONDITION =
  /\bgrant conditions?\b|\bconditions? (on|for|to) (receiving |the )?(federal |its |these )?(grant|fund)|\bbyrne (jag|justice assistance grant)|\b(8 u\.?s\.?c\.?|section|§)\s*(§\s*)?1373\b/i;

/** The kind a release is proposed as: lawsuit filing, grant condition, else a public statement. */
export function dojKindOf(title: string, body: string): ActionKind {
  if (SUES.test(title)) return 'lawsuit_filing';
  if (GRANT_CONDITION.test(title) || GRANT_CONDITION.test(body)) return 'grant_condition';
  return 'public_statement';
}

/**
 * The calendar day in Washington: the API's `date` is midnight Eastern, so reading it in UTC
 * would give the right day only by luck of the offset.
 */
export function easternDay(epochSeconds: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(epochSeconds * 1000),
  );
}

/** One parsed release → the data of a propose-action command. Pure. */
export function normalisePressRelease(release: DojPressRelease, retrievedAt: string): NormalisedItem {
  const body = release.body ? plainText(release.body) : '';
  const teaser = release.teaser ? plainText(release.teaser) : '';
  const day = easternDay(release.date);
  const kind = dojKindOf(release.title, body);

  const proposal: ProposalData = {
    actionId: `${DOJ_PRESS_SOURCE_SYSTEM}:${release.uuid.toLowerCase()}`,
    content: {
      kind,
      title: clip(release.title, ACTION_LIMITS.title),
      summary: clip(teaser || body || `Justice Department press release "${release.title}" of ${day}.`, ACTION_LIMITS.summary),
      occurredOn: { date: day, precision: 'day' },
      actingJurisdictionId: UNITED_STATES,
      // The Department acts for the country; the cities and states it names are matched later.
      affectedJurisdictionIds: [UNITED_STATES],
      actors: release.component.slice(0, ACTION_LIMITS.actors).map((c) => ({ name: clip(c.name, 200), organisation: DEPARTMENT })),
      citations: release.number ? [{ kind: 'other' as const, text: `Justice Department press release ${release.number.trim()}` }] : [],
      amounts: [],
      sources: [
        {
          url: release.url,
          publisher: DEPARTMENT,
          title: clip(release.title, 500),
          publishedOn: day,
          retrievedAt,
          sourceSystem: DOJ_PRESS_SOURCE_SYSTEM,
          externalId: release.uuid.toLowerCase(),
        },
      ],
      tags: uniqueTags(['press-release', ...release.topic.map((t) => t.name)], ACTION_LIMITS.tags),
    },
    relations: [],
    proposal: { sourceSystem: DOJ_PRESS_SOURCE_SYSTEM, externalId: release.uuid.toLowerCase() },
  };
  return normalised(proposal);
}

/** A page's releases → proposals and parked items; a malformed release is parked and the rest go on. */
export function normalisePressReleases(raws: readonly unknown[], retrievedAt: string): { items: NormalisedItem[]; parked: ParkedItem[] } {
  const items: NormalisedItem[] = [];
  const parked: ParkedItem[] = [];
  for (const raw of raws) {
    const parsed = dojPressReleaseSchema.safeParse(raw);
    if (parsed.success) items.push(normalisePressRelease(parsed.data, retrievedAt));
    else parked.push({ raw, reason: describeIssues(parsed.error.issues), externalId: fieldOf(raw, 'uuid') });
  }
  return { items, parked };
}

/** The release's `changed` time when it can be read, even if the rest of it cannot. */
export function changedOf(raw: unknown): number | undefined {
  const parsed = epochSecondsSchema.safeParse((raw as { changed?: unknown } | null)?.changed);
  return parsed.success ? parsed.data : undefined;
}

function fieldOf(raw: unknown, key: string): string | undefined {
  const value = (raw as Record<string, unknown> | null)?.[key];
  return typeof value === 'string' && value.trim() ? value.trim().toLowerCase() : undefined;
}
