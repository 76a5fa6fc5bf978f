export * from './config';
export * from './process-lifecycle';
