/*
 * VFS's inode table (MINIX MFS's `struct inode inode[NR_INODES]`): NR_INODES in-memory inodes in
 * VFS's region (memory.ts INODE), each the disk inode plus its number, the open files using it
 * and an LRU stamp. The FS operations read an inode from here when the table holds it, so a
 * wild write to an entry (its size, a block pointer) is what VFS then serves and writes.
 *
 * Coherence with the blocks: write-through. putInode changes the table entry and the inode's
 * block alike, in the same transaction (both staged, committed together: a run that missed
 * changes neither); an entry is loaded from the inode's block. The inode's block is still
 * needed at every lookup (fsops.getInode peeks it), so the buffer cache sees the same accesses,
 * and a fault-free run the same I/O, as without the table; the table decides the contents.
 *
 * Replacement: a free entry, else the least recently used one no open file refers to; when every
 * entry is in use by open files the inode is served from its block uncached.
 */
import { decodeInode, type Inode } from "./fsformat.js";
import type { Inodes } from "./fsops.js";
import { G, INODE, NR_INODES, type VfsMem } from "./memory.js";

/** Empties the inode table. */
export function initInodes(m: VfsMem): void {
  m.setG(G.inoClock, 0);
  for (let i = 0; i < NR_INODES; i++) {
    m.setInode(i, INODE.num, 0);
    m.setInode(i, INODE.count, 0);
    m.setInode(i, INODE.lastUse, 0);
  }
}

/** The table entry of inode `ino`, or -1. */
export function entryOf(m: VfsMem, ino: number): number {
  if (ino <= 0) return -1;
  for (let i = 0; i < NR_INODES; i++) if (m.inode(i, INODE.num) === ino) return i;
  return -1;
}

/** Changes the open-file count of inode `ino` by `delta` (when the table holds it; never below 0). */
export function countRef(m: VfsMem, ino: number, delta: number): void {
  const e = entryOf(m, ino);
  if (e >= 0) m.setInode(e, INODE.count, Math.max(0, m.inode(e, INODE.count) + delta));
}

function use(m: VfsMem, e: number): void {
  const clock = (m.g(G.inoClock) + 1) | 0;
  m.setG(G.inoClock, clock);
  m.setInode(e, INODE.lastUse, clock);
}

/** An entry for a new inode: a free one, else the least recently used one with no open file; -1 if none. */
function freeEntry(m: VfsMem): number {
  let best = -1;
  let bestUse = 0;
  for (let i = 0; i < NR_INODES; i++) {
    if (m.inode(i, INODE.num) <= 0) return i;
    if (m.inode(i, INODE.count) !== 0) continue;
    const u = m.inode(i, INODE.lastUse) >>> 0;
    if (best < 0 || u < bestUse) {
      best = i;
      bestUse = u;
    }
  }
  return best;
}

/** Puts inode `ino` into entry `e` (a new one: no open files yet). */
function load(m: VfsMem, e: number, ino: number, inode: Inode): void {
  m.setInodeDisk(e, inode);
  m.setInode(e, INODE.num, ino);
  m.setInode(e, INODE.count, 0);
  use(m, e);
}

const copy = (i: Inode): Inode => ({ type: i.type, links: i.links, size: i.size, direct: i.direct.slice(), indirect: i.indirect });

/** The inode table as one run of a request sees it: changes are staged and committed with the run's blocks. */
export class InodeTx implements Inodes {
  private readonly staged = new Map<number, Inode>();

  constructor(private readonly m: VfsMem) {}

  get(ino: number, block: Uint8Array, off: number): Inode {
    const st = this.staged.get(ino);
    if (st) return copy(st);
    const m = this.m;
    const e = entryOf(m, ino);
    if (e >= 0) {
      use(m, e);
      return m.inodeDisk(e);
    }
    const inode = decodeInode(block, off);
    // Loading a clean copy changes nothing the run must undo: the entry equals the block.
    const f = freeEntry(m);
    if (f >= 0) load(m, f, ino, inode);
    return inode;
  }

  put(ino: number, inode: Inode): void {
    this.staged.set(ino, copy(inode));
  }

  /** Writes the staged inodes into the table (their blocks are committed by the cache transaction). */
  commit(): void {
    const m = this.m;
    for (const [ino, inode] of this.staged) {
      const e = entryOf(m, ino);
      if (e >= 0) {
        m.setInodeDisk(e, inode);
        use(m, e);
        continue;
      }
      const f = freeEntry(m);
      if (f >= 0) load(m, f, ino, inode);
    }
  }
}
