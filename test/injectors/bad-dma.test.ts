// BAD_DMA on the real system: at_wini (real C on the emulated RV32) serves the files workload
// by bus-master DMA while a planned BAD_DMA fault replaces the address it hands the ATA device.
// Nothing is faked after that: in minix3 the disk's bytes really land in the process table or in
// VFS's memory, and the kernel reacts as it does; in minix3-iommu the IOMMU refuses the access,
// the kernel takes the IOMMU fault, kills the driver, RS restarts it and the workload completes.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { classify } from "../../campaigns/classify.js";
import { activation, arm, onBreakpoint, type Injection } from "../../injectors/inject.js";
import { planFault } from "../../injectors/plan.js";
import type { DmaAim, Fault, FaultModel } from "../../injectors/types.js";
import { PROC } from "../../system/kernel/layout.js";
import { NR_SLOTS, PROC_SIZE, PROC_TABLE_OFF, slotIndex } from "../../system/kernel/params.js";
import { BM_PRD, SECTOR_SIZE } from "../../system/machine/devices/ata.js";
import { findSymbol, parseElf } from "../../system/machine/elf.js";
import { IRQ_IOMMU, PORT_ATA_BM, RAM_BASE } from "../../system/machine/memmap.js";
import { runWorkload, type Observations, type RunLimits } from "../../system/run.js";
import type { System } from "../../system/system.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { boot, procIndex, symbolAddress } from "../support/system.js";

const LIMITS: RunLimits = { budgetCycles: 1_500_000_000, watchdogCycles: 200_000_000, watch: "at_wini" };
const MODEL: FaultModel = { type: "BAD_DMA", driver: "at_wini", trigger: { kind: "first" }, persistence: "transient" };
const PROC_TABLE: [number, number] = [RAM_BASE + PROC_TABLE_OFF, RAM_BASE + PROC_TABLE_OFF + NR_SLOTS * PROC_SIZE];

function plan(sys: System, model: Partial<FaultModel>, seed: string): Fault & { kind: "runtime" } {
  const r = planFault(sys.images.at_wini, { ...MODEL, ...model }, seedrandom(seed));
  if (!r.ok) throw new Error(r.error);
  if (r.fault.kind !== "runtime") throw new Error("BAD_DMA planned as a code fault");
  return r.fault;
}

/** The aim of a planned BAD_DMA fault. */
const aimOf = (f: Fault & { kind: "runtime" }): DmaAim => {
  if (f.action.kind !== "dma-address") throw new Error(`not a BAD_DMA action: ${f.action.kind}`);
  return f.action.aim;
};

/** The first seed ("pt-0", "pt-1", ...) whose `kernel` fault aims into the process table. */
function processTableSeed(sys: System): string {
  for (let i = 0; i < 64; i++) {
    const aim = aimOf(plan(sys, { variant: "kernel" }, `pt-${i}`));
    if (aim.to === "address" && aim.address >= PROC_TABLE[0] && aim.address < PROC_TABLE[1]) return `pt-${i}`;
  }
  throw new Error("no seed aims into the process table");
}

interface DmaWrite {
  pa: number;
  len: number;
  /** RAM at [pa, pa + len) right after the write. */
  landed: Uint8Array;
  /** The disk sectors the transfer read, from its first one (the device's lba during the transfer). */
  disk: Uint8Array;
}

/** Every DMA write of the ATA device from now on, with what landed; the kernel's observer still runs. */
function watchDmaWrites(sys: System): DmaWrite[] {
  const writes: DmaWrite[] = [];
  const kernelObserver = sys.machine.dma.observer;
  sys.machine.dma.observer = (device, pa, len, write) => {
    kernelObserver?.(device, pa, len, write);
    if (device !== "ata" || !write) return;
    const off = pa - RAM_BASE;
    const lba = sys.machine.ata.state.lba;
    writes.push({ pa, len, landed: sys.machine.bus.ram.slice(off, off + len), disk: sys.machine.ata.readImage().slice(lba * SECTOR_SIZE, lba * SECTOR_SIZE + len) });
  };
  return writes;
}

/** Boots `build`, arms `fault`, runs the files workload watching at_wini. */
function runFault(build: string, fault: Fault): { sys: System; obs: Observations; inj: Injection; writes: DmaWrite[]; start: number } {
  const { sys, params } = boot(build, filesWorkload, { heartbeatTicks: 33 });
  const start = sys.now();
  const armed = arm(sys, fault);
  if (!armed.ok) throw new Error(armed.error);
  const inj = armed.injection;
  const writes = watchDmaWrites(sys);
  const obs = runWorkload(sys, filesWorkload, params, { ...LIMITS, onBreakpoint: () => void onBreakpoint(sys, inj) });
  return { sys, obs, inj, writes, start };
}

const classified = (obs: Observations, inj: Injection, sys: System) => {
  const d = obs.driver!;
  const act = activation(sys, inj);
  return classify({
    activated: act.activated, activationCycle: act.at, end: obs.end, probeAlive: obs.probe.alive, panicReason: obs.panic?.reason, lockup: obs.lockup !== undefined,
    verdict: obs.oracle.verdict, rsEvents: d.rsEvents, deaths: d.deaths, denials: d.denials, iommuFaults: d.iommuFaults, driverAlive: d.alive,
  });
};

describe("BAD_DMA planning", () => {
  it("is seeded and gives the same fault in every build: the entry of sys_outl, when a0 is the PRD table port", () => {
    const faults = ["minix3", "minix3-iommu", "monolithic"].map((build) => plan(boot(build, filesWorkload).sys, {}, "same"));
    expect(faults[1]).toEqual(faults[0]);
    expect(faults[2]).toEqual(faults[0]);
    const f = faults[0];
    const sys = boot("minix3", filesWorkload).sys;
    expect(f.site).toEqual({ va: symbolAddress(sys, "at_wini", "sys_outl"), func: "sys_outl", offset: 0 });
    expect(f.when).toEqual({ reg: 10, equals: PORT_ATA_BM + BM_PRD });
    expect(f.action).toMatchObject({ kind: "dma-address", replace: "data" });
    expect(f.description).toContain("with a0 = 0xc004 (ATA bus-master DMA)");
    // Another seed draws another variant or aim; the same seed the same fault again.
    expect(plan(sys, {}, "same")).toEqual(f);
    const others = ["s1", "s2", "s3", "s4"].map((s) => JSON.stringify(plan(sys, {}, s).action));
    expect(new Set([JSON.stringify(f.action), ...others]).size).toBeGreaterThan(1);
  });

  it("replaces the table pointer on request, and needs a DMA port from the model or the driver's catalog entry", () => {
    const sys = boot("minix3", filesWorkload).sys;
    expect(plan(sys, { variant: "off-by-page", dmaAddress: "table" }, "t").action).toEqual({ kind: "dma-address", replace: "table", aim: { to: "offset", add: 4096 } });
    expect(plan(sys, { port: 0x1234 }, "t").when).toEqual({ reg: 10, equals: 0x1234 });
    const r = planFault(sys.images.at_wini, { ...MODEL, driver: "no_such_driver" }, seedrandom("t"));
    expect(r.ok ? "planned" : r.error).toMatch(/declares no DMA-address port/);
    const bad = planFault(sys.images.at_wini, { ...MODEL, type: "BAD_POINTER", dmaAddress: "table" }, seedrandom("t"));
    expect(bad.ok ? "planned" : bad.error).toMatch(/dmaAddress is for BAD_DMA only/);
  });
});

/** Physical [base, end) of the memory of the live process `label`. */
function memoryOf(sys: System, label: string): [number, number] {
  const idx = procIndex(sys, label);
  const base = sys.kernel.km.proc(idx, PROC.memBase) >>> 0;
  return [base, base + (sys.kernel.km.proc(idx, PROC.memSize) >>> 0)];
}

/** Virtual address of data object `name` in at_wini's image. */
function dataSymbol(sys: System, name: string): number {
  const r = parseElf(sys.images.at_wini);
  if (!r.ok) throw new Error(r.error);
  return findSymbol(r.elf, name)!.value;
}

const overlaps = (w: { pa: number; len: number }, [lo, hi]: [number, number]): boolean => w.pa < hi && w.pa + w.len > lo;

describe("BAD_DMA kernel, aimed at the process table", () => {
  /** Runs the process-table fault in `build`; checks that the disk's bytes landed where it aimed. */
  function landsInProcessTable(build: string) {
    const { sys: probe } = boot("minix3", filesWorkload);
    const fault = plan(probe, { variant: "kernel" }, processTableSeed(probe));
    const run = runFault(build, fault);
    const aim = aimOf(fault) as { to: "address"; address: number };
    expect(activation(run.sys, run.inj)).toMatchObject({ activated: true, executions: 1 });
    expect(run.inj.aimedAt).toBe(aim.address);
    // The device wrote exactly there, and what landed is the disk's sectors.
    const hit = run.writes.find((w) => w.pa === aim.address)!;
    expect(hit).toBeDefined();
    expect(hit.len).toBeGreaterThanOrEqual(SECTOR_SIZE);
    expect(hit.landed).toEqual(hit.disk);
    expect(hit.disk.some((b) => b !== 0)).toBe(true);
    expect(run.obs.driver!.propagation?.owner).toBe(0); // the driver's DMA wrote kernel memory
    return { ...run, hit };
  }

  it("minix3: the disk's bytes land in the process table; the kernel, checking nothing there, runs on and the workload misses its data", () => {
    const { sys, obs, inj, hit } = landsInProcessTable("minix3");
    // What followed, as observed: the entries overwritten were free ones, which minix3 never
    // checks (MINIX's sanity checks are off by default), so no panic; the read's data went to
    // the kernel, not to the driver's buffer, and the workload saw errors.
    const [first, last] = [Math.floor((hit.pa - PROC_TABLE[0]) / PROC_SIZE), Math.floor((hit.pa + hit.len - 1 - PROC_TABLE[0]) / PROC_SIZE)];
    const live = [...new Set(sys.kernel.state.events.filter((e) => e.kind === "start").map((e) => e.label))].filter((l) => sys.kernel.lookupLabel(l) !== undefined);
    expect(live).toContain("vfs");
    for (const label of live) expect(procIndex(sys, label) < first || procIndex(sys, label) > last, label).toBe(true);
    expect(obs.end).toBe("completed");
    expect(obs.panic).toBeUndefined();
    expect(obs.oracle.verdict).toBe("errors");
    expect(classified(obs, inj, sys)).toMatchObject({ outcome: "degraded", detection: "oracle" });
  });

  it("minix3-sanity: the same overwrite, and the kernel's sanity check finds an entry it overwrote and panics", () => {
    const { sys, obs, inj, hit } = landsInProcessTable("minix3-sanity");
    expect(obs.end).toBe("panic");
    const entry = /^process table entry (-?\d+): /.exec(obs.panic!.reason);
    expect(entry, obs.panic!.reason).not.toBeNull();
    const start = PROC_TABLE[0] + slotIndex(Number(entry![1])) * PROC_SIZE;
    expect(overlaps(hit, [start, start + PROC_SIZE])).toBe(true);
    expect(classified(obs, inj, sys)).toMatchObject({ outcome: "system-crash", detection: "kernel-check" });
  });

  it("minix3-iommu: the IOMMU refuses it; the kernel records the fault, kills at_wini, RS restarts it, the workload passes", () => {
    const { sys: probe } = boot("minix3", filesWorkload);
    const fault = plan(probe, { variant: "kernel" }, processTableSeed(probe));
    const aim = (aimOf(fault) as { to: "address"; address: number }).address;
    const { sys, obs, inj, writes, start } = runFault("minix3-iommu", fault);
    const act = activation(sys, inj);
    expect(act).toMatchObject({ activated: true, executions: 1 });
    expect(writes.filter((w) => overlaps(w, PROC_TABLE))).toEqual([]);
    const faults = sys.kernel.state.iommuFaults!;
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ device: "ata", address: aim, write: true, label: "at_wini" });
    expect(faults[0].length).toBeGreaterThanOrEqual(SECTOR_SIZE);
    const d = obs.driver!;
    const at = faults[0].at - start;
    expect(at).toBeGreaterThan(act.at - start);
    expect(d.iommuFaults).toEqual([{ device: "ata", address: aim, length: faults[0].length, write: true, at }]);
    const detail = `IOMMU fault: ata write of ${faults[0].length} bytes at 0x${aim.toString(16).padStart(8, "0")} outside its windows`;
    expect(d.deaths).toEqual([{ kind: "killed", detail, at }]);
    expect(d.rsEvents.filter((e) => e.at >= 0).map((e) => e.kind)).toEqual(["killed", "restart", "up"]);
    expect(obs.end).toBe("completed");
    expect(obs.oracle.verdict).toBe("pass");
    expect(d.alive).toBe(true);
    expect(d.propagation).toBeUndefined();
    // The kernel took the records: nothing pending, the line is low.
    expect(sys.machine.dma.faults).toEqual({ records: [], overflow: 0 });
    expect(sys.machine.plic.state.level[IRQ_IOMMU]).toBe(0);
    expect(classified(obs, inj, sys)).toMatchObject({ outcome: "recovered", detection: "iommu", restarts: 1 });
  });
});

describe("BAD_DMA into other memory (minix3)", () => {
  it("other-process: the disk's bytes land in a page of VFS's memory; minix3-iommu refuses the same fault", () => {
    const { sys: probe } = boot("minix3", filesWorkload);
    const fault = plan(probe, { variant: "other-process" }, "vfs");
    expect(aimOf(fault)).toMatchObject({ to: "process", label: "vfs" });
    const { sys, inj, writes } = runFault("minix3", fault);
    expect(activation(sys, inj).activated).toBe(true);
    const vfs = memoryOf(sys, "vfs");
    expect(inj.aimedAt).toBeGreaterThanOrEqual(vfs[0]);
    expect(inj.aimedAt % 4096).toBe(vfs[0] % 4096);
    const hit = writes.find((w) => w.pa === inj.aimedAt)!;
    expect(hit).toBeDefined();
    expect(hit.pa + hit.len).toBeLessThanOrEqual(vfs[1]);
    expect(hit.landed).toEqual(hit.disk);
    const blocked = runFault("minix3-iommu", fault);
    expect(blocked.writes.filter((w) => overlaps(w, memoryOf(blocked.sys, "vfs")))).toEqual([]);
    expect(blocked.obs.driver!.iommuFaults.map((f) => f.address)).toEqual([blocked.inj.aimedAt]);
    expect(blocked.obs.oracle.verdict).toBe("pass");
  });

  it("off-by-page: the transfer lands one page past the driver's buffer", () => {
    const { sys: probe } = boot("minix3", filesWorkload);
    const fault = plan(probe, { variant: "off-by-page" }, "page");
    const { sys, inj, writes } = runFault("minix3", fault);
    expect(activation(sys, inj).activated).toBe(true);
    const atBuf = sys.translate("at_wini", dataSymbol(sys, "at_buf"))!;
    expect(inj.aimedAt).toBe(atBuf + 4096);
    const hit = writes.find((w) => w.pa === inj.aimedAt)!;
    expect(hit).toBeDefined();
    expect(hit.landed).toEqual(hit.disk);
  });
});

describe("BAD_DMA's condition: only writes of the DMA port count", () => {
  /** Runs `fault` in minix3, counting the stops at sys_outl and the DMA-port value a0 had at each. */
  function countingRun(fault: Fault) {
    const { sys, params } = boot("minix3", filesWorkload, { heartbeatTicks: 33 });
    const armed = arm(sys, fault);
    if (!armed.ok) throw new Error(armed.error);
    const inj = armed.injection;
    const ports: number[] = [];
    let appliedAt = -1;
    const obs = runWorkload(sys, filesWorkload, params, {
      ...LIMITS,
      onBreakpoint: () => {
        ports.push(sys.machine.cpu.x[10] >>> 0);
        onBreakpoint(sys, inj);
        if (appliedAt < 0 && inj.executions > 0) appliedAt = ports.length;
      },
    });
    return { sys, obs, inj, ports, appliedAt };
  }

  it("a port the driver never writes with sys_outl: the site runs, the fault never strikes", () => {
    const { sys: probe } = boot("minix3", filesWorkload);
    const { sys, obs, inj, ports } = countingRun(plan(probe, { variant: "off-by-page", port: 0x1234 }, "never"));
    expect(ports.length).toBeGreaterThan(1);
    expect(ports).not.toContain(0x1234);
    expect(activation(sys, inj)).toEqual({ activated: false, at: -1, executions: 0 });
    expect(obs.oracle.verdict).toBe("pass");
  });

  it("nth 2: it strikes at the second write of the DMA port, and only there", () => {
    const { sys: probe } = boot("minix3", filesWorkload);
    const { sys, inj, ports, appliedAt } = countingRun(plan(probe, { variant: "off-by-page", trigger: { kind: "nth", n: 2 } }, "second"));
    expect(activation(sys, inj)).toMatchObject({ activated: true, executions: 1 });
    const dmaPort = PORT_ATA_BM + BM_PRD;
    expect(ports[appliedAt - 1]).toBe(dmaPort);
    expect(ports.slice(0, appliedAt).filter((p) => p === dmaPort)).toHaveLength(2);
  });
});
