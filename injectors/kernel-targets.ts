/*
 * The kernel's data structures in guest memory as targets of BAD_POINTER's kernel variants: the
 * words each structure consists of (RAM offsets, 4-byte aligned; never the padding between or
 * after entries), a name for any such word (for fault descriptions), and the words of the page
 * tables of the processes alive at a given moment. Layouts are the kernel's own
 * (system/kernel/layout.ts, params.ts); definitions in README.md ("Directed faults").
 *
 *   kernel            process table: the words of PROC's fields in each of the NR_SLOTS entries
 *   kernel-priv       privilege table: the words of PRIV's fields in each of the NR_SLOTS entries
 *   kernel-queues     ready queues: head and tail of each scheduling queue, each entry's nextReady
 *   kernel-ipc        IPC state: each process entry's sendTo, getFrom, msgVir, callerQ, qLink and
 *                     each privilege entry's notifyPending (2 words) and intPending
 *   kernel-pagetable  the page tables of the live processes, listed when the site is reached
 */
import { HOOK_SIZE, KernelMemory, PRIV, PRIV_FIELDS_SIZE, PROC, PROC_FIELDS_SIZE, RTS_SLOT_FREE } from "../system/kernel/layout.js";
import {
  NR_SCHED_QUEUES, NR_SLOTS, NR_TASKS, PRIV_SIZE, PRIV_TABLE_OFF, PROC_SIZE, PROC_TABLE_OFF, PT_POOL_END, PT_POOL_OFF, SCHED_OFF,
} from "../system/kernel/params.js";
import { levelZeroFrames } from "../system/kernel/vm.js";
import { RAM_BASE } from "../system/machine/memmap.js";

/** `count` records of `stride` bytes from `base`; in each, the words at `fields` (byte offsets). */
interface Block {
  base: number;
  stride: number;
  count: number;
  fields: readonly number[];
}

/** A structure: its blocks, words numbered through them in order. */
export interface Structure {
  /** What descriptions call it (after "the kernel's"). */
  title: string;
  blocks: readonly Block[];
}

const wordsUpTo = (bytes: number): number[] => Array.from({ length: bytes / 4 }, (_, i) => 4 * i);
const procs = (fields: readonly number[]): Block => ({ base: PROC_TABLE_OFF, stride: PROC_SIZE, count: NR_SLOTS, fields });
const privs = (fields: readonly number[]): Block => ({ base: PRIV_TABLE_OFF, stride: PRIV_SIZE, count: NR_SLOTS, fields });

/** The structures that lie at fixed places, by BAD_POINTER variant. */
export const STRUCTURES: Record<string, Structure> = {
  kernel: { title: "process table", blocks: [procs(wordsUpTo(PROC_FIELDS_SIZE))] },
  "kernel-priv": { title: "privilege table", blocks: [privs(wordsUpTo(PRIV_FIELDS_SIZE))] },
  "kernel-queues": {
    title: "ready queues",
    blocks: [{ base: SCHED_OFF, stride: 8, count: NR_SCHED_QUEUES, fields: [0, 4] }, procs([PROC.nextReady])],
  },
  "kernel-ipc": {
    title: "IPC state",
    blocks: [procs([PROC.sendTo, PROC.getFrom, PROC.msgVir, PROC.callerQ, PROC.qLink]), privs([PRIV.notifyPending, PRIV.notifyPending + 4, PRIV.intPending])],
  },
};

/** The variant that aims at the page tables of the live processes (resolved at the site). */
export const PAGE_TABLE_VARIANT = "kernel-pagetable";

/** Number of words of structure `s`. */
export const wordCount = (s: Structure): number => s.blocks.reduce((n, b) => n + b.count * b.fields.length, 0);

/** RAM offset of word k (0 <= k < wordCount) of structure `s`. */
export function wordAt(s: Structure, k: number): number {
  for (const b of s.blocks) {
    const n = b.count * b.fields.length;
    if (k < n) return b.base + Math.floor(k / b.fields.length) * b.stride + b.fields[k % b.fields.length];
    k -= n;
  }
  throw new Error(`bug: word ${k} past the end of ${s.title}`);
}

/** The field of `table` holding byte `off` of a record, named with its word or byte within it. */
function fieldName(table: Record<string, number>, off: number): string {
  const fields = Object.entries(table).sort((a, b) => a[1] - b[1]);
  let i = fields.length - 1;
  while (i > 0 && fields[i][1] > off) i--;
  const [name, at] = fields[i];
  const rel = off - at;
  const size = i + 1 < fields.length ? fields[i + 1][1] - at : 4;
  if (name === "hooks") return `hooks[${Math.floor(rel / HOOK_SIZE)}].${["irq", "policy", "enabled", "reserved"][(rel % HOOK_SIZE) / 4]}`;
  if (name === "name") return `name+${rel}`;
  return size > 4 ? `${name}[${rel / 4}]` : name;
}

/** "process table, slot 3: msgVir" and the like, for a word of a kernel structure at RAM offset `off`. */
export function kernelWordName(off: number): string {
  const slot = (base: number, size: number) => Math.floor((off - base) / size) - NR_TASKS;
  if (off >= PROC_TABLE_OFF && off < PROC_TABLE_OFF + NR_SLOTS * PROC_SIZE) {
    return `process table, slot ${slot(PROC_TABLE_OFF, PROC_SIZE)}: ${fieldName(PROC, (off - PROC_TABLE_OFF) % PROC_SIZE)}`;
  }
  if (off >= PRIV_TABLE_OFF && off < PRIV_TABLE_OFF + NR_SLOTS * PRIV_SIZE) {
    return `privilege table, slot ${slot(PRIV_TABLE_OFF, PRIV_SIZE)}: ${fieldName(PRIV, (off - PRIV_TABLE_OFF) % PRIV_SIZE)}`;
  }
  if (off >= SCHED_OFF && off < SCHED_OFF + NR_SCHED_QUEUES * 8) return `ready queue ${(off - SCHED_OFF) >> 3} ${off & 4 ? "tail" : "head"}`;
  return `RAM offset 0x${off.toString(16)}`;
}

/**
 * Physical addresses of the page-table frames of the live processes now: for each process-table
 * entry in order that is in use and has a page-table root inside the page-table pool, its root
 * frame, then its level-0 frames in the order of the root's entries.
 */
export function livePageTableFrames(km: KernelMemory): number[] {
  const frames: number[] = [];
  for (let idx = 0; idx < NR_SLOTS; idx++) {
    if (km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE) continue;
    const root = km.proc(idx, PROC.ptRoot) >>> 0;
    if (root & 0xfff || root < RAM_BASE + PT_POOL_OFF || root >= RAM_BASE + PT_POOL_END) continue;
    frames.push(root, ...levelZeroFrames(km, root));
  }
  return frames;
}

/** Physical address of word (draw mod N) of the N words of the live page tables, or undefined when there are none. */
export function pageTableWord(km: KernelMemory, draw: number): number | undefined {
  const frames = livePageTableFrames(km);
  if (frames.length === 0) return undefined;
  const k = draw % (frames.length * 1024);
  return frames[k >> 10] + 4 * (k & 1023);
}
