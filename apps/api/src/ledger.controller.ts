import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { ledgerHeadSchema, type SignedLedgerHead } from '@app/event-store';
import { GetLedgerHeadQuery } from '@app/policy';
import { ApiContract } from './openapi-contract';

@ApiTags('ledger')
@Controller('api/v1/ledger')
export class LedgerController {
  constructor(private readonly queries: QueryBus) {}

  @Get('head')
  @ApiContract({
    summary: "The ledger's latest seal, signed: publish it, and check proofs and `verify` against it",
    description:
      'Events are sealed in commit order shortly after they are written (an asynchronous projection, never on the write path). ' +
      'The root is an RFC 6962 Merkle tree over every sealed event, as Certificate Transparency logs use; the chain links each event to the one before. ' +
      'With LEDGER_SIGNING_KEY set, each seal is signed with Ed25519.',
    response: { description: 'The head', body: ledgerHeadSchema },
  })
  head(): Promise<SignedLedgerHead> {
    return this.queries.execute(new GetLedgerHeadQuery());
  }
}
