/*
 * The kernel's data structures as they lie in guest physical memory: field offsets of a
 * process-table entry (MINIX struct proc) and a privilege-table entry (MINIX struct priv), and
 * typed accessors over RAM. The kernel keeps no shadow copy: what it reads here is what a wild
 * write may have changed, and check.ts decides whether it still makes sense.
 */
import type { Bus } from "../machine/bus.js";
import type { WalkEnv } from "../machine/mmu.js";
import { Mode } from "../machine/trap.js";
import { NR_IRQ_HOOKS, PRIV_SIZE, PRIV_TABLE_OFF, PROC_SIZE, PROC_TABLE_OFF, SCHED_OFF } from "./params.js";

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
} as const;

export const PMAGIC = 0x434f_5250; // "PROC"
export const PK_GUEST = 0;
export const PK_NATIVE = 1;

/** MINIX RTS flags: a process may run only when none is set. */
export const RTS_SLOT_FREE = 0x01;
export const RTS_PROC_STOP = 0x02;
export const RTS_SENDING = 0x04;
export const RTS_RECEIVING = 0x08;
export const RTS_NO_PRIV = 0x80;
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
export const SF_KNOWN = SF_SYS_PROC | SF_PREEMPTIBLE | SF_CHECKED;

/** An IRQ hook: NR_IRQ_HOOKS of them at PRIV.hooks, HOOK_SIZE bytes each; field offsets within one. */
export const HOOK_SIZE = 16;
export const HOOK = { irq: 0, policy: 4, enabled: 8 } as const;

/** Bytes at the start of a process-table entry that hold PROC's fields (the rest of PROC_SIZE is padding). */
export const PROC_FIELDS_SIZE = PROC.sendNbPending + 4;
/** Bytes at the start of a privilege-table entry that hold PRIV's fields (the rest of PRIV_SIZE is padding). */
export const PRIV_FIELDS_SIZE = PRIV.hooks + NR_IRQ_HOOKS * HOOK_SIZE;

/** Where the kernel reports a write it made to RAM on a process's behalf (the CPU's page-ownership record). */
export interface WriteRecorder {
  /** A write by protection domain `domain` to RAM offset `off`: recorded if the page is someone else's. */
  noteWrite(domain: number, off: number): void;
}

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
    readonly bus: Bus,
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
    dst.set(this.i32.subarray(at, at + dst.length));
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

  procName(idx: number): string {
    const o = this.procOff(idx) + PROC.name;
    let s = "";
    for (let i = 0; i < 16; i++) {
      const c = this.bus.ram[o + i];
      if (c === 0) break;
      s += c >= 32 && c < 127 ? String.fromCharCode(c) : "?";
    }
    return s;
  }
  setProcName(idx: number, name: string): void {
    const o = this.procOff(idx) + PROC.name;
    for (let i = 0; i < 16; i++) this.bus.ram[o + i] = i < name.length && i < 15 ? name.charCodeAt(i) & 0x7f : 0;
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
