/*
 * The kernel's data structures as they lie in guest physical memory: field offsets of a
 * process-table entry (MINIX struct proc) and a privilege-table entry (MINIX struct priv), and
 * typed accessors over RAM. The kernel keeps no shadow copy: what it reads here is what a wild
 * write may have changed, and check.ts decides whether it still makes sense.
 */
import type { Bus } from "../machine/bus.js";
import type { WalkEnv } from "../machine/mmu.js";
import { Mode } from "../machine/trap.js";
import { NR_IRQ_HOOKS, PRIV_SIZE, PRIV_TABLE_OFF, PROC_SIZE, PROC_TABLE_OFF, PT_POOL_END, PT_POOL_OFF, SCHED_OFF, SVC_OFF } from "./params.js";

/** Field offsets of a process-table entry, MINIX struct proc (256 bytes). */
export const PROC = {
  magic: 0, // PMAGIC while the table is intact
  endpoint: 4,
  nr: 8, // slot number (negative for kernel tasks)
  rtsFlags: 12, // RTS_* : runnable iff 0
  miscFlags: 16,
  priority: 20, // scheduling queue
  quantumLeft: 24, // ticks
  sendTo: 28, // endpoint we are blocked sending to, or NONE
  getFrom: 32, // endpoint we are blocked receiving from (ANY allowed), or NONE
  msgVir: 36, // address of the message buffer of the pending send/receive
  ptRoot: 40, // physical address of the page-table root (0: none)
  nextReady: 44, // index of the next process in its ready queue, -1 = end
  callerQ: 48, // index of the first process blocked sending to us, -1 = none
  qLink: 52, // next in the sender queue we are in, -1 = end
  kind: 56, // PK_GUEST or PK_NATIVE
  mode: 60, // privilege mode of a guest process (0 = U, 1 = S)
  pc: 64,
  regs: 68, // x0..x31, 32 words
  name: 196, // 16 bytes, NUL-padded
  memBase: 212, // physical base of the process's memory
  memSize: 216,
  cycles: 220, // CPU cycles used (low 32 bits), for statistics
  sendNbPending: 224, // reserved
  maxPriority: 228, // the priority a woken process returns to (MINIX p_max_priority)
  nativePartner: 232, // native process blocked in SENDREC: the endpoint it called (NONE otherwise)
  stackBase: 236, // physical base of a guest's stack when it is not inside [memBase, memBase + memSize) (0: it is)
  context: 240, // CTX_*: what a kernel-mode driver is handling, in builds that ask (policy.ts tracksContext)
  channels: 244, // physical address of a software-isolated process's channel page (channels.ts; 0: none)
} as const;

/** The context of a kernel-mode driver, from the last message its main loop received (Linux's process, softirq and hardirq contexts). */
export const CTX_PROCESS = 0; // a request: process context
export const CTX_TIMER = 1; // an alarm from CLOCK: a timer, interrupt context with interrupts on
export const CTX_IRQ = 2; // an interrupt from HARDWARE: interrupt context, interrupts off

export const PMAGIC = 0x434f_5250; // "PROC"
export const PK_GUEST = 0;
export const PK_NATIVE = 1;

/** MINIX RTS flags: a process may run only when none is set. */
export const RTS_SLOT_FREE = 0x01;
export const RTS_PROC_STOP = 0x02;
export const RTS_SENDING = 0x04;
export const RTS_RECEIVING = 0x08;
export const RTS_NO_PRIV = 0x80;
/** Misc flags: the slot has held a process (its next process gets the next endpoint generation). */
export const MF_SLOT_USED = 0x01;
export const RTS_KNOWN = RTS_SLOT_FREE | RTS_PROC_STOP | RTS_SENDING | RTS_RECEIVING | RTS_NO_PRIV;

/** Field offsets of a privilege-table entry, MINIX struct priv (256 bytes). */
export const PRIV = {
  magic: 0, // SMAGIC
  procIndex: 4, // process-table index of the owner
  flags: 8, // SF_*
  trapMask: 12, // bit (1 << IPC op) allowed
  ipcTo: 16, // 2 words: process-table indices we may send to
  callMask: 24, // 2 words: kernel calls (number - KERNEL_CALL) allowed
  notifyPending: 32, // 2 words: process-table indices with a pending notification for us
  intPending: 40, // IRQ hook ids pending (bitmap)
  grantTable: 44, // virtual address of the grant table in the owner's memory
  grantEntries: 48,
  nrIoRange: 52,
  ioTab: 56, // NR_IO_RANGE × {u16 first, u16 last}
  nrIrq: 88,
  irqTab: 92, // NR_IRQ_HOOKS × u32 allowed IRQ lines
  alarmLo: 108, // alarm expiry, in ticks (0 = none)
  alarmHi: 112,
  hooks: 116, // NR_IRQ_HOOKS × {u32 irq (0 = unused), u32 policy, u32 enabled, u32 reserved}
} as const;

export const SMAGIC = 0x5649_5250; // "PRIV"
/** Privilege flags. */
export const SF_SYS_PROC = 0x01; // system process (driver/server)
export const SF_PREEMPTIBLE = 0x02;
export const SF_CHECKED = 0x04; // privilege checks apply (off in builds without isolation)
export const SF_WRAPPED = 0x08; // runs in a Nooks protection domain: its calls cross wrappers (wrappers.ts)
export const SF_VM = 0x10; // a driver VM: runs with its own DD/OS in a VM of its own (hypervisor.ts)
export const SF_KNOWN = SF_SYS_PROC | SF_PREEMPTIBLE | SF_CHECKED | SF_WRAPPED | SF_VM;

/** An IRQ hook: NR_IRQ_HOOKS of them at PRIV.hooks, HOOK_SIZE bytes each; field offsets within one. */
export const HOOK_SIZE = 16;
export const HOOK = { irq: 0, policy: 4, enabled: 8 } as const;

/** Bytes at the start of a process-table entry that hold PROC's fields (the rest of PROC_SIZE is padding). */
export const PROC_FIELDS_SIZE = PROC.stackBase + 4;
/** Bytes at the start of a privilege-table entry that hold PRIV's fields (the rest of PRIV_SIZE is padding). */
export const PRIV_FIELDS_SIZE = PRIV.hooks + NR_IRQ_HOOKS * HOOK_SIZE;

/**
 * The allocators' state at ALLOC_OFF (vm.ts): the next never-used page-table frame and a stack
 * of freed ones; the bump pointer of process memory and the list of freed chunks {base, size},
 * in the order they were freed (first fit).
 *
 *   +0x000  ptNext        +0x004  ptFreeCount    +0x008  memNext    +0x00c  memFreeCount
 *   +0x010  ptFree[ALLOC_PT_FRAMES]              physical addresses of freed frames (a stack)
 *   +0x400  memFree[ALLOC_MEM_CHUNKS] × {u32 base, u32 size}
 */
export const ALLOC = { ptNext: 0, ptFreeCount: 4, memNext: 8, memFreeCount: 12, ptFree: 0x10, memFree: 0x400 } as const;
/** Every frame of the page-table pool fits on the free stack. */
export const ALLOC_PT_FRAMES = (PT_POOL_END - PT_POOL_OFF) / 4096;
export const ALLOC_MEM_CHUNKS = 128;

/**
 * The native run queue at RUNQ_OFF: a ring of RUNQ_CAP {u32 process-table index, i32 result}
 * (OK: a message is waiting; negative: its SENDREC failed; NATIVE_START: first run).
 *
 *   +0x0  head   +0x4  count   +0x8  entries
 */
export const RUNQ = { head: 0, count: 4, entries: 8 } as const;

/**
 * The asynchronous message queue at ASYNCQ_OFF: ASYNCQ_CAP entries in send order, each
 * {u32 sender's process-table index, i32 destination endpoint, 64-byte message}.
 *
 *   +0x0  count   +0x4  entries (ASYNCQ_ENTRY bytes each)
 */
export const ASYNCQ = { count: 0, entries: 4, from: 0, to: 4, msg: 8 } as const;
export const ASYNCQ_ENTRY = 72;

/**
 * Per process-table slot at SVC_OFF + idx * SVC_SIZE, written when a process starts: its boot
 * parameters (a NUL-terminated string, SYS_GETINFO GET_PARAMS) and the labels of the processes
 * it may send to (its service entry's "ipc" line; the IPC send masks are resolved from them
 * whenever a process starts, since a restarted process may land in another slot).
 *
 *   +0x00  params[SVC_PARAMS]       +0x80  ipcTo[SVC_IPC_LABELS][16] ("*": everyone)
 */
export const SVC = { params: 0, ipcTo: 0x80 } as const;
export const SVC_SIZE = 0x100;
export const SVC_PARAMS = 0x80;
export const SVC_IPC_LABELS = 8;
/** Labels are NUL-padded 16-byte fields (a process's name in its table entry, IPC targets). */
export const LABEL_MAX = 15;

/** Where the kernel reports a write it made to RAM on a process's behalf (the CPU's page-ownership record). */
export interface WriteRecorder {
  /** A write by protection domain `domain` to RAM offset `off`: recorded if the page is someone else's. */
  noteWrite(domain: number, off: number): void;
}

/** The RAM a KernelMemory reads: the machine's (the kernel's tables), or a driver VM's (its DD/OS's tables, ddos.ts). */
export type RamView = Pick<Bus, "ram" | "ram32" | "ramBase" | "ramSize" | "isRam">;

/** Typed views of the kernel's tables in guest RAM (every field is a 4-byte-aligned int32). */
export class KernelMemory {
  readonly view: DataView;
  private readonly i32: Int32Array;
  /** The page-walk environment the kernel translates processes' addresses with (vm.ts), reused. */
  readonly walker: { env: WalkEnv; levels: { n: number } };

  /**
   * `writes`: where copies into a process's memory (vm.ts copyTo, the safe-copy fast path) report
   * the pages they write, as writes of the process that chose the address (propagation).
   */
  constructor(
    readonly bus: RamView,
    readonly writes: WriteRecorder = { noteWrite: () => {} },
  ) {
    this.view = new DataView(bus.ram.buffer, bus.ram.byteOffset, bus.ram.byteLength);
    this.i32 = bus.ram32;
    const ram32 = bus.ram32;
    // PTE addresses are word-aligned: a direct word read (the DataView path for anything else).
    const readPhys = (pa: number) => {
      const off = pa - bus.ramBase;
      if ((off & 3) === 0 && off >= 0 && off >>> 2 < ram32.length) return ram32[off >>> 2];
      return bus.isRam(pa, 4) ? this.view.getInt32(off, true) : undefined;
    };
    this.walker = { env: { satp: 0, priv: Mode.U, sum: false, mxr: false, readPhys }, levels: { n: 0 } };
  }

  procOff(idx: number): number {
    return PROC_TABLE_OFF + idx * PROC_SIZE;
  }
  privOff(idx: number): number {
    return PRIV_TABLE_OFF + idx * PRIV_SIZE;
  }

  proc(idx: number, field: number): number {
    return this.i32[(PROC_TABLE_OFF + idx * PROC_SIZE + field) >> 2];
  }
  setProc(idx: number, field: number, v: number): void {
    this.i32[(PROC_TABLE_OFF + idx * PROC_SIZE + field) >> 2] = v;
  }
  /** Stores `words` at proc field `field` onward (the saved registers, in one copy). */
  setProcWords(idx: number, field: number, words: Int32Array): void {
    this.i32.set(words, (PROC_TABLE_OFF + idx * PROC_SIZE + field) >> 2);
  }
  /** Loads `dst.length` words from proc field `field` onward into `dst` (the saved registers, in one copy). */
  procWords(idx: number, field: number, dst: Int32Array): void {
    const at = (PROC_TABLE_OFF + idx * PROC_SIZE + field) >> 2;
    const i32 = this.i32;
    // A loop, not set(subarray()): no view object at every context restore.
    for (let i = 0; i < dst.length; i++) dst[i] = i32[at + i];
  }
  priv(idx: number, field: number): number {
    return this.i32[(PRIV_TABLE_OFF + idx * PRIV_SIZE + field) >> 2];
  }
  setPriv(idx: number, field: number, v: number): void {
    this.i32[(PRIV_TABLE_OFF + idx * PRIV_SIZE + field) >> 2] = v;
  }

  /** Bit `bit` of the 64-bit bitmap at priv field `field`. */
  privBit(idx: number, field: number, bit: number): boolean {
    return ((this.priv(idx, field + (bit >> 5) * 4) >>> (bit & 31)) & 1) === 1;
  }
  setPrivBit(idx: number, field: number, bit: number, on: boolean): void {
    const f = field + (bit >> 5) * 4;
    const w = this.priv(idx, f);
    this.setPriv(idx, f, on ? w | (1 << (bit & 31)) : w & ~(1 << (bit & 31)));
  }

  /** The word at kernel-data offset `off` (allocator, queues, per-slot data). */
  word(off: number): number {
    return this.i32[off >> 2];
  }
  setWord(off: number, v: number): void {
    this.i32[off >> 2] = v;
  }
  /** Moves `words` words from offset `from` to offset `to` (overlapping allowed: memmove). */
  moveWords(from: number, to: number, words: number): void {
    if (words > 0) this.i32.copyWithin(to >> 2, from >> 2, (from >> 2) + words);
  }

  /** The NUL-padded label at RAM offset `off` (non-printable bytes read as "?"). */
  label(off: number): string {
    let s = "";
    for (let i = 0; i < 16; i++) {
      const c = this.bus.ram[off + i];
      if (c === 0) break;
      s += c >= 32 && c < 127 ? String.fromCharCode(c) : "?";
    }
    return s;
  }
  setLabel(off: number, name: string, len = 16): void {
    for (let i = 0; i < len; i++) this.bus.ram[off + i] = i < name.length && i < len - 1 ? name.charCodeAt(i) & 0x7f : 0;
  }
  /** Whether the label at `off` is `name`, without building a string. */
  labelIs(off: number, name: string): boolean {
    if (name.length > LABEL_MAX) return false;
    const ram = this.bus.ram;
    for (let i = 0; i < name.length; i++) if (ram[off + i] !== name.charCodeAt(i)) return false;
    return ram[off + name.length] === 0;
  }

  procName(idx: number): string {
    return this.label(this.procOff(idx) + PROC.name);
  }
  setProcName(idx: number, name: string): void {
    this.setLabel(this.procOff(idx) + PROC.name, name);
  }
  svcOff(idx: number): number {
    return SVC_OFF + idx * SVC_SIZE;
  }

  /** Ready queue head/tail (process-table indices, -1 = empty). */
  rdyHead(q: number): number {
    return this.i32[(SCHED_OFF + q * 8) >> 2];
  }
  rdyTail(q: number): number {
    return this.i32[(SCHED_OFF + q * 8 + 4) >> 2];
  }
  setRdy(q: number, head: number, tail: number): void {
    this.i32[(SCHED_OFF + q * 8) >> 2] = head;
    this.i32[(SCHED_OFF + q * 8 + 4) >> 2] = tail;
  }
}
