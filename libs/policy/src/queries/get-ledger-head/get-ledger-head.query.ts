/** The ledger's latest seal: how many events it covers, their root and chain, and its signature. */
export class GetLedgerHeadQuery {}
