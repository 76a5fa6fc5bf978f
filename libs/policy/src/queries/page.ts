import { z } from 'zod';

/** A cursor-paged list's answer: its items and where the next page starts. Named `id` in the contract. */
export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .strictObject({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({ description: 'the `cursor` of the next page; null on the last page' }),
    })
    .meta({ id });
}
