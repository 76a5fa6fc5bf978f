/** Add a source (an admin's city feed, another Legistar client). */
export class AddSourceCommand {
  constructor(
    readonly source: { id: string; name: string; config: Record<string, unknown>; enabled?: boolean; schedule?: string },
  ) {}
}
