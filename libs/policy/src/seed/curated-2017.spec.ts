import { actionContentSchema, collectReferences, isOcdId } from '../domain';
import {
  CURATED_2017_ARTICLE,
  curatedActions,
  curatedJurisdictions,
  validateCuratedDataset,
} from './curated-2017';
import { readOcdDirectory } from './ocd-directory';


describe('curated 2017 dataset', () => {
  it('replays through the domain deciders without a problem', () => {
    expect(validateCuratedDataset()).toEqual([]);
  });

  it('passes the strict content schema', () => {
    for (const { command } of curatedActions) {
      expect(actionContentSchema.safeParse(command.data.content).error).toBeUndefined();
    }
  });

  it('has unique ids and every relation target listed earlier', () => {
    const seen = new Set<string>();
    for (const { id, command } of curatedActions) {
      expect(seen.has(id)).toBe(false);
      for (const target of collectReferences(command).actionIds) expect(seen).toContain(target);
      seen.add(id);
    }
  });

  it('uses only registered jurisdictions', () => {
    const registered = new Set(curatedJurisdictions.map((c) => c.data.id));
    for (const { command } of curatedActions) {
      for (const id of collectReferences(command).jurisdictionIds) expect(registered).toContain(id);
    }
  });

  it('cites the article on every action', () => {
    for (const { command } of curatedActions) {
      expect(command.data.content.sources).toEqual(expect.arrayContaining([expect.objectContaining(CURATED_2017_ARTICLE)]));
    }
  });

  it('keeps quotes short and attributed', () => {
    for (const { command } of curatedActions) {
      for (const source of command.data.content.sources ?? []) {
        if (!source.quote) continue;
        expect(source.quote.split(/\s+/).length).toBeLessThanOrEqual(25);
        expect(source.quoteAttribution).toBeTruthy();
      }
    }
  });

  it('reports a broken dataset', () => {
    const [first, ...rest] = curatedActions;
    const problems = validateCuratedDataset(curatedJurisdictions.slice(1), [...rest, first]);
    expect(problems.map((p) => p.message.split(':')[0])).toEqual(
      expect.arrayContaining(['JURISDICTION.UNKNOWN']),
    );
    const outOfOrder = validateCuratedDataset(curatedJurisdictions, [...rest, first]);
    expect(outOfOrder[0].message).toMatch(/^ACTION.UNKNOWN/);
  });

  it('uses only ids from the shipped OCD US list', () => {
    const known = new Set(readOcdDirectory().commands.map((c) => c.data.id));
    for (const { data } of curatedJurisdictions) {
      expect(isOcdId(data.id)).toBe(true);
      expect(known).toContain(data.id);
    }
  });
});
