/** Try a parked item again: read it anew (a fixed adapter) or propose it anew (a fixed ledger). */
export class RetryParkedCommand {
  constructor(
    readonly parkedId: number,
    /** The caller's id (`key:<id>`, `env:API_ADMIN_KEY`): recorded as who resolved the item. */
    readonly resolvedBy: string,
  ) {}
}
