// IOMMU faults as the kernel hears of them, on the real system: the ATA device, programmed from the
// host through its ports (as its driver would, after the driver last programmed it), is aimed at
// the kernel's process table. In minix3-iommu the IOMMU refuses the access, records the fault and
// raises IRQ_IOMMU; the kernel keeps the fault, kills at_wini (whose DMA it is) and RS restarts it.
// Without a live owner nobody is killed. In minix3 there is no IOMMU: the DMA lands, nothing is
// recorded. The handling is deterministic across a snapshot and restore.
import { describe, expect, it } from "vitest";
import { DRIVER_STACK_SIZE, NONE } from "../../system/kernel/abi.js";
import { PROC, RTS_SLOT_FREE } from "../../system/kernel/layout.js";
import { NR_PROCS, PROC_SIZE, PROC_TABLE_OFF, slotIndex } from "../../system/kernel/params.js";
import { BM_CMD_START, BM_CMD_TO_MEMORY, BM_COMMAND, BM_PRD, BM_ST_ERROR, BM_ST_INTERRUPT, BM_STATUS, CMD_READ_DMA, SECTOR_SIZE } from "../../system/machine/devices/ata.js";
import { PLIC_ENABLE } from "../../system/machine/devices/plic.js";
import { IRQ_IOMMU, PORT_ATA_BM, PORT_ATA_CMD, RAM_BASE } from "../../system/machine/memmap.js";
import { runWorkload } from "../../system/run.js";
import type { System } from "../../system/system.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { boot, procIndex } from "../support/system.js";

const limits = { budgetCycles: 3_000_000_000, watchdogCycles: 300_000_000 };
/** The process-table entry of the last (free) slot: a DMA target no live process uses. */
const freeEntry = RAM_BASE + PROC_TABLE_OFF + slotIndex(NR_PROCS - 1) * PROC_SIZE;
/** A sector of the files workload's disk that is not all zeros (the file system's superblock). */
const LBA = 1;

const ramAt = (sys: System, pa: number, len: number): Uint8Array => sys.machine.bus.ram.slice(pa - RAM_BASE, pa - RAM_BASE + len);
const sector = (sys: System): Uint8Array => sys.machine.ata.readImage().slice(LBA * SECTOR_SIZE, (LBA + 1) * SECTOR_SIZE);

/** Boots `build`, runs the files workload to completion (at_wini then sits idle, having programmed the disk). */
function bootAndRun(build: string): System {
  const { sys, params } = boot(build, filesWorkload);
  expect(runWorkload(sys, filesWorkload, params, limits).oracle.verdict).toBe("pass");
  expect(sys.kernel.lookupLabel("at_wini")).toBeDefined();
  return sys;
}

/**
 * One READ DMA of sector LBA into physical `target`, programmed from the host through the ATA's
 * ports (the kernel still attributes the device to the driver that last programmed it). The PRD
 * table sits at `prd`; the system runs in short steps until the command is over.
 */
function hostDmaRead(sys: System, prd: number, target: number): void {
  const bus = sys.machine.bus;
  const view = new DataView(bus.ram.buffer, bus.ram.byteOffset);
  view.setUint32(prd - RAM_BASE, target, true);
  view.setUint32(prd - RAM_BASE + 4, 0x8000_0000 | SECTOR_SIZE, true); // one entry, end of table
  const out = (port: number, v: number, size: 1 | 4 = 1) => bus.portWrite(port, v, size);
  out(PORT_ATA_BM + BM_COMMAND, 0);
  out(PORT_ATA_BM + BM_STATUS, BM_ST_ERROR | BM_ST_INTERRUPT);
  out(PORT_ATA_BM + BM_PRD, prd, 4);
  out(PORT_ATA_BM + BM_COMMAND, BM_CMD_TO_MEMORY);
  [[6, 0xe0], [2, 1], [3, LBA], [4, 0], [5, 0], [7, CMD_READ_DMA]].forEach(([reg, v]) => out(PORT_ATA_CMD + reg, v));
  out(PORT_ATA_BM + BM_COMMAND, BM_CMD_TO_MEMORY | BM_CMD_START);
  for (let i = 0; i < 100 && sys.machine.ata.state.command !== 0; i++) sys.run(10_000);
  expect(sys.machine.ata.state.command).toBe(0);
}

/** The bottom of at_wini's stack: memory of its own, where the IOMMU lets its device read a PRD table. */
function driverPrd(sys: System): number {
  const idx = procIndex(sys, "at_wini");
  return (sys.kernel.km.proc(idx, PROC.memBase) >>> 0) + (sys.kernel.km.proc(idx, PROC.memSize) >>> 0) - DRIVER_STACK_SIZE;
}

describe("IOMMU faults the kernel hears about (minix3-iommu)", () => {
  it("a refused DMA into the process table: recorded, the driver it is attributed to killed and restarted; the table untouched", () => {
    const sys = bootAndRun("minix3-iommu");
    expect(sys.kernel.km.proc(slotIndex(NR_PROCS - 1), PROC.rtsFlags) & RTS_SLOT_FREE).toBe(RTS_SLOT_FREE);
    const endpoint = sys.kernel.lookupLabel("at_wini")!;
    const before = ramAt(sys, freeEntry, SECTOR_SIZE);
    expect(sector(sys)).not.toEqual(before); // a DMA that landed would show
    const at = sys.now();
    hostDmaRead(sys, driverPrd(sys), freeEntry);
    expect(ramAt(sys, freeEntry, SECTOR_SIZE)).toEqual(before);
    expect(sys.kernel.state.iommuFaults).toEqual([
      { at: expect.any(Number), device: "ata", address: freeEntry, length: SECTOR_SIZE, write: true, label: "at_wini", endpoint },
    ]);
    expect(sys.kernel.state.iommuFaults[0].at).toBeGreaterThan(at);
    const detail = `IOMMU fault: ata write of ${SECTOR_SIZE} bytes at 0x${freeEntry.toString(16)} outside its windows`;
    expect(sys.kernel.state.events.filter((e) => e.at > at && e.kind === "killed")).toEqual([
      { at: sys.kernel.state.iommuFaults[0].at, kind: "killed", label: "at_wini", endpoint, detail },
    ]);
    expect(sys.kernel.state.console).toContain(`kernel: ${detail}, DMA programmed by at_wini: killed\n`);
    expect(sys.machine.dma.faults).toEqual({ records: [], overflow: 0 });
    // RS restarts the driver as after any crash; the kernel's line stays enabled for the next fault.
    sys.run(100_000_000);
    const again = sys.kernel.lookupLabel("at_wini");
    expect(again).toBeDefined();
    expect(again).not.toBe(endpoint);
    expect(sys.machine.plic.mmioRead(0, PLIC_ENABLE, 4) & (1 << IRQ_IOMMU)).not.toBe(0);
    // The restarted driver programmed the disk at its init: a second refused DMA is attributed to it.
    hostDmaRead(sys, driverPrd(sys), freeEntry);
    expect(sys.kernel.state.iommuFaults.map((f) => f.endpoint)).toEqual([endpoint, again]);
    expect(ramAt(sys, freeEntry, SECTOR_SIZE)).toEqual(before);
  });

  it("with no live process to attribute the DMA to, the fault is recorded and nobody is killed", () => {
    const sys = bootAndRun("minix3-iommu");
    const prd = driverPrd(sys);
    sys.kernel.terminate(procIndex(sys, "at_wini"), "killed", "test: the driver dies");
    const at = sys.now();
    hostDmaRead(sys, prd, freeEntry); // no window at all now: the device cannot even read its PRD table
    expect(sys.kernel.state.iommuFaults).toEqual([{ at: expect.any(Number), device: "ata", address: prd, length: 8, write: false, label: "", endpoint: NONE }]);
    expect(sys.kernel.state.events.filter((e) => e.at > at && e.kind === "killed")).toEqual([]);
    expect(sys.kernel.state.console).toContain("no live process programmed the device\n");
  });

  it("is deterministic across snapshot and restore: the same fault, the same kill, the same state hash", () => {
    const sys = bootAndRun("minix3-iommu");
    const snap = sys.snapshot();
    const once = () => {
      hostDmaRead(sys, driverPrd(sys), freeEntry);
      sys.run(50_000_000);
      return { hash: sys.stateHash(), faults: structuredClone(sys.kernel.state.iommuFaults) };
    };
    const first = once();
    sys.restore(snap);
    expect(sys.kernel.state.iommuFaults).toEqual([]);
    expect(once()).toEqual(first);
    expect(first.faults).toHaveLength(1);
  });
});

describe("minix3 (no IOMMU)", () => {
  it("the same DMA lands in the process table; nothing is recorded and nobody is killed", () => {
    const sys = bootAndRun("minix3");
    const endpoint = sys.kernel.lookupLabel("at_wini");
    const before = ramAt(sys, freeEntry, SECTOR_SIZE);
    expect(sector(sys)).not.toEqual(before);
    hostDmaRead(sys, driverPrd(sys), freeEntry);
    expect(ramAt(sys, freeEntry, SECTOR_SIZE)).toEqual(sector(sys));
    expect(sys.kernel.state.iommuFaults).toEqual([]);
    expect(sys.machine.dma.faults).toEqual({ records: [], overflow: 0 });
    expect(sys.kernel.lookupLabel("at_wini")).toBe(endpoint);
  });
});
