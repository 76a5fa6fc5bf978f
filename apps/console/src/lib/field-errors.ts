/** A problem+json field error as the API sends it (`errors[]`). */
export interface FieldError {
  path: string;
  message: string;
}

/** Messages per form field; `''` holds what belongs to no field of the form (shown above it). */
export type FieldMessages = Record<string, string[]>;

/**
 * Puts each `errors[].path` of a problem at the form field it is about. Paths are dotted as the
 * client wrote them ('changes.sources.0.url', 'reason', 'query.q', 'header.if-match'); the form
 * names its fields by the same dotted paths without the envelope ('sources.0.url'), so a path
 * goes to the longest field name it starts with. `prefix` is the envelope the form's fields sit
 * in ('changes' for a correction); a path outside every field goes to '' rather than being lost.
 */
export function fieldMessages(errors: readonly FieldError[], fields: readonly string[], prefix = ''): FieldMessages {
  const byLength = [...fields].sort((a, b) => b.length - a.length);
  const out: FieldMessages = {};
  for (const { path, message } of errors) {
    const bare = prefix && (path === prefix || path.startsWith(`${prefix}.`)) ? path.slice(prefix.length + 1) : path;
    const field = byLength.find((f) => bare === f || bare.startsWith(`${f}.`)) ?? '';
    // A message about a part of the field ('sources.0.url' at 'sources') says which part.
    const text = field && bare !== field ? `${bare.slice(field.length + 1)}: ${message}` : field ? message : `${path}: ${message}`;
    (out[field] ??= []).push(text);
  }
  return out;
}
