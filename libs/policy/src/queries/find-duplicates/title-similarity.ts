// How alike two action titles are, for finding the same action recorded twice (a press release
// and the order it announces, two feeds reporting one pledge). Word sets, not strings: the same
// words in another order, or with other punctuation, are the same title.

/** Words too common in titles to say anything about which action one names. */
const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'as', 'at', 'by', 'for', 'from', 'in', 'is', 'its', 'of', 'on', 'or', 'the', 'to', 'with',
]);

/**
 * The distinct words of a title that say something: lowercased, accents and punctuation gone
 * (apostrophes and dots join, so "U.S." is "us" and "city's" is "citys"), stop words left out.
 */
export function titleWords(title: string): Set<string> {
  const words = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’.]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '' && !STOP_WORDS.has(w));
  return new Set(words);
}

/** Dice's coefficient of two sets, 2|A ∩ B| / (|A| + |B|): 0 when both are empty. */
export function diceCoefficient(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size + b.size === 0) return 0;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/** How alike two titles are, from 0 (no word in common) to 1 (the same words). */
export function titleSimilarity(a: string, b: string): number {
  return diceCoefficient(titleWords(a), titleWords(b));
}
