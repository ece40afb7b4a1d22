/*
 * VFS's buffer cache: `nbuf` 4 KiB buffers in VFS's own memory (types.ts), metadata in its
 * state, LRU replacement, write-back. A request runs against the cache as a transaction
 * (CacheTx): reads come from buffers, writes are staged in the transaction, and only a run that
 * found every block it needed commits — so a run that missed has changed nothing but the LRU
 * order, and VFS fetches the block (ioFor) and runs the request again.
 */
import { BLOCK_SIZE } from "./fsformat.js";
import type { Blocks } from "./fsops.js";
import { CACHE_BASE, type CacheState } from "./types.js";

/** Just what a transaction needs from the native API: its memory. */
export interface Memory {
  write(va: number, data: Uint8Array): void;
  view(va: number, len: number): Uint8Array;
}

/** The I/O that lets a transaction that failed make progress. */
export interface CacheIo {
  kind: "read" | "write";
  block: number;
  slot: number;
}

export const bufAddr = (slot: number): number => CACHE_BASE + slot * BLOCK_SIZE;

export function newCache(nbuf: number): CacheState {
  return { block: new Array(nbuf).fill(-1), dirty: new Array(nbuf).fill(false), lastUse: new Array(nbuf).fill(0), clock: 0 };
}

/** The buffer holding block n, or -1. */
export const slotOf = (c: CacheState, n: number): number => c.block.indexOf(n);

export function touch(c: CacheState, slot: number): void {
  c.lastUse[slot] = ++c.clock;
}

/**
 * A buffer to reuse: a free one, else the least recently used one whose block is not in `keep`
 * (and not in `taken`); with `only`, just clean or just dirty ones (a dirty one is never free).
 * -1 if none.
 */
export function victim(c: CacheState, keep: Set<number>, only?: "clean" | "dirty", taken: number[] = []): number {
  const free = only === "dirty" ? -1 : c.block.findIndex((b, i) => b < 0 && !taken.includes(i));
  if (free >= 0) return free;
  let best = -1;
  for (let i = 0; i < c.block.length; i++) {
    if (c.block[i] < 0 || keep.has(c.block[i]) || taken.includes(i)) continue;
    if ((only === "clean" && c.dirty[i]) || (only === "dirty" && !c.dirty[i])) continue;
    if (best < 0 || c.lastUse[i] < c.lastUse[best]) best = i;
  }
  return best;
}

/** Dirty buffers in block order (the order SYNC writes them). */
export const dirtySlots = (c: CacheState): number[] =>
  c.block.map((b, i) => [b, i]).filter(([, i]) => c.dirty[i]).sort((x, y) => x[0] - y[0]).map(([, i]) => i);

/**
 * The I/O after a failed run that touched `keep` and missed block `missing` (-1: it missed free
 * buffers for new blocks): write back the victim if it is dirty, else read the missing block
 * into it. Undefined when every buffer holds a block the run needs (the request is too big).
 */
export function ioFor(c: CacheState, keep: Set<number>, missing: number): CacheIo | undefined {
  const v = victim(c, keep, missing < 0 ? "dirty" : undefined);
  if (v < 0) return undefined;
  if (c.block[v] >= 0 && c.dirty[v]) return { kind: "write", block: c.block[v], slot: v };
  return { kind: "read", block: missing, slot: v };
}

/** One run of a request against the cache. */
export class CacheTx implements Blocks {
  private readonly staged = new Map<number, Uint8Array>();
  /** Blocks this run used (they are not evicted to make room for its misses). */
  readonly touched = new Set<number>();
  /** The first block the run needed that is not cached (-1: none). */
  missing = -1;

  constructor(
    private readonly mem: Memory,
    private readonly c: CacheState,
  ) {}

  read(n: number): Uint8Array | undefined {
    return this.peek(n)?.slice();
  }

  peek(n: number): Uint8Array | undefined {
    this.touched.add(n);
    const st = this.staged.get(n);
    if (st) return st;
    const s = this.present(n);
    return s < 0 ? undefined : this.mem.view(bufAddr(s), BLOCK_SIZE);
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
    const s = slotOf(this.c, n);
    if (s >= 0) touch(this.c, s);
    else if (this.missing < 0) this.missing = n;
    return s;
  }

  /**
   * Commits the staged blocks into buffers (marking them dirty). Staged blocks that are not
   * cached take free or clean buffers the run did not use; if there are not enough, nothing is
   * committed and the I/O that frees one (or undefined: none can) is returned.
   */
  commit(): { ok: true } | { ok: false; io: CacheIo | undefined } {
    const taken: number[] = [];
    for (const n of this.staged.keys()) {
      if (slotOf(this.c, n) >= 0) continue;
      const v = victim(this.c, this.touched, "clean", taken);
      if (v < 0) return { ok: false, io: ioFor(this.c, this.touched, -1) };
      taken.push(v);
    }
    for (const [n, data] of this.staged) {
      let s = slotOf(this.c, n);
      if (s < 0) {
        s = taken.shift()!;
        this.c.block[s] = n;
      }
      this.mem.write(bufAddr(s), data);
      this.c.dirty[s] = true;
      touch(this.c, s);
    }
    return { ok: true };
  }
}
