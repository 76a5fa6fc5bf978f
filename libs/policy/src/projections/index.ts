import { actionsProjection } from './actions.projection';
import { jurisdictionsProjection } from './jurisdictions.projection';

export { actionsProjection, jurisdictionsProjection };

/** Read models kept in the append's transaction: a write is visible to the next read. */
export const policyInlineProjections = [jurisdictionsProjection, actionsProjection];
