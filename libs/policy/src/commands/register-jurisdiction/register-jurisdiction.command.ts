import type { RegisterJurisdiction } from '../../domain';
import type { CommandMeta } from '../../streams';

export class RegisterJurisdictionCommand {
  constructor(
    readonly data: RegisterJurisdiction['data'],
    readonly meta: CommandMeta = {},
  ) {}
}

export interface RegisterJurisdictionResult {
  id: string;
  version: number;
  position: number;
}
