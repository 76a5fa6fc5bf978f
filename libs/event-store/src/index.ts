export * from './types';
export * from './event-store.errors';
export * from './checkpoint';
export * from './upcasters';
export * from './event-store';
export * from './notifications';
