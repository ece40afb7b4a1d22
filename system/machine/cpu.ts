/*
 * The RV32IM + Zicsr hart: registers, privilege modes, traps and interrupts, and the
 * interpreter loop.
 *
 * All state is data (registers in an Int32Array, CSRs in a plain record, the TLB in typed
 * arrays). run(limit) executes until the clock reaches `limit` or something needs the machine:
 * a trap in hosted mode, WFI, an MMIO access (devices may have changed interrupt lines), a
 * write to a watched page. Guest faults are values: an instruction that faults records a cause
 * and the loop takes the trap at one place. `throw` never happens for guest behaviour.
 *
 * Performance (DESIGN.md: experiments are short and many): int32 arithmetic only, a
 * direct-mapped TLB checked inline for every fetch, load and store, no allocation per
 * instruction, and cycle/instret counters kept in locals and synced only on slow paths.
 */
import type { Bus } from "./bus.js";
import type { ClockState } from "./clock.js";
import * as cost from "./costs.js";
import {
  CSR, csrAccess, csrRead, csrWrite, resetCsrs, type CsrHart, type CsrState,
  MSTATUS_MIE, MSTATUS_MPIE, MSTATUS_MPP, MSTATUS_MPP_SHIFT, MSTATUS_MPRV, MSTATUS_SIE, MSTATUS_SPIE,
  MSTATUS_SPP, MSTATUS_SUM, MSTATUS_MXR, MSTATUS_TSR, MSTATUS_TVM, MSTATUS_TW, MSTATUS_XLATE,
} from "./csr.js";
import { Access, Tlb, TLB_MASK, walk, walkFaultCause, type WalkEnv } from "./mmu.js";
import { PAGE_SHIFT } from "./memmap.js";
import { Cause, INTERRUPT_BIT, Mode } from "./trap.js";
import { compileBlock, HOT, spinsAt, type Block, type BlockEnv, type BlockExit } from "./jit.js";

/** Why run() returned. */
export const enum Stop {
  /** The clock reached the limit. */
  Limit = 0,
  /** A trap for the host (hosted mode): see trapCause/trapTval/trapInterrupt. */
  Trap = 1,
  /** WFI with nothing pending: the machine may skip to the next event. */
  Wfi = 2,
  /** Interrupt state or devices may have changed: call run() again. */
  Yield = 3,
  /** A watched physical address was written: see watchHit. */
  Watch = 4,
  /** An execution breakpoint reached its stop count; pc is at the instruction, not yet executed. */
  Breakpoint = 5,
}

/**
 * An execution breakpoint on a physical address: counts executions of the instruction there
 * (only while RAM holds `expect`, when given), remembers the first, and stops the CPU before
 * the `stopAt`-th one (0 = never stop). Used to inject faults at exact points and to record
 * whether a fault was activated. Instrumentation, not machine state: not in snapshots.
 */
export interface Breakpoint {
  pa: number;
  stopAt: number;
  expect?: number;
  hits: number;
  /** Cycle of the first counted execution, or -1. */
  firstHitAt: number;
}

/** Writes by one protection domain to pages it does not own (propagation). */
export interface ForeignWrites {
  count: number;
  firstPa: number;
  firstAt: number;
  /** Owner (domain) of the first page written. */
  firstOwner: number;
}

// Hot-loop constants as module bindings (V8 folds these; namespace property reads are not folded everywhere).
const INSN = cost.INSN;
const JUMP_EXTRA = cost.JUMP_EXTRA;
const MUL_EXTRA = cost.MUL_EXTRA;
const DIV_EXTRA = cost.DIV_EXTRA;
/** Cycles of one iteration of a spin (a taken jump or branch to itself). */
const SPIN = INSN + JUMP_EXTRA;

/** Interrupts in the priority order of the privileged spec: MEI, MSI, MTI, SEI, SSI, STI. */
const IRQ_PRIORITY = [11, 3, 7, 9, 1, 5];

/** A trap as the guest took it: cause (an interrupt number when `interrupt`), pc, tval. */
export interface TrapRecord {
  cause: number;
  interrupt: boolean;
  pc: number;
  tval: number;
}

/**
 * Traps the guest took with no instruction retired between them (instrumentation for trap-loop
 * detection, not machine state): the first of them, the latest, and how many times in a row the
 * latest repeated the one before it exactly (same cause, pc, tval).
 */
export interface TrapStreak {
  first: TrapRecord;
  last: TrapRecord;
  repeats: number;
  /** Instructions retired when the streak began. */
  retired: number;
  /** Traps in the streak (0 = none since reset). */
  count: number;
}

export interface CpuSnapshot {
  x: Int32Array;
  pc: number;
  mode: number;
  wfi: boolean;
  retired: number;
  csr: CsrState;
  tlb: Int32Array[];
  owner: Uint8Array;
  domain: number;
  foreign: Record<number, ForeignWrites>;
  sfiChecks: number;
}

export class Cpu implements CsrHart {
  /** Integer registers; x[0] is forced to 0 after every instruction. */
  readonly x = new Int32Array(32);
  /** x1..x31, a view of `x` (the kernel saves them in one copy). */
  readonly xAbove0 = this.x.subarray(1);
  pc = 0;
  mode: number = Mode.M;
  csr: CsrState = resetCsrs();
  /** Sleeping in WFI until an interrupt is pending. */
  wfi = false;
  /** Instructions retired (synced from the loop's local counter on slow paths and exit). */
  retired = 0;
  /** Hosted mode: traps and interrupts go to the host instead of the guest's trap vector. */
  hosted = false;
  /** Last trap handed to the host (hosted mode), at this.pc. */
  trapCause = 0;
  trapTval = 0;
  trapInterrupt = false;
  /** Set when a store hit a watched address; the address written. */
  watchHit = false;
  watchAddr = 0;
  readonly tlb = new Tlb();
  /** One byte per RAM page: nonzero pages never get a write TLB entry (watch, ownership). */
  readonly slowWrite: Uint8Array;
  /** Physical addresses whose writes stop the CPU (e.g. HTIF tohost). */
  readonly watches = new Set<number>();
  /** Source of mtime for the `time` CSR (the CLINT). */
  timeSource: () => number = () => 0;
  /** Execution breakpoints, and per RAM page: bit 0 = a breakpoint lies there, bit 1 = coverage. */
  breakpoints: Breakpoint[] = [];
  private readonly bpPage: Uint8Array;
  /** One byte per RAM word: 1 where a breakpoint lies (pages with breakpoints stay fast elsewhere). */
  private readonly bpWord: Uint8Array;
  /** Incremented by setBreakpoints (blocks cache whether they hold one). */
  private bpGen = 0;
  /**
   * Block validation, skipped where it cannot find a change. Within one run() slice only the
   * CPU writes RAM (the host and devices act between slices; an MMIO access ends the slice), and
   * the CPU writes only pages it has a write-TLB entry for or writes through storeSlow: those
   * pages are flagged here (until restore()). So a block already checked in this slice, on an
   * unflagged page, still holds its words. `slice` counts slices.
   */
  private readonly cpuWritten: Uint8Array;
  private slice = 0;
  /**
   * Block translation (jit.ts), a host-side cache: per RAM word, the index of the translated
   * block starting there (> 0), or minus the number of times it was reached (<= 0); blocks[0] is
   * unused. Not machine state: snapshots do not contain it, and blocks are checked against RAM.
   */
  private readonly blockIds: Int32Array;
  /** Block translation on (default) or off (the interpreter alone: for differential tests). */
  jit = true;
  /**
   * Spin skipping on (default) or off (every iteration executed: for differential tests). A
   * spin is a JAL or taken branch to its own address: see spinRepeats.
   */
  spinSkip = true;
  /** Spin iterations credited without being executed (statistics, not machine state). */
  skippedSpins = 0;

  /** Number of blocks translated so far (statistics). */
  get translatedBlocks(): number {
    return this.blocks.length - 1;
  }
  private readonly blocks: Block[] = [undefined as unknown as Block];
  private readonly blockExit: BlockExit = { pc: 0, done: 0, cycles: 0, checks: 0 };
  private readonly blockEnv: BlockEnv;
  /** Execution coverage: one byte per RAM word, set when an instruction there executes (pages chosen by setCoverage). */
  coverage: Uint8Array | null = null;
  /** pc at which the CPU stopped for a breakpoint: that execution is not counted twice. */
  private bpResume = -1;
  /**
   * Page ownership, for propagation tracking: the protection domain owning each RAM page
   * (0 = kernel / nobody) and the domain now running. With tracking on, a store by a non-zero
   * domain to a page it does not own is recorded in `foreign` (and such pages never get a
   * write-TLB entry, so every such store is seen).
   */
  trackOwnership = false;
  readonly owner: Uint8Array;
  domain = 0;
  foreign: Record<number, ForeignWrites> = {};
  /**
   * Software isolation (Singularity's software-isolated processes, builds whose address space is
   * "sip"): the checks a safe language's compiler inserts, run by the CPU beside the guest's code
   * (never in its text, where a fault could mutate them). Outside M-mode every load, store and
   * instruction fetch must reach a RAM page the running domain owns (`owner`); anything else
   * faults as an access fault before it happens, and every SYSTEM instruction but ecall and
   * ebreak (the SIP's code has none) faults as illegal. Each load, store and indirect jump
   * (JALR) costs `sfiCycles` more and is counted in `sfiChecks`. The TLB caches only pages that
   * passed the check, so a hit needs none. Configuration, set at boot; 0 cycles / false = off.
   */
  sfi = false;
  sfiCycles = 0;
  /** Checked accesses so far (a counter like `retired`). */
  sfiChecks = 0;

  /** See TrapStreak; updated on every guest-vectored trap (not in hosted mode). */
  readonly trapStreak: TrapStreak = {
    first: { cause: 0, interrupt: false, pc: 0, tval: 0 }, last: { cause: 0, interrupt: false, pc: 0, tval: 0 }, repeats: 0, retired: 0, count: 0,
  };
  /**
   * When > 0, a guest trap that repeats the one before it this many times in a row, with no
   * instruction retired, stops the CPU instead (run() returns Stop.Trap, the trap not taken):
   * the guest can never leave that loop. 0 (default) = never.
   */
  trapLoopLimit = 0;

  private excCause = -1;
  private excTval = 0;
  private stopSlice = false;
  private readonly walkLevels = { n: 0 };
  private readonly walkEnv: WalkEnv;

  constructor(
    private readonly bus: Bus,
    private readonly clock: ClockState,
  ) {
    this.slowWrite = new Uint8Array(bus.ramSize >>> PAGE_SHIFT);
    this.bpPage = new Uint8Array(bus.ramSize >>> PAGE_SHIFT);
    this.bpWord = new Uint8Array(bus.ramSize >>> 2);
    this.cpuWritten = new Uint8Array(bus.ramSize >>> PAGE_SHIFT);
    this.owner = new Uint8Array(bus.ramSize >>> PAGE_SHIFT);
    this.blockIds = new Int32Array(bus.ramSize >>> 2);
    this.walkEnv = { satp: 0, priv: 0, sum: false, mxr: false, readPhys: (pa) => this.readPhys32(pa) };
    const { ram8, ram: ramu8, ram16, ramu16, ram32 } = bus;
    const { tagR, offR, tagW, offW } = this.tlb;
    this.blockEnv = { x: this.x, out: this.blockExit, ram32, ram16, ramu16, ram8, ramu8, tagR, offR, tagW, offW, mulDiv };
  }

  /**
   * Counts for the CSR instruction now executing (CsrHart): when it runs (system()), the clock
   * already holds its INSN cycles and `retired` does not yet count it.
   */
  cycles(end: boolean): number {
    return end ? this.clock.now : this.clock.now - INSN;
  }
  instret(end: boolean): number {
    return end ? this.retired + 1 : this.retired;
  }
  mtime(): number {
    return this.timeSource();
  }

  /** Power-on state: M-mode at `pc`, registers and CSRs cleared, TLB empty. */
  reset(pc: number): void {
    this.x.fill(0);
    this.pc = pc | 0;
    this.mode = Mode.M;
    this.csr = resetCsrs();
    this.wfi = false;
    this.retired = 0;
    this.trapStreak.count = 0;
    this.tlb.flush();
  }

  /** Drives a device interrupt-pending bit (MSIP, MTIP, MEIP, SEIP). */
  setPending(bit: number, level: boolean): void {
    if (level) this.csr.mipHw |= 1 << bit;
    else this.csr.mipHw &= ~(1 << bit);
  }

  /** Changes privilege mode (host use, trap entry, xRET); flushes the TLB when it changes. */
  setMode(m: number): void {
    if (m !== this.mode) {
      this.mode = m;
      this.tlb.flush();
    }
  }

  /** Marks a physical address as watched: a store to it stops run() with Stop.Watch. */
  watch(pa: number): void {
    this.watches.add(pa >>> 0);
    if (this.bus.isRam(pa)) this.slowWrite[((pa >>> 0) - this.bus.ramBase) >>> PAGE_SHIFT] = 1;
    this.tlb.flush();
  }

  /** Arms execution breakpoints (replacing any); returns the live records, updated as they hit. */
  setBreakpoints(bps: Array<{ pa: number; stopAt: number; expect?: number }>): Breakpoint[] {
    for (let i = 0; i < this.bpPage.length; i++) this.bpPage[i] &= ~1;
    for (const b of this.breakpoints) if (this.bus.isRam(b.pa, 4)) this.bpWord[(b.pa - this.bus.ramBase) >>> 2] = 0;
    this.bpResume = -1;
    this.bpGen++;
    this.breakpoints = bps.map((b) => ({ ...b, pa: b.pa >>> 0, hits: 0, firstHitAt: -1 }));
    for (const b of this.breakpoints) {
      if (!this.bus.isRam(b.pa, 4)) continue;
      this.bpPage[(b.pa - this.bus.ramBase) >>> PAGE_SHIFT] |= 1;
      this.bpWord[(b.pa - this.bus.ramBase) >>> 2] = 1;
    }
    return this.breakpoints;
  }

  /**
   * Records which instructions execute in the given physical pages (all coverage off when
   * empty). Returns the coverage map (a byte per RAM word), cleared.
   */
  setCoverage(pages: number[]): Uint8Array | null {
    for (let i = 0; i < this.bpPage.length; i++) this.bpPage[i] &= ~2;
    this.coverage = pages.length ? new Uint8Array(this.bus.ramSize >>> 2) : null;
    for (const pa of pages) if (this.bus.isRam(pa)) this.bpPage[(pa - this.bus.ramBase) >>> PAGE_SHIFT] |= 2;
    return this.coverage;
  }

  /** Records a store (or DMA) by `domain` to RAM offset `off` if that page is someone else's. */
  noteWrite(domain: number, off: number): void {
    const page = off >>> PAGE_SHIFT;
    if (domain === 0 || this.owner[page] === domain) return;
    const f = (this.foreign[domain] ??= { count: 0, firstPa: this.bus.ramBase + off, firstAt: this.clock.now, firstOwner: this.owner[page] });
    f.count++;
  }

  /**
   * Executes instructions until the clock reaches `limit` or a stop condition; returns why.
   * Interrupts are checked on entry, so callers re-enter after changing interrupt state.
   */
  run(limit: number): Stop {
    if (this.wfi) {
      if (((this.csr.mipSw | this.csr.mipHw) & this.csr.mie) === 0) return Stop.Wfi;
      this.wfi = false;
    }
    const irq = this.pendingInterrupt();
    if (irq >= 0 && this.enterTrap(irq, 0, true)) return Stop.Trap;
    this.stopSlice = false;
    this.watchHit = false;
    return this.loop(limit);
  }

  /** Number of the highest-priority interrupt that would be taken now, or -1. */
  pendingInterrupt(): number {
    const c = this.csr;
    const pend = (c.mipSw | c.mipHw) & c.mie;
    if (pend === 0) return -1;
    const m = pend & ~c.mideleg;
    const mOn = this.mode < Mode.M || (c.mstatus & MSTATUS_MIE) !== 0;
    const s = pend & c.mideleg;
    const sOn = this.mode < Mode.S || (this.mode === Mode.S && (c.mstatus & MSTATUS_SIE) !== 0);
    for (const i of IRQ_PRIORITY) {
      const bit = 1 << i;
      if (m & bit && mOn) return i;
      if (s & bit && sOn) return i;
    }
    return -1;
  }

  /**
   * Enters a trap with `cause` (an interrupt number when `interrupt`). In hosted mode records it
   * and returns true (the host handles it; pc stays at the instruction). Otherwise vectors to
   * the guest handler (delegating to S when medeleg/mideleg say so) and returns false.
   */
  enterTrap(cause: number, tval: number, interrupt: boolean): boolean {
    if (this.hosted) {
      this.trapCause = cause;
      this.trapTval = tval | 0;
      this.trapInterrupt = interrupt;
      return true;
    }
    if (this.noteTrap(cause, tval | 0, interrupt)) return true;
    const c = this.csr;
    this.clock.now += cost.TRAP_ENTRY;
    const deleg = this.mode <= Mode.S && ((interrupt ? c.mideleg : c.medeleg) >>> cause) & 1;
    const code = interrupt ? (cause | INTERRUPT_BIT) | 0 : cause;
    if (deleg) {
      c.scause = code;
      c.sepc = this.pc;
      c.stval = tval | 0;
      let st = c.mstatus & ~(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE);
      if (this.mode === Mode.S) st |= MSTATUS_SPP;
      if (c.mstatus & MSTATUS_SIE) st |= MSTATUS_SPIE;
      c.mstatus = st;
      this.pc = vector(c.stvec, cause, interrupt);
      this.setMode(Mode.S);
    } else {
      c.mcause = code;
      c.mepc = this.pc;
      c.mtval = tval | 0;
      let st = c.mstatus & ~(MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE);
      st |= this.mode << MSTATUS_MPP_SHIFT;
      if (c.mstatus & MSTATUS_MIE) st |= MSTATUS_MPIE;
      c.mstatus = st;
      this.pc = vector(c.mtvec, cause, interrupt);
      this.setMode(Mode.M);
    }
    return false;
  }

  /**
   * Records a guest trap at this.pc in trapStreak (a new streak when an instruction retired
   * since the last trap). True when it makes trapLoopLimit repeats: the caller stops instead.
   */
  private noteTrap(cause: number, tval: number, interrupt: boolean): boolean {
    const s = this.trapStreak;
    const { first, last } = s;
    const same = last.cause === cause && last.interrupt === interrupt && last.pc === this.pc && last.tval === tval;
    if (s.count === 0 || s.retired !== this.retired) {
      setTrap(first, cause, interrupt, this.pc, tval);
      s.retired = this.retired;
      s.count = 0;
      s.repeats = 0;
    } else s.repeats = same ? s.repeats + 1 : 0;
    setTrap(last, cause, interrupt, this.pc, tval);
    s.count++;
    return this.trapLoopLimit > 0 && s.repeats >= this.trapLoopLimit;
  }

  /**
   * Translates `va` for `access` as the guest would in the current mode (for the host: copying
   * messages through a process's page table). Returns the physical address, or -(cause+1).
   * With charge = false the page-table walk costs no cycles (tracing, host inspection).
   */
  translate(va: number, access: Access, charge = true): number {
    const now = this.clock.now;
    const pa = this.xlate(va, access);
    if (!charge) this.clock.now = now;
    if (pa >= 0) return pa;
    const cause = this.excCause;
    this.excCause = -1;
    return -(cause + 1);
  }

  snapshot(): CpuSnapshot {
    return {
      x: this.x.slice(), pc: this.pc, mode: this.mode, wfi: this.wfi, retired: this.retired, csr: { ...this.csr }, tlb: this.tlb.snapshot(),
      owner: this.owner.slice(), domain: this.domain, foreign: structuredClone(this.foreign), sfiChecks: this.sfiChecks,
    };
  }

  restore(s: CpuSnapshot): void {
    this.x.set(s.x);
    this.pc = s.pc;
    this.mode = s.mode;
    this.wfi = s.wfi;
    this.retired = s.retired;
    this.csr = { ...s.csr };
    this.tlb.restore(s.tlb);
    // Pages the restored TLB lets the CPU write without a slow store.
    this.cpuWritten.fill(0);
    const { tagW, offW } = this.tlb;
    for (let i = 0; i < tagW.length; i++) if (tagW[i] !== -1) this.cpuWritten[offW[i] >>> PAGE_SHIFT] = 1;
    this.owner.set(s.owner);
    this.domain = s.domain;
    this.foreign = structuredClone(s.foreign);
    this.sfiChecks = s.sfiChecks;
    this.bpResume = -1;
    this.trapStreak.count = 0;
  }

  /** The interpreter. Only the decoder is a big switch. */
  private loop(limit: number): Stop {
    const x = this.x;
    const { ram8, ram: ramu8, ram16, ramu16, ram32 } = this.bus;
    const { tagR, tagW, tagX, offR, offW, offX } = this.tlb;
    const bpPage = this.bpPage;
    const bpWord = this.bpWord;
    const bpGen = this.bpGen;
    const cpuWritten = this.cpuWritten;
    const slice = ++this.slice;
    const blockIds = this.blockIds;
    const jit = this.jit;
    const blocks = this.blocks;
    const out = this.blockExit;
    const clock = this.clock;
    // Cycles are counted in an int32 budget (fast in V8); `now` is recomputed when needed.
    const start = clock.now;
    let left = Math.min(Math.max(limit - start, 0), 0x3fff_ffff) | 0;
    let used = 0;
    let ret = 0;
    let pc = this.pc | 0; // the host may have stored an unsigned address
    let exc = -1;
    let tval = 0;
    // The page being executed: fetches from it skip the TLB (invalidated on every slow path).
    let fetchVpn = -1;
    let fetchBase = 0;
    let fetchBp = false; // the cached fetch page has breakpoints
    let fetchCov = false; // the cached fetch page is under coverage
    const coverage = this.coverage;
    const spinSkip = this.spinSkip;
    // Software checks (see sfi): on only for code outside M-mode in builds that have them.
    const sfiCycles = this.sfi ? this.sfiCycles : 0;
    let prevPc = -4;
    while (used < left) {
      let insn: number;
      const ivpn = pc >>> 12;
      let w = -1;
      let bp = false;
      if (ivpn === fetchVpn) {
        w = fetchBase + ((pc & 0xfff) >> 2);
        bp = fetchBp && bpWord[w] !== 0;
        if (fetchCov) coverage![w] = 1;
      } else if (tagX[ivpn & TLB_MASK] === ivpn && (pc & 3) === 0) {
        fetchBase = offX[ivpn & TLB_MASK] >> 2;
        w = fetchBase + ((pc & 0xfff) >> 2);
        // A page with breakpoints or coverage stays cached: its breakpoint words are checked, and
        // every instruction under coverage is marked (here, or by the block that runs it).
        const flags = bpPage[fetchBase >>> 10];
        fetchVpn = ivpn;
        fetchBp = (flags & 1) !== 0;
        fetchCov = (flags & 2) !== 0;
        if (fetchCov) coverage![w] = 1;
        bp = fetchBp && bpWord[w] !== 0;
      }
      if (bp && this.breakpointAt(w << 2, pc, start + used)) {
        clock.now = start + used;
        this.retired += ret;
        this.pc = pc;
        return Stop.Breakpoint;
      }
      // Translated blocks start where control arrives by a jump, a trap or a block's end (not
      // in the middle of straight-line code); not where they hold a breakpoint, and under
      // coverage only when they do not loop (the instructions a run executed must be known).
      const jumpedHere = pc !== ((prevPc + 4) | 0);
      prevPc = pc;
      if (w >= 0 && jumpedHere && jit) {
        const b = blockIds[w];
        if (b > 0) {
          const blk = blocks[b];
          if (fetchBp && blk.bpGen !== bpGen) {
            blk.hasBp = anySet(bpWord, w, blk.words.length);
            blk.bpGen = bpGen;
          }
          if (fetchVpn === ivpn && used + blk.maxCycles < left && blk.pc === pc && !(fetchBp && blk.hasBp) && !(fetchCov && blk.loops)) {
            if ((blk.slice !== slice || cpuWritten[w >>> 10] !== 0) && !sameWords(ram32, w, blk.words)) blockIds[w] = 0; // the code changed: cold again
            else {
              blk.slice = slice;
              blk.fn(left - used);
              if (blk.sfi) this.sfiChecks += out.checks;
              // A block that does not loop ran a prefix of its words: [w, w + done).
              if (fetchCov) coverage!.fill(1, w, w + out.done);
              if (out.done > 0) {
                pc = out.pc;
                used = (used + out.cycles) | 0;
                ret += out.done;
                prevPc = -4; // what follows a block may start one
                continue;
              }
            }
          }
        } else if (b > -HOT) blockIds[w] = b - 1;
        else if (b === -HOT && fetchVpn === ivpn) {
          const blk = compileBlock(this.blockEnv, w, pc, this.mode !== Mode.M ? sfiCycles : 0);
          if (blk) {
            blocks.push(blk);
            blockIds[w] = blocks.length - 1;
          } else blockIds[w] = spinsAt(ram32[w]) ? 0 : -HOT - 1; // not translatable: stay interpreted (a spin: while it is one)
        }
      }
      if (w >= 0) insn = ram32[w];
      else {
        fetchVpn = -1;
        clock.now = start + used;
        insn = this.fetchSlow(pc);
        used = (clock.now - start) | 0;
        if (this.excCause < 0) continue; // the TLB now maps the page: fetch again through it
        exc = this.excCause;
        tval = this.excTval;
        this.excCause = -1;
      }
      used = (used + INSN) | 0;
      if (exc < 0)
        switch (insn & 0x7f) {
          case 0x37: // LUI
            x[(insn >> 7) & 31] = insn & 0xfffff000;
            pc = (pc + 4) | 0;
            break;
          case 0x17: // AUIPC
            x[(insn >> 7) & 31] = (pc + (insn & 0xfffff000)) | 0;
            pc = (pc + 4) | 0;
            break;
          case 0x6f: { // JAL
            const imm = (((insn >> 31) << 20) | (insn & 0xff000) | ((insn >>> 9) & 0x800) | ((insn >>> 20) & 0x7fe));
            const target = (pc + imm) | 0;
            if (target & 3) {
              exc = Cause.InsnMisaligned;
              tval = target;
              break;
            }
            x[(insn >> 7) & 31] = (pc + 4) | 0;
            used = (used + JUMP_EXTRA) | 0;
            if (target === pc && spinSkip) {
              const n = this.spinRepeats(used, left, bp ? w : -1);
              used = (used + n * SPIN) | 0;
              ret += n;
            }
            pc = target;
            break;
          }
          case 0x67: { // JALR
            if ((insn >>> 12) & 7) {
              exc = Cause.IllegalInsn;
              tval = insn;
              break;
            }
            const target = ((x[(insn >> 15) & 31] + (insn >> 20)) & ~1) | 0;
            if (target & 3) {
              exc = Cause.InsnMisaligned;
              tval = target;
              break;
            }
            x[(insn >> 7) & 31] = (pc + 4) | 0;
            pc = target;
            used = (used + JUMP_EXTRA) | 0;
            if (sfiCycles !== 0 && this.mode !== Mode.M) used = (used + this.checked(sfiCycles)) | 0;
            break;
          }
          case 0x63: { // BRANCH
            const a = x[(insn >> 15) & 31];
            const b = x[(insn >> 20) & 31];
            let taken: boolean;
            switch ((insn >>> 12) & 7) {
              case 0: taken = a === b; break;
              case 1: taken = a !== b; break;
              case 4: taken = a < b; break;
              case 5: taken = a >= b; break;
              case 6: taken = a >>> 0 < b >>> 0; break;
              case 7: taken = a >>> 0 >= b >>> 0; break;
              default:
                exc = Cause.IllegalInsn;
                tval = insn;
                taken = false;
            }
            if (exc >= 0) break;
            if (taken) {
              const imm = ((insn >> 31) << 12) | ((insn << 4) & 0x800) | ((insn >>> 20) & 0x7e0) | ((insn >>> 7) & 0x1e);
              const target = (pc + imm) | 0;
              if (target & 3) {
                exc = Cause.InsnMisaligned;
                tval = target;
                break;
              }
              used = (used + JUMP_EXTRA) | 0;
              if (target === pc && spinSkip) {
                const n = this.spinRepeats(used, left, bp ? w : -1);
                used = (used + n * SPIN) | 0;
                ret += n;
              }
              pc = target;
            } else pc = (pc + 4) | 0;
            break;
          }
          case 0x03: { // LOAD
            if (sfiCycles !== 0 && this.mode !== Mode.M) used = (used + this.checked(sfiCycles)) | 0;
            const va = (x[(insn >> 15) & 31] + (insn >> 20)) | 0;
            const f3 = (insn >>> 12) & 7;
            const vpn = va >>> 12;
            const i = vpn & TLB_MASK;
            let v = 0;
            let slow = true;
            if (tagR[i] === vpn) {
              const a = offR[i] + (va & 0xfff);
              slow = false;
              if (f3 === 2 && (a & 3) === 0) v = ram32[a >> 2];
              else if (f3 === 4) v = ramu8[a];
              else if (f3 === 0) v = ram8[a];
              else if (f3 === 5 && (a & 1) === 0) v = ramu16[a >> 1];
              else if (f3 === 1 && (a & 1) === 0) v = ram16[a >> 1];
              else slow = true;
            }
            if (slow) {
              clock.now = start + used;
              this.retired += ret;
              ret = 0;
              v = this.loadSlow(va, f3, insn);
              used = (clock.now - start) | 0;
              fetchVpn = -1;
              if (this.excCause >= 0) {
                exc = this.excCause;
                tval = this.excTval;
                this.excCause = -1;
                break;
              }
              if (this.stopSlice) left = 0;
            }
            x[(insn >> 7) & 31] = v;
            pc = (pc + 4) | 0;
            break;
          }
          case 0x23: { // STORE
            if (sfiCycles !== 0 && this.mode !== Mode.M) used = (used + this.checked(sfiCycles)) | 0;
            const va = (x[(insn >> 15) & 31] + (((insn >> 25) << 5) | ((insn >>> 7) & 31))) | 0;
            const f3 = (insn >>> 12) & 7;
            const v = x[(insn >> 20) & 31];
            const vpn = va >>> 12;
            const i = vpn & TLB_MASK;
            let slow = true;
            if (tagW[i] === vpn) {
              const a = offW[i] + (va & 0xfff);
              slow = false;
              if (f3 === 2 && (a & 3) === 0) ram32[a >> 2] = v;
              else if (f3 === 0) ram8[a] = v;
              else if (f3 === 1 && (a & 1) === 0) ram16[a >> 1] = v;
              else slow = true;
            }
            if (slow) {
              clock.now = start + used;
              this.retired += ret;
              ret = 0;
              this.storeSlow(va, f3, v, insn);
              used = (clock.now - start) | 0;
              fetchVpn = -1;
              if (this.excCause >= 0) {
                exc = this.excCause;
                tval = this.excTval;
                this.excCause = -1;
                break;
              }
              if (this.stopSlice) left = 0;
            }
            pc = (pc + 4) | 0;
            break;
          }
          case 0x13: { // OP-IMM
            const a = x[(insn >> 15) & 31];
            const imm = insn >> 20;
            const rd = (insn >> 7) & 31;
            switch ((insn >>> 12) & 7) {
              case 0: x[rd] = (a + imm) | 0; break;
              case 2: x[rd] = a < imm ? 1 : 0; break;
              case 3: x[rd] = a >>> 0 < imm >>> 0 ? 1 : 0; break;
              case 4: x[rd] = a ^ imm; break;
              case 6: x[rd] = a | imm; break;
              case 7: x[rd] = a & imm; break;
              case 1:
                if (insn >>> 25) exc = Cause.IllegalInsn;
                else x[rd] = a << (imm & 31);
                break;
              case 5:
                if (insn >>> 25 === 0) x[rd] = a >>> (imm & 31);
                else if (insn >>> 25 === 0x20) x[rd] = a >> (imm & 31);
                else exc = Cause.IllegalInsn;
                break;
            }
            if (exc >= 0) {
              tval = insn;
              break;
            }
            pc = (pc + 4) | 0;
            break;
          }
          case 0x33: { // OP
            const a = x[(insn >> 15) & 31];
            const b = x[(insn >> 20) & 31];
            const rd = (insn >> 7) & 31;
            const f7 = insn >>> 25;
            const f3 = (insn >>> 12) & 7;
            if (f7 === 0) {
              switch (f3) {
                case 0: x[rd] = (a + b) | 0; break;
                case 1: x[rd] = a << (b & 31); break;
                case 2: x[rd] = a < b ? 1 : 0; break;
                case 3: x[rd] = a >>> 0 < b >>> 0 ? 1 : 0; break;
                case 4: x[rd] = a ^ b; break;
                case 5: x[rd] = a >>> (b & 31); break;
                case 6: x[rd] = a | b; break;
                case 7: x[rd] = a & b; break;
              }
            } else if (f7 === 0x20 && f3 === 0) x[rd] = (a - b) | 0;
            else if (f7 === 0x20 && f3 === 5) x[rd] = a >> (b & 31);
            else if (f7 === 1) {
              x[rd] = mulDiv(f3, a, b);
              used = (used + (f3 < 4 ? MUL_EXTRA : DIV_EXTRA)) | 0;
            } else {
              exc = Cause.IllegalInsn;
              tval = insn;
              break;
            }
            pc = (pc + 4) | 0;
            break;
          }
          case 0x0f: // MISC-MEM: FENCE / FENCE.I are no-ops (no caches, no decode cache)
            if ((insn >>> 12) & 6) {
              exc = Cause.IllegalInsn;
              tval = insn;
              break;
            }
            pc = (pc + 4) | 0;
            break;
          case 0x73: { // SYSTEM
            clock.now = start + used;
            this.retired += ret;
            ret = 0;
            this.pc = pc;
            this.system(insn);
            used = (clock.now - start) | 0;
            fetchVpn = -1;
            if (this.excCause >= 0) {
              exc = this.excCause;
              tval = this.excTval;
              this.excCause = -1;
              break;
            }
            pc = this.pc;
            if (this.stopSlice) left = 0;
            break;
          }
          default:
            exc = Cause.IllegalInsn;
            tval = insn;
        }
      x[0] = 0;
      if (exc < 0) {
        ret++;
        continue;
      }
      // One exit for every synchronous exception.
      clock.now = start + used;
      this.retired += ret;
      ret = 0;
      this.pc = pc;
      const e = exc;
      exc = -1;
      if (this.enterTrap(e, tval, false)) return Stop.Trap;
      pc = this.pc;
      used = (clock.now - start) | 0;
      fetchVpn = -1;
    }
    clock.now = start + used;
    this.retired += ret;
    this.pc = pc;
    if (this.watchHit) return Stop.Watch;
    return this.stopSlice ? Stop.Yield : Stop.Limit;
  }

  /**
   * Spin skipping. A JAL or taken branch whose target is its own address has just executed, with
   * `used` of the slice's `left` cycles spent: how many more iterations of it to credit at once.
   * Each further iteration is the same instruction on the same state (a branch writes nothing; a
   * JAL writes pc + 4, the value rd already holds), so it branches again and costs SPIN cycles;
   * within a slice nothing else can change that state (interrupts are only checked on entry to
   * run(); the host and devices act between slices). The loop starts iterations while
   * used < left: ceil((left - used) / SPIN) of them, or 0.
   * With breakpoints on its word (RAM word `w`, else -1), each iteration counts a hit for every
   * breakpoint there that matches (RAM does not change, so the same ones match every time; their
   * first hit is already recorded: by this execution, or by the one that stopped before it). The
   * iterations before the first that would stop are credited, hits included; that one is left to
   * the loop, which counts it and stops there as it would have.
   * Coverage marks are idempotent (this execution set the word's). Trace mode runs one-cycle
   * slices, where the answer is always 0.
   */
  private spinRepeats(used: number, left: number, w: number): number {
    let n = used < left ? ((left - used + SPIN - 1) / SPIN) | 0 : 0;
    if (w >= 0 && n > 0) {
      const hits = this.spinHits(w << 2);
      for (const b of hits) if (b.stopAt > b.hits && b.stopAt - b.hits <= n) n = b.stopAt - b.hits - 1;
      for (const b of hits) b.hits += n;
    }
    this.skippedSpins += n;
    return n;
  }

  /** The breakpoints an execution of the instruction at RAM offset `off` counts (see breakpointAt). */
  private spinHits(off: number): Breakpoint[] {
    const pa = this.bus.ramBase + off;
    return this.breakpoints.filter((b) => b.pa === pa && (b.expect === undefined || this.bus.ram32[off >> 2] === (b.expect | 0)));
  }

  /**
   * Counts an execution of the instruction at RAM offset `off` (pc `pc`) against the
   * breakpoints; true when the CPU must stop before executing it.
   */
  private breakpointAt(off: number, pc: number, now: number): boolean {
    if (this.bpResume === pc) {
      this.bpResume = -1; // we stopped here before: this is that same execution, already counted
      return false;
    }
    let stop = false;
    const pa = this.bus.ramBase + off;
    for (const b of this.breakpoints) {
      if (b.pa !== pa || (b.expect !== undefined && this.bus.ram32[off >> 2] !== (b.expect | 0))) continue;
      b.hits++;
      if (b.firstHitAt < 0) b.firstHitAt = now;
      if (b.hits === b.stopAt) stop = true;
    }
    if (stop) this.bpResume = pc;
    return stop;
  }

  /** Counts one software-checked access (see sfi); returns its cycles. */
  private checked(cycles: number): number {
    this.sfiChecks++;
    return cycles;
  }

  /** The software checks (see sfi) refuse an access to physical [pa, pa + len): not RAM the running domain owns. */
  private sfiRefuses(pa: number, len: number): boolean {
    if (!this.sfi || this.mode === Mode.M) return false;
    const off = this.ramOffset(pa, len);
    return off < 0 || this.owner[off >>> PAGE_SHIFT] !== this.domain;
  }

  /** Data-access privilege: MPRV makes M-mode loads/stores use MPP. */
  private dataMode(): number {
    const st = this.csr.mstatus;
    return this.mode === Mode.M && st & MSTATUS_MPRV ? (st & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT : this.mode;
  }

  /** Virtual → physical for an access, charging walk cycles; -1 with excCause set on fault. */
  private xlate(va: number, access: Access): number {
    const priv = access === Access.Exec ? this.mode : this.dataMode();
    const satp = this.csr.satp;
    if (priv === Mode.M || satp >= 0) return va >>> 0; // satp bit 31 clear: Bare
    const env = this.walkEnv;
    env.satp = satp;
    env.priv = priv;
    env.sum = (this.csr.mstatus & MSTATUS_SUM) !== 0;
    env.mxr = (this.csr.mstatus & MSTATUS_MXR) !== 0;
    this.walkLevels.n = 0;
    const r = walk(env, va >>> 0, access, this.walkLevels);
    this.clock.now += this.walkLevels.n * cost.WALK_LEVEL;
    this.tlb.misses++;
    this.tlb.walkReads += this.walkLevels.n;
    if (r >= 0) return r;
    this.excCause = walkFaultCause(r);
    this.excTval = va;
    return -1;
  }

  private readPhys32(pa: number): number | undefined {
    if (pa % 4 !== 0 || !this.bus.isRam(pa, 4)) return undefined;
    return this.bus.ram32[(pa - this.bus.ramBase) >>> 2];
  }

  private fault(cause: number, tval: number): number {
    this.excCause = cause;
    this.excTval = tval;
    return 0;
  }

  /** RAM offset of physical `pa`, or -1 when it is not RAM. */
  private ramOffset(pa: number, len: number): number {
    const off = pa - this.bus.ramBase;
    return off >= 0 && off + len <= this.bus.ramSize ? off : -1;
  }

  private fetchSlow(pc: number): number {
    if (pc & 3) return this.fault(Cause.InsnMisaligned, pc);
    const pa = this.xlate(pc, Access.Exec);
    if (pa < 0) return 0;
    if (this.sfiRefuses(pa, 4)) return this.fault(Cause.InsnAccessFault, pc);
    const off = this.ramOffset(pa, 4);
    if (off < 0) return this.fault(Cause.InsnAccessFault, pc); // no execution from devices
    this.tlb.fill(Access.Exec, pc >>> 12, off & ~0xfff);
    return this.bus.ram32[off >> 2];
  }

  private loadSlow(va: number, f3: number, insn: number): number {
    if (f3 === 3 || f3 > 5) return this.fault(Cause.IllegalInsn, insn);
    const size = 1 << (f3 & 3);
    if (va & (size - 1)) return this.fault(Cause.LoadMisaligned, va);
    const pa = this.xlate(va, Access.Read);
    if (pa < 0) return 0;
    if (this.sfiRefuses(pa, size)) return this.fault(Cause.LoadAccessFault, va);
    const off = this.ramOffset(pa, size);
    const bus = this.bus;
    if (off >= 0) {
      this.tlb.fill(Access.Read, va >>> 12, off & ~0xfff);
      if (size === 4) return bus.ram32[off >> 2];
      if (size === 2) return f3 & 4 ? bus.ramu16[off >> 1] : bus.ram16[off >> 1];
      return f3 & 4 ? bus.ram[off] : bus.ram8[off];
    }
    if (pa > 0xffff_ffff) return this.fault(Cause.LoadAccessFault, va);
    this.clock.now += cost.IO_ACCESS;
    const v = bus.mmioRead(pa, size as 1 | 2 | 4);
    this.stopSlice = true;
    if (bus.fault) {
      bus.fault = false;
      return this.fault(Cause.LoadAccessFault, va);
    }
    if (size === 4) return v | 0;
    if (size === 2) return f3 & 4 ? v & 0xffff : (v << 16) >> 16;
    return f3 & 4 ? v & 0xff : (v << 24) >> 24;
  }

  private storeSlow(va: number, f3: number, v: number, insn: number): void {
    if (f3 > 2) {
      this.fault(Cause.IllegalInsn, insn);
      return;
    }
    const size = 1 << f3;
    if (va & (size - 1)) {
      this.fault(Cause.StoreMisaligned, va);
      return;
    }
    const pa = this.xlate(va, Access.Write);
    if (pa < 0) return;
    if (this.sfiRefuses(pa, size)) {
      this.fault(Cause.StoreAccessFault, va);
      return;
    }
    const off = this.ramOffset(pa, size);
    const bus = this.bus;
    if (off >= 0) {
      if (size === 4) bus.ram32[off >> 2] = v;
      else if (size === 2) bus.ram16[off >> 1] = v;
      else bus.ram8[off] = v;
      const page = off >>> PAGE_SHIFT;
      this.cpuWritten[page] = 1; // this store, and the write-TLB entry it may leave
      const foreign = this.trackOwnership && this.domain !== 0 && this.owner[page] !== this.domain;
      if (foreign) this.noteWrite(this.domain, off);
      if (!this.slowWrite[page] && !foreign) this.tlb.fill(Access.Write, va >>> 12, off & ~0xfff);
      else if (this.watches.has(pa)) {
        this.watchHit = true;
        this.watchAddr = pa;
        this.stopSlice = true;
      }
      return;
    }
    if (pa > 0xffff_ffff) {
      this.fault(Cause.StoreAccessFault, va);
      return;
    }
    this.clock.now += cost.IO_ACCESS;
    bus.mmioWrite(pa, v, size as 1 | 2 | 4);
    this.stopSlice = true;
    if (bus.fault) {
      bus.fault = false;
      this.fault(Cause.StoreAccessFault, va);
    }
  }

  /** SYSTEM opcode: CSR instructions, ECALL/EBREAK, xRET, WFI, SFENCE.VMA. pc in this.pc. */
  private system(insn: number): void {
    if (this.sfi && this.mode !== Mode.M && insn !== 0x00000073 && insn !== 0x00100073) {
      this.fault(Cause.IllegalInsn, insn); // a privileged instruction in a software-isolated process
      return;
    }
    const f3 = (insn >>> 12) & 7;
    if (f3 === 0) return this.privileged(insn);
    if (f3 === 4) {
      this.fault(Cause.IllegalInsn, insn);
      return;
    }
    const num = insn >>> 20;
    const rs1 = (insn >> 15) & 31;
    const rd = (insn >> 7) & 31;
    const op = f3 & 3;
    const src = f3 & 4 ? rs1 : this.x[rs1];
    const writes = op === 1 || rs1 !== 0;
    if (!csrAccess(this, num, writes)) {
      this.fault(Cause.IllegalInsn, insn);
      return;
    }
    const old = csrRead(this, num);
    if (old === undefined) {
      this.fault(Cause.IllegalInsn, insn);
      return;
    }
    if (writes) {
      const oldStatus = this.csr.mstatus;
      csrWrite(this, num, op === 1 ? src : op === 2 ? old | src : old & ~src);
      if (num === CSR.satp || ((oldStatus ^ this.csr.mstatus) & MSTATUS_XLATE) !== 0) {
        this.tlb.flush();
        this.clock.now += cost.TLB_FLUSH;
      }
      this.stopSlice = true; // interrupt enables or pending bits may have changed
    }
    this.x[rd] = old;
    this.x[0] = 0;
    this.pc = (this.pc + 4) | 0;
  }

  private privileged(insn: number): void {
    const c = this.csr;
    if (insn === 0x00000073) {
      this.fault(this.mode === Mode.U ? Cause.EcallU : this.mode === Mode.S ? Cause.EcallS : Cause.EcallM, 0);
    } else if (insn === 0x00100073) {
      this.fault(Cause.Breakpoint, this.pc);
    } else if (insn === 0x30200073 && this.mode === Mode.M) {
      const mpp = (c.mstatus & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT;
      let st = c.mstatus & ~(MSTATUS_MIE | MSTATUS_MPP);
      if (c.mstatus & MSTATUS_MPIE) st |= MSTATUS_MIE;
      st |= MSTATUS_MPIE;
      if (mpp !== Mode.M) st &= ~MSTATUS_MPRV;
      c.mstatus = st;
      this.returnTo(mpp, c.mepc);
    } else if (insn === 0x10200073 && (this.mode === Mode.M || (this.mode === Mode.S && !(c.mstatus & MSTATUS_TSR)))) {
      const spp = c.mstatus & MSTATUS_SPP ? Mode.S : Mode.U;
      let st = c.mstatus & ~(MSTATUS_SIE | MSTATUS_SPP | MSTATUS_MPRV);
      if (c.mstatus & MSTATUS_SPIE) st |= MSTATUS_SIE;
      st |= MSTATUS_SPIE;
      c.mstatus = st;
      this.returnTo(spp, c.sepc);
    } else if (insn === 0x10500073 && (this.mode === Mode.M || (this.mode === Mode.S && !(c.mstatus & MSTATUS_TW)))) {
      this.pc = (this.pc + 4) | 0;
      if (((c.mipSw | c.mipHw) & c.mie) === 0) this.wfi = true;
      this.stopSlice = true;
    } else if ((insn & 0xfe007fff) === 0x12000073 && (this.mode === Mode.M || (this.mode === Mode.S && !(c.mstatus & MSTATUS_TVM)))) {
      this.tlb.flush();
      this.clock.now += cost.TLB_FLUSH;
      this.pc = (this.pc + 4) | 0;
    } else {
      this.fault(Cause.IllegalInsn, insn);
    }
  }

  private returnTo(mode: number, pc: number): void {
    this.setMode(mode);
    this.tlb.flush(); // MPRV may have changed too
    this.pc = pc;
    this.clock.now += cost.TRAP_RETURN;
    this.stopSlice = true;
  }
}

function setTrap(t: TrapRecord, cause: number, interrupt: boolean, pc: number, tval: number): void {
  t.cause = cause;
  t.interrupt = interrupt;
  t.pc = pc;
  t.tval = tval;
}

/** Whether any of bytes [i, i + n) of `a` is nonzero (a breakpoint inside a block). */
function anySet(a: Uint8Array, i: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[i + k] !== 0) return true;
  return false;
}

/** Whether RAM at word w still holds `words` (a translated block's source). */
function sameWords(ram32: Int32Array, w: number, words: Int32Array): boolean {
  for (let i = 0; i < words.length; i++) if (ram32[w + i] !== words[i]) return false;
  return true;
}

/** Trap vector address: base, plus 4 * cause for interrupts in vectored mode. */
function vector(tvec: number, cause: number, interrupt: boolean): number {
  const base = tvec & ~3;
  return interrupt && tvec & 1 ? (base + 4 * cause) | 0 : base;
}

/** The M extension: f3 selects MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU. */
export function mulDiv(f3: number, a: number, b: number): number {
  switch (f3) {
    case 0: return Math.imul(a, b);
    case 1: return (mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
    case 2: return (mulhu(a, b) - (a < 0 ? b : 0)) | 0;
    case 3: return mulhu(a, b);
    case 4: return b === 0 ? -1 : a === -0x8000_0000 && b === -1 ? a : (a / b) | 0;
    case 5: return b === 0 ? -1 : ((a >>> 0) / (b >>> 0)) | 0;
    case 6: return b === 0 ? a : a === -0x8000_0000 && b === -1 ? 0 : a % b | 0;
    default: return b === 0 ? a : ((a >>> 0) % (b >>> 0)) | 0;
  }
}

/** High word of the unsigned 64-bit product of a and b (as int32), in 16-bit limbs. */
function mulhu(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p01 = a0 * b1, p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}
