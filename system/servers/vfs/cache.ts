/*
 * VFS's buffer cache: `nbuf` 4 KiB buffers in VFS's own memory, each described by a header in
 * RAM (memory.ts BUF: block number, dirty flag, LRU stamp, count), LRU replacement, write-back.
 * Every decision reads the headers: a header whose block number a wild write changed makes VFS
 * serve that buffer as the other block and write it back there; a cleared dirty flag loses the
 * write; a changed stamp changes what is evicted.
 *
 * A request runs against the cache as a transaction (CacheTx): reads come from buffers, writes
 * are staged in the transaction, and only a run that found every block it needed commits — so a
 * run that missed has changed nothing but the LRU order, and VFS fetches the block (ioFor) and
 * runs the request again.
 */
import { BLOCK_SIZE } from "./fsformat.js";
import type { Blocks } from "./fsops.js";
import { BUF, BUF_DIRTY, BUF_SIZE, BUF_TABLE, CACHE_BASE, G, type VfsMem } from "./memory.js";

/** The I/O that lets a transaction that failed make progress. */
export interface CacheIo {
  kind: "read" | "write";
  block: number;
  slot: number;
}

export const bufAddr = (slot: number): number => CACHE_BASE + slot * BLOCK_SIZE;

const NONE_TAKEN: readonly number[] = [];
const W_BLOCK = BUF.blocknr >> 2;
const W_FLAGS = BUF.flags >> 2;
const W_USE = BUF.lastUse >> 2;
const W_COUNT = BUF.count >> 2;
const W_PER_BUF = BUF_SIZE >> 2;
const W_TABLE = BUF_TABLE >> 2;

/** `nbuf` empty buffers; the LRU clock at 0. */
export function initCache(m: VfsMem, nbuf: number): void {
  m.setG(G.nbuf, nbuf);
  m.setG(G.bufClock, 0);
  for (let s = 0; s < m.nbuf(); s++) {
    m.setBuf(s, BUF.blocknr, -1);
    m.setBuf(s, BUF.flags, 0);
    m.setBuf(s, BUF.lastUse, 0);
    m.setBuf(s, BUF.count, 0);
  }
}

/** The buffer holding block n, or -1 (a negative header is a free buffer: no block n < 0 is ever cached). */
export function slotOf(m: VfsMem, n: number): number {
  if (n < 0 || n > 0x7fff_ffff) return -1;
  const w = m.i32;
  const nb = m.nbuf();
  for (let s = 0, at = W_TABLE + W_BLOCK; s < nb; s++, at += W_PER_BUF) if (w[at] === n) return s;
  return -1;
}

export const isDirty = (m: VfsMem, slot: number): boolean => (m.buf(slot, BUF.flags) & BUF_DIRTY) !== 0;

export function setDirty(m: VfsMem, slot: number, dirty: boolean): void {
  const f = m.buf(slot, BUF.flags);
  m.setBuf(slot, BUF.flags, dirty ? f | BUF_DIRTY : f & ~BUF_DIRTY);
}

export function touch(m: VfsMem, slot: number): void {
  const clock = (m.g(G.bufClock) + 1) | 0;
  m.setG(G.bufClock, clock);
  m.setBuf(slot, BUF.lastUse, clock);
}

/**
 * A buffer to reuse: a free one, else the least recently used one whose block is not in `keep`
 * (and not in `taken`); with `only`, just clean or just dirty ones (a dirty one is never free).
 * Buffers granted to the driver (count > 0) are never chosen. -1 if none.
 */
export function victim(m: VfsMem, keep: Set<number>, only?: "clean" | "dirty", taken: readonly number[] = NONE_TAKEN): number {
  const w = m.i32;
  const nb = m.nbuf();
  if (only !== "dirty")
    for (let s = 0, at = W_TABLE; s < nb; s++, at += W_PER_BUF) if (w[at + W_BLOCK] < 0 && w[at + W_COUNT] === 0 && !taken.includes(s)) return s;
  let best = -1;
  let bestUse = 0;
  for (let s = 0, at = W_TABLE; s < nb; s++, at += W_PER_BUF) {
    const b = w[at + W_BLOCK];
    if (b < 0 || w[at + W_COUNT] !== 0 || keep.has(b) || taken.includes(s)) continue;
    const dirty = (w[at + W_FLAGS] & BUF_DIRTY) !== 0;
    if ((only === "clean" && dirty) || (only === "dirty" && !dirty)) continue;
    const use = w[at + W_USE] >>> 0;
    if (best < 0 || use < bestUse) {
      best = s;
      bestUse = use;
    }
  }
  return best;
}

/** Dirty buffers in block order (the order SYNC writes them); a free buffer holds nothing to write. */
export function dirtySlots(m: VfsMem): number[] {
  const out: number[] = [];
  for (let s = 0; s < m.nbuf(); s++) if (m.buf(s, BUF.blocknr) >= 0 && isDirty(m, s)) out.push(s);
  return out.sort((x, y) => m.buf(x, BUF.blocknr) - m.buf(y, BUF.blocknr) || x - y);
}

/**
 * The I/O after a failed run that touched `keep` and missed block `missing` (-1: it missed free
 * buffers for new blocks): write back the victim if it is dirty, else read the missing block
 * into it. Undefined when every buffer holds a block the run needs (the request is too big).
 */
export function ioFor(m: VfsMem, keep: Set<number>, missing: number): CacheIo | undefined {
  const v = victim(m, keep, missing < 0 ? "dirty" : undefined);
  if (v < 0) return undefined;
  const b = m.buf(v, BUF.blocknr);
  if (b >= 0 && isDirty(m, v)) return { kind: "write", block: b, slot: v };
  return { kind: "read", block: missing, slot: v };
}

/** One run of a request against the cache. */
export class CacheTx implements Blocks {
  private readonly staged = new Map<number, Uint8Array>();
  /** Blocks this run used (they are not evicted to make room for its misses). */
  readonly touched = new Set<number>();
  /** The first block the run needed that is not cached (-1: none). */
  missing = -1;

  constructor(private readonly m: VfsMem) {}

  read(n: number): Uint8Array | undefined {
    return this.peek(n)?.slice();
  }

  peek(n: number): Uint8Array | undefined {
    this.touched.add(n);
    const st = this.staged.get(n);
    if (st) return st;
    const s = this.present(n);
    return s < 0 ? undefined : this.m.view(bufAddr(s), BLOCK_SIZE);
  }

  write(n: number, data: Uint8Array): boolean {
    this.touched.add(n);
    this.staged.set(n, data.length === BLOCK_SIZE ? data : data.slice(0, BLOCK_SIZE)); // taken over (Blocks.write)
    return true;
  }

  need(n: number): boolean {
    this.touched.add(n);
    return this.staged.has(n) || this.present(n) >= 0;
  }

  /** The buffer of block n (touched), or -1 after noting the miss. */
  private present(n: number): number {
    const s = slotOf(this.m, n);
    if (s >= 0) touch(this.m, s);
    else if (this.missing < 0) this.missing = n;
    return s;
  }

  /**
   * Commits the staged blocks into buffers (marking them dirty). Staged blocks that are not
   * cached take free or clean buffers the run did not use; if there are not enough, nothing is
   * committed and the I/O that frees one (or undefined: none can) is returned.
   */
  commit(): { ok: true } | { ok: false; io: CacheIo | undefined } {
    const m = this.m;
    const taken: number[] = [];
    for (const n of this.staged.keys()) {
      if (slotOf(m, n) >= 0) continue;
      const v = victim(m, this.touched, "clean", taken);
      if (v < 0) return { ok: false, io: ioFor(m, this.touched, -1) };
      taken.push(v);
    }
    for (const [n, data] of this.staged) {
      let s = slotOf(m, n);
      if (s < 0) {
        s = taken.shift()!;
        m.setBuf(s, BUF.blocknr, n);
      }
      m.write(bufAddr(s), data);
      setDirty(m, s, true);
      touch(m, s);
    }
    return { ok: true };
  }
}
