import { createHash, hash } from 'node:crypto';

/**
 * The Merkle tree hash of RFC 6962 §2.1 (kept in RFC 9162 §2.1), as Certificate Transparency
 * logs and Trillian compute it, so any of their verifiers can check our proofs:
 * - a leaf is SHA-256(0x00 ‖ data), an interior node SHA-256(0x01 ‖ left ‖ right): the prefixes
 *   keep a leaf from passing for a node;
 * - a tree of n leaves splits at k, the largest power of two below n; the left part is always a
 *   perfect, aligned subtree, which is what lets us store subtrees once and reuse them.
 */
export const HASH_BYTES = 32;

// One-shot hashing into a reused buffer: a seal hashes every event two or three times, and a
// Hash object per call costs more than the hashing of 65 bytes.
const node = Buffer.alloc(1 + 2 * HASH_BYTES, 1);

export function leafHash(data: Buffer | string): Buffer {
  return typeof data === 'string' ? hash('sha256', `\u0000${data}`, 'buffer') : hash('sha256', Buffer.concat([Buffer.alloc(1), data]), 'buffer');
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  left.copy(node, 1);
  right.copy(node, 1 + HASH_BYTES);
  return hash('sha256', node, 'buffer');
}

/** The root of a tree with no leaves: the hash of the empty string. */
export const EMPTY_ROOT = createHash('sha256').digest();

/** The largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The root of a list of leaf hashes. */
export function rootOf(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0];
  const k = splitPoint(leaves.length);
  return nodeHash(rootOf(leaves.slice(0, k)), rootOf(leaves.slice(k)));
}

/**
 * The growing right edge of a tree: the roots of its perfect subtrees, largest first (one per
 * bit of the size). Appending a leaf merges equal-sized subtrees, as a binary counter carries,
 * so sealing keeps the root of a tree of any size in O(log n) memory, and `onSubtree` hears of
 * every perfect subtree as it completes (the store keeps some of them for proofs).
 */
export class Frontier {
  constructor(
    public size = 0,
    /** Roots of the perfect subtrees, largest (leftmost) first. */
    readonly nodes: Buffer[] = [],
  ) {}

  append(leaf: Buffer, onSubtree?: (height: number, index: number, hash: Buffer) => void): void {
    let hash = leaf;
    let height = 0;
    let size = this.size;
    while (size % 2 === 1) {
      hash = nodeHash(this.nodes.pop()!, hash);
      height++;
      size = Math.floor(size / 2);
      onSubtree?.(height, size, hash);
    }
    this.nodes.push(hash);
    this.size++;
  }

  /** RFC 6962's root: the perfect subtrees folded from the right. */
  root(): Buffer {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let hash = this.nodes[this.nodes.length - 1];
    for (let i = this.nodes.length - 2; i >= 0; i--) hash = nodeHash(this.nodes[i], hash);
    return hash;
  }

  toBytes(): Buffer {
    return Buffer.concat(this.nodes);
  }

  static fromBytes(size: number, bytes: Buffer): Frontier {
    const nodes: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += HASH_BYTES) nodes.push(bytes.subarray(i, i + HASH_BYTES));
    if (nodes.length !== popCount(size)) throw new Error(`a frontier of size ${size} has ${popCount(size)} nodes, not ${nodes.length}`);
    return new Frontier(size, nodes);
  }
}

function popCount(n: number): number {
  let count = 0;
  for (; n > 0; n = Math.floor(n / 2)) count += n % 2;
  return count;
}

/**
 * What a proof needs of a tree it does not hold whole: the hash of any subtree that is needed
 * (a perfect, aligned one read from storage, or one computed from its leaves).
 */
export interface SubtreeSource {
  /** MTH(D[start:end]) for a range lying in storage's reach. */
  subtree(start: number, end: number): Buffer;
}

/**
 * The audit path of leaf `index` in the tree of its first `size` leaves (RFC 6962 §2.1.1,
 * PATH(m, D[n])): the sibling subtrees' roots, from the leaf up.
 */
export function inclusionPath(index: number, size: number, source: SubtreeSource, start = 0): Buffer[] {
  const n = size - start;
  if (index < start || index >= size) throw new RangeError(`leaf ${index} is not in [${start}, ${size})`);
  if (n === 1) return [];
  const k = splitPoint(n);
  return index < start + k
    ? [...inclusionPath(index, start + k, source, start), source.subtree(start + k, size)]
    : [...inclusionPath(index, size, source, start + k), source.subtree(start, start + k)];
}

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or null when the path cannot be
 * one for this index and size (too short or too long). The caller compares it with the root
 * it trusts.
 */
export function rootFromInclusion(leaf: Buffer, index: number, size: number, path: readonly Buffer[]): Buffer | null {
  if (index >= size || index < 0) return null;
  let fn = index;
  let sn = size - 1;
  let hash = leaf;
  for (const sibling of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      hash = nodeHash(sibling, hash);
      // Past the tree's ragged right edge, levels with no right sibling are skipped.
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      hash = nodeHash(hash, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? hash : null;
}
