/*
 * The classifier: a pure function from what was observed in one experiment to its outcome,
 * detection mechanism, restarts and recovery time. It decides from mechanisms and
 * observations only — nothing here knows which build it looks at.
 *
 * Outcomes, most severe first: system-crash (kernel panic, machine reset/power-off),
 * system-hang (the workload stalled or ran out of budget, and the liveness probe got no answer in
 * the last watchdog window either: the system did not answer), component-dead (the faulty driver
 * failed and was not running at the end: RS gave up, was backing off, or does not restart),
 * workload-hang (the workload stalled on a live system: the probe kept getting answers),
 * silent-corruption (the oracle found wrong data the program did not report), degraded (the
 * program saw errors), recovered (a failure was detected and repaired, and the workload was
 * correct), no-effect, not-activated (the fault never took effect).
 *
 * Why workload-hang sits there: a dead driver explains a stalled workload (component-dead is the
 * cause, reported first), and a stalled workload cannot be judged by the oracle (its output is
 * incomplete), so it comes before the oracle's classes. It is not a system failure: the kernel
 * and the servers kept answering.
 */
import type { Detection, Outcome } from "./types.js";

/** What the classifier needs to know about a run. */
export interface ClassifierInput {
  activated: boolean;
  activationCycle: number;
  end: "completed" | "panic" | "reset" | "poweroff" | "stalled" | "budget";
  /** The liveness probe got an answer within the last watchdog window before the end. */
  probeAlive: boolean;
  panicReason?: string;
  /** The kernel's soft-lockup detector fired. */
  lockup?: boolean;
  verdict: "pass" | "errors" | "corrupt" | "incomplete";
  /** RS events for the faulty driver, in order: kind, detail, cycle (from the experiment start). */
  rsEvents: Array<{ kind: string; detail: string; at: number; recoveryCycles?: number }>;
  /** Kernel deaths of the faulty driver (crash/exit/killed), with detail and cycle. */
  deaths: Array<{ kind: string; detail: string; at: number }>;
  /** Requests of the driver the kernel refused, by kind, with the cycle of the first. */
  denials: Array<{ kind: "call" | "ipc" | "port" | "grant"; at: number }>;
  /** IOMMU faults on DMA attributed to the driver (its device's accesses the IOMMU refused), with their cycle. */
  iommuFaults?: Array<{ at: number }>;
  /** Is the driver alive at the end of the run? */
  driverAlive: boolean;
}

export interface Classification {
  outcome: Outcome;
  detection: Detection;
  restarts: number;
  recoveryCycles: number;
}

/** Detection mechanism named by a CPU exception, exit or kill description. */
export function mechanismOf(detail: string): Detection {
  if (/IOMMU fault/.test(detail)) return "iommu";
  if (/wrapper check/.test(detail)) return "wrapper";
  if (/driver-domain kernel panic: general protection fault: port/.test(detail)) return "vm-port";
  if (/driver-domain kernel panic: (process table entry|privilege entry|ready queue)/.test(detail)) return "vm-check";
  if (/livelock/.test(detail)) return "livelock";
  if (/software isolation check failed/.test(detail)) return "sfi";
  if (/privileged instruction .* in a software-isolated process/.test(detail)) return "privileged";
  if (/contract violation/.test(detail)) return "contract";
  if (/exchange-heap check failed/.test(detail)) return "exchange-heap";
  if (/manifest check failed/.test(detail)) return "manifest";
  if (/page fault|access fault/.test(detail)) return "mmu";
  if (/illegal instruction/.test(detail)) return "illegal-instruction";
  if (/misaligned/.test(detail)) return "misaligned";
  if (/heartbeat|no heartbeat reply/.test(detail)) return "heartbeat";
  if (/exit status/.test(detail)) return "driver-exit";
  return "other-exception";
}

function detection(c: ClassifierInput): Detection {
  const candidates: Array<{ at: number; d: Detection }> = [];
  // A kill is RS's for a missed heartbeat, unless the kernel killed the driver (an IOMMU fault, a livelock).
  const kernelKill = (d: Detection): boolean => d === "iommu" || d === "livelock";
  for (const e of c.deaths) candidates.push({ at: e.at, d: e.kind === "killed" && !kernelKill(mechanismOf(e.detail)) ? "heartbeat" : mechanismOf(e.detail) });
  for (const e of c.iommuFaults ?? []) candidates.push({ at: e.at, d: "iommu" });
  for (const e of c.rsEvents) if (e.kind === "hang") candidates.push({ at: e.at, d: "heartbeat" });
  for (const e of c.denials) candidates.push({ at: e.at, d: `denied-${e.kind}` });
  if (c.end === "panic") candidates.push({ at: Infinity, d: /table|priv|queue|page table|magic|corrupt|link/.test(c.panicReason ?? "") ? "kernel-check" : mechanismOf(c.panicReason ?? "") });
  if (c.end === "reset" || c.end === "poweroff") candidates.push({ at: Infinity, d: "machine-reset" });
  if (c.lockup) candidates.push({ at: Infinity, d: "soft-lockup" });
  candidates.sort((a, b) => a.at - b.at);
  if (candidates.length) return candidates[0].d;
  return c.verdict === "errors" || c.verdict === "corrupt" ? "oracle" : "none";
}

/** Classifies one experiment (see the file comment for the classes). */
export function classify(c: ClassifierInput): Classification {
  const restarts = c.rsEvents.filter((e) => e.kind === "restart").length;
  const up = c.rsEvents.find((e) => e.kind === "up" && e.at >= c.activationCycle);
  const recoveryCycles = up && c.activationCycle >= 0 ? up.at - c.activationCycle : -1;
  const base = { detection: detection(c), restarts, recoveryCycles };
  const failed = c.deaths.length > 0 || c.rsEvents.some((e) => e.kind === "hang" || e.kind === "crash" || e.kind === "exit");
  let outcome: Outcome;
  if (c.end === "panic" || c.end === "reset" || c.end === "poweroff") outcome = "system-crash";
  else if ((c.end === "stalled" || c.end === "budget") && !c.probeAlive) outcome = "system-hang";
  else if (!c.activated) outcome = "not-activated";
  else if (failed && !c.driverAlive) outcome = "component-dead";
  else if (c.end === "stalled" || c.end === "budget") outcome = "workload-hang";
  else if (c.verdict === "corrupt") outcome = "silent-corruption";
  else if (c.verdict === "errors" || c.verdict === "incomplete") outcome = "degraded";
  else if (failed) outcome = "recovered";
  else outcome = "no-effect";
  return { outcome, ...base };
}
