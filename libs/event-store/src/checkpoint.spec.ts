import { compareCommitPoints, decodeCheckpoint, encodeCheckpoint, START } from './checkpoint';
import { InvalidCheckpointError } from './event-store.errors';

describe('checkpoints', () => {
  it('round-trips a commit point through its opaque form', () => {
    const point = { transactionId: '18446744073709551615', position: 9_007_199_254_740_991 };
    const encoded = encodeCheckpoint(point);
    expect(encoded).not.toContain(':');
    expect(decodeCheckpoint(encoded)).toEqual(point);
  });

  it('starts from the beginning without a checkpoint', () => {
    expect(decodeCheckpoint(undefined)).toEqual(START);
    expect(decodeCheckpoint('')).toEqual({ transactionId: '0', position: 0 });
  });

  it.each(['garbage!', Buffer.from('12:').toString('base64url'), Buffer.from('-1:5').toString('base64url'), Buffer.from('1:2:3').toString('base64url'),
    // Beyond xid8 and beyond a safe integer position: Postgres or JSON would mangle them later.
    Buffer.from('18446744073709551616:1').toString('base64url'), Buffer.from('1:9007199254740993').toString('base64url')])(
    'rejects %p',
    (checkpoint) => {
      expect(() => decodeCheckpoint(checkpoint)).toThrow(InvalidCheckpointError);
    },
  );

  it('orders by transaction id numerically, then by position', () => {
    expect(compareCommitPoints({ transactionId: '9', position: 500 }, { transactionId: '10', position: 1 })).toBeLessThan(0);
    expect(compareCommitPoints({ transactionId: '10', position: 2 }, { transactionId: '10', position: 1 })).toBeGreaterThan(0);
    expect(compareCommitPoints({ transactionId: '10', position: 2 }, { transactionId: '10', position: 2 })).toBe(0);
    // Beyond 2^53 a Number comparison would call these equal.
    expect(
      compareCommitPoints({ transactionId: '9007199254740993', position: 1 }, { transactionId: '9007199254740992', position: 1 }),
    ).toBeGreaterThan(0);
  });
});
