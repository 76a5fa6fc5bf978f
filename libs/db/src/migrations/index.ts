import type { Migration } from 'kysely';
import * as eventStore from './2026-11-24T10-00-event-store';
import * as policyReadModels from './2026-11-24T11-00-policy-read-models';
import * as apiKeys from './2026-11-24T12-00-api-keys';
import * as actionRelations from './2026-11-24T13-00-action-relations';
import * as ingestion from './2026-11-30T00-00-ingestion';
import * as actionsKindOccurredOn from './2026-11-30T02-00-actions-kind-occurred-on';
import * as actionsStatusFirstPosition from './2026-11-30T03-00-actions-status-first-position';
import * as parkedResolution from './2026-11-30T04-00-parked-resolution';
import * as actionsSearch from './2026-12-01T01-00-actions-search';
import * as actionsFirstPosition from './2026-12-01T03-00-actions-first-position';
import * as directorySearch from './2026-12-01T04-00-directory-search';
import * as actionSearch from './2026-12-01T06-00-action-search';
import * as actionSearchFastupdate from './2026-12-01T07-00-action-search-fastupdate';
import * as apiKeyExpiry from './2026-12-02T02-00-api-key-expiry';
import * as ledgerSeal from './2026-12-03T01-00-ledger-seal';

/**
 * Every migration, by ISO-dated name. A static list (rather than a folder scan) keeps the
 * migrator working from compiled output and bundles alike.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-24T10-00-event-store': eventStore,
  '2026-11-24T11-00-policy-read-models': policyReadModels,
  '2026-11-24T12-00-api-keys': apiKeys,
  '2026-11-24T13-00-action-relations': actionRelations,
  '2026-11-30T00-00-ingestion': ingestion,
  '2026-11-30T02-00-actions-kind-occurred-on': actionsKindOccurredOn,
  '2026-11-30T03-00-actions-status-first-position': actionsStatusFirstPosition,
  '2026-11-30T04-00-parked-resolution': parkedResolution,
  '2026-12-01T01-00-actions-search': actionsSearch,
  '2026-12-01T03-00-actions-first-position': actionsFirstPosition,
  '2026-12-01T04-00-directory-search': directorySearch,
  '2026-12-01T06-00-action-search': actionSearch,
  '2026-12-01T07-00-action-search-fastupdate': actionSearchFastupdate,
  '2026-12-02T02-00-api-key-expiry': apiKeyExpiry,
  '2026-12-03T01-00-ledger-seal': ledgerSeal,
};
