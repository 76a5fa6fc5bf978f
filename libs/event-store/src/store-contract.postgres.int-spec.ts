import { createTestDatabase } from '@app/db/testing';
import { eventStoreContract } from './testing/store-contract';

describe('event store contract on PostgreSQL', () => {
  eventStoreContract(
    async () => {
      const database = await createTestDatabase();
      return { db: database.db, close: () => database.drop() };
    },
    { writers: 20, retries: 10 },
  );
});
