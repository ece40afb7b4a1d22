// The reincarnation server on the real system: a driver really crashes or hangs, RS really
// detects it (kernel death report, missed heartbeats), kills and restarts it from its image,
// with MINIX's backoff for repeated failures; the monolithic build has no such recovery.
import { describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import { HZ } from "../../system/kernel/params.js";
import { runWorkload } from "../../system/run.js";
import type { RsState } from "../../system/servers/rs/types.js";
import { blocksWorkload } from "../../system/workloads/blockclient.js";
import { boot, ILLEGAL, LOOP, patchImage, patchRunning, procIndex } from "../support/system.js";

const TICK = 100_000_000 / HZ;
const PERIOD = 33;
const limits = { budgetCycles: 2_000_000_000, watchdogCycles: 200_000_000 };
const rsEvents = (sys: { nativeState<S>(l: string): S | undefined }) => sys.nativeState<RsState>("rs")!.events;

describe("RS in minix3", () => {
  it("restarts a driver that crashes mid-workload, once, and records cause and recovery time", () => {
    const { sys, params } = boot("minix3", blocksWorkload);
    patchRunning(sys, "at_wini", "at_transfer", [ILLEGAL]);
    const obs = runWorkload(sys, blocksWorkload, params, limits);
    sys.run(100_000_000); // the client gives up at once; give the driver time to come back
    expect(sys.kernel.state.panic).toBeNull();
    const ev = rsEvents(sys);
    expect(ev.map((e) => e.kind)).toEqual(["crash", "restart", "up"]);
    expect(ev[0].detail).toMatch(/illegal instruction/);
    expect(ev[2].recoveryCycles).toBeGreaterThan(0);
    expect(ev[2].recoveryCycles).toBe(ev[2].at - ev[0].at);
    expect(sys.kernel.lookupLabel("at_wini")).toBeDefined();
    // The raw block client has no recovery of its own: it saw the driver die.
    expect(obs.oracle.verdict).not.toBe("pass");
  });

  it("detects a hung driver within two heartbeat periods plus one check, kills and restarts it", () => {
    const { sys, params } = boot("minix3", blocksWorkload, { heartbeatTicks: PERIOD });
    const t0 = sys.machine.clock.now;
    patchRunning(sys, "at_wini", "at_transfer", [LOOP]);
    runWorkload(sys, blocksWorkload, params, limits);
    sys.run(100_000_000);
    const ev = rsEvents(sys);
    expect(ev.map((e) => e.kind)).toEqual(["hang", "restart", "up"]);
    const hang = ev[0];
    expect(hang.at - t0).toBeLessThanOrEqual((2 * PERIOD + PERIOD) * TICK);
    expect(hang.at - t0).toBeGreaterThanOrEqual(2 * PERIOD * TICK - 2 * TICK);
    expect(sys.kernel.state.events.some((e) => e.kind === "killed" && e.label === "at_wini")).toBe(true);
  });

  it("backs off exponentially when a persistent fault kills every restart", () => {
    const { sys } = boot("minix3", blocksWorkload);
    patchImage(sys, "at_wini", "at_init", [ILLEGAL]);
    sys.kernel.terminate(procIndex(sys, "at_wini"), "killed", "test: start over from the faulty image");
    sys.run(40 * HZ * TICK);
    const restarts = rsEvents(sys).filter((e) => e.kind === "restart");
    expect(restarts.length).toBeGreaterThanOrEqual(5);
    const crashes = rsEvents(sys).filter((e) => e.kind === "crash" || e.kind === "killed");
    // Restart n (n >= 2) follows the crash before it by min(2^(n-1), 30) seconds (first one at once).
    const gaps = restarts.map((r, i) => (r.at - crashes[i].at) / TICK);
    expect(gaps[0]).toBeLessThan(1);
    for (let n = 1; n < gaps.length; n++) {
      const want = Math.min(2 ** n, 30) * HZ;
      expect(gaps[n]).toBeGreaterThanOrEqual(want - 1);
      expect(gaps[n]).toBeLessThanOrEqual(want + PERIOD + 1);
    }
  });

  it("leaves the driver dead when the restart policy is off", () => {
    const { sys, params } = boot(BUILDS["minix3-norestart"], blocksWorkload);
    patchRunning(sys, "at_wini", "at_transfer", [ILLEGAL]);
    const obs = runWorkload(sys, blocksWorkload, params, limits);
    expect(rsEvents(sys).map((e) => e.kind)).toEqual(["crash", "dead"]);
    expect(sys.kernel.lookupLabel("at_wini")).toBeUndefined();
    expect(sys.kernel.state.panic).toBeNull();
    expect(obs.oracle.details.errors).toEqual(expect.arrayContaining([expect.stringMatching(/EDEADSRCDST/)]));
  });
});

describe("the monolithic build", () => {
  it("turns the same crash into a system crash", () => {
    const { sys, params } = boot("monolithic", blocksWorkload);
    patchRunning(sys, "at_wini", "at_transfer", [ILLEGAL]);
    const obs = runWorkload(sys, blocksWorkload, params, limits);
    expect(obs.end).toBe("panic");
    expect(obs.panic?.reason).toMatch(/at_wini: illegal instruction .* supervisor mode/);
    expect(rsEvents(sys)).toEqual([]);
  });

  it("turns the same loop into a system hang: the workload and the liveness probe both stall", () => {
    const { sys, params } = boot("monolithic", blocksWorkload);
    patchRunning(sys, "at_wini", "at_transfer", [LOOP]);
    const obs = runWorkload(sys, blocksWorkload, params, { budgetCycles: 2_000_000_000, watchdogCycles: 100_000_000 });
    expect(obs.end).toBe("stalled");
    expect(obs.probe.alive).toBe(false);
    expect(obs.probe.answers).toBeGreaterThan(0); // it answered until the driver took the CPU
    expect(obs.panic).toBeUndefined();
    expect(rsEvents(sys)).toEqual([]); // RS itself never got the CPU again
  });
});
