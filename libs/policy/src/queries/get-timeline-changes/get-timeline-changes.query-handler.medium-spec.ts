import { CorrectActionCommand } from '../../commands/correct-action/correct-action.command';
import { LinkActionsCommand } from '../../commands/link-actions/link-actions.command';
import { MergeActionsCommand } from '../../commands/merge-actions/merge-actions.command';
import { RetractActionCommand } from '../../commands/retract-action/retract-action.command';
import type { ActionContentInput } from '../../domain';
import { TimelineHistoryRepository } from '../../repositories/timeline-history.repository';
import { createPolicyTestContext, J, SOURCE, type PolicyTestContext } from '../../testing';
import { GetTimelineChangesHandler } from './get-timeline-changes.query-handler';
import { GetTimelineChangesQuery, type TimelineChanges } from './get-timeline-changes.query';

describe('GetTimelineChangesHandler', () => {
  let ctx: PolicyTestContext;
  let handler: GetTimelineChangesHandler;
  const a: Record<string, string> = {};
  let since: Date;
  let until: Date;
  let changes: TimelineChanges;
  const day = (date: string) => ({ date, precision: 'day' as const });
  const correct = (actionId: string, changes: Partial<ActionContentInput>) =>
    ctx.correctAction.execute(new CorrectActionCommand({ actionId, changes, reason: 'checked the source' }));

  beforeAll(async () => {
    ctx = await createPolicyTestContext();
    handler = new GetTimelineChangesHandler(ctx.jurisdictions, ctx.timelines, new TimelineHistoryRepository(ctx.db), ctx.actions);
    await ctx.registerTree();
    // As the ledger stood at `since`: Santa Clara County's timeline.
    a.kept = (await ctx.record({ kind: 'executive_order', occurredOn: day('2017-01-25') })).id;
    a.corrected = (await ctx.record({ kind: 'grant_condition', title: 'Grant conditions announced', affectedJurisdictionIds: [J.ca], occurredOn: day('2017-03-27') })).id;
    a.retracted = (await ctx.record({ kind: 'lawsuit_filing', actingJurisdictionId: J.santaClara, affectedJurisdictionIds: [J.santaClara], occurredOn: day('2017-02-03') })).id;
    const county = { actingJurisdictionId: J.santaClara, affectedJurisdictionIds: [J.santaClara], kind: 'public_statement' as const };
    a.survivor = (await ctx.record({ ...county, title: 'County statement', occurredOn: day('2017-04-01') })).id;
    a.duplicate = (await ctx.record({ ...county, title: 'County statement (press release)', occurredOn: day('2017-04-01'), sources: [{ ...SOURCE, url: 'https://example.org/county-press' }] })).id;
    a.movedAway = (await ctx.record({ kind: 'agency_directive', affectedJurisdictionIds: [J.santaClara], occurredOn: day('2017-04-21') })).id;
    a.linked = (await ctx.record({ ...county, title: 'County responds', occurredOn: day('2017-05-02') })).id;
    a.flipFlop = (await ctx.record({ ...county, title: 'Board minutes', occurredOn: day('2017-06-01') })).id;
    a.movedIn = (await ctx.record({ kind: 'agency_directive', affectedJurisdictionIds: [J.ny], occurredOn: day('2017-06-15') })).id;
    since = await ctx.instant();

    a.added = (await ctx.record({ kind: 'court_ruling', affectedJurisdictionIds: [J.santaClara], occurredOn: day('2017-04-25') })).id;
    await correct(a.corrected, { title: 'Byrne JAG grant conditions announced', occurredOn: day('2017-07-25') });
    await ctx.retractAction.execute(new RetractActionCommand({ actionId: a.retracted, reason: 'never filed' }));
    await ctx.mergeActions.execute(new MergeActionsCommand({ actionId: a.duplicate, into: a.survivor, reason: 'same statement' }));
    await correct(a.movedAway, { affectedJurisdictionIds: [J.ny] });
    await correct(a.movedIn, { affectedJurisdictionIds: [J.ca] });
    await ctx.linkActions.execute(new LinkActionsCommand({ actionId: a.linked, relation: 'responds_to', targetId: a.kept }));
    await correct(a.flipFlop, { title: 'Board minutes (draft)' });
    await correct(a.flipFlop, { title: 'Board minutes' });
    // Recorded and retracted in between: on the timeline at neither instant.
    a.transient = (await ctx.record({ ...county, title: 'Posted in error', occurredOn: day('2017-08-01') })).id;
    await ctx.retractAction.execute(new RetractActionCommand({ actionId: a.transient, reason: 'posted in error' }));
    until = await ctx.instant();
    // After `until`: not part of the answer.
    a.later = (await ctx.record({ kind: 'court_ruling', affectedJurisdictionIds: [J.santaClara], occurredOn: day('2017-04-26') })).id;

    changes = await handler.execute(new GetTimelineChangesQuery(J.santaClara, since, until));
  });
  afterAll(() => ctx?.close());

  it('says which two instants it compares', () => {
    expect(changes).toMatchObject({ jurisdictionId: J.santaClara, since: since.toISOString(), until: until.toISOString() });
  });

  it('lists what was added, in timeline order: a new action and one corrected to reach this jurisdiction', () => {
    expect(changes.added.map((e) => [e.actionId, e.inherited, e.via])).toEqual([
      [a.added, false, null],
      [a.movedIn, true, J.ca],
    ]);
  });

  it('lists what was removed and why: retracted, merged, or no longer reaching it', () => {
    expect(changes.removed.map((r) => [r.entry.actionId, r.reason, r.statusReason, r.mergedInto])).toEqual([
      [a.retracted, 'retracted', 'never filed', null],
      [a.duplicate, 'merged', 'same statement', a.survivor],
      [a.movedAway, 'no_longer_reaching', null, null],
    ]);
    // The entry as it stood at `since`.
    expect(changes.removed[0].entry).toMatchObject({ status: 'published', occurredOn: '2017-02-03' });
  });

  it('lists what changed field by field, old and new, and nothing that changed back', () => {
    const byId = new Map(changes.changed.map((c) => [c.entry.actionId, c.changes]));
    expect([...byId.keys()]).toEqual([a.survivor, a.linked, a.corrected]);
    expect(byId.get(a.corrected)).toEqual([
      { field: 'title', before: 'Grant conditions announced', after: 'Byrne JAG grant conditions announced' },
      { field: 'occurredOn', before: '2017-03-27', after: '2017-07-25' },
    ]);
    expect(byId.get(a.survivor)).toContainEqual({ field: 'sourceCount', before: 1, after: 2 });
    expect(byId.get(a.linked)).toEqual([{ field: 'relations', before: [], after: [{ relation: 'responds_to', targetId: a.kept }] }]);
  });

  it('is empty between two instants with nothing in between, and sees later changes from a later instant', async () => {
    const now = await ctx.instant();
    expect(await handler.execute(new GetTimelineChangesQuery(J.santaClara, now, now))).toMatchObject({ added: [], removed: [], changed: [] });
    const fromUntil = await handler.execute(new GetTimelineChangesQuery(J.santaClara, until, now));
    expect(fromUntil.added.map((e) => e.actionId)).toEqual([a.later]);
    expect(fromUntil.removed).toEqual([]);
  });

  it('reads the same selection as the timeline: a place in another state sees only what reached it', async () => {
    const syracuse = await handler.execute(new GetTimelineChangesQuery(J.syracuse, since, until));
    // The directive corrected from Santa Clara to New York arrives through the state; the one
    // corrected from New York to California leaves.
    expect(syracuse.added.map((e) => [e.actionId, e.via])).toEqual([[a.movedAway, J.ny]]);
    expect(syracuse.removed.map((r) => [r.entry.actionId, r.reason])).toEqual([[a.movedIn, 'no_longer_reaching']]);
    // The federal order's relations did not change; the county's own acts never reached it.
    expect(syracuse.changed).toEqual([]);
  });

  it('names an unregistered jurisdiction', async () => {
    await expect(handler.execute(new GetTimelineChangesQuery('ocd-division/country:us/state:ca/place:nowhere', since, until))).rejects.toMatchObject({
      code: 'JURISDICTION.UNKNOWN',
    });
  });
});
