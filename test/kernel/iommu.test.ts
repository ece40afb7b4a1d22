// The IOMMU build (minix3-iommu) against minix3, on the real system: the kernel gives the ATA
// device a window onto its driver's memory only, so the driver's own DMA works and the files
// workload passes, while the same device aimed (from the host, through its ports) at VFS's memory
// or at the kernel's process table is refused and leaves that memory as it was. In minix3 the
// same DMA lands, and the kernel never touches the IOMMU state.
import { describe, expect, it } from "vitest";
import { DRIVER_STACK_SIZE } from "../../system/kernel/abi.js";
import { PROC, RTS_SLOT_FREE } from "../../system/kernel/layout.js";
import { NR_PROCS, PROC_SIZE, PROC_TABLE_OFF, slotIndex } from "../../system/kernel/params.js";
import {
  ATA_COMMAND_OVERHEAD_CYCLES, ATA_FULL_STROKE_SEEK_CYCLES, ATA_SECTOR_TRANSFER_CYCLES, BM_CMD_START, BM_CMD_TO_MEMORY,
  BM_COMMAND, BM_PRD, BM_ST_ERROR, BM_ST_INTERRUPT, BM_STATUS, CMD_READ_DMA, SECTOR_SIZE,
} from "../../system/machine/devices/ata.js";
import { PORT_ATA_BM, PORT_ATA_CMD, RAM_BASE } from "../../system/machine/memmap.js";
import { runWorkload } from "../../system/run.js";
import type { System } from "../../system/system.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { boot, procIndex } from "../support/system.js";

const limits = { budgetCycles: 3_000_000_000, watchdogCycles: 300_000_000 };

/** Physical [base, size) of the memory of live process `label`. */
function memoryOf(sys: System, label: string): [number, number] {
  const idx = procIndex(sys, label);
  return [sys.kernel.km.proc(idx, PROC.memBase) >>> 0, sys.kernel.km.proc(idx, PROC.memSize) >>> 0];
}

const ramAt = (sys: System, pa: number, len: number): Uint8Array => sys.machine.bus.ram.slice(pa - RAM_BASE, pa - RAM_BASE + len);

/** Boots `build` with the files workload and runs it to completion (the driver then sits idle). */
function bootAndRun(build: string) {
  const { sys, params } = boot(build, filesWorkload);
  const obs = runWorkload(sys, filesWorkload, params, limits);
  return { sys, obs };
}

/** The first sector of the disk that is not all zeros and differs from `avoid`. */
function distinctSector(sys: System, avoid: Uint8Array): number {
  const image = sys.machine.ata.readImage();
  for (let lba = 0; lba * SECTOR_SIZE < image.length; lba++) {
    const s = image.subarray(lba * SECTOR_SIZE, (lba + 1) * SECTOR_SIZE);
    if (s.some((b) => b !== 0) && s.some((b, i) => b !== avoid[i])) return lba;
  }
  throw new Error("no usable sector");
}

/**
 * Programs the ATA bus master from the host, as a driver would through its ports: one READ DMA
 * of sector `lba` into physical `target`. The PRD table sits at the bottom of at_wini's stack
 * (its own memory, which the device may read in either build); then the system runs in short
 * steps until the command is over, so little else runs after the transfer.
 */
function hostDmaRead(sys: System, lba: number, target: number): void {
  const bus = sys.machine.bus;
  expect(sys.machine.ata.state.command).toBe(0); // the driver left the disk idle
  const [base, size] = memoryOf(sys, "at_wini");
  const prd = base + size - DRIVER_STACK_SIZE;
  const view = new DataView(bus.ram.buffer, bus.ram.byteOffset);
  view.setUint32(prd - RAM_BASE, target, true);
  view.setUint16(prd - RAM_BASE + 4, SECTOR_SIZE, true);
  view.setUint16(prd - RAM_BASE + 6, 0x8000, true); // end of table
  bus.portWrite(PORT_ATA_BM + BM_COMMAND, 0, 1);
  bus.portWrite(PORT_ATA_BM + BM_STATUS, BM_ST_ERROR | BM_ST_INTERRUPT, 1);
  bus.portWrite(PORT_ATA_BM + BM_PRD, prd, 4);
  bus.portWrite(PORT_ATA_BM + BM_COMMAND, BM_CMD_TO_MEMORY, 1);
  bus.portWrite(PORT_ATA_CMD + 6, 0xe0 | ((lba >>> 24) & 0x0f), 1);
  bus.portWrite(PORT_ATA_CMD + 2, 1, 1);
  bus.portWrite(PORT_ATA_CMD + 3, lba & 0xff, 1);
  bus.portWrite(PORT_ATA_CMD + 4, (lba >>> 8) & 0xff, 1);
  bus.portWrite(PORT_ATA_CMD + 5, (lba >>> 16) & 0xff, 1);
  bus.portWrite(PORT_ATA_CMD + 7, CMD_READ_DMA, 1);
  bus.portWrite(PORT_ATA_BM + BM_COMMAND, BM_CMD_TO_MEMORY | BM_CMD_START, 1);
  const step = ATA_SECTOR_TRANSFER_CYCLES;
  const limit = sys.machine.clock.now + ATA_COMMAND_OVERHEAD_CYCLES + ATA_FULL_STROKE_SEEK_CYCLES + 4 * step;
  while (sys.machine.ata.state.command !== 0 && sys.machine.clock.now < limit) sys.run(step);
  expect(sys.machine.ata.state.command).toBe(0);
}

describe("minix3-iommu: each device's DMA reaches only its driver's memory", () => {
  it("boots with the IOMMU on and one ATA window, onto at_wini's memory; the files workload passes by DMA", () => {
    const { sys, params } = boot("minix3-iommu", filesWorkload);
    expect(sys.machine.dma.iommu).toEqual({ enabled: true, windows: { ata: [memoryOf(sys, "at_wini")] } });
    expect(sys.kernel.state.console).toMatch(/at_wini: .*, DMA\n/);
    const read = sys.machine.ata.state.sectorsRead;
    const obs = runWorkload(sys, filesWorkload, params, limits);
    expect(obs.end).toBe("completed");
    expect(obs.oracle.verdict).toBe("pass");
    expect(sys.machine.ata.state.sectorsRead).toBeGreaterThan(read);
    expect(sys.machine.dma.refused).toBe(0);
  });

  it("a dead driver's window closes with it, and its restarted successor gets one onto its own memory", () => {
    const { sys } = boot("minix3-iommu", filesWorkload);
    sys.kernel.terminate(procIndex(sys, "at_wini"), "killed", "test: the driver dies");
    expect(sys.machine.dma.iommu.windows).toEqual({});
    expect(sys.run(100_000_000)).toBe("limit");
    const after = memoryOf(sys, "at_wini");
    expect(sys.machine.dma.iommu.windows).toEqual({ ata: [after] });
  });

  it("minix3 leaves the IOMMU off and without windows, through boot, a workload and a restart", () => {
    const { sys, obs } = bootAndRun("minix3");
    expect(obs.oracle.verdict).toBe("pass");
    sys.kernel.terminate(procIndex(sys, "at_wini"), "killed", "test: the driver dies");
    sys.run(100_000_000);
    expect(sys.kernel.lookupLabel("at_wini")).toBeDefined();
    expect(sys.machine.dma.iommu).toEqual({ enabled: false, windows: {} });
  });

  const targets: Array<[string, (sys: System) => number]> = [
    ["VFS's memory", (sys) => memoryOf(sys, "vfs")[0] + 0x8000],
    ["the kernel's process table (a free entry)", (sys) => {
      const idx = slotIndex(NR_PROCS - 1);
      expect(sys.kernel.km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE).toBe(RTS_SLOT_FREE);
      return RAM_BASE + PROC_TABLE_OFF + idx * PROC_SIZE;
    }],
  ];
  for (const [what, targetOf] of targets) {
    it(`the ATA device's DMA into ${what}: refused in minix3-iommu (memory unchanged), written in minix3`, () => {
      for (const build of ["minix3-iommu", "minix3"]) {
        const { sys, obs } = bootAndRun(build);
        expect(obs.oracle.verdict).toBe("pass");
        const target = targetOf(sys);
        const before = ramAt(sys, target, SECTOR_SIZE);
        const lba = distinctSector(sys, before);
        const sector = sys.machine.ata.readImage().slice(lba * SECTOR_SIZE, (lba + 1) * SECTOR_SIZE);
        // The control: the device's DMA into its own driver's memory (above the PRD table) lands.
        const own = memoryOf(sys, "at_wini")[0] + memoryOf(sys, "at_wini")[1] - DRIVER_STACK_SIZE + 0x1000;
        hostDmaRead(sys, lba, own);
        expect(ramAt(sys, own, SECTOR_SIZE)).toEqual(sector);
        const refused = sys.machine.dma.refused;
        hostDmaRead(sys, lba, target);
        const bmStatus = sys.machine.ata.state.bmStatus;
        if (build === "minix3-iommu") {
          expect(ramAt(sys, target, SECTOR_SIZE)).toEqual(before);
          expect(sys.machine.dma.refused).toBe(refused + 1);
          expect(bmStatus & BM_ST_ERROR).toBe(BM_ST_ERROR);
        } else {
          expect(ramAt(sys, target, SECTOR_SIZE)).toEqual(sector);
          expect(sys.machine.dma.refused).toBe(refused);
          expect(bmStatus & BM_ST_ERROR).toBe(0);
        }
      }
    });
  }
});
