import type { SourceChanges } from '../../repositories/source.repository';

/** Change a source: its name, configuration, schedule, whether it runs; `cursor: null` starts it over. */
export class UpdateSourceCommand {
  constructor(
    readonly sourceId: string,
    readonly changes: SourceChanges,
  ) {}
}
