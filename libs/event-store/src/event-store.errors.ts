/** Base of every error the store raises; `code` is stable and safe to map at the edges. */
export class EventStoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class VersionConflictError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number | string,
    readonly actualVersion: number,
  ) {
    super(
      'EVENT_STORE.VERSION_CONFLICT',
      `stream ${streamId} is at version ${actualVersion}, expected ${expectedVersion}`,
    );
  }
}

export class IdempotencyKeyReusedError extends EventStoreError {
  constructor(readonly idempotencyKey: string) {
    super(
      'EVENT_STORE.IDEMPOTENCY_KEY_REUSED',
      `idempotency key ${idempotencyKey} was already used for a different request`,
    );
  }
}

export class InvalidCheckpointError extends EventStoreError {
  constructor(readonly checkpoint: string) {
    super('EVENT_STORE.INVALID_CHECKPOINT', `not a checkpoint: ${checkpoint}`);
  }
}

export class ProjectionWaitTimeoutError extends EventStoreError {
  constructor(
    readonly position: number,
    readonly timeoutMs: number,
    readonly behind: string[],
  ) {
    super(
      'EVENT_STORE.PROJECTION_TIMEOUT',
      `projections ${behind.join(', ')} did not reach position ${position} within ${timeoutMs} ms`,
    );
  }
}

export class ProjectionFailedError extends EventStoreError {
  constructor(
    readonly projection: string,
    readonly lastError: unknown,
  ) {
    super('EVENT_STORE.PROJECTION_FAILED', `projection ${projection} is stopped on an error`);
  }
}

export class UnknownProjectionError extends EventStoreError {
  constructor(readonly projection: string) {
    super('EVENT_STORE.UNKNOWN_PROJECTION', `no projection named ${projection}`);
  }
}

export class RebuildInProgressError extends EventStoreError {
  constructor(readonly projection: string) {
    super('EVENT_STORE.REBUILD_IN_PROGRESS', `a rebuild of ${projection} is already running`);
  }
}
