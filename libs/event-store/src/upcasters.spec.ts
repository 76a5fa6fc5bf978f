import type { StoredEvent } from './types';
import { UpcasterChain } from './upcasters';

const stored = (type: string, schemaVersion: number, data: unknown): StoredEvent => ({
  position: 7,
  transactionId: '100',
  streamId: 's-1',
  streamVersion: 1,
  type,
  schemaVersion,
  data,
  metadata: {},
  recordedAt: new Date('2026-01-02T03:04:05Z'),
});

describe('UpcasterChain', () => {
  const chain = new UpcasterChain([
    { type: 'Renamed', fromVersion: 2, upcast: (d: { fullName: string }) => ({ ...d, display: d.fullName.toUpperCase() }) },
    { type: 'Renamed', fromVersion: 1, upcast: (d: { first: string; last: string }) => ({ fullName: `${d.first} ${d.last}` }) },
  ]);

  it('lifts an old event step by step to the latest version, whatever order the steps were given in', () => {
    const v1 = stored('Renamed', 1, { first: 'Ada', last: 'Lovelace' });
    expect(chain.apply(v1)).toEqual({ ...v1, schemaVersion: 3, data: { fullName: 'Ada Lovelace', display: 'ADA LOVELACE' } });
    expect(v1.data).toEqual({ first: 'Ada', last: 'Lovelace' }); // the input is left alone
  });

  it('starts from the version the event is at', () => {
    expect(chain.apply(stored('Renamed', 2, { fullName: 'Grace Hopper' }))).toMatchObject({
      schemaVersion: 3,
      data: { fullName: 'Grace Hopper', display: 'GRACE HOPPER' },
    });
  });

  it('leaves latest-version events and other types as they are', () => {
    const latest = stored('Renamed', 3, { fullName: 'x', display: 'X' });
    const other = stored('Paid', 1, { amount: 1 });
    expect(chain.apply(latest)).toBe(latest);
    expect(chain.apply(other)).toBe(other);
  });

  it('hands each step the event being upcast', () => {
    const upcast = jest.fn((d: object) => ({ ...d, v: 2 }));
    new UpcasterChain([{ type: 'T', fromVersion: 1, upcast }]).apply(stored('T', 1, { a: 1 }));
    expect(upcast).toHaveBeenCalledWith({ a: 1 }, expect.objectContaining({ position: 7, schemaVersion: 1 }));
  });

  it('refuses two upcasters for the same step', () => {
    const step = { type: 'T', fromVersion: 1, upcast: (d: unknown) => d };
    expect(() => new UpcasterChain([step, { ...step }])).toThrow('two upcasters for T v1');
  });
});
