export * from './http/http-client';
export * from './sources/source';
export * from './sources/federal-register/federal-register.schema';
export * from './sources/federal-register/federal-register.fetch';
export * from './sources/federal-register/federal-register.normalise';
export * from './places/place-directory';
export * from './places/match-places';
