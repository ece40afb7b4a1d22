// Whole-machine snapshot/restore: run → snapshot → run → restore → run gives identical hashes,
// including devices (disk DMA in flight, timer events pending) and the TLB.
import { describe, expect, it } from "vitest";
import { Machine } from "../../system/machine/machine.js";
import { PORT_ATA_CMD, PORT_UART, RAM_BASE } from "../../system/machine/memmap.js";
import { asm, words } from "./asm.js";

/** A loop that keeps storing a counter into RAM and programs a timer on the way. */
function busyMachine(): Machine {
  const m = new Machine({ ramSize: 1 << 20, disk: 128 });
  m.load(RAM_BASE, words([
    asm.lui(1, (RAM_BASE + 0x8000) >>> 12),
    asm.addi(2, 2, 1),
    asm.sw(2, 1, 0),
    asm.lw(3, 1, 0),
    asm.add(4, 4, 3),
    asm.jal(0, -16),
  ]));
  m.cpu.reset(RAM_BASE);
  m.clint.setTimecmp(1_000_000);
  m.ata.image.fill(0xa5, 0, 512);
  return m;
}

describe("snapshot and restore", () => {
  it("restoring and rerunning reproduces the exact state", () => {
    const m = busyMachine();
    m.run(10_000);
    const snap = m.snapshot();
    const h0 = m.stateHash();
    m.run(50_000);
    const h1 = m.stateHash();
    expect(h1).not.toBe(h0);
    m.restore(snap);
    expect(m.stateHash()).toBe(h0);
    m.run(50_000);
    expect(m.stateHash()).toBe(h1);
  });

  it("a snapshot is a copy: later changes do not leak into it", () => {
    const m = busyMachine();
    const snap = m.snapshot();
    const h0 = m.stateHash();
    m.ata.image[0] = 1;
    m.cpu.x[5] = 99;
    m.clock.schedule(10, "ata", "noop");
    m.restore(snap);
    expect(m.stateHash()).toBe(h0);
    expect(m.clock.state.events.length).toBe(snap.clock.events.length);
  });

  it("console output printed after a snapshot is gone after restoring it (no bytes left behind)", () => {
    const m = busyMachine();
    const snap = m.snapshot();
    const h0 = m.stateHash();
    for (let i = 0; i < 10_000; i++) m.bus.portWrite(PORT_UART, 0x41 + (i % 26), 1); // past the ring's first size
    expect(m.stateHash()).not.toBe(h0);
    m.restore(snap);
    expect(m.uart.output()).toBe("");
    expect(m.stateHash()).toBe(h0);
    expect(m.stateHash(snap)).toBe(h0);
  });

  it("the hash given the snapshot (which compares only the disk pages the device wrote) equals the full hash", () => {
    const m = busyMachine();
    const snap = m.snapshot();
    const hashes: Array<[string, string]> = [];
    for (const lba of [3, 77, 120]) {
      // PIO WRITE SECTORS of one sector, then let the device finish.
      m.bus.portWrite(PORT_ATA_CMD + 6, 0xe0, 1);
      m.bus.portWrite(PORT_ATA_CMD + 2, 1, 1);
      m.bus.portWrite(PORT_ATA_CMD + 3, lba, 1);
      m.bus.portWrite(PORT_ATA_CMD + 4, 0, 1);
      m.bus.portWrite(PORT_ATA_CMD + 5, 0, 1);
      m.bus.portWrite(PORT_ATA_CMD + 7, 0x30, 1);
      m.run(m.clock.now + 1_000_000);
      for (let i = 0; i < 256; i++) m.bus.portWrite(PORT_ATA_CMD, 0x1234 + lba + i, 2);
      m.run(m.clock.now + 5_000_000);
      hashes.push([m.stateHash(snap), m.stateHash()]);
    }
    expect(m.ata.state.sectorsWritten).toBe(3);
    for (const [withRef, full] of hashes) expect(withRef).toBe(full);
    expect(new Set(hashes.map(([a]) => a)).size).toBe(3);
  });

  it("the hash sees one flipped bit anywhere in RAM, the disk or a register", () => {
    const m = busyMachine();
    const h = m.stateHash();
    const snap = m.snapshot();
    for (const poke of [() => (m.bus.ram[0xfffff] ^= 1), () => (m.ata.image[100] ^= 0x80), () => (m.cpu.x[31] ^= 1), () => (m.cpu.csr.mscratch ^= 1)]) {
      m.restore(snap);
      poke();
      expect(m.stateHash()).not.toBe(h);
    }
  });

  it("restores into the existing RAM buffer instead of reallocating", () => {
    const m = busyMachine();
    const ram = m.bus.ram;
    const snap = m.snapshot();
    m.run(1000);
    m.restore(snap);
    expect(m.bus.ram).toBe(ram);
  });
});

describe("state hash against a snapshot", () => {
  it("gives the same value with or without the reference snapshot, and sees changed pages", () => {
    const m = busyMachine();
    const snap = m.snapshot();
    m.run(20_000);
    m.ata.image[777] ^= 1;
    const h = m.stateHash();
    expect(m.stateHash(snap)).toBe(h);
    expect(m.stateHash(snap)).toBe(h); // cached page digests of the snapshot
    m.bus.ram[4096 * 3 + 5] ^= 0x10;
    expect(m.stateHash(snap)).not.toBe(h);
    expect(m.stateHash(snap)).toBe(m.stateHash());
  });
});
