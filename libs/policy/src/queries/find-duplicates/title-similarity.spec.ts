import { diceCoefficient, titleSimilarity, titleWords } from './title-similarity';

describe('title similarity', () => {
  it('reads a title as its distinct words: lowercased, without punctuation, accents or stop words', () => {
    expect([...titleWords('The Mayor of San José affirms the city’s sanctuary status — again!')]).toEqual([
      'mayor',
      'san',
      'jose',
      'affirms',
      'citys',
      'sanctuary',
      'status',
      'again',
    ]);
    expect([...titleWords('U.S. Attorney General: 8 U.S.C. 1373 compliance')]).toEqual(['us', 'attorney', 'general', '8', 'usc', '1373', 'compliance']);
    expect([...titleWords('Of the, and to / in on -- for by a an')]).toEqual([]);
  });

  it("is Dice's coefficient of the word sets: twice the shared words over the words of both", () => {
    expect(diceCoefficient(new Set(['a', 'b', 'c']), new Set(['b', 'c', 'd']))).toBeCloseTo(4 / 6);
    expect(diceCoefficient(new Set(['a']), new Set(['b']))).toBe(0);
    expect(diceCoefficient(new Set(), new Set())).toBe(0);
    expect(diceCoefficient(new Set(['a']), new Set())).toBe(0);
  });

  it('is 1 for the same words in any case, order or punctuation, and 0 for none in common', () => {
    expect(titleSimilarity('Trump signs executive order on sanctuary cities', 'SANCTUARY CITIES: Trump signs an executive order')).toBe(1);
    expect(titleSimilarity('Trump signs executive order on sanctuary cities', 'Budget hearing for the transit authority')).toBe(0);
    expect(titleSimilarity('The order', 'Of the order')).toBe(1);
    expect(titleSimilarity('the', 'of')).toBe(0);
  });

  it('scores two reports of one action above two actions that only share a topic', () => {
    const order = 'Attorney General conditions Byrne JAG grants on Section 1373 compliance';
    const report = 'Justice Department conditions Byrne JAG grants on 1373 compliance';
    const other = 'City council debates sanctuary grants';
    // order: attorney general conditions byrne jag grants section 1373 compliance (9)
    // report: justice department conditions byrne jag grants 1373 compliance (8); 6 shared
    expect(titleSimilarity(order, report)).toBeCloseTo(12 / 17);
    expect(titleSimilarity(order, other)).toBeCloseTo(2 / 14);
    expect(titleSimilarity(order, report)).toBe(titleSimilarity(report, order));
  });
});
