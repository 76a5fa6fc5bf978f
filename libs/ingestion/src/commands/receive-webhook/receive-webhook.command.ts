/** A CourtListener webhook delivery, as posted. */
export class ReceiveWebhookCommand {
  constructor(
    /** The path segment: it must be the configured secret (deliveries are not signed). */
    readonly secret: string,
    /** The delivery's Idempotency-Key header: CourtListener sends it again on every retry. */
    readonly deliveryKey: string | undefined,
    readonly body: unknown,
  ) {}
}

export interface WebhookReceipt {
  deliveryKey: string;
  /** True when this delivery was taken before: nothing was done again. */
  duplicate: boolean;
  /** Where its entries went: the worker's queue, or stored before answering. */
  mode: 'queued' | 'in-process' | 'none';
}
