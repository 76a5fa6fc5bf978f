// What the apps use of ingestion: the module, its use cases and their answers, the runner, the
// queue's contract and the source registry. Adapters stay inside; the registry names them.
export * from './database';
export * from './ingestion.module';
export * from './http/http-client';
export * from './sources/source';
export * from './sources/registry';
export * from './sources/source-settings';
export * from './sources/default-sources';
export * from './pipeline/source-runner';
export { loadPlaceDirectory } from './places/place-directory';
export * from './queue/ingestion-queue';
export * from './repositories/run.repository';
export * from './repositories/source.repository';
export * from './repositories/parked.repository';
export * from './commands/run-source/run-source.command';
export * from './commands/add-source/add-source.command';
export * from './commands/update-source/update-source.command';
export * from './commands/retry-parked/retry-parked.command';
export * from './commands/dismiss-parked/dismiss-parked.command';
export * from './commands/receive-webhook/receive-webhook.command';
export { storeDelivery, forgetDelivery, COURTLISTENER_SOURCE_ID } from './commands/receive-webhook/receive-webhook.handler';
export * from './queries/list-sources/list-sources.query';
export * from './queries/list-runs/list-runs.query';
export * from './queries/list-parked/list-parked.query';
export { INGESTION_LIST_MAX_LIMIT } from './queries/id-cursor';
export * from './queue/bullmq-queue';
