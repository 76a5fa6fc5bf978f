// Test helper (not exported from the domain index): Emmett-style decider specifications.
//   given(pastEvents).when(command, context).then(newEvents) | .thenThrows('CODE', details?)
import { DomainError, type DomainErrorCode } from './policy.errors';

export interface Decider<C, S, E, X> {
  decide(command: C, state: S, context: X): E[];
  evolve(state: S, event: E): S;
  initialState: S;
}

export function deciderSpec<C, S, E, X>(decider: Decider<C, S, E, X>) {
  return (given: E[]) => ({
    when: (command: C, context: X) => {
      const run = () => decider.decide(command, given.reduce(decider.evolve, decider.initialState), context);
      return {
        then: (expected: E[]) => expect(run()).toEqual(expected),
        thenThrows: (code: DomainErrorCode, match: Partial<DomainError> = {}) => {
          let error: unknown;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DomainError);
          expect(error).toMatchObject({ code, ...match });
          return error as DomainError;
        },
      };
    },
  });
}
