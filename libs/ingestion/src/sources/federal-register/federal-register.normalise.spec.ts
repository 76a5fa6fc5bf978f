import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionCommandDataSchemas } from '@app/policy/domain';
import { federalRegisterDocumentSchema, federalRegisterPageSchema } from './federal-register.schema';
import { canonicalJson } from '@app/event-store';
import { normaliseDocument, normalisePage } from './federal-register.normalise';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/sources/federal-register');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const RETRIEVED_AT = '2017-02-01T12:00:00Z';

const page = federalRegisterPageSchema.parse(fixture('documents-2017-01-executive-orders.json'));
const [eo13767, eo13768] = (page.results ?? []).map((raw) => federalRegisterDocumentSchema.parse(raw));

describe('federal register page schema', () => {
  it('reads a page of documents in the API format', () => {
    expect(page).toMatchObject({ count: 2, total_pages: 1 });
    expect(page.results).toHaveLength(2);
    expect(eo13768).toMatchObject({
      document_number: '2017-02102',
      subtype: 'Executive Order',
      executive_order_number: '13768',
      signing_date: '2017-01-25',
      publication_date: '2017-01-30',
      citation: '82 FR 8799',
      president: { name: 'Donald Trump', identifier: 'donald-trump' },
    });
  });

  it('reads a page with no matches, which has neither total_pages nor results', () => {
    expect(federalRegisterPageSchema.parse(fixture('documents-no-results.json'))).toMatchObject({ count: 0 });
  });

  it('reads executive_order_number given as a number or as a string alike', () => {
    const raw = (fixture('documents-with-malformed-item.json') as { results: unknown[] }).results[0];
    expect(raw).toMatchObject({ executive_order_number: '13767' });
    expect(federalRegisterDocumentSchema.parse(raw).executive_order_number).toBe(eo13767.executive_order_number);
  });
});

describe('normaliseDocument', () => {
  const { proposal } = normaliseDocument(eo13768, RETRIEVED_AT);

  it('gives data the propose-action command accepts', () => {
    expect(() => actionCommandDataSchemas.ProposeAction.parse(proposal)).not.toThrow();
  });

  it('proposes EO 13768 as an executive order of the United States, on its signing day', () => {
    expect(proposal).toEqual({
      actionId: 'federal-register:2017-02102',
      content: {
        kind: 'executive_order',
        title: 'Executive Order 13768: Enhancing Public Safety in the Interior of the United States',
        summary:
          'Executive order "Enhancing Public Safety in the Interior of the United States" signed by Donald Trump ' +
          'on 2017-01-25, published in the Federal Register on 2017-01-30 (82 FR 8799).',
        occurredOn: { date: '2017-01-25', precision: 'day' },
        actingJurisdictionId: 'ocd-division/country:us',
        affectedJurisdictionIds: ['ocd-division/country:us'],
        actors: [{ name: 'Donald Trump', office: 'President of the United States' }],
        citations: [
          { kind: 'other', text: 'Executive Order 13768' },
          { kind: 'federal_register', text: '82 FR 8799' },
        ],
        amounts: [],
        sources: [
          {
            url: 'https://www.federalregister.gov/documents/2017/01/30/2017-02102/enhancing-public-safety-in-the-interior-of-the-united-states',
            publisher: 'Federal Register',
            title: 'Enhancing Public Safety in the Interior of the United States',
            publishedOn: '2017-01-30',
            retrievedAt: RETRIEVED_AT,
            sourceSystem: 'federal-register',
            externalId: '2017-02102',
          },
        ],
        tags: ['executive-order'],
      },
      relations: [],
      proposal: { sourceSystem: 'federal-register', externalId: '2017-02102' },
    });
  });

  it('uses the abstract as the summary when there is one', () => {
    const withAbstract = { ...eo13768, abstract: '  An abstract.  ' };
    expect(normaliseDocument(withAbstract, RETRIEVED_AT).proposal.content.summary).toBe('An abstract.');
  });

  it('falls back to the publication date when the signing date is missing', () => {
    const unsigned = { ...eo13768, signing_date: null };
    expect(normaliseDocument(unsigned, RETRIEVED_AT).proposal.content.occurredOn).toEqual({ date: '2017-01-30', precision: 'day' });
  });

  // The subtype is varied on a real document to exercise the rules; the rest of it is unchanged.
  it.each([
    ['Proclamation', 'public_statement', 'proclamation'],
    ['Memorandum', 'agency_directive', 'memorandum'],
    ['Determination', 'other', undefined],
  ])('proposes a %s as %s', (subtype, kind, tag) => {
    const doc = { ...eo13768, subtype, executive_order_number: undefined, citation: null, president: null };
    const { proposal: other } = normaliseDocument(doc, RETRIEVED_AT);
    expect(other.content).toMatchObject({ kind, title: eo13768.title, citations: [], actors: [], tags: tag ? [tag] : [] });
    expect(other.content.summary).not.toBe('');
    expect(() => actionCommandDataSchemas.ProposeAction.parse(other)).not.toThrow();
  });

  it('hashes the content the same whenever it is retrieved, and differently when it changes upstream', () => {
    const first = normaliseDocument(eo13768, RETRIEVED_AT).contentHash;
    expect(normaliseDocument(eo13768, '2017-03-01T00:00:00Z').contentHash).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(normaliseDocument({ ...eo13768, title: `${eo13768.title} (corrected)` }, RETRIEVED_AT).contentHash).not.toBe(first);
  });
});

describe('normalisePage', () => {
  it('parks a malformed item with its reason and normalises the rest of the page', () => {
    const items = (fixture('documents-with-malformed-item.json') as { results: unknown[] }).results;
    const { items: normalised, parked } = normalisePage(items, RETRIEVED_AT);

    expect(normalised.map((n) => n.proposal.proposal.externalId)).toEqual(['2017-02095', '2017-02102']);
    expect(normalised[0].proposal.content.title).toBe('Executive Order 13767: Border Security and Immigration Enforcement Improvements');
    for (const { proposal } of normalised) expect(() => actionCommandDataSchemas.ProposeAction.parse(proposal)).not.toThrow();

    expect(parked).toHaveLength(1);
    expect(parked[0].raw).toBe(items[1]);
    expect(parked[0].reason).toMatch(/document_number/);
    expect(parked[0].reason).toMatch(/signing_date/);
    expect(parked[0].reason).toMatch(/html_url/);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves out undefined', () => {
    expect(canonicalJson({ b: [{ d: 1, c: undefined, a: 'x' }], a: null })).toBe('{"a":null,"b":[{"a":"x","d":1}]}');
  });
});
