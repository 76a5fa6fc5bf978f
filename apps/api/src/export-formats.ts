import { Readable } from 'node:stream';

/** About this many bytes per write: one write per row would cost a chunk and a syscall each. */
const CHUNK = 64 * 1024;

/**
 * Rows as newline-delimited JSON, a stream read on demand: the next rows are asked for only
 * when the client has taken the previous ones (backpressure), and destroying the stream (the
 * client went away) ends the iteration, so no further batch is read from the database.
 */
export function ndjson<T>(rows: AsyncIterable<T>): Readable {
  return Readable.from(lines(rows), { objectMode: false });
}

async function* lines<T>(rows: AsyncIterable<T>): AsyncGenerator<string> {
  let chunk = '';
  for await (const row of rows) {
    chunk += JSON.stringify(row) + '\n';
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** A file name made of a jurisdiction's name: "Santa Clara County" → santa-clara-county. */
export function fileStem(name: string): string {
  const stem = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return stem || 'jurisdiction';
}

/** A spreadsheet reads a cell starting with =, +, - or @ as a formula; a leading quote keeps it text. */
export function defuse(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /^[=+\-@]/.test(text) ? `'${text}` : text;
}
