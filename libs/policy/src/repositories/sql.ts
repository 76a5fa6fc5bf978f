import { sql } from 'kysely';

/** `column = ANY($1)`: one parameter and one statement text whatever the number of ids. */
export function idIn(ids: readonly string[], column = 'id') {
  return sql<boolean>`${sql.ref(column)} = ANY(${ids as string[]}::text[])`;
}

/** Text to match literally inside a LIKE pattern: its wildcards (% and _) and the escape character (backslash) escaped. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
