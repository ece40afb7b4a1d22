/*
 * The clock tick (MINIX's clock task, run in the timer interrupt): it rearms the timer, checks
 * every kernel table (in builds with sanity checks), delivers expired alarms as notifications from CLOCK, runs the soft-lockup
 * detector for builds that do not preempt code inside the kernel (and Nooks' livelock detector), and charges the quantum of
 * the process on the CPU.
 */
import { CLOCK } from "./abi.js";
import { checkAll } from "./check.js";
import * as ipc from "./ipc.js";
import type { Kernel } from "./kernel.js";
import { CTX_IRQ, PRIV, PROC, RTS_SLOT_FREE } from "./layout.js";
import { IDLE_Q, NR_SLOTS, QUANTUM_TICKS, slotIndex } from "./params.js";
import { livelockTicks, preemptible, sanityChecks, softLockup } from "./policy.js";
import { contextOf, wrapped } from "./wrappers.js";
import { dequeue, enqueue } from "./sched.js";
import { MTIME_PER_TICK } from "./state.js";

/** One clock tick; a broken table panics the kernel before anything else happens. */
export function tick(k: Kernel): void {
  const s = k.state;
  s.ticks++;
  k.machine.clint.setTimecmp(s.bootMtime + (s.ticks + 1) * MTIME_PER_TICK);
  if (sanityChecks(k.build)) {
    const visited = { ptes: 0 };
    const bad = checkAll(k.km, visited);
    k.charge("sanitySlot", NR_SLOTS);
    k.charge("sanityPte", visited.ptes);
    if (bad) return k.panic(bad);
  }
  deliverAlarms(k);
  const cur = s.current;
  if (cur < 0) return;
  detectSoftLockup(k, cur);
  if (detectLivelock(k, cur)) return;
  chargeQuantum(k, cur);
}

/** Notifies, from CLOCK, every live process whose alarm has expired, and clears the alarm. */
function deliverAlarms(k: Kernel): void {
  const km = k.km;
  const ticks = k.state.ticks;
  for (let i = 0; i < NR_SLOTS; i++) {
    if (km.proc(i, PROC.rtsFlags) & RTS_SLOT_FREE) continue;
    const at = km.priv(i, PRIV.alarmLo) >>> 0;
    if (at !== 0 && at <= ticks) {
      km.setPriv(i, PRIV.alarmLo, 0);
      ipc.notify(k, slotIndex(CLOCK), km.proc(i, PROC.endpoint));
    }
  }
}

/**
 * Linux's soft-lockup detector (kernel/watchdog.c): process `cur` holds the CPU without being
 * preemptible and has not let the scheduler run for the build's threshold (Linux: twice
 * watchdog_thresh, 20 s by default). Linux then warns ("BUG: soft lockup - CPU#0 stuck for
 * 22s!") and goes on, or panics when softlockup_panic is set; so does this one, as the build
 * says. The first warning is kept in state.lockup (a detection, not the end of the run); a
 * stuck CPU is warned about once per threshold.
 */
function detectSoftLockup(k: Kernel, cur: number): void {
  const s = k.state;
  const { ticks: threshold, panic } = softLockup(k.build);
  const stuck = s.ticks - s.runningSince;
  if (threshold <= 0 || !k.holdsCpu(cur) || stuck < threshold || stuck % threshold !== 0) return;
  const label = k.km.procName(cur);
  const what = `soft lockup - CPU stuck for ${stuck} ticks in ${label}`;
  if (panic) return k.panic(what);
  s.lockup ??= { label, at: k.now(), ticks: stuck };
  k.print(`kernel: BUG: ${what}\n`);
  k.log("lockup", cur, `CPU stuck for ${stuck} ticks (warning)`);
}

/**
 * Nooks' livelock detector (SOSP 2003 §4.4: the isolation manager detects a driver that holds
 * the CPU by timeouts): a driver in a protection domain that has held the CPU for the build's
 * livelockTicks is failed, and the recovery manager reloads it. It runs on the timer interrupt,
 * which a driver handling an interrupt (interrupts off, CTX_IRQ) never takes: such a loop goes
 * undetected, as in Nooks. True when it failed the driver.
 */
function detectLivelock(k: Kernel, cur: number): boolean {
  const threshold = livelockTicks(k.build);
  const stuck = k.state.ticks - k.state.runningSince;
  if (threshold <= 0 || stuck < threshold || !wrapped(k, cur) || !k.holdsCpu(cur) || contextOf(k, cur) === CTX_IRQ) return false;
  k.terminate(cur, "killed", `livelock: held the CPU for ${stuck} ticks`);
  return true;
}

/** Takes a tick from the quantum of preemptible process `cur`; a used-up quantum costs a queue. */
function chargeQuantum(k: Kernel, cur: number): void {
  const km = k.km;
  if (!preemptible(k.build, km.proc(cur, PROC.mode) === 1)) return;
  const left = km.proc(cur, PROC.quantumLeft) - 1;
  if (left > 0) {
    km.setProc(cur, PROC.quantumLeft, left);
    return;
  }
  // MINIX sched(): a process that uses whole quanta (a loop in a driver) sinks one queue,
  // so it cannot starve everything below it; it regains its priority when it next blocks.
  km.setProc(cur, PROC.quantumLeft, QUANTUM_TICKS);
  if (km.proc(cur, PROC.rtsFlags) === 0) {
    dequeue(km, cur, k.asserts);
    km.setProc(cur, PROC.priority, Math.min(km.proc(cur, PROC.priority) + 1, IDLE_Q - 1));
    enqueue(km, cur, k.asserts);
  }
}
