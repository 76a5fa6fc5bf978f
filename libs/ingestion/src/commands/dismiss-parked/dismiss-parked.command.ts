/** Set a parked item aside for good: it stays listed under `dismissed`, with who did it and why. */
export class DismissParkedCommand {
  constructor(
    readonly parkedId: number,
    /** The caller's id (`key:<id>`, `env:API_ADMIN_KEY`). */
    readonly resolvedBy: string,
    /** Why, as the curator said (trimmed); absent when they did not. */
    readonly reason?: string,
  ) {}
}
