import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for the Federal Register API (documents.json) over a generated set of presidential
// documents, for runs too long to script response by response: the kill test and the ingestion
// benchmark. It pages the way the API does (per_page, page, next_page_url, total_pages capped at
// 50, a page past the cap answered as page 1) and filters on the signing-date window.

export interface FederalRegisterServer {
  /** The base URL a source is configured with: `http://127.0.0.1:<port>/api/v1`. */
  baseUrl: string;
  /** Requests answered so far. */
  requests: number;
  close(): Promise<void>;
}

const SUBTYPES = ['Executive Order', 'Proclamation', 'Memorandum'] as const;
// Some abstracts name places, so a run matches places as it would on real documents.
const ABSTRACTS = [
  null,
  'Sanctuary jurisdictions such as Cook County, Illinois, and Richmond lose grants.',
  'Directs the Secretary of Homeland Security to work with New York, New York and Chicago, Illinois.',
  'Establishes a task force on public safety.',
  null,
];
const DAY_MS = 86_400_000;

/**
 * `count` documents signed one after another from `from`, `perDay` a day, numbered from
 * 2017-90000 upwards; each in the API's format with the fields the adapter asks for.
 */
export function generateDocuments(count: number, options: { from?: string; perDay?: number } = {}): Record<string, unknown>[] {
  const start = Date.parse(`${options.from ?? '2017-01-20'}T00:00:00Z`);
  const perDay = options.perDay ?? 10;
  return Array.from({ length: count }, (_, i) => {
    const signed = new Date(start + Math.floor(i / perDay) * DAY_MS).toISOString().slice(0, 10);
    const published = new Date(start + (Math.floor(i / perDay) + 5) * DAY_MS).toISOString().slice(0, 10);
    const documentNumber = `${signed.slice(0, 4)}-${String(90000 + i)}`;
    const subtype = SUBTYPES[i % SUBTYPES.length];
    const [y, m, d] = published.split('-');
    return {
      document_number: documentNumber,
      title: `${subtype} ${i}: Enhancing Public Safety in the Interior of the United States, part ${i}`,
      type: 'Presidential Document',
      subtype,
      abstract: ABSTRACTS[i % ABSTRACTS.length],
      // The API sends a number in most documents and a string in some.
      executive_order_number: subtype === 'Executive Order' ? (i % 2 ? 13000 + i : String(13000 + i)) : null,
      signing_date: signed,
      publication_date: published,
      citation: `82 FR ${8000 + i}`,
      html_url: `https://www.federalregister.gov/documents/${y}/${m}/${d}/${documentNumber}/document-${i}`,
      pdf_url: `https://www.govinfo.gov/content/pkg/FR-${published}/pdf/${documentNumber}.pdf`,
      agencies: [
        {
          raw_name: 'Executive Office of the President',
          name: 'Executive Office of the President',
          id: 538,
          url: 'https://www.federalregister.gov/agencies/executive-office-of-the-president',
          json_url: 'https://www.federalregister.gov/api/v1/agencies/538',
          parent_id: null,
          slug: 'executive-office-of-the-president',
        },
      ],
      president: { name: 'Donald Trump', identifier: 'donald-trump' },
    };
  });
}

/** Serves `documents` (signing_date order) on 127.0.0.1; each answer after `delayMs`. */
export async function startFederalRegisterServer(
  documents: readonly Record<string, unknown>[],
  options: { delayMs?: number } = {},
): Promise<FederalRegisterServer> {
  const sorted = [...documents].sort((a, b) => String(a.signing_date).localeCompare(String(b.signing_date)));
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const answer = (status: number, body: unknown) => {
      const json = JSON.stringify(body);
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(json);
      }, options.delayMs ?? 0);
    };
    if (url.pathname !== '/api/v1/documents.json') return answer(404, { status: 404, message: 'Not Found' });
    const q = url.searchParams;
    const from = q.get('conditions[signing_date][gte]') ?? '0000-00-00';
    const to = q.get('conditions[signing_date][lte]') ?? '9999-99-99';
    const perPage = Number(q.get('per_page') ?? 20);
    let page = Number(q.get('page') ?? 1);
    // The API's cap: past page 50 or 10,000 results it silently answers page 1.
    if (page < 1 || page > 50 || page * perPage > 10_000) page = 1;
    const matching = sorted.filter((d) => String(d.signing_date) >= from && String(d.signing_date) <= to);
    const totalPages = Math.min(50, Math.ceil(matching.length / perPage));
    const results = matching.slice((page - 1) * perPage, page * perPage);
    const next = new URL('https://www.federalregister.gov/api/v1/documents.json');
    q.forEach((value, key) => next.searchParams.append(key, key === 'page' ? String(page + 1) : value));
    answer(200, {
      count: matching.length,
      description: `Documents of type Presidential Document signed from ${from} to ${to}`,
      total_pages: totalPages,
      ...(page < totalPages ? { next_page_url: next.toString() } : {}),
      ...(matching.length > 0 ? { results } : {}),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/v1`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
