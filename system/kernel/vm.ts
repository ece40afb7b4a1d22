/*
 * Memory: physical allocation for processes and page tables, Sv32 address spaces, and the
 * kernel's copies into and out of a process's memory through that process's own page table
 * (so a bad pointer is the caller's problem: the copy fails, the kernel lives). A copy into a
 * process's memory is a write by the process that chose the address: where its page table lets
 * it reach memory it does not own (the monolithic build maps all of RAM), the pages written are
 * recorded as that process's foreign writes, exactly as its own stores would be.
 *
 * The allocators' state lives in guest RAM (layout.ts ALLOC, at ALLOC_OFF) like the page tables
 * themselves, so a wild write can corrupt it and the kernel then hands out what RAM says. The
 * only guard is the host's own: an address outside RAM is never used (the allocation fails).
 */
import { RAM_BASE } from "../machine/memmap.js";
import { Access, PTE_A, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, walk } from "../machine/mmu.js";
import { Mode } from "../machine/trap.js";
import { ALLOC, ALLOC_MEM_CHUNKS, ALLOC_PT_FRAMES, KernelMemory, PROC, PK_NATIVE } from "./layout.js";
import { ALLOC_OFF, PROC_POOL_OFF, PT_POOL_END, PT_POOL_OFF } from "./params.js";
import { domainOf } from "./state.js";

/** Empties both allocators: every page-table frame and all process memory are unused. */
export function initVm(km: KernelMemory): void {
  km.setWord(ALLOC_OFF + ALLOC.ptNext, RAM_BASE + PT_POOL_OFF);
  km.setWord(ALLOC_OFF + ALLOC.ptFreeCount, 0);
  km.setWord(ALLOC_OFF + ALLOC.memNext, RAM_BASE + PROC_POOL_OFF);
  km.setWord(ALLOC_OFF + ALLOC.memFreeCount, 0);
}

export const PAGE = 4096;

const count = (km: KernelMemory, field: number, cap: number): number => Math.min(Math.max(km.word(ALLOC_OFF + field), 0), cap);
const chunkAt = (i: number): number => ALLOC_OFF + ALLOC.memFree + i * 8;

/** Allocates `size` bytes (rounded to pages) of zeroed process memory; physical base or -1. */
export function allocMem(km: KernelMemory, size: number): number {
  size = Math.ceil(size / PAGE) * PAGE;
  let base = -1;
  const n = count(km, ALLOC.memFreeCount, ALLOC_MEM_CHUNKS);
  let i = 0;
  while (i < n && km.word(chunkAt(i) + 4) >>> 0 < size) i++;
  if (i < n) {
    const b = km.word(chunkAt(i)) >>> 0, s = km.word(chunkAt(i) + 4) >>> 0;
    base = b;
    if (s === size) {
      km.moveWords(chunkAt(i + 1), chunkAt(i), (n - i - 1) * 2);
      km.setWord(ALLOC_OFF + ALLOC.memFreeCount, n - 1);
    } else {
      km.setWord(chunkAt(i), b + size);
      km.setWord(chunkAt(i) + 4, s - size);
    }
  } else {
    const next = km.word(ALLOC_OFF + ALLOC.memNext) >>> 0;
    if (next + size <= RAM_BASE + km.bus.ramSize) {
      base = next;
      km.setWord(ALLOC_OFF + ALLOC.memNext, next + size);
    }
  }
  if (base < 0 || !km.bus.isRam(base, size)) return -1;
  km.bus.ram.fill(0, base - RAM_BASE, base - RAM_BASE + size);
  return base;
}

/**
 * Allocates exactly [pa, pa + size) (pages), zeroed: from the never-used memory above the bump
 * pointer (what lies between the pointer and `pa` becomes a free chunk) or from inside one free
 * chunk (split in two around it). False when that memory is not free.
 */
export function allocAt(km: KernelMemory, pa: number, size: number): boolean {
  size = Math.ceil(size / PAGE) * PAGE;
  if (pa & 0xfff || !km.bus.isRam(pa, size)) return false;
  const next = km.word(ALLOC_OFF + ALLOC.memNext) >>> 0;
  if (pa >= next) {
    if (pa > next) freeMem(km, next, pa - next);
    km.setWord(ALLOC_OFF + ALLOC.memNext, pa + size);
  } else {
    const n = count(km, ALLOC.memFreeCount, ALLOC_MEM_CHUNKS);
    let i = 0;
    for (; i < n; i++) {
      const b = km.word(chunkAt(i)) >>> 0, s = km.word(chunkAt(i) + 4) >>> 0;
      if (pa >= b && pa + size <= b + s) break;
    }
    if (i === n) return false;
    const b = km.word(chunkAt(i)) >>> 0, end = b + (km.word(chunkAt(i) + 4) >>> 0);
    const pieces = [[b, pa - b], [pa + size, end - pa - size]].filter(([, len]) => len > 0);
    if (n - 1 + pieces.length > ALLOC_MEM_CHUNKS) return false;
    km.moveWords(chunkAt(i + 1), chunkAt(i + pieces.length), (n - i - 1) * 2);
    pieces.forEach(([cb, len], j) => {
      km.setWord(chunkAt(i + j), cb);
      km.setWord(chunkAt(i + j) + 4, len);
    });
    km.setWord(ALLOC_OFF + ALLOC.memFreeCount, n - 1 + pieces.length);
  }
  km.bus.ram.fill(0, pa - RAM_BASE, pa - RAM_BASE + size);
  return true;
}

/** Returns a chunk to the free list (kept in the order freed; a full list forgets the chunk). */
export function freeMem(km: KernelMemory, base: number, size: number): void {
  const n = count(km, ALLOC.memFreeCount, ALLOC_MEM_CHUNKS);
  if (size <= 0 || n >= ALLOC_MEM_CHUNKS) return;
  km.setWord(chunkAt(n), base);
  km.setWord(chunkAt(n) + 4, Math.ceil(size / PAGE) * PAGE);
  km.setWord(ALLOC_OFF + ALLOC.memFreeCount, n + 1);
}

/** Returns page-table frames to the pool (a full stack forgets the rest). */
function freeFrames(km: KernelMemory, frames: number[]): void {
  let n = count(km, ALLOC.ptFreeCount, ALLOC_PT_FRAMES);
  for (const pa of frames) if (n < ALLOC_PT_FRAMES) km.setWord(ALLOC_OFF + ALLOC.ptFree + 4 * n++, pa);
  km.setWord(ALLOC_OFF + ALLOC.ptFreeCount, n);
}

/** A zeroed page-table frame, or -1 when the pool is exhausted. */
function allocFrame(km: KernelMemory): number {
  let pa = -1;
  const n = count(km, ALLOC.ptFreeCount, ALLOC_PT_FRAMES);
  if (n > 0) {
    pa = km.word(ALLOC_OFF + ALLOC.ptFree + 4 * (n - 1)) >>> 0;
    km.setWord(ALLOC_OFF + ALLOC.ptFreeCount, n - 1);
  } else {
    const next = km.word(ALLOC_OFF + ALLOC.ptNext) >>> 0;
    if (next < RAM_BASE + PT_POOL_END) {
      pa = next;
      km.setWord(ALLOC_OFF + ALLOC.ptNext, next + PAGE);
    }
  }
  if (pa < 0 || pa & 0xfff || !km.bus.isRam(pa, PAGE)) return -1;
  km.bus.ram.fill(0, pa - RAM_BASE, pa - RAM_BASE + PAGE);
  return pa;
}

/** A new empty address space (root table); physical address of the root or -1. */
export function newAddressSpace(km: KernelMemory): number {
  return allocFrame(km);
}

const pte = (pa: number, flags: number): number => ((Math.floor(pa / PAGE) << 10) | flags) >>> 0;

/** Maps one 4 KiB page va → pa with PTE flags (V, A and D are added). False when out of frames. */
export function mapPage(km: KernelMemory, root: number, va: number, pa: number, flags: number): boolean {
  const v = km.view;
  const l1 = root - RAM_BASE + (va >>> 22) * 4;
  let e = v.getUint32(l1, true);
  if (!(e & PTE_V)) {
    const frame = allocFrame(km);
    if (frame < 0) return false;
    e = pte(frame, PTE_V);
    v.setUint32(l1, e, true);
  }
  const l0 = (e >>> 10) * PAGE - RAM_BASE + ((va >>> 12) & 0x3ff) * 4;
  if (l0 < 0 || l0 + 4 > km.bus.ram.length) return false; // a root entry a wild write aimed outside RAM
  v.setUint32(l0, pte(pa, flags | PTE_V | PTE_A | PTE_D), true);
  return true;
}

/** Maps all of RAM 1:1 with supervisor superpages: RW (the monolithic kernel address space) or read-only (a Nooks domain's view of it). */
export function mapAllRam(km: KernelMemory, root: number, writable = true): void {
  const perm = PTE_V | PTE_R | PTE_G | PTE_A | (writable ? PTE_W | PTE_D : 0);
  for (let pa = RAM_BASE; pa < RAM_BASE + km.bus.ramSize; pa += 0x40_0000)
    km.view.setUint32(root - RAM_BASE + (pa >>> 22) * 4, pte(pa, perm), true);
}

/**
 * The level-0 page-table frames of the address space with root `root`, in the order of the
 * root's entries: the frames of the page-table pool its valid non-leaf entries point to.
 */
export function levelZeroFrames(km: KernelMemory, root: number): number[] {
  const frames: number[] = [];
  if (!km.bus.isRam(root, PAGE)) return frames; // a root from a corrupt process entry: the host's guard
  for (let i = 0; i < 1024; i++) {
    const e = km.view.getUint32(root - RAM_BASE + i * 4, true);
    if (e & PTE_V && !(e & (PTE_R | PTE_X))) {
      const frame = (e >>> 10) * PAGE;
      if (frame >= RAM_BASE + PT_POOL_OFF && frame < RAM_BASE + PT_POOL_END) frames.push(frame);
    }
  }
  return frames;
}

/** Returns the frames of an address space (level-0 tables, then the root) to the pool. */
export function freeAddressSpace(km: KernelMemory, root: number): void {
  if (root <= 0) return;
  freeFrames(km, [...levelZeroFrames(km, root), root]);
}

export const PERM_R = PTE_R;
export const PERM_W = PTE_W;
export const PERM_X = PTE_X;
export const PERM_U = PTE_U;

/**
 * Physical address of `va` in process `idx` for `write` access, or -1. Guest processes are
 * translated through their own page table with their own privilege (as the CPU would);
 * native processes see their memory region linearly from address 0.
 */
export function procTranslate(km: KernelMemory, idx: number, va: number, write: boolean): number {
  if (km.proc(idx, PROC.kind) === PK_NATIVE) {
    const size = km.proc(idx, PROC.memSize) >>> 0;
    return va >>> 0 < size ? (km.proc(idx, PROC.memBase) >>> 0) + (va >>> 0) : -1;
  }
  const root = km.proc(idx, PROC.ptRoot) >>> 0;
  if (!root) return -1;
  const w = km.walker;
  w.env.satp = (1 << 31) | (root >>> 12);
  w.env.priv = km.proc(idx, PROC.mode) === 1 ? Mode.S : Mode.U;
  const r = walk(w.env, va >>> 0, write ? Access.Write : Access.Read, w.levels);
  return r >= 0 && km.bus.isRam(r) ? r : -1;
}

/** Copies `len` bytes from process `idx` at `va`; undefined if any page is not accessible. */
export function copyFrom(km: KernelMemory, idx: number, va: number, len: number): Uint8Array | undefined {
  let out: Uint8Array | undefined;
  for (let done = 0; done < len; ) {
    const a = (va + done) >>> 0;
    const pa = procTranslate(km, idx, a, false);
    const n = Math.min(len - done, PAGE - (a & 0xfff));
    if (pa < 0 || !km.bus.isRam(pa, n)) return undefined; // a native's region from a corrupt entry may leave RAM
    // Within one page (every message copy): a single copy, no staging buffer.
    if (n === len) return km.bus.ram.slice(pa - RAM_BASE, pa - RAM_BASE + n);
    (out ??= new Uint8Array(len)).set(km.bus.ram.subarray(pa - RAM_BASE, pa - RAM_BASE + n), done);
    done += n;
  }
  return out ?? new Uint8Array(0);
}

/**
 * Copies `data` into process `idx` at `va`; false (maybe partially written) if not writable.
 * The write is protection domain `writer`'s (by default idx's own: the process that chose `va`):
 * each page written that `writer` does not own is recorded as its foreign write (km.writes), so a
 * wild buffer pointer a process hands the kernel counts as that process's propagation.
 */
export function copyTo(km: KernelMemory, idx: number, va: number, data: Uint8Array, writer = domainOf(idx)): boolean {
  for (let done = 0; done < data.length; ) {
    const a = (va + done) >>> 0;
    const pa = procTranslate(km, idx, a, true);
    const n = Math.min(data.length - done, PAGE - (a & 0xfff));
    if (pa < 0 || !km.bus.isRam(pa, n)) return false;
    km.bus.ram.set(n === data.length ? data : data.subarray(done, done + n), pa - RAM_BASE);
    km.writes.noteWrite(writer, pa - RAM_BASE);
    done += n;
  }
  return true;
}

/** True when [va, va+len) of process idx is accessible (for write when `write`). */
export function accessible(km: KernelMemory, idx: number, va: number, len: number, write: boolean): boolean {
  for (let a = va >>> 0; a < (va >>> 0) + len; a = ((a & ~0xfff) >>> 0) + PAGE) if (procTranslate(km, idx, a, write) < 0) return false;
  return true;
}
