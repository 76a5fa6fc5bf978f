import { appendRequestHash } from './request-hash';
import type { StreamAppend } from './types';

const base: StreamAppend[] = [
  { streamId: 's-1', expectedVersion: 3, events: [{ type: 'Paid', data: { amount: 5, currency: 'USD', when: { y: 2026, m: 1 } } }] },
];

describe('appendRequestHash', () => {
  it('is the same for the same request, whatever the key order, metadata or an explicit v1', () => {
    const same: StreamAppend[] = [
      {
        expectedVersion: 3,
        streamId: 's-1',
        events: [
          {
            schemaVersion: 1,
            metadata: { correlationId: 'retry-2' },
            data: { when: { m: 1, y: 2026 }, currency: 'USD', amount: 5, note: undefined },
            type: 'Paid',
          },
        ],
      },
    ];
    expect(appendRequestHash(same)).toBe(appendRequestHash(base));
    expect(appendRequestHash(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, StreamAppend[]]>([
    ['data', [{ ...base[0], events: [{ type: 'Paid', data: { amount: 6, currency: 'USD', when: { y: 2026, m: 1 } } }] }]],
    ['nested data', [{ ...base[0], events: [{ type: 'Paid', data: { amount: 5, currency: 'USD', when: { y: 2026, m: 2 } } }] }]],
    ['type', [{ ...base[0], events: [{ ...base[0].events[0], type: 'Refunded' }] }]],
    ['schema version', [{ ...base[0], events: [{ ...base[0].events[0], schemaVersion: 2 }] }]],
    ['stream', [{ ...base[0], streamId: 's-2' }]],
    ['expected version', [{ ...base[0], expectedVersion: 'any' }]],
    ['event count', [{ ...base[0], events: [base[0].events[0], base[0].events[0]] }]],
  ])('differs when the %s differs', (_what, other) => {
    expect(appendRequestHash(other)).not.toBe(appendRequestHash(base));
  });

  it('tells arrays apart by their order', () => {
    const withData = (data: unknown) => appendRequestHash([{ ...base[0], events: [{ type: 'Paid', data }] }]);
    expect(withData([1, 2])).not.toBe(withData([2, 1]));
  });
});
