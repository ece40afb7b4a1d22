// The standard system with the files workload: the post-boot snapshot replays identically, and
// a driver that really hangs is found by RS's heartbeat, killed and restarted while VFS
// recovers, so the workload still passes.
import { describe, expect, it } from "vitest";
import { HZ } from "../../system/kernel/params.js";
import { runWorkload } from "../../system/run.js";
import type { RsState } from "../../system/servers/rs/types.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { boot, LOOP, patchRunning } from "../support/system.js";

const TICK = 100_000_000 / HZ;
const limits = { budgetCycles: 3_000_000_000, watchdogCycles: 300_000_000 };

describe("the standard system with the files workload", () => {
  it("restoring the post-boot snapshot and rerunning gives the same verdict and state hash", () => {
    const { sys, params } = boot("minix3", filesWorkload);
    const snap = sys.snapshot();
    const first = runWorkload(sys, filesWorkload, params, limits);
    const h1 = sys.stateHash();
    expect(first.oracle.verdict).toBe("pass");
    sys.restore(snap);
    const second = runWorkload(sys, filesWorkload, params, limits);
    expect(second).toEqual(first);
    expect(sys.stateHash()).toBe(h1);
    expect(sys.stateHash(snap)).toBe(h1);
  });

  it("minix3: a real hang in the driver is detected within two periods plus a check; the workload passes", () => {
    const period = 33;
    const { sys, params } = boot("minix3", filesWorkload, { heartbeatTicks: period });
    const t0 = sys.machine.clock.now;
    patchRunning(sys, "at_wini", "at_transfer", [LOOP]);
    const obs = runWorkload(sys, filesWorkload, params, limits);
    const ev = sys.nativeState<RsState>("rs")!.events;
    expect(ev.map((e) => e.kind)).toEqual(["hang", "restart", "up"]);
    expect(ev[0].at - t0).toBeLessThanOrEqual(3 * period * TICK);
    expect(obs.end).toBe("completed");
    expect(obs.oracle.verdict).toBe("pass");
  });
});
