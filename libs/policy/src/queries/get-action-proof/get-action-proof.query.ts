/** Inclusion proofs of every event of an action's stream against the ledger's head. */
export class GetActionProofQuery {
  constructor(readonly actionId: string) {}
}
