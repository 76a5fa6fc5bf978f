import { actionRelationsProjection } from './action-relations.projection';
import { actionsProjection } from './actions.projection';
import { jurisdictionsProjection } from './jurisdictions.projection';

export { actionRelationsProjection, actionsProjection, jurisdictionsProjection };

/** Read models kept in the append's transaction: a write is visible to the next read. */
export const policyInlineProjections = [jurisdictionsProjection, actionsProjection];

/** Read models built asynchronously from checkpoints, by the API or the worker. */
export const policyProjections = [actionRelationsProjection];
