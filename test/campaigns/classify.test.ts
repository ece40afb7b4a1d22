// The classifier on small literal observations: one outcome per run, most severe first,
// decided from mechanisms only.
import { describe, expect, it } from "vitest";
import { classify, type ClassifierInput } from "../../campaigns/classify.js";

const clean: ClassifierInput = { activated: true, activationCycle: 100, end: "completed", probeAlive: true, verdict: "pass", rsEvents: [], deaths: [], denials: [], driverAlive: true };

describe("classifier", () => {
  it("crash and hang come first", () => {
    expect(classify({ ...clean, end: "panic", panicReason: "at_wini: load page fault at pc 0x1 in supervisor mode" })).toMatchObject({ outcome: "system-crash", detection: "mmu" });
    expect(classify({ ...clean, end: "panic", panicReason: "process table entry 3: bad magic 0x0" })).toMatchObject({ outcome: "system-crash", detection: "kernel-check" });
    expect(classify({ ...clean, end: "reset" })).toMatchObject({ outcome: "system-crash", detection: "machine-reset" });
    expect(classify({ ...clean, end: "stalled", probeAlive: false }).outcome).toBe("system-hang");
    expect(classify({ ...clean, end: "budget", probeAlive: false }).outcome).toBe("system-hang");
  });
  it("a stalled workload on a live system is a workload hang, unless the driver is dead at the end", () => {
    const stalled = { ...clean, end: "stalled" as const, verdict: "incomplete" as const };
    expect(classify(stalled).outcome).toBe("workload-hang");
    expect(classify({ ...stalled, end: "budget" }).outcome).toBe("workload-hang");
    // RS gave up (or backs off, or does not restart): the dead driver is the finding, whatever VFS still waits for.
    const dead = { deaths: [{ kind: "crash", detail: "load page fault at pc 0x8", at: 300 }], rsEvents: [{ kind: "crash", detail: "", at: 300 }], driverAlive: false };
    expect(classify({ ...stalled, ...dead })).toMatchObject({ outcome: "component-dead", detection: "mmu" });
    // A system that stopped answering is a system hang even with the driver dead.
    expect(classify({ ...stalled, ...dead, probeAlive: false }).outcome).toBe("system-hang");
  });
  it("a driver that died and stayed dead is component-dead", () => {
    const c = classify({ ...clean, verdict: "errors", deaths: [{ kind: "crash", detail: "illegal instruction at pc 0x4", at: 200 }], rsEvents: [{ kind: "crash", detail: "", at: 200 }, { kind: "dead", detail: "", at: 200 }], driverAlive: false });
    expect(c).toMatchObject({ outcome: "component-dead", detection: "illegal-instruction", restarts: 0, recoveryCycles: -1 });
  });
  it("a detected, repaired failure with a correct workload is recovered, with restarts and recovery time", () => {
    const c = classify({ ...clean, deaths: [{ kind: "killed", detail: "RS: heartbeat timeout", at: 900 }], rsEvents: [{ kind: "hang", detail: "no heartbeat reply", at: 900 }, { kind: "restart", detail: "", at: 901 }, { kind: "up", detail: "", at: 1500 }] });
    expect(c).toEqual({ outcome: "recovered", detection: "heartbeat", restarts: 1, recoveryCycles: 1400 });
  });
  it("a driver the kernel killed for an IOMMU fault was detected by the IOMMU, not by a heartbeat", () => {
    const killed = { kind: "killed", detail: "IOMMU fault: ata write of 4096 bytes at 0x80003160 outside its windows", at: 700 };
    const rsEvents = [{ kind: "killed", detail: killed.detail, at: 700 }, { kind: "restart", detail: "", at: 700 }, { kind: "up", detail: "", at: 1200 }];
    expect(classify({ ...clean, deaths: [killed], rsEvents, iommuFaults: [{ at: 700 }] })).toEqual({ outcome: "recovered", detection: "iommu", restarts: 1, recoveryCycles: 1100 });
    expect(classify({ ...clean, deaths: [killed], rsEvents }).detection).toBe("iommu");
    expect(classify({ ...clean, verdict: "errors", iommuFaults: [{ at: 300 }] })).toMatchObject({ outcome: "degraded", detection: "iommu" });
  });
  it("wrong data nobody reported is silent corruption; errors seen are degraded", () => {
    expect(classify({ ...clean, verdict: "corrupt" })).toMatchObject({ outcome: "silent-corruption", detection: "oracle" });
    expect(classify({ ...clean, verdict: "errors", denials: [{ kind: "port", at: 300 }] })).toMatchObject({ outcome: "degraded", detection: "denied-port" });
    expect(classify({ ...clean, verdict: "errors", denials: [{ kind: "grant", at: 300 }] })).toMatchObject({ outcome: "degraded", detection: "denied-grant" });
  });
  it("no effect, and not activated", () => {
    expect(classify(clean)).toEqual({ outcome: "no-effect", detection: "none", restarts: 0, recoveryCycles: -1 });
    expect(classify({ ...clean, activated: false, activationCycle: -1 }).outcome).toBe("not-activated");
  });
});
