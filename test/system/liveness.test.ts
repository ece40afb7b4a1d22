// The liveness probe and the run's ends: a system hang is a workload that stalled while the
// probe (an ordinary process that depends on no driver) stalled too; a stalled workload on a
// live system is not one. Timing is to the cycle, whatever the monitors' step. All on the real
// system, with real faults written into the running driver.
import { describe, expect, it } from "vitest";
import { BUILDS, type Build } from "../../system/builds/index.js";
import { runWorkload } from "../../system/run.js";
import type { ProbeState } from "../../system/probe.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { asm } from "../machine/asm.js";
import { boot, LOOP, patchRunning } from "../support/system.js";

const limits = { budgetCycles: 3_000_000_000, watchdogCycles: 200_000_000 };
const A0 = 10, A1 = 11, A2 = 12, SP = 2, T0 = 5;
/** at_transfer replaced by a receive-forever loop: the driver blocks (it holds no CPU) and never answers. */
const RECEIVE_FOREVER = [asm.addi(A0, 0, 2), asm.lui(A1, 0x8), asm.addi(A1, A1, -0x532), asm.addi(A2, SP, -128), asm.ecall(), asm.jal(0, -20)];

/** at_transfer replaced by a loop of SENDREC(DS_CHECK) to DS: the driver never finishes, but lets the scheduler run at every call. */
const ASK_DS_FOREVER = [
  asm.addi(A0, 0, 3), asm.addi(A1, 0, 1), asm.addi(A2, SP, -128), asm.lui(T0, 1), asm.addi(T0, T0, -0x4fd), asm.sw(T0, SP, -124), asm.ecall(), asm.jal(0, -28),
];

describe("the liveness probe", () => {
  it("answers every tick of a fault-free run, and the run's length is exact: the same at any monitor step", () => {
    const runs = [1_000_000, 137_000].map((stepCycles) => {
      const { sys, params } = boot("minix3", filesWorkload);
      const obs = runWorkload(sys, filesWorkload, params, { ...limits, stepCycles });
      return { obs, probe: sys.nativeState<ProbeState>("probe")! };
    });
    const [a, b] = runs;
    expect(a.obs.end).toBe("completed");
    expect(a.obs.cycles % 1_000_000).not.toBe(0); // not the monitors' step
    expect(b.obs.cycles).toBe(a.obs.cycles);
    expect(b.obs.lastProgressAt).toBe(a.obs.lastProgressAt);
    // One DS round trip per 10-ms tick (1,000,000 cycles), none late.
    expect(a.obs.probe.answers).toBeGreaterThanOrEqual(Math.floor(a.obs.cycles / 1_000_000) - 1);
    expect(a.probe.late).toBe(0);
    expect(a.obs.probe.alive).toBe(true);
  });

  it("monolithic: a driver spinning in supervisor mode starves it: a system hang", () => {
    const { sys, params } = boot("monolithic", filesWorkload);
    patchRunning(sys, "at_wini", "at_transfer", [LOOP]);
    const obs = runWorkload(sys, filesWorkload, params, limits);
    expect(obs.end).toBe("stalled");
    expect(obs.probe.alive).toBe(false);
    expect(obs.probe.lastAt).toBeLessThan(obs.lastProgressAt + 10_000_000); // it stopped when the workload did
    expect(obs.lockup).toBeUndefined(); // Linux's detector waits 20 s: it has not spoken within 2 s
    expect(obs.oracle.verdict).not.toBe("pass");
  });

  it("monolithic: a driver blocked forever (no CPU held) leaves it answering: a workload hang, not a system hang", () => {
    const { sys, params } = boot("monolithic", filesWorkload);
    patchRunning(sys, "at_wini", "at_transfer", RECEIVE_FOREVER);
    const obs = runWorkload(sys, filesWorkload, params, { ...limits, watch: "at_wini" });
    expect(obs.end).toBe("stalled");
    expect(obs.probe.alive).toBe(true);
    expect(obs.probe.lastAt).toBeGreaterThan(obs.lastProgressAt + limits.watchdogCycles - 2_000_000);
    expect(obs.driver).toMatchObject({ alive: true, deaths: [] });
  });

  it("minix3 without restarts: the dead driver leaves a live system with a stalled workload", () => {
    const { sys, params } = boot(BUILDS["minix3-norestart"], filesWorkload);
    patchRunning(sys, "at_wini", "at_transfer", [0]); // an illegal instruction
    const obs = runWorkload(sys, filesWorkload, params, { ...limits, watch: "at_wini" });
    expect(obs.probe.alive).toBe(true);
    expect(obs.driver?.alive).toBe(false);
    expect(obs.driver?.deaths.map((d) => d.kind)).toEqual(["crash"]);
  });
});

describe("the soft-lockup detector (Linux's: threshold and warn or panic, from the build)", () => {
  const withLockup = (ticks: number, panic: boolean): Build => ({ ...BUILDS.monolithic, name: "t", kernelMode: { ...BUILDS.monolithic.kernelMode, softLockup: { ticks, panic } } });

  it("warns once the CPU is held for the threshold, and the system stays hung (the run goes on to the watchdog)", () => {
    const { sys, params } = boot(withLockup(20, false), filesWorkload);
    patchRunning(sys, "at_wini", "at_transfer", [LOOP]);
    const obs = runWorkload(sys, filesWorkload, params, limits);
    expect(obs.lockup).toMatchObject({ label: "at_wini", ticks: 20 });
    expect(obs.console).toContain("kernel: BUG: soft lockup - CPU stuck for 20 ticks in at_wini");
    expect(obs.end).toBe("stalled");
    expect(obs.probe.alive).toBe(false);
    expect(obs.panic).toBeUndefined();
  });

  it("does not fire for a driver that keeps talking to a server: the scheduler runs at each of its calls", () => {
    const { sys, params } = boot(withLockup(20, false), filesWorkload);
    patchRunning(sys, "at_wini", "at_transfer", ASK_DS_FOREVER);
    const obs = runWorkload(sys, filesWorkload, params, limits);
    expect(obs.end).toBe("stalled");
    expect(obs.probe.alive).toBe(true); // DS answers the driver and the probe alike
    expect(obs.lockup).toBeUndefined();
    expect(obs.cycles).toBeGreaterThan(20 * 1_000_000 * 5); // far past the threshold
  });

  it("panics instead when the build sets softlockup_panic", () => {
    const { sys, params } = boot(withLockup(20, true), filesWorkload);
    patchRunning(sys, "at_wini", "at_transfer", [LOOP]);
    const obs = runWorkload(sys, filesWorkload, params, limits);
    expect(obs.end).toBe("panic");
    expect(obs.panic?.reason).toBe("soft lockup - CPU stuck for 20 ticks in at_wini");
  });
});
