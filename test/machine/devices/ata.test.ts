import { describe, expect, it } from "vitest";
import {
  Ata,
  ATA_ABRT,
  ATA_BSY,
  ATA_COMMAND_OVERHEAD_CYCLES as OVERHEAD,
  ATA_DRDY,
  ATA_DRQ,
  ATA_ERR,
  ATA_FULL_STROKE_SEEK_CYCLES as FULL_STROKE,
  ATA_IDNF,
  ATA_SECTOR_TRANSFER_CYCLES as SECTOR,
  BM_ST_ACTIVE,
  BM_ST_ERROR,
  BM_ST_INTERRUPT,
} from "../../../system/machine/devices/ata.js";
import { IRQ_ATA, PORT_ATA_BM, PORT_ATA_CMD, PORT_ATA_CTRL, RAM_BASE } from "../../../system/machine/memmap.js";
import { Harness } from "./harness.js";

const SECTORS = 2048;
const DATA = PORT_ATA_CMD;
const ERROR = PORT_ATA_CMD + 1;
const STATUS = PORT_ATA_CMD + 7;
const BM_CMD = PORT_ATA_BM;
const BM_STATUS = PORT_ATA_BM + 2;
const BM_PRD = PORT_ATA_BM + 4;
const PRD_TABLE = RAM_BASE + 0x1000;

function setup(sectors = SECTORS) {
  const h = new Harness();
  const ata = h.attach(new Ata(h.ctx, { sectors }));
  for (let i = 0; i < ata.image.length; i++) ata.image[i] = (i * 7 + (i >> 9)) & 0xff;
  return { h, ata };
}

function issue(h: Harness, command: number, lba: number, count: number) {
  h.outb(PORT_ATA_CMD + 6, 0xe0 | ((lba >>> 24) & 0x0f));
  h.outb(PORT_ATA_CMD + 2, count & 0xff);
  h.outb(PORT_ATA_CMD + 3, lba & 0xff);
  h.outb(PORT_ATA_CMD + 4, (lba >>> 8) & 0xff);
  h.outb(PORT_ATA_CMD + 5, (lba >>> 16) & 0xff);
  h.outb(STATUS, command);
}

function readSector(h: Harness, wide = false): Uint8Array {
  const buf = new Uint8Array(512);
  const dv = new DataView(buf.buffer);
  if (wide) for (let i = 0; i < 512; i += 4) dv.setUint32(i, h.inl(DATA), true);
  else for (let i = 0; i < 512; i += 2) dv.setUint16(i, h.inw(DATA), true);
  return buf;
}

function writeSector(h: Harness, data: Uint8Array) {
  const dv = new DataView(data.buffer, data.byteOffset, 512);
  for (let i = 0; i < 512; i += 2) h.outw(DATA, dv.getUint16(i, true));
}

const sector = (ata: Ata, lba: number, n = 1) => ata.image.slice(lba * 512, (lba + n) * 512);
const seek = (from: number, to: number) => Math.floor((FULL_STROKE * Math.abs(to - from)) / SECTORS);

/** Writes PRD entries [paddr, byteCount, last] at PRD_TABLE. */
function prd(h: Harness, entries: Array<[number, number, boolean]>, at = PRD_TABLE) {
  const dv = new DataView(h.bus.ram.buffer);
  entries.forEach(([addr, count, last], i) => {
    const off = at - RAM_BASE + 8 * i;
    dv.setUint32(off, addr >>> 0, true);
    dv.setUint16(off + 4, count, true);
    dv.setUint16(off + 6, last ? 0x8000 : 0, true);
  });
  h.outl(BM_PRD, at);
}

function identifyString(words: Uint16Array, first: number, count: number): string {
  let s = "";
  for (let i = first; i < first + count; i++) s += String.fromCharCode(words[i] >> 8, words[i] & 0xff);
  return s.trim();
}

describe("ATA PIO", () => {
  it("IDENTIFY DEVICE: BSY for the command overhead, then 512 bytes of identify data", () => {
    const { h } = setup();
    h.outb(STATUS, 0xec);
    expect(h.inb(PORT_ATA_CTRL) & ATA_BSY).toBe(ATA_BSY);
    h.advanceTo(OVERHEAD - 1);
    expect(h.inb(PORT_ATA_CTRL)).toBe(ATA_BSY);
    expect(h.irqLevel(IRQ_ATA)).toBe(false);
    h.advanceTo(OVERHEAD);
    expect(h.irqLevel(IRQ_ATA)).toBe(true);
    expect(h.inb(PORT_ATA_CTRL)).toBe(ATA_DRDY | ATA_DRQ);
    expect(h.irqLevel(IRQ_ATA)).toBe(true); // alternate status does not acknowledge
    expect(h.inb(STATUS)).toBe(ATA_DRDY | ATA_DRQ);
    expect(h.irqLevel(IRQ_ATA)).toBe(false);
    const bytes = readSector(h);
    const words = new Uint16Array(bytes.buffer);
    expect(identifyString(words, 27, 20)).toBe("BULKHEAD EMULATED DISK");
    expect(identifyString(words, 10, 10)).toBe("BH0000000001");
    expect(words[60] | (words[61] << 16)).toBe(SECTORS);
    expect(words[49] & 0x0200).toBe(0x0200); // LBA
    expect(bytes[510]).toBe(0xa5);
    expect(bytes.reduce((a, b) => a + b, 0) & 0xff).toBe(0);
    expect(h.inb(STATUS)).toBe(ATA_DRDY);
  });

  it("READ SECTORS: seek + transfer latency, one interrupt per sector, the image's bytes", () => {
    const { h, ata } = setup();
    issue(h, 0x20, 1000, 3);
    const first = OVERHEAD + seek(0, 1000) + SECTOR;
    h.advanceTo(first - 1);
    expect(h.inb(PORT_ATA_CTRL)).toBe(ATA_BSY);
    h.advanceTo(first);
    expect(h.inb(STATUS)).toBe(ATA_DRDY | ATA_DRQ);
    expect(readSector(h)).toEqual(sector(ata, 1000));
    expect(h.inb(PORT_ATA_CTRL)).toBe(ATA_BSY);
    h.advanceBy(SECTOR);
    expect(h.irqLevel(IRQ_ATA)).toBe(true);
    expect(h.inb(STATUS)).toBe(ATA_DRDY | ATA_DRQ);
    expect(readSector(h, true)).toEqual(sector(ata, 1001)); // 32-bit data port accesses
    h.advanceBy(SECTOR);
    h.inb(STATUS);
    expect(readSector(h)).toEqual(sector(ata, 1002));
    expect(h.inb(STATUS)).toBe(ATA_DRDY);
    expect(ata.state.sectorsRead).toBe(3);
    expect(h.irqLog.filter((c) => c.level).length).toBe(3);
  });

  it("WRITE SECTORS: DRQ per sector, BSY while writing, the bytes land in the image", () => {
    const { h, ata } = setup();
    const data = new Uint8Array(1024).map((_, i) => (i * 13) ^ 0x5a);
    issue(h, 0x30, 20, 2);
    h.advanceBy(OVERHEAD);
    expect(h.inb(STATUS)).toBe(ATA_DRDY | ATA_DRQ);
    expect(h.irqLevel(IRQ_ATA)).toBe(false); // no interrupt before the first block
    writeSector(h, data.subarray(0, 512));
    expect(h.inb(PORT_ATA_CTRL)).toBe(ATA_BSY);
    h.advanceBy(seek(0, 20) + SECTOR);
    expect(h.irqLevel(IRQ_ATA)).toBe(true);
    expect(h.inb(STATUS)).toBe(ATA_DRDY | ATA_DRQ);
    expect(h.irqLevel(IRQ_ATA)).toBe(false);
    writeSector(h, data.subarray(512));
    h.advanceBy(SECTOR - 1);
    expect(h.irqLevel(IRQ_ATA)).toBe(false);
    h.advanceBy(1);
    expect(h.irqLevel(IRQ_ATA)).toBe(true);
    expect(h.inb(STATUS)).toBe(ATA_DRDY);
    expect(sector(ata, 20, 2)).toEqual(data);
    expect(ata.state.sectorsWritten).toBe(2);
  });

  it("an out-of-range LBA fails with IDNF; an unknown command with ABRT", () => {
    const { h, ata } = setup();
    issue(h, 0x20, SECTORS - 1, 2);
    h.advanceBy(OVERHEAD);
    expect(h.irqLevel(IRQ_ATA)).toBe(true);
    expect(h.inb(STATUS)).toBe(ATA_DRDY | ATA_ERR);
    expect(h.inb(ERROR)).toBe(ATA_IDNF);
    issue(h, 0x20, 0, 0); // count 0 = 256 sectors: fits
    h.settle();
    expect(h.inb(STATUS)).toBe(ATA_DRDY | ATA_DRQ);
    issue(h, 0x99, 0, 1);
    h.advanceBy(OVERHEAD);
    expect(h.inb(STATUS)).toBe(ATA_DRDY | ATA_ERR);
    expect(h.inb(ERROR)).toBe(ATA_ABRT);
    expect(ata.state.sectorsRead).toBe(1);
  });

  it("FLUSH CACHE completes with an interrupt; nIEN holds the interrupt back", () => {
    const { h } = setup();
    h.outb(PORT_ATA_CTRL, 0x02);
    h.outb(STATUS, 0xe7);
    h.advanceBy(OVERHEAD);
    expect(h.irqLevel(IRQ_ATA)).toBe(false);
    h.outb(PORT_ATA_CTRL, 0x00);
    expect(h.irqLevel(IRQ_ATA)).toBe(true);
    expect(h.inb(STATUS)).toBe(ATA_DRDY);
    expect(h.irqLevel(IRQ_ATA)).toBe(false);
  });

  it("soft reset aborts a busy command and restores the signature", () => {
    const { h, ata } = setup();
    issue(h, 0x20, 500, 1);
    h.outb(PORT_ATA_CTRL, 0x04);
    expect(h.inb(PORT_ATA_CTRL)).toBe(ATA_BSY);
    h.advanceBy(10 * FULL_STROKE);
    expect(h.irqLevel(IRQ_ATA)).toBe(false);
    h.outb(PORT_ATA_CTRL, 0x00);
    expect(h.inb(STATUS)).toBe(ATA_DRDY);
    expect([h.inb(ERROR), h.inb(PORT_ATA_CMD + 2), h.inb(PORT_ATA_CMD + 3)]).toEqual([1, 1, 1]);
    expect(ata.state.sectorsRead).toBe(0);
    issue(h, 0x20, 0, 1);
    h.advanceBy(OVERHEAD + SECTOR);
    expect(readSector(h)).toEqual(sector(ata, 0));
  });

  it("translates CHS addresses (LBA bit clear) through 16 heads x 63 sectors", () => {
    const { h, ata } = setup();
    h.outb(PORT_ATA_CMD + 6, 0xa1); // CHS, head 1
    h.outb(PORT_ATA_CMD + 2, 1);
    h.outb(PORT_ATA_CMD + 3, 2); // sector 2 (1-based)
    h.outb(PORT_ATA_CMD + 4, 1); // cylinder 1
    h.outb(PORT_ATA_CMD + 5, 0);
    h.outb(STATUS, 0x20);
    h.settle();
    expect(readSector(h)).toEqual(sector(ata, (1 * 16 + 1) * 63 + 1));
    h.outb(PORT_ATA_CMD + 3, 0); // sector 0 does not exist
    h.outb(STATUS, 0x20);
    h.settle();
    expect(h.inb(ERROR)).toBe(ATA_IDNF);
  });

  it("the absent slave device ignores commands and reads status 0", () => {
    const { h } = setup();
    h.outb(PORT_ATA_CMD + 6, 0xf0);
    h.outb(STATUS, 0xec);
    expect(h.inb(STATUS)).toBe(0);
    expect(h.clock.state.events).toEqual([]);
  });
});

describe("ATA bus-master DMA", () => {
  const BUF_A = RAM_BASE + 0x2000;
  const BUF_B = RAM_BASE + 0x8000;

  it("READ DMA: scatters sectors into RAM through a two-entry PRD table", () => {
    const { h, ata } = setup();
    prd(h, [
      [BUF_A, 512, false],
      [BUF_B, 1024, true],
    ]);
    h.outb(BM_CMD, 0x08);
    issue(h, 0xc8, 300, 3);
    h.outb(BM_CMD, 0x09);
    expect(h.inb(BM_STATUS) & BM_ST_ACTIVE).toBe(BM_ST_ACTIVE);
    const done = OVERHEAD + seek(0, 300) + 3 * SECTOR;
    h.advanceTo(done - 1);
    expect(h.irqLevel(IRQ_ATA)).toBe(false);
    expect(h.peek(BUF_A, 512).every((b) => b === 0)).toBe(true);
    h.advanceTo(done);
    expect(h.irqLevel(IRQ_ATA)).toBe(true);
    expect(h.inb(BM_STATUS) & 7).toBe(BM_ST_INTERRUPT);
    expect(h.inb(STATUS)).toBe(ATA_DRDY);
    expect(h.peek(BUF_A, 512)).toEqual(sector(ata, 300));
    expect(h.peek(BUF_B, 1024)).toEqual(sector(ata, 301, 2));
    h.outb(BM_STATUS, BM_ST_INTERRUPT);
    expect(h.inb(BM_STATUS) & 7).toBe(0);
    expect(ata.state.sectorsRead).toBe(3);
  });

  it("WRITE DMA: gathers RAM into the image, with the engine started before the command", () => {
    const { h, ata } = setup();
    h.peek(BUF_A, 1024).set(new Uint8Array(1024).map((_, i) => i ^ 0xa5));
    h.peek(BUF_B, 512).set(new Uint8Array(512).fill(0x3c));
    prd(h, [
      [BUF_A, 1024, false],
      [BUF_B, 512, true],
    ]);
    h.outb(BM_CMD, 0x01); // start, direction: memory -> device
    issue(h, 0xca, 7, 3);
    h.settle();
    expect(h.inb(STATUS)).toBe(ATA_DRDY);
    expect(sector(ata, 7, 2)).toEqual(h.peek(BUF_A, 1024));
    expect(sector(ata, 9)).toEqual(new Uint8Array(512).fill(0x3c));
    expect(ata.state.sectorsWritten).toBe(3);
    expect(h.inb(BM_STATUS) & 7).toBe(BM_ST_INTERRUPT);
  });

  it("a PRD table longer than the transfer leaves the engine active, as on a PIIX", () => {
    const { h } = setup();
    prd(h, [[BUF_A, 0, true]]); // 0 = 64 KiB
    h.outb(BM_CMD, 0x09);
    issue(h, 0xc8, 0, 1);
    h.settle();
    expect(h.inb(BM_STATUS) & 7).toBe(BM_ST_INTERRUPT | BM_ST_ACTIVE);
  });

  it("an IOMMU refusal stops the transfer: bus-master error, ERR/ABRT, interrupt", () => {
    const { h, ata } = setup();
    h.dma.iommu = { enabled: true, windows: { ata: [[PRD_TABLE, 16], [BUF_A, 512]] } };
    prd(h, [
      [BUF_A, 512, false],
      [BUF_B, 512, true],
    ]);
    h.outb(BM_CMD, 0x09);
    issue(h, 0xc8, 40, 2);
    h.settle();
    expect(h.irqLevel(IRQ_ATA)).toBe(true);
    expect(h.inb(BM_STATUS) & 7).toBe(BM_ST_INTERRUPT | BM_ST_ERROR);
    expect(h.inb(STATUS)).toBe(ATA_DRDY | ATA_ERR);
    expect(h.inb(ERROR)).toBe(ATA_ABRT);
    expect(h.peek(BUF_A, 512)).toEqual(sector(ata, 40));
    expect(h.peek(BUF_B, 512).every((b) => b === 0)).toBe(true);
    expect(ata.state.sectorsRead).toBe(1);
    expect(h.dma.refused).toBe(1);
  });

  it("a PRD table outside RAM, or a direction that contradicts the command, is an error", () => {
    const { h, ata } = setup();
    h.outl(BM_PRD, 0x1000);
    h.outb(BM_CMD, 0x09);
    issue(h, 0xc8, 0, 1);
    h.settle();
    expect(h.inb(BM_STATUS) & BM_ST_ERROR).toBe(BM_ST_ERROR);
    expect(h.inb(ERROR)).toBe(ATA_ABRT);
    h.outb(BM_STATUS, 0x06);
    h.outb(BM_CMD, 0x00);
    prd(h, [[BUF_A, 512, true]]);
    h.outb(BM_CMD, 0x09); // to memory, but the command writes the disk
    issue(h, 0xca, 0, 1);
    h.settle();
    expect(h.inb(BM_STATUS) & BM_ST_ERROR).toBe(BM_ST_ERROR);
    expect(h.inb(STATUS)).toBe(ATA_DRDY | ATA_ERR);
    expect(ata.state.sectorsWritten).toBe(0);
  });

  it("a table without an end bit is walked only so far; the device then waits until reset", () => {
    const { h, ata } = setup();
    const tiny: Array<[number, number, boolean]> = [];
    for (let i = 0; i < 9000; i++) tiny.push([BUF_A + 2 * (i % 256), 2, false]);
    prd(h, tiny, RAM_BASE + 0x10000);
    h.outb(BM_CMD, 0x09);
    issue(h, 0xc8, 0, 0); // 256 sectors = 128 KiB, more than 8192 entries of 2 bytes cover
    h.settle();
    expect(h.irqLevel(IRQ_ATA)).toBe(false);
    expect(h.inb(STATUS)).toBe(ATA_DRDY | ATA_DRQ);
    expect(h.inb(BM_STATUS) & 7).toBe(0);
    expect(ata.state.sectorsRead).toBe(32);
    h.outb(PORT_ATA_CTRL, 0x04);
    h.outb(PORT_ATA_CTRL, 0x00);
    expect(h.inb(STATUS)).toBe(ATA_DRDY);
  });

  it("a DMA command waits for the engine to start", () => {
    const { h, ata } = setup();
    prd(h, [[BUF_A, 512, true]]);
    h.outb(BM_CMD, 0x08);
    issue(h, 0xc8, 3, 1);
    h.settle();
    expect(h.inb(STATUS)).toBe(ATA_DRDY | ATA_DRQ);
    expect(h.irqLevel(IRQ_ATA)).toBe(false);
    h.outb(BM_CMD, 0x09);
    expect(h.irqLevel(IRQ_ATA)).toBe(true);
    expect(h.peek(BUF_A, 512)).toEqual(sector(ata, 3));
  });
});

describe("ATA robustness", () => {
  it("survives arbitrary port traffic without throwing (deterministic pseudo-random guest)", () => {
    const { h, ata } = setup(64);
    const ports = [...Array(8).keys()].map((i) => PORT_ATA_CMD + i).concat([PORT_ATA_CTRL]);
    for (let i = 0; i < 8; i++) ports.push(PORT_ATA_BM + i);
    const commands = [0x20, 0x30, 0xc8, 0xca, 0xe7, 0xec, 0x00, 0xff];
    let x = 12345;
    const rnd = (n: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % n;
    h.bus.ram.fill(0x80, 0, 0x4000); // PRD entries pointing at 0x80808080 (outside RAM) and worse
    for (let i = 0; i < 20000; i++) {
      const port = ports[rnd(ports.length)];
      const size = ([1, 2, 4] as const)[rnd(3)];
      const value = port === STATUS && rnd(2) ? commands[rnd(commands.length)] : rnd(0x1_0000) * 0x1_0001;
      if (rnd(2)) h.bus.portWrite(port, value, size);
      else h.bus.portRead(port, size);
      if (rnd(8) === 0) h.advanceBy(rnd(200_000));
    }
    h.settle();
    expect(ata.image.length).toBe(64 * 512);
  });
});

describe("ATA construction", () => {
  it("adopts an image of whole sectors and pads a ragged one", () => {
    const h = new Harness();
    const whole = new Uint8Array(4096);
    expect(new Ata(h.ctx, whole).image).toBe(whole);
    const ragged = new Ata(h.ctx, new Uint8Array(1000).fill(1));
    expect(ragged.sectors).toBe(2);
    expect(ragged.image.length).toBe(1024);
    expect(ragged.image[999]).toBe(1);
    expect(ragged.image[1000]).toBe(0);
    expect(() => new Ata(h.ctx, { sectors: 0 })).toThrow(/bad disk size/);
  });
});

describe("ATA snapshot", () => {
  it("snapshot -> change -> restore gives the identical state, in the same buffers", () => {
    const { h, ata } = setup(32); // small: deep equality of big typed arrays is slow
    issue(h, 0x20, 10, 2);
    h.settle();
    h.inw(DATA);
    const snap = ata.snapshot();
    const image = ata.state.image;
    readSector(h);
    ata.image[0] ^= 0xff;
    h.outb(BM_CMD, 0x09);
    expect(ata.snapshot()).not.toEqual(snap);
    ata.restore(snap);
    expect(ata.snapshot()).toEqual(snap);
    expect(ata.state.image).toBe(image);
    expect(readSector(h).subarray(0, 510)).toEqual(sector(ata, 10).subarray(2));
  });

  it("restoring one snapshot again and again undoes every write since: PIO, DMA, the host's", () => {
    const { h, ata } = setup(64);
    const snap = ata.snapshot();
    const pristine = ata.readImage().slice();
    const buf = RAM_BASE + 0x2000;
    const pio = (lba: number, fill: number) => {
      issue(h, 0x30, lba, 1);
      h.advanceBy(OVERHEAD);
      writeSector(h, new Uint8Array(512).fill(fill));
      h.settle();
    };
    const dma = (lba: number, fill: number) => {
      h.peek(buf, 1024).fill(fill);
      prd(h, [[buf, 1024, true]]);
      h.outb(BM_CMD, 0x01);
      issue(h, 0xca, lba, 2);
      h.settle();
      h.outb(BM_CMD, 0x00);
    };
    for (let round = 0; round < 3; round++) {
      pio(3 + round, 0x11);
      dma(40 - round, 0x22);
      if (round === 1) ata.image[7777] ^= 0xff; // the host, through the live image
      expect(ata.readImage()).not.toEqual(pristine);
      ata.restore(snap);
      expect(ata.readImage()).toEqual(pristine);
    }
  });
});
