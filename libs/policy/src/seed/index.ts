export * from './curated-2017';
export * from './ocd-directory';
export * from './seed-jurisdictions';
export * from './seed-curated';
