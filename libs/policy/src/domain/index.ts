// The pure domain of the policy context: no framework, no database, no I/O.
export * from './policy.errors';
export * from './ocd-id';
export * from './dates';
export * from './jurisdiction/jurisdiction';
export * from './jurisdiction/jurisdiction.events';
export * from './jurisdiction/jurisdiction.decide';
export * from './jurisdiction/directory';
export * from './action/action.schema';
export * from './action/action.events';
export * from './action/action.commands';
export * from './action/action';
export * from './action/action.decide';
