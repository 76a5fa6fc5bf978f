export * from './connection';
export * from './migrator';
export * from './embedded';
export * from './open-database';
export * from './api-keys';
export * from './data-dir-lock';
