import fc from 'fast-check';
import { EMPTY_ROOT, Frontier, inclusionPath, leafHash, nodeHash, rootFromInclusion, rootOf, splitPoint } from './merkle';

// Certificate Transparency's reference inputs and tree heads (RFC 6962 test data), so our
// roots and proofs are the ones every CT verifier computes.
const CT_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_LEAVES = CT_INPUTS.map(leafHash);

/** A source holding every leaf: the reference the stored-tile source must agree with. */
const fromLeaves = (leaves: Buffer[]) => ({ subtree: (start: number, end: number) => rootOf(leaves.slice(start, end)) });
const hex = (b: Buffer) => b.toString('hex');

describe('RFC 6962 Merkle tree', () => {
  it('gives the reference roots for every size, and SHA-256("") for none', () => {
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    CT_ROOTS.forEach((root, i) => expect(hex(rootOf(CT_LEAVES.slice(0, i + 1)))).toBe(root));
  });

  it('gives the reference audit paths', () => {
    expect(inclusionPath(0, 8, fromLeaves(CT_LEAVES)).map(hex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(inclusionPath(5, 8, fromLeaves(CT_LEAVES)).map(hex)).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
  });

  it('keeps the root of any prefix as it grows, and hears of each perfect subtree once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
        const leaves = Array.from({ length: n }, (_, i) => leafHash(`leaf ${i}`));
        const frontier = new Frontier();
        const subtrees: string[] = [];
        for (const leaf of leaves) frontier.append(leaf, (height, index, hash) => {
          expect(hex(hash)).toBe(hex(rootOf(leaves.slice(index * 2 ** height, (index + 1) * 2 ** height))));
          subtrees.push(`${height}:${index}`);
        });
        expect(hex(frontier.root())).toBe(hex(rootOf(leaves)));
        expect(new Set(subtrees).size).toBe(subtrees.length);
        const copy = Frontier.fromBytes(n, frontier.toBytes());
        expect(hex(copy.root())).toBe(hex(frontier.root()));
      }),
      { numRuns: 60 },
    );
  });

  it('proves every leaf of every size, and refuses a wrong leaf, index or path', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 140 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }))), ([n, i]) => {
        const leaves = Array.from({ length: n }, (_, k) => leafHash(`event ${k}`));
        const root = rootOf(leaves);
        const path = inclusionPath(i, n, fromLeaves(leaves));
        expect(rootFromInclusion(leaves[i], i, n, path)?.equals(root)).toBe(true);
        expect(rootFromInclusion(leafHash('forged'), i, n, path)?.equals(root) ?? false).toBe(false);
        if (n > 1) {
          expect(rootFromInclusion(leaves[i], (i + 1) % n, n, path)?.equals(root) ?? false).toBe(false);
          expect(rootFromInclusion(leaves[i], i, n, path.slice(1))?.equals(root) ?? false).toBe(false);
          const bent = path.map((h, k) => (k === 0 ? nodeHash(h, h) : h));
          expect(rootFromInclusion(leaves[i], i, n, bent)?.equals(root) ?? false).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('splits at the largest power of two below n', () => {
    expect([2, 3, 4, 5, 8, 9, 257].map(splitPoint)).toEqual([1, 2, 2, 4, 4, 8, 256]);
  });
});
