/*
 * Sanity checks on the kernel's data in guest memory, as MINIX's DEBUG_SANITYCHECKS (off by
 * default in MINIX; on only in the minix3-sanity build, policy.ts sanityChecks). A wild write
 * changes these bytes; a kernel that checks notices here and panics rather than run on corrupt
 * state. Each check returns the violated invariant as text, or undefined when the structure is
 * sound. The asserts MINIX keeps on by default are in sched.ts.
 */
import { RAM_BASE } from "../machine/memmap.js";
import { PTE_R, PTE_V, PTE_W, PTE_X } from "../machine/mmu.js";
import { KernelMemory, HOOK, HOOK_SIZE, PROC, PK_NATIVE, PMAGIC, RTS_KNOWN, RTS_SENDING, RTS_SLOT_FREE, PRIV, SF_KNOWN, SMAGIC } from "./layout.js";
import { MAX_GRANTS, NR_IO_RANGE, NR_IRQ_HOOKS, NR_SCHED_QUEUES, NR_SLOTS, NR_TASKS, PT_POOL_END, PT_POOL_OFF } from "./params.js";
import { endpointInRange, endpointSlot } from "./proc.js";

const inIdxRange = (v: number): boolean => v >= -1 && v < NR_SLOTS;
// Names for the messages, made only when a check fails (checkProc and checkPriv run on every kernel entry).
const procEntry = (idx: number): string => `process table entry ${idx - NR_TASKS}`;
const privEntry = (idx: number): string => `privilege entry ${idx - NR_TASKS}`;

/** The process-table entry `idx`. */
export function checkProc(km: KernelMemory, idx: number): string | undefined {
  if (km.proc(idx, PROC.magic) !== PMAGIC) return `${procEntry(idx)}: bad magic 0x${(km.proc(idx, PROC.magic) >>> 0).toString(16)}`;
  if (km.proc(idx, PROC.nr) !== idx - NR_TASKS) return `${procEntry(idx)}: slot number ${km.proc(idx, PROC.nr)}`;
  if (endpointSlot(km.proc(idx, PROC.endpoint)) !== idx - NR_TASKS) return `${procEntry(idx)}: endpoint ${km.proc(idx, PROC.endpoint)} names another slot`;
  const f = km.proc(idx, PROC.rtsFlags);
  if (f & ~RTS_KNOWN) return `${procEntry(idx)}: unknown RTS flags 0x${(f >>> 0).toString(16)}`;
  if (f & RTS_SLOT_FREE) return undefined;
  const pr = km.proc(idx, PROC.priority);
  if (pr < 0 || pr >= NR_SCHED_QUEUES) return `${procEntry(idx)}: priority ${pr}`;
  if (!inIdxRange(km.proc(idx, PROC.nextReady))) return `${procEntry(idx)}: next-ready link ${km.proc(idx, PROC.nextReady)}`;
  if (!inIdxRange(km.proc(idx, PROC.callerQ))) return `${procEntry(idx)}: caller queue link ${km.proc(idx, PROC.callerQ)}`;
  if (!inIdxRange(km.proc(idx, PROC.qLink))) return `${procEntry(idx)}: queue link ${km.proc(idx, PROC.qLink)}`;
  if (f & RTS_SENDING && !endpointInRange(km.proc(idx, PROC.sendTo))) return `${procEntry(idx)}: sending to invalid endpoint ${km.proc(idx, PROC.sendTo)}`;
  const kind = km.proc(idx, PROC.kind);
  if (kind !== 0 && kind !== PK_NATIVE) return `${procEntry(idx)}: kind ${kind}`;
  const mode = km.proc(idx, PROC.mode);
  if (mode !== 0 && mode !== 1) return `${procEntry(idx)}: mode ${mode}`;
  const root = km.proc(idx, PROC.ptRoot) >>> 0;
  if (root && (root < RAM_BASE + PT_POOL_OFF || root >= RAM_BASE + PT_POOL_END || root & 0xfff)) return `${procEntry(idx)}: page-table root 0x${root.toString(16)}`;
  return undefined;
}

/** The privilege-table entry `idx` of a live process. */
export function checkPriv(km: KernelMemory, idx: number): string | undefined {
  if (km.priv(idx, PRIV.magic) !== SMAGIC) return `${privEntry(idx)}: bad magic`;
  if (km.priv(idx, PRIV.procIndex) !== idx) return `${privEntry(idx)}: owner ${km.priv(idx, PRIV.procIndex)}`;
  if (km.priv(idx, PRIV.flags) & ~SF_KNOWN) return `${privEntry(idx)}: unknown flags`;
  const nio = km.priv(idx, PRIV.nrIoRange);
  if (nio < 0 || nio > NR_IO_RANGE) return `${privEntry(idx)}: ${nio} I/O ranges`;
  const nirq = km.priv(idx, PRIV.nrIrq);
  if (nirq < 0 || nirq > NR_IRQ_HOOKS) return `${privEntry(idx)}: ${nirq} IRQ lines`;
  const ng = km.priv(idx, PRIV.grantEntries);
  if (ng < 0 || ng > MAX_GRANTS) return `${privEntry(idx)}: ${ng} grant entries`;
  for (let h = 0; h < NR_IRQ_HOOKS; h++) {
    const o = PRIV.hooks + h * HOOK_SIZE;
    const irq = km.priv(idx, o + HOOK.irq), en = km.priv(idx, o + HOOK.enabled);
    if (irq < 0 || irq >= 32 || (en !== 0 && en !== 1)) return `${privEntry(idx)}: IRQ hook ${h} corrupt`;
  }
  return undefined;
}

/** The ready queues: acyclic, consistent tails, only runnable processes of that priority. */
export function checkQueues(km: KernelMemory): string | undefined {
  for (let q = 0; q < NR_SCHED_QUEUES; q++) {
    let p = km.rdyHead(q);
    let last = -1;
    for (let n = 0; p >= 0; n++) {
      if (n >= NR_SLOTS || p >= NR_SLOTS) return `ready queue ${q}: corrupt list`;
      if (km.proc(p, PROC.rtsFlags) !== 0) return `ready queue ${q}: holds blocked process ${p - NR_TASKS}`;
      if (km.proc(p, PROC.priority) !== q) return `ready queue ${q}: holds a process of priority ${km.proc(p, PROC.priority)}`;
      last = p;
      p = km.proc(p, PROC.nextReady);
      if (!inIdxRange(p)) return `ready queue ${q}: bad link ${p}`;
    }
    if (km.rdyTail(q) !== last) return `ready queue ${q}: tail ${km.rdyTail(q)} is not the last element ${last}`;
  }
  return undefined;
}

/**
 * The page tables of guest process `idx`: pointers lead into the page-table pool, leaves map
 * the process's own memory (or, for a kernel address space, any RAM), permissions are legal (no
 * W without R).
 */
export function checkPageTable(km: KernelMemory, idx: number, visited = { ptes: 0 }): string | undefined {
  const root = km.proc(idx, PROC.ptRoot) >>> 0;
  if (!root) return undefined;
  const name = `page table of process ${idx - NR_TASKS}`;
  const memBase = km.proc(idx, PROC.memBase) >>> 0, memEnd = memBase + (km.proc(idx, PROC.memSize) >>> 0);
  const kernelSpace = km.proc(idx, PROC.mode) === 1;
  const v = km.view;
  visited.ptes += 1024;
  for (let i = 0; i < 1024; i++) {
    const e = v.getUint32(root - RAM_BASE + i * 4, true);
    if (!(e & PTE_V)) continue;
    if ((e & PTE_W) && !(e & PTE_R)) return `${name}: W without R in root entry ${i}`;
    const pa = (e >>> 10) * 4096;
    if (e & (PTE_R | PTE_X)) {
      if (!km.bus.isRam(pa, 0x40_0000) || pa % 0x40_0000) return `${name}: superpage at 0x${pa.toString(16)} outside RAM`;
      continue;
    }
    if (pa < RAM_BASE + PT_POOL_OFF || pa >= RAM_BASE + PT_POOL_END) return `${name}: root entry ${i} points outside the page-table pool`;
    visited.ptes += 1024;
    for (let j = 0; j < 1024; j++) {
      const l = v.getUint32(pa - RAM_BASE + j * 4, true);
      if (!(l & PTE_V)) continue;
      const lpa = (l >>> 10) * 4096;
      if (!(l & (PTE_R | PTE_X)) || ((l & PTE_W) && !(l & PTE_R))) return `${name}: malformed leaf ${i}/${j}`;
      // A driver in the kernel address space maps the memory around it (module-layout.ts).
      if (kernelSpace ? !km.bus.isRam(lpa, 4096) : lpa < memBase || lpa >= memEnd) return `${name}: leaf ${i}/${j} maps 0x${lpa.toString(16)} outside the process's memory`;
    }
  }
  return undefined;
}

/** The entries a kernel entry touched: process idx's process-table and privilege entries. */
export function checkEntry(km: KernelMemory, idx: number): string | undefined {
  return checkProc(km, idx) ?? checkPriv(km, idx);
}

/** Every table: processes, privileges (of live processes), page tables (counting the entries read into `visited`), ready queues. */
export function checkAll(km: KernelMemory, visited = { ptes: 0 }): string | undefined {
  for (let i = 0; i < NR_SLOTS; i++) {
    const bad = checkProc(km, i);
    if (bad) return bad;
    if (km.proc(i, PROC.rtsFlags) & RTS_SLOT_FREE) continue;
    const bp = checkPriv(km, i) ?? checkPageTable(km, i, visited);
    if (bp) return bp;
  }
  return checkQueues(km);
}
