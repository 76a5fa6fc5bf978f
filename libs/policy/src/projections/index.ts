import type { KeyObject } from 'node:crypto';
import { sealingProjection, type Projection } from '@app/event-store';
import { actionRelationsProjection } from './action-relations.projection';
import { actionsProjection } from './actions.projection';
import { jurisdictionsProjection } from './jurisdictions.projection';

export { actionRelationsProjection, actionsProjection, jurisdictionsProjection };

/** Read models kept in the append's transaction: a write is visible to the next read. */
export const policyInlineProjections = [jurisdictionsProjection, actionsProjection];

/** Read models built asynchronously from checkpoints, by the API or the worker. */
export const policyProjections = [actionRelationsProjection];

/**
 * Everything a process runs asynchronously: the read models above and the ledger's seal. Every
 * process that runs projections must be given the same signing key: any of them may seal.
 */
export function asyncProjections(signingKey?: KeyObject): Projection[] {
  return [...policyProjections, sealingProjection({ signingKey })];
}
