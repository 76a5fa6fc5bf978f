/** Try a parked item again: read it anew (a fixed adapter) or propose it anew (a fixed ledger). */
export class RetryParkedCommand {
  constructor(readonly parkedId: number) {}
}
