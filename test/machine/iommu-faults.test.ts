// The IOMMU's fault recording on a bare machine (no kernel): a refused bus-master transfer is
// recorded (device, address, length, direction) and raises IRQ_IOMMU at the PLIC until the
// records are taken; with the IOMMU off a refusal is only the device's error; a full set of
// records counts the overflow; the records are state that snapshots copy and the hash covers.
import { describe, expect, it } from "vitest";
import { ATA_ABRT, BM_CMD_START, BM_CMD_TO_MEMORY, BM_COMMAND, BM_PRD, BM_ST_ERROR, CMD_READ_DMA } from "../../system/machine/devices/ata.js";
import { IOMMU_FAULT_RECORDS } from "../../system/machine/dma.js";
import { Machine } from "../../system/machine/machine.js";
import { IRQ_IOMMU, PORT_ATA_BM, PORT_ATA_CMD, RAM_BASE } from "../../system/machine/memmap.js";
import { asm, words } from "./asm.js";

const PRD = RAM_BASE + 0x1000;
const BUF = RAM_BASE + 0x2000;
const OUTSIDE = RAM_BASE + 0x8000;

/** A machine spinning at RAM_BASE (interrupts off), with a disk whose sector 3 is 0x5a, and the IOMMU as given. */
function machine(iommu: boolean): Machine {
  const m = new Machine({ ramSize: 1 << 20, disk: 64 });
  m.load(RAM_BASE, words([asm.jal(0, 0)]));
  m.cpu.reset(RAM_BASE);
  m.ata.image.fill(0x5a, 3 * 512, 4 * 512);
  m.dma.iommu = { enabled: iommu, windows: iommu ? { ata: [[PRD, 8], [BUF, 4096]] } : {} };
  return m;
}

/** One READ DMA of sector 3 to `target` (one PRD entry of 512 bytes), run to completion. */
function readDma(m: Machine, target: number): void {
  new DataView(m.bus.ram.buffer).setUint32(PRD - RAM_BASE, target, true);
  new DataView(m.bus.ram.buffer).setUint32(PRD - RAM_BASE + 4, 0x8000_0200, true);
  m.bus.portWrite(PORT_ATA_BM + BM_PRD, PRD, 4);
  m.bus.portWrite(PORT_ATA_BM + BM_COMMAND, BM_CMD_TO_MEMORY, 1);
  [[6, 0xe0], [2, 1], [3, 3], [4, 0], [5, 0], [7, CMD_READ_DMA]].forEach(([reg, v]) => m.bus.portWrite(PORT_ATA_CMD + reg, v, 1));
  m.bus.portWrite(PORT_ATA_BM + BM_COMMAND, BM_CMD_TO_MEMORY | BM_CMD_START, 1);
  m.run(m.clock.now + 5_000_000);
  expect(m.ata.state.command).toBe(0);
}

const line = (m: Machine): number => m.plic.state.level[IRQ_IOMMU];

describe("IOMMU fault recording", () => {
  it("a transfer inside the windows lands and records nothing", () => {
    const m = machine(true);
    readDma(m, BUF);
    expect(m.readPhys(BUF, 512)!.every((b) => b === 0x5a)).toBe(true);
    expect(m.dma.faults).toEqual({ records: [], overflow: 0 });
    expect(line(m)).toBe(0);
  });

  it("a refused one: the device reports its error, the IOMMU records the fault and holds its line until the records are taken", () => {
    const m = machine(true);
    readDma(m, OUTSIDE);
    expect(m.ata.state.bmStatus & BM_ST_ERROR).toBe(BM_ST_ERROR);
    expect(m.ata.state.error).toBe(ATA_ABRT);
    expect(m.readPhys(OUTSIDE, 512)!.every((b) => b === 0)).toBe(true);
    expect(m.dma.faults).toEqual({ records: [{ device: "ata", address: OUTSIDE, length: 512, write: true }], overflow: 0 });
    expect(line(m)).toBe(1);
    expect(m.plic.state.pending & (1 << IRQ_IOMMU)).not.toBe(0);
    expect(m.dma.takeFaults().records).toHaveLength(1);
    expect(m.dma.faults).toEqual({ records: [], overflow: 0 });
    expect(line(m)).toBe(0);
  });

  it("with the IOMMU off, a transfer outside RAM is only the device's error: nothing recorded, the line stays low", () => {
    const m = machine(false);
    readDma(m, 0x1000);
    expect(m.ata.state.bmStatus & BM_ST_ERROR).toBe(BM_ST_ERROR);
    expect(m.dma.refused).toBe(1);
    expect(m.dma.faults).toEqual({ records: [], overflow: 0 });
    expect(line(m)).toBe(0);
  });

  it("faults beyond the records are counted as overflow, not recorded", () => {
    const m = machine(true);
    for (let i = 0; i < IOMMU_FAULT_RECORDS + 3; i++) expect(m.dma.write("ata", OUTSIDE + 512 * i, new Uint8Array(4))).toBe(false);
    expect(m.dma.faults.records.map((r) => r.address)).toEqual(Array.from({ length: IOMMU_FAULT_RECORDS }, (_, i) => OUTSIDE + 512 * i));
    expect(m.dma.faults.overflow).toBe(3);
    expect(m.dma.takeFaults().overflow).toBe(3);
    expect(line(m)).toBe(0);
  });

  it("pending records are state: a snapshot copies them, restore brings them back, the hash covers them", () => {
    const m = machine(true);
    readDma(m, OUTSIDE);
    const snap = m.snapshot();
    const pending = m.stateHash();
    m.dma.takeFaults();
    expect(m.stateHash()).not.toBe(pending);
    m.restore(snap);
    expect(m.stateHash()).toBe(pending);
    expect(m.dma.faults.records).toEqual([{ device: "ata", address: OUTSIDE, length: 512, write: true }]);
    expect(line(m)).toBe(1);
    m.dma.faults.overflow++; // the fault log alone
    expect(m.stateHash()).not.toBe(pending);
  });
});
