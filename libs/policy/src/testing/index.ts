export * from './policy-test-context';
