/*
 * Injection of a planned Fault into a running System, as a small state machine the caller drives.
 * Its state (Injection) is plain data the caller holds; the machine's execution breakpoints do the
 * watching (cpu.setBreakpoints: one breakpoint at the physical address of the site).
 *
 *   arm(sys, fault)          code + first:  patch the running copy now (and the image if persistent),
 *                                           then count executions of the mutated word (activation)
 *                            code + nth n:  stop before the n-th execution of the original word
 *                            runtime:       stop before the n-th (first: 1st) execution of the site
 *                            cycle trigger: nothing yet; returns the absolute cycle for atCycle()
 *   onBreakpoint(sys, inj)   the run stopped on the breakpoint: patch (code) or apply the action
 *                            (runtime; persistent ones re-arm for the next execution)
 *   atCycle(sys, inj)        the cycle trigger is reached: patch now (code), or watch the site (runtime)
 *   refresh(sys, inj)        follow the driver after RS restarted it (see below)
 *   activation(sys, inj)     { activated, at, executions } so far
 *
 * A runtime fault with a condition (`when`: BAD_DMA's port in a0) stops at every execution of
 * its site; only those that meet the condition count towards the trigger and get the action.
 *
 * The injection owns the CPU's breakpoints while it is live (arm replaces any others; an ended
 * injection clears them). Breakpoints are not in snapshots: after System.restore() call disarm()
 * or arm() again. A persistent code fault also changes sys.images[driver], which snapshots copy,
 * so restoring a snapshot taken before arm() undoes it.
 *
 * Restarts: breakpoints are by physical address, and RS restarts a dead driver from its image
 * into new memory — in practice the same pages, since the kernel reuses the freed block. A
 * transient fault ends when the incarnation it was armed in is gone (the new copy is clean). A
 * persistent fault follows the new incarnation: refresh() re-arms the breakpoint if the site's
 * physical address changed. onBreakpoint() and activation() call it; a caller that wants the
 * fault to go on across a restart into other memory (builds whose drivers' memory is allocated
 * in pieces, nooks and singularity, restart them elsewhere) calls refresh() right after the
 * restart, before the new incarnation runs — campaigns do, through runWorkload's onRestart —
 * else the executions between the restart and the refresh are neither counted nor faulted.
 */
import { fileOffsetOf, parseElf } from "../system/machine/elf.js";
import type { Breakpoint } from "../system/machine/cpu.js";
import type { System } from "../system/system.js";
import { applyBadDma } from "./dma.js";
import { pageTableWord } from "./kernel-targets.js";
import { serverTableWord } from "./server-targets.js";
import { hex8 } from "./rv32.js";
import type { Fault } from "./types.js";

export type Phase =
  | "timer" // cycle trigger: waiting for atCycle()
  | "waiting" // the breakpoint waits for the triggering execution of the site
  | "active" // code patched (counting executions), or a persistent action re-applied at each execution
  | "over"; // nothing more will happen; counts are final

export interface Injection {
  fault: Fault;
  phase: Phase;
  /** Cycle at which arm() was called (the experiment's start). */
  armedAt: number;
  /** Absolute cycle at which the caller must call atCycle() (cycle triggers), else -1. */
  stopAtCycle: number;
  /** Physical address of the site that the breakpoint watches; -1 when none is armed. */
  pa: number;
  /** What the breakpoint counts: the original word up to the trigger, the mutated word after a patch. */
  watching: "trigger" | "mutated" | "none";
  /** Endpoint of the driver incarnation the fault is in. */
  endpoint: number;
  /**
   * Executions of the site counted towards the trigger by breakpoints already replaced (a fault
   * with a condition: the executions that met it, counted as they stop).
   */
  triggerHits: number;
  /** Code: executions of the mutated word counted by breakpoints already replaced. Runtime: applications of the action. */
  executions: number;
  /** Cycle of the first activation known so far, or -1. */
  firstAt: number;
  /** Cycle at which the code was patched, or -1. */
  patchedAt: number;
  /** Persistent MEM_FLIP: the value (0 or 1) the flipped bit sticks at, -1 before the first flip. */
  stuck: number;
  /** Why the injection ended early or an action could not be applied (empty if nothing to say). */
  note: string;
  /** BAD_POINTER kernel-pagetable, BAD_DMA: the physical address the last application aimed at, or -1. */
  aimedAt: number;
}

export interface Activation {
  /** Code: the mutated instruction was executed at least once. Runtime: the action was applied. */
  activated: boolean;
  /** Absolute cycle of the first activation, or -1. */
  at: number;
  /** Executions of the mutated instruction (code) or applications of the action (runtime). */
  executions: number;
}

export type ArmResult = { ok: true; injection: Injection; stopAtCycle?: number } | { ok: false; error: string };

const ramIndex = (sys: System, pa: number): number => ((pa >>> 0) - sys.machine.bus.ramBase) >>> 2;
const readWord = (sys: System, pa: number): number => sys.machine.bus.ram32[ramIndex(sys, pa)] >>> 0;
function writeWord(sys: System, pa: number, w: number): void {
  sys.machine.bus.ram32[ramIndex(sys, pa)] = w | 0;
}

/** File offset of the fault's site in the driver's image (which must hold the original word there), or an error line. */
function imageOffset(sys: System, f: Fault): number | string {
  const img = sys.images[f.driver];
  if (!img) return `no image "${f.driver}" in the system`;
  const parsed = parseElf(img);
  if (!parsed.ok) return `image ${f.driver}: ${parsed.error}`;
  const off = fileOffsetOf(parsed.elf, f.site.va);
  if (off === undefined) return `${hex8(f.site.va)} is not in the file bytes of image ${f.driver}`;
  const w = new DataView(img.buffer, img.byteOffset, img.byteLength).getUint32(off, true);
  if (w !== f.original >>> 0 && !(f.kind === "code" && w === f.mutated >>> 0)) {
    return `image ${f.driver} holds ${hex8(w)} at ${hex8(f.site.va)}, not the fault's ${hex8(f.original)}: it was planned on another image`;
  }
  return off;
}

/** Writes the mutated word into the image RS restarts from. */
function patchImage(sys: System, f: Fault & { kind: "code" }): void {
  const off = imageOffset(sys, f);
  if (typeof off === "string") throw new Error(`bug: image checked at arm time: ${off}`);
  const img = sys.images[f.driver];
  new DataView(img.buffer, img.byteOffset, img.byteLength).setUint32(off, f.mutated >>> 0, true);
}

function setBreakpoint(sys: System, inj: Injection, pa: number, stopAt: number, watching: "trigger" | "mutated"): void {
  const f = inj.fault;
  const expect = watching === "mutated" && f.kind === "code" ? f.mutated : f.original;
  sys.machine.cpu.setBreakpoints([{ pa, stopAt, expect }]);
  inj.pa = pa;
  inj.watching = watching;
}

/** The live breakpoint record of the injection, if the CPU still has it. */
function live(sys: System, inj: Injection): Breakpoint | undefined {
  return inj.pa < 0 ? undefined : sys.machine.cpu.breakpoints.find((b) => b.pa === inj.pa >>> 0);
}

/** A runtime fault only some executions of whose site count (see RuntimeFault.when). */
const conditional = (f: Fault): boolean => f.kind === "runtime" && f.when !== undefined;

/** Whether the execution the CPU stopped at meets the fault's condition (always, without one). */
function meets(sys: System, f: Fault): boolean {
  if (f.kind !== "runtime" || !f.when) return true;
  const v = sys.machine.cpu.x[f.when.reg] >>> 0;
  return f.when.oneOf ? f.when.oneOf.includes(v) : v === f.when.equals >>> 0;
}

/** Moves the live breakpoint's counts into the injection (before the breakpoint is replaced). */
function bank(sys: System, inj: Injection): void {
  const bp = live(sys, inj);
  if (!bp) return;
  if (inj.watching === "trigger" && !conditional(inj.fault)) inj.triggerHits += bp.hits;
  if (inj.watching === "mutated" && inj.fault.kind === "code") {
    inj.executions += bp.hits;
    if (inj.firstAt < 0 && bp.firstHitAt >= 0) inj.firstAt = bp.firstHitAt;
  }
}

/** Ends the injection: counts banked, breakpoints cleared. */
function end(sys: System, inj: Injection, note: string): void {
  bank(sys, inj);
  sys.machine.cpu.setBreakpoints([]);
  inj.pa = -1;
  inj.watching = "none";
  inj.phase = "over";
  if (note) inj.note = note;
}

/** Code faults: write the mutated word at pa (and into the image if persistent); count its executions. */
function patch(sys: System, inj: Injection, pa: number): void {
  const f = inj.fault as Fault & { kind: "code" };
  writeWord(sys, pa, f.mutated);
  if (f.persistence === "persistent") patchImage(sys, f);
  inj.patchedAt = sys.machine.clock.now;
  inj.phase = "active";
  setBreakpoint(sys, inj, pa, 0, "mutated");
}

/** Executions of the site still needed before the trigger fires (with a condition: stop at the next one and look). */
function remaining(inj: Injection): number {
  const t = inj.fault.trigger;
  if (conditional(inj.fault)) return 1;
  return Math.max(1, (t.kind === "nth" ? t.n : 1) - inj.triggerHits);
}

/**
 * Arms `fault` in the running system: checks that the driver runs and holds the fault's original
 * word at the site (and, for persistent code faults, that its image does), then acts per trigger
 * (see the file comment). Returns the injection state, plus stopAtCycle for cycle triggers; an
 * error when the fault does not fit the system.
 */
export function arm(sys: System, fault: Fault): ArmResult {
  const endpoint = sys.kernel.lookupLabel(fault.driver);
  if (endpoint === undefined) return { ok: false, error: `${fault.driver} is not running` };
  const pa = sys.translate(fault.driver, fault.site.va);
  if (pa === undefined) return { ok: false, error: `${hex8(fault.site.va)} is not mapped in ${fault.driver}` };
  const word = readWord(sys, pa);
  if (word !== fault.original >>> 0) {
    return { ok: false, error: `${fault.driver} holds ${hex8(word)} at ${hex8(fault.site.va)}, not the fault's ${hex8(fault.original)}: it was planned on another image` };
  }
  if (fault.kind === "code" && fault.persistence === "persistent") {
    const off = imageOffset(sys, fault);
    if (typeof off === "string") return { ok: false, error: off };
  }
  const now = sys.machine.clock.now;
  const inj: Injection = {
    fault, phase: "waiting", armedAt: now, stopAtCycle: -1, pa: -1, watching: "none", endpoint, triggerHits: 0, executions: 0,
    firstAt: -1, patchedAt: -1, stuck: -1, note: "", aimedAt: -1,
  };
  if (fault.trigger.kind === "cycle") {
    sys.machine.cpu.setBreakpoints([]);
    inj.phase = "timer";
    inj.stopAtCycle = now + fault.trigger.at;
    return { ok: true, injection: inj, stopAtCycle: inj.stopAtCycle };
  }
  if (fault.kind === "code" && fault.trigger.kind === "first") patch(sys, inj, pa);
  else setBreakpoint(sys, inj, pa, remaining(inj), "trigger");
  return { ok: true, injection: inj };
}

/**
 * To be called when the run stopped on a breakpoint (run.ts limits.onBreakpoint). If it is the
 * injection's trigger: patches the code or applies the action; returns whether the stop was the
 * injection's.
 */
export function onBreakpoint(sys: System, inj: Injection): boolean {
  const bp = live(sys, inj);
  if (inj.phase === "over" || inj.watching !== "trigger" || !bp || bp.stopAt === 0 || bp.hits !== bp.stopAt) {
    refresh(sys, inj);
    return false;
  }
  const ep = sys.kernel.lookupLabel(inj.fault.driver);
  if (inj.fault.persistence === "transient" && ep !== inj.endpoint) {
    end(sys, inj, "the driver restarted before the trigger: its new copy is clean");
    return true;
  }
  if (inj.fault.kind === "code") {
    inj.triggerHits += bp.hits;
    patch(sys, inj, inj.pa);
    return true;
  }
  if (conditional(inj.fault) && !countsNow(sys, inj)) {
    bp.stopAt = bp.hits + 1; // look again at the next execution
    return true;
  }
  apply(sys, inj);
  if (inj.fault.persistence === "persistent") {
    inj.phase = "active";
    bp.stopAt = bp.hits + 1; // the live record: the CPU does not count this execution twice
  } else end(sys, inj, "");
  return true;
}

/**
 * A fault with a condition, stopped at its site: whether this execution meets the condition and,
 * before the trigger, is the one the trigger waits for (nth: the n-th that met it; counted here).
 */
function countsNow(sys: System, inj: Injection): boolean {
  if (!meets(sys, inj.fault)) return false;
  if (inj.phase !== "waiting") return true;
  inj.triggerHits++;
  const t = inj.fault.trigger;
  return inj.triggerHits >= (t.kind === "nth" ? t.n : 1);
}

/** Applies a runtime fault's action to the driver's registers or memory. */
function apply(sys: System, inj: Injection): void {
  const f = inj.fault as Fault & { kind: "runtime" };
  const a = f.action;
  const x = sys.machine.cpu.x;
  switch (a.kind) {
    case "set-reg": x[a.reg] = a.value; break;
    case "add-reg": x[a.reg] = (x[a.reg] + a.add) | 0; break;
    case "xor-reg": x[a.reg] ^= a.xor; break;
    case "aim-page-table": {
      const pa = pageTableWord(sys.kernel.km, a.draw);
      if (pa === undefined) {
        inj.note = "no live process has page tables";
        return;
      }
      x[a.reg] = (pa - a.imm) | 0;
      inj.aimedAt = pa;
      break;
    }
    case "aim-server-tables": {
      const w = serverTableWord(sys, a.draw);
      if (w === undefined) {
        inj.note = "no server with tables is alive";
        return;
      }
      x[a.reg] = (w.pa - a.imm) | 0;
      inj.aimedAt = w.pa;
      break;
    }
    case "dma-address": {
      const r = applyBadDma(sys, f.driver, a.replace, a.aim);
      if (!r.ok) {
        inj.note = r.note;
        return;
      }
      inj.aimedAt = r.aimedAt;
      break;
    }
    case "xor-mem": {
      const pa = sys.translate(f.driver, a.va);
      if (pa === undefined) {
        inj.note = `${hex8(a.va)} is not mapped in ${f.driver}`;
        return;
      }
      writeWord(sys, pa, flipped(inj, readWord(sys, pa), a.xor));
      break;
    }
  }
  inj.executions++;
  if (inj.firstAt < 0) inj.firstAt = sys.machine.clock.now;
}

/** MEM_FLIP: the word with its bit flipped (transient, or the first time) or stuck (persistent, later). */
function flipped(inj: Injection, word: number, xor: number): number {
  if (inj.fault.persistence === "transient" || inj.stuck < 0) {
    const w = (word ^ xor) >>> 0;
    inj.stuck = w & xor ? 1 : 0;
    return w;
  }
  return (inj.stuck ? word | xor : word & ~xor) >>> 0;
}

/**
 * To be called once the clock reached injection.stopAtCycle (cycle triggers): patches the code
 * now, or starts watching the site of a runtime fault (its action then strikes at the first
 * execution from now on). A transient fault whose driver is not running (or was restarted) ends.
 */
export function atCycle(sys: System, inj: Injection): void {
  if (inj.phase !== "timer") return;
  inj.stopAtCycle = -1;
  const f = inj.fault;
  const ep = sys.kernel.lookupLabel(f.driver);
  const pa = ep === undefined ? undefined : sys.translate(f.driver, f.site.va);
  if (f.persistence === "transient" && (ep !== inj.endpoint || pa === undefined)) {
    end(sys, inj, "the driver was not running, or had been restarted, at the trigger cycle");
    return;
  }
  if (ep !== undefined) inj.endpoint = ep;
  if (pa === undefined) {
    // Persistent, driver down: the image carries a code fault into the next incarnation; refresh() arms.
    if (f.kind === "code") {
      patchImage(sys, f);
      inj.patchedAt = sys.machine.clock.now;
      inj.phase = "active";
    } else inj.phase = "waiting";
    inj.endpoint = -1;
    return;
  }
  if (f.kind === "code") patch(sys, inj, pa);
  else {
    inj.phase = "waiting";
    setBreakpoint(sys, inj, pa, 1, "trigger");
  }
}

/**
 * Follows the driver across an RS restart. A transient fault ends when its incarnation is gone.
 * A persistent one re-arms in the new incarnation when the site's physical address changed
 * (counts carried over; a new copy that lacks the mutation gets it). Does nothing while the
 * driver is down, and nothing if the incarnation and address are unchanged.
 */
export function refresh(sys: System, inj: Injection): void {
  if (inj.phase === "over" || inj.phase === "timer") return;
  const f = inj.fault;
  const ep = sys.kernel.lookupLabel(f.driver);
  if (ep === undefined) return;
  if (f.persistence === "transient") {
    if (ep !== inj.endpoint) end(sys, inj, "the driver restarted: its new copy is clean");
    return;
  }
  const pa = sys.translate(f.driver, f.site.va);
  if (pa === undefined || (ep === inj.endpoint && pa === inj.pa)) return;
  inj.endpoint = ep;
  if (pa === inj.pa) return; // a new incarnation in the same memory: the breakpoint carries on
  bank(sys, inj);
  if (inj.phase === "waiting") setBreakpoint(sys, inj, pa, remaining(inj), "trigger");
  else if (f.kind === "code") {
    if (readWord(sys, pa) === f.original >>> 0) writeWord(sys, pa, f.mutated);
    setBreakpoint(sys, inj, pa, 0, "mutated");
  } else setBreakpoint(sys, inj, pa, 1, "trigger");
}

/** Whether and when the fault has been activated so far, and how often (see Activation). */
export function activation(sys: System, inj: Injection): Activation {
  refresh(sys, inj);
  let executions = inj.executions;
  let at = inj.firstAt;
  const bp = inj.watching === "mutated" ? live(sys, inj) : undefined;
  if (bp) {
    executions += bp.hits;
    if (at < 0 && bp.firstHitAt >= 0) at = bp.firstHitAt;
  }
  return { activated: executions > 0, at, executions };
}

/** Ends the injection and clears its breakpoint (e.g. before restoring a snapshot for the next experiment). */
export function disarm(sys: System, inj: Injection): void {
  if (inj.phase !== "over") end(sys, inj, "disarmed");
}
