// The ES1371 model driven through its ports on the device bench, the way the MINIX and Linux
// drivers drive it: registers at every access size, the SRC and codec protocols, rate
// programming, DMA playback in each format, interrupt timing and acknowledgement, segments of
// the recording, underruns, an unprogrammed SRC, refused DMA, garbage writes, snapshot/restore.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import {
  AC97_FRONT_RATE,
  AC97_MASTER,
  AC97_PCM,
  AC97_POWERDOWN,
  AC97_RESET,
  AC97_VENDOR1,
  CODEC_PIRD,
  CODEC_RDY,
  CODEC_WIP,
  CTRL_DAC1_EN,
  CTRL_DAC2_EN,
  ES_CODEC,
  ES_CONTROL,
  ES_DAC1_COUNT,
  ES_DAC1_FRAME_ADDR,
  ES_DAC1_FRAME_SIZE,
  ES_DAC2_COUNT,
  ES_DAC2_FRAME_ADDR,
  ES_DAC2_FRAME_SIZE,
  ES_LEGACY,
  ES_LEGACY2,
  ES_MEM_PAGE,
  ES_SERIAL,
  ES_SRC,
  ES_STATUS,
  ES_UART,
  Es1371,
  MODE_16BIT,
  MODE_STEREO,
  PAGE_DAC_FRAMES,
  SER_P1_INT_EN,
  SER_P1_PAUSE,
  SER_P2_INT_EN,
  SER_P2_PAUSE,
  SRC_BUSY,
  SRC_DAC1_BLOCK,
  SRC_DAC2_BLOCK,
  SRC_DIS_P1,
  SRC_DIS_P2,
  SRC_DIS_R1,
  SRC_DISABLE,
  SRC_INT_REGS,
  SRC_STATE,
  SRC_VFREQ_FRAC,
  SRC_WE,
  STAT_DAC1,
  STAT_DAC2,
  STAT_INTR,
} from "../../../system/machine/devices/es1371.js";
import { PERIPHERALS } from "../../../system/machine/devices/index.js";
import type { AudioSegment } from "../../../system/machine/device.js";
import { Machine } from "../../../system/machine/machine.js";
import { CPU_HZ, IRQ_ES1371, PORT_ES1371, RAM_BASE } from "../../../system/machine/memmap.js";
import { Harness } from "./harness.js";

const B = PORT_ES1371;
const BUF = RAM_BASE + 0x10000;
const T0 = 12_345;
/** MINIX's SRC_CTLMASK: the bits a driver carries over when it writes the SRC register. */
const SRC_CTLMASK = SRC_DISABLE | SRC_DIS_P1 | SRC_DIS_P2 | SRC_DIS_R1;
const M16S = MODE_16BIT | MODE_STEREO;

type Dac = 1 | 2;
const dacRegs = (dac: Dac) =>
  dac === 1
    ? { addr: ES_DAC1_FRAME_ADDR, size: ES_DAC1_FRAME_SIZE, count: ES_DAC1_COUNT, shift: 0, intEn: SER_P1_INT_EN, pause: SER_P1_PAUSE, enable: CTRL_DAC1_EN, status: STAT_DAC1, block: SRC_DAC1_BLOCK, freeze: SRC_DIS_P1 }
    : { addr: ES_DAC2_FRAME_ADDR, size: ES_DAC2_FRAME_SIZE, count: ES_DAC2_COUNT, shift: 2, intEn: SER_P2_INT_EN, pause: SER_P2_PAUSE, enable: CTRL_DAC2_EN, status: STAT_DAC2, block: SRC_DAC2_BLOCK, freeze: SRC_DIS_P2 };

function setup(at = T0) {
  const h = new Harness();
  const es = h.attach(new Es1371(h.ctx));
  h.advanceTo(at);
  return { h, es };
}

/** Polls SRC until BUSY is clear (MINIX: at most 0x1000 reads); returns the reads it took. */
function srcWait(h: Harness): number {
  for (let n = 1; n <= 0x1000; n++) if (!(h.inl(B + ES_SRC) & SRC_BUSY)) return n;
  throw new Error("SRC stays busy");
}

/** MINIX src_reg_write. */
function srcWrite(h: Harness, addr: number, val: number) {
  srcWait(h);
  h.outl(B + ES_SRC, (h.inl(B + ES_SRC) & SRC_CTLMASK) | SRC_WE | (addr << 25) | val);
}

/** MINIX src_reg_read. */
function srcRead(h: Harness, addr: number): number {
  srcWait(h);
  h.outl(B + ES_SRC, (h.inl(B + ES_SRC) & SRC_CTLMASK) | (addr << 25));
  srcWait(h);
  return h.inl(B + ES_SRC) & 0xffff;
}

/** Sets or clears SRC control bits the way both drivers do (read, wait, write back). */
function srcControl(h: Harness, set: number, clear = 0) {
  srcWait(h);
  h.outl(B + ES_SRC, ((h.inl(B + ES_SRC) & SRC_CTLMASK) | set) & ~clear);
}

/** Linux snd_es1371_dac_rate: freeze, INT_REGS (keeping its low byte), VFREQ_FRAC, unfreeze. */
function setRateLinux(h: Harness, dac: Dac, rate: number) {
  const r = dacRegs(dac);
  const f = Math.floor((rate * 32768 + 1500) / 3000);
  srcControl(h, r.freeze);
  const old = srcRead(h, r.block + SRC_INT_REGS);
  srcWrite(h, r.block + SRC_INT_REGS, (old & 0xff) | ((f >> 5) & 0xfc00));
  srcWrite(h, r.block + SRC_VFREQ_FRAC, f & 0x7fff);
  srcControl(h, 0, r.freeze);
}

/** MINIX src_set_rate (DAC blocks): freq = (rate << 16) / 3000, truncated. */
function setRateMinix(h: Harness, dac: Dac, rate: number) {
  const r = dacRegs(dac);
  const freq = Math.floor((rate * 65536) / 3000);
  srcControl(h, r.freeze);
  const old = srcRead(h, r.block + SRC_INT_REGS);
  srcWrite(h, r.block + SRC_INT_REGS, (old & 0xff) | ((freq >> 6) & 0xfc00));
  srcWrite(h, r.block + SRC_VFREQ_FRAC, (freq & 0xffff) >> 1);
  srcControl(h, 0, r.freeze);
}

/** Codec access as MINIX's unsynchronised helpers do it: wait WIP, command, (read) wait RDY. */
function codecWrite(h: Harness, reg: number, val: number) {
  expect(h.inl(B + ES_CODEC) & CODEC_WIP).toBe(0);
  h.outl(B + ES_CODEC, (reg << 16) | val);
}

function codecRead(h: Harness, reg: number): number {
  expect(h.inl(B + ES_CODEC) & CODEC_WIP).toBe(0);
  h.outl(B + ES_CODEC, (reg << 16) | CODEC_PIRD);
  const v = h.inl(B + ES_CODEC);
  expect(v & CODEC_RDY).not.toBe(0);
  return v & 0xffff;
}

interface Play {
  dac?: Dac;
  addr?: number;
  bytes: number;
  mode: number;
  period: number;
  rate: number;
  intEn?: boolean;
}

/** Linux-style prepare: rate, frame registers on page C, SERIAL mode + INT_EN, sample count. */
function prepare(h: Harness, p: Play) {
  const dac = p.dac ?? 2;
  const r = dacRegs(dac);
  setRateLinux(h, dac, p.rate);
  h.outb(B + ES_MEM_PAGE, PAGE_DAC_FRAMES);
  h.outl(B + r.addr, p.addr ?? BUF);
  h.outl(B + r.size, p.bytes / 4 - 1);
  const ser = h.inl(B + ES_SERIAL) & ~((3 << r.shift) | r.intEn | r.pause);
  h.outl(B + ES_SERIAL, ser | (p.mode << r.shift) | (p.intEn === false ? 0 : r.intEn));
  h.outl(B + r.count, p.period - 1);
}

function enable(h: Harness, dac: Dac, on: boolean) {
  const bit = dacRegs(dac).enable;
  const c = h.inl(B + ES_CONTROL);
  h.outl(B + ES_CONTROL, on ? c | bit : c & ~bit);
}

/** The ack both drivers use: SERIAL with the channel's INT_EN cleared, then set again. */
function ack(h: Harness, dac: Dac) {
  const bit = dacRegs(dac).intEn;
  const ser = h.inl(B + ES_SERIAL);
  h.outl(B + ES_SERIAL, ser & ~bit);
  h.outl(B + ES_SERIAL, ser | bit);
}

function setSerialBits(h: Harness, set: number, clear = 0) {
  h.outl(B + ES_SERIAL, (h.inl(B + ES_SERIAL) | set) & ~clear);
}

/** A buffer of `bytes` pseudo-random bytes placed at `addr`. */
function fillBuffer(h: Harness, bytes: number, seed: string, addr = BUF): Uint8Array {
  const rng = seedrandom(seed);
  const buf = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) buf[i] = Math.floor(rng() * 256);
  h.poke(addr, buf);
  return buf;
}

/** What `frames` frames from frame `first` of a looping buffer must sound like (16-bit, widened 8-bit). */
function expected(buf: Uint8Array, mode: number, frames: number, first = 0): Int16Array {
  const ch = mode & MODE_STEREO ? 2 : 1;
  const width = mode & MODE_16BIT ? 2 : 1;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Int16Array(frames * ch);
  for (let f = 0; f < frames; f++)
    for (let c = 0; c < ch; c++) {
      const off = (((first + f) * ch + c) * width) % buf.length;
      out[f * ch + c] = width === 2 ? dv.getInt16(off, true) : (buf[off] - 128) * 256;
    }
  return out;
}

/** Frames a DAC at `rate` has played `cycles` after it started. */
const framesIn = (cycles: number, rate: number) => Math.floor((cycles * rate) / CPU_HZ);
/** The cycle (after start) at which frame `k` has been played. */
const cycleOf = (k: number, rate: number) => Math.ceil((k * CPU_HZ) / rate);

function segments(es: Es1371): AudioSegment[] {
  const r = es.record();
  if (r.kind !== "audio") throw new Error("not an audio record");
  return r.segments;
}

function irqRises(h: Harness): number[] {
  return h.irqLog.filter((c) => c.line === IRQ_ES1371 && c.level).map((c) => c.at);
}

describe("ES1371 registers", () => {
  it("powers on with registers zero, the line low and the codec at its AC'97 defaults", () => {
    const { h } = setup();
    for (const off of [ES_CONTROL, ES_STATUS, ES_SERIAL, ES_DAC1_COUNT, ES_DAC2_COUNT, ES_LEGACY]) expect(h.inl(B + off)).toBe(0);
    h.outb(B + ES_MEM_PAGE, PAGE_DAC_FRAMES);
    for (const off of [ES_DAC1_FRAME_ADDR, ES_DAC1_FRAME_SIZE, ES_DAC2_FRAME_ADDR, ES_DAC2_FRAME_SIZE]) expect(h.inl(B + off)).toBe(0);
    for (let a = 0; a < 0x80; a++) expect(srcRead(h, a)).toBe(0);
    expect(codecRead(h, AC97_MASTER)).toBe(0x8000);
    expect(codecRead(h, AC97_PCM)).toBe(0x8808);
    expect(codecRead(h, AC97_FRONT_RATE)).toBe(0xbb80);
    expect(codecRead(h, AC97_POWERDOWN) & 0xf).toBe(0xf);
    expect(h.irqLevel(IRQ_ES1371)).toBe(false);
  });

  it("bytes, words and dwords at any sub-offset reach the bytes they cover, across registers", () => {
    const { h } = setup();
    h.outl(B + ES_LEGACY, 0x12345678);
    expect([0, 1, 2, 3].map((i) => h.inb(B + ES_LEGACY + i))).toEqual([0x78, 0x56, 0x34, 0x12]);
    expect(h.inw(B + ES_LEGACY + 1)).toBe(0x3456);
    h.outb(B + ES_LEGACY + 2, 0xab);
    expect(h.inl(B + ES_LEGACY)).toBe(0x12ab5678);
    h.outw(B + ES_LEGACY + 3, 0xcdef); // byte 3 of LEGACY, byte 0 of the next register
    expect(h.inl(B + ES_LEGACY)).toBe(0xefab5678);
    expect(h.inb(B + ES_LEGACY2)).toBe(0xcd);
    h.outl(B + ES_LEGACY + 2, 0xa1b2c3d4);
    expect(h.inl(B + ES_LEGACY + 2)).toBe(0xa1b2c3d4);
    expect(h.inl(B + ES_LEGACY)).toBe(0xc3d45678);
    expect(h.inl(B + ES_LEGACY2) & 0xffff).toBe(0xa1b2);
  });

  it("CONTROL and SERIAL keep what is written (GPIO inputs read 0); STATUS and UART ignore writes", () => {
    const { h } = setup();
    h.outl(B + ES_CONTROL, 0xffff_ff8f); // everything but the DAC/ADC enables
    expect(h.inl(B + ES_CONTROL)).toBe(0xff0f_ff8f);
    h.outw(B + ES_SERIAL, 0x0123);
    h.outb(B + ES_SERIAL + 2, 0x25);
    expect(h.inl(B + ES_SERIAL)).toBe(0x250123);
    h.outl(B + ES_STATUS, 0xffffffff);
    expect(h.inl(B + ES_STATUS)).toBe(0);
    h.outl(B + ES_UART, 0xffffffff);
    expect(h.inb(B + ES_UART + 1) & 0x02).toBe(0x02); // TXRDY: a UART writer never waits
  });

  it("MEM_PAGE keeps bits 3:0 (MINIX parks a codec dword there); pages other than C are plain storage", () => {
    const { h } = setup();
    h.outl(B + ES_MEM_PAGE, 0x0026_8809);
    expect(h.inl(B + ES_MEM_PAGE)).toBe(9);
    for (let p = 0; p < 16; p++) {
      h.outb(B + ES_MEM_PAGE, p);
      for (let k = 0; k < 4; k++) h.outl(B + 0x30 + 4 * k, (p << 24) | (k << 8) | 0x5a);
    }
    for (let p = 0; p < 16; p++) {
      h.outb(B + ES_MEM_PAGE, p);
      for (let k = 0; k < 4; k++) {
        const want = p === PAGE_DAC_FRAMES && k & 1 ? ((k << 8) | 0x5a) & 0xffff : ((p << 24) | (k << 8) | 0x5a) >>> 0;
        expect(h.inl(B + 0x30 + 4 * k)).toBe(want);
      }
    }
  });

  it("frame size 31:16 and sample count 31:16 are read-only; a count write loads the current count too", () => {
    const { h } = setup();
    h.outb(B + ES_MEM_PAGE, PAGE_DAC_FRAMES);
    h.outl(B + ES_DAC2_FRAME_SIZE, 0xffff_0010);
    expect(h.inl(B + ES_DAC2_FRAME_SIZE)).toBe(0x10);
    h.outw(B + ES_DAC2_FRAME_SIZE + 2, 0x1234);
    expect(h.inw(B + ES_DAC2_FRAME_SIZE + 2)).toBe(0);
    h.outl(B + ES_DAC1_COUNT, 0xabcd_0123);
    expect(h.inl(B + ES_DAC1_COUNT)).toBe(0x0123_0123);
    h.outw(B + ES_DAC1_COUNT + 2, 0x0005);
    expect(h.inw(B + ES_DAC1_COUNT + 2)).toBe(0x0123); // MINIX reads the current count this way
  });

  it("an access running past the end of the BAR reads the floating bus there and writes only its own bytes", () => {
    const { h } = setup();
    h.outb(B + ES_MEM_PAGE, 3);
    h.outl(B + 0x3c, 0x11223344);
    expect(h.inl(B + 0x3e)).toBe(0xffff1122);
    h.outl(B + 0x3e, 0xaabbccdd);
    expect(h.inl(B + 0x3c)).toBe(0xccdd3344);
  });
});

describe("ES1371 SRC and codec protocols", () => {
  it("MINIX's SRC init: BUSY is clear at once, all 128 RAM words written and read back, control bits kept", () => {
    const { h } = setup();
    srcControl(h, SRC_DISABLE);
    for (let a = 0; a < 0x80; a++) srcWrite(h, a, (a * 0x0203 + 0x0101) & 0xffff);
    for (let a = 0; a < 0x80; a++) expect(srcRead(h, a)).toBe((a * 0x0203 + 0x0101) & 0xffff);
    expect(srcWait(h)).toBe(1);
    const v = h.inl(B + ES_SRC);
    expect(v & SRC_CTLMASK).toBe(SRC_DISABLE);
    expect(v & (SRC_WE | SRC_BUSY)).toBe(0);
    srcControl(h, 0, SRC_DISABLE);
    expect(h.inl(B + ES_SRC) & SRC_CTLMASK).toBe(0);
  });

  it("Linux's synchronised codec write: after 0x00010000 the state reads 0, then 1; the restore hides it", () => {
    const { h } = setup();
    srcControl(h, SRC_DIS_R1);
    const x = h.inl(B + ES_SRC);
    h.outl(B + ES_SRC, (x & SRC_CTLMASK) | 0x00010000);
    const reads: number[] = [];
    for (let t = 0; t < 0xa000; t++) {
      const v = h.inl(B + ES_SRC) & 0x00870000;
      reads.push(v);
      if (v === 0) break;
    }
    for (let t = 0; t < 0xa000; t++) {
      const v = h.inl(B + ES_SRC) & 0x00870000;
      reads.push(v);
      if (v === 0x00010000) break;
    }
    expect(reads).toEqual([0, 0x00010000]);
    h.outl(B + ES_CODEC, (AC97_MASTER << 16) | 0x0404);
    srcWait(h);
    h.outl(B + ES_SRC, x);
    expect(h.inl(B + ES_SRC) & SRC_STATE).toBe(0);
    expect(h.inl(B + ES_SRC) & SRC_CTLMASK).toBe(SRC_DIS_R1);
    expect(codecRead(h, AC97_MASTER)).toBe(0x0404);
  });

  it("MINIX's synchronised AC97_write finds state 1 well within its 0x1000 reads", () => {
    const { h } = setup();
    expect(srcWait(h)).toBe(1);
    const dtemp = h.inl(B + ES_SRC);
    h.outl(B + ES_SRC, (dtemp & SRC_CTLMASK) | 0x00010000);
    let i = 0;
    while (i < 0x1000 && (h.inl(B + ES_SRC) & 0x00070000) !== 0x00010000) i++;
    expect(i).toBeLessThan(2);
    const page = h.inb(B + ES_MEM_PAGE);
    const dat = (AC97_PCM << 16) | 0x0808;
    h.outl(B + ES_MEM_PAGE, dat); // the CT5880 workaround
    h.outl(B + ES_CODEC, dat);
    h.outb(B + ES_MEM_PAGE, page);
    srcWait(h);
    h.outl(B + ES_SRC, dtemp & 0xfff8ffff);
    expect(h.inl(B + ES_MEM_PAGE)).toBe(page);
    expect(codecRead(h, AC97_PCM)).toBe(0x0808);
  });

  it("codec: WIP never set, RDY after a read request only, writes stored, ready bits and IDs read-only", () => {
    const { h } = setup();
    codecWrite(h, AC97_MASTER, 0x0101);
    expect(h.inl(B + ES_CODEC) & (CODEC_RDY | CODEC_WIP)).toBe(0);
    expect(codecRead(h, AC97_MASTER)).toBe(0x0101);
    expect(h.inl(B + ES_CODEC) >>> 16).toBe(0x8000 | (CODEC_PIRD >>> 16) | AC97_MASTER);
    codecWrite(h, AC97_POWERDOWN, 0);
    expect(codecRead(h, AC97_POWERDOWN)).toBe(0x000f);
    const vendor = codecRead(h, AC97_VENDOR1);
    codecWrite(h, AC97_VENDOR1, 0x1234);
    expect(codecRead(h, AC97_VENDOR1)).toBe(vendor);
    expect(codecRead(h, 0x03)).toBe(0); // odd addresses are not registers
  });

  it("a codec write in halves acts once, when the half with the register arrives", () => {
    const { h } = setup();
    h.outw(B + ES_CODEC, 0x1f1f);
    expect(codecRead(h, AC97_PCM)).toBe(0x8808);
    h.outw(B + ES_CODEC, 0x1f1f);
    h.outw(B + ES_CODEC + 2, AC97_PCM);
    expect(codecRead(h, AC97_PCM)).toBe(0x1f1f);
  });

  it("a write to codec register 0 resets the mixer", () => {
    const { h } = setup();
    codecWrite(h, AC97_MASTER, 0x0000);
    codecWrite(h, AC97_PCM, 0x0000);
    codecWrite(h, AC97_FRONT_RATE, 22050);
    codecWrite(h, 0x10, 0x0303);
    codecWrite(h, AC97_RESET, 0x1234);
    expect(codecRead(h, AC97_MASTER)).toBe(0x8000);
    expect(codecRead(h, AC97_PCM)).toBe(0x8808);
    expect(codecRead(h, AC97_FRONT_RATE)).toBe(0xbb80);
    expect(codecRead(h, 0x10)).toBe(0x8808);
  });
});

describe("ES1371 sample rate", () => {
  for (const rate of [8000, 22050, 44100, 48000])
    for (const [who, set] of [["Linux", setRateLinux], ["MINIX", setRateMinix]] as const)
      it(`${rate} Hz programmed as ${who} does plays at ${rate} frames per second`, () => {
        const { h, es } = setup();
        srcWrite(h, SRC_DAC1_BLOCK + SRC_INT_REGS, 0x00a5); // low byte to be kept by both drivers
        set(h, 1, rate);
        expect(srcRead(h, SRC_DAC1_BLOCK + SRC_INT_REGS) & 0xff).toBe(0xa5);
        fillBuffer(h, 4096, "rate");
        h.outb(B + ES_MEM_PAGE, PAGE_DAC_FRAMES);
        h.outl(B + ES_DAC1_FRAME_ADDR, BUF);
        h.outl(B + ES_DAC1_FRAME_SIZE, 4096 / 4 - 1);
        h.outl(B + ES_SERIAL, M16S);
        enable(h, 1, true);
        h.advanceBy(CPU_HZ / 10);
        const [seg] = segments(es);
        expect(seg.rate).toBe(rate);
        expect(seg.samples.length).toBe(2 * (rate / 10));
      });
});

describe("ES1371 playback", () => {
  const formats: Array<[string, number]> = [
    ["8-bit mono", 0],
    ["8-bit stereo", MODE_STEREO],
    ["16-bit mono", MODE_16BIT],
    ["16-bit stereo", M16S],
  ];
  for (const [label, mode] of formats)
    it(`${label}: the recorded samples are the buffer's, in order, across the loop wrap`, () => {
      const { h, es } = setup();
      const bytes = 200;
      const buf = fillBuffer(h, bytes, label);
      const rate = 22050;
      prepare(h, { bytes, mode, period: 1000, rate });
      enable(h, 2, true);
      const t = 3_333_333; // 735 frames: several times round the buffer
      h.advanceBy(t);
      const n = framesIn(t, rate);
      const [seg] = segments(es);
      expect(seg).toMatchObject({ at: T0, dac: 2, rate, channels: mode & MODE_STEREO ? 2 : 1, bits: mode & MODE_16BIT ? 16 : 8 });
      expect(seg.samples).toEqual(expected(buf, mode, n));
      const frameBytes = (mode & MODE_STEREO ? 2 : 1) * (mode & MODE_16BIT ? 2 : 1);
      expect(h.inl(B + ES_DAC2_FRAME_SIZE) >>> 16).toBe(((n * frameBytes) % bytes) >> 2);
    });

  it("both DACs play at once from their own buffers, in their own segments", () => {
    const { h, es } = setup();
    const a = fillBuffer(h, 64, "one", BUF);
    const b = fillBuffer(h, 128, "two", BUF + 0x1000);
    prepare(h, { dac: 1, bytes: 64, mode: 0, period: 50, rate: 8000 });
    prepare(h, { dac: 2, addr: BUF + 0x1000, bytes: 128, mode: M16S, period: 50, rate: 44100 });
    enable(h, 1, true);
    enable(h, 2, true);
    h.advanceBy(1_000_000);
    const segs = segments(es);
    expect(segs.map((g) => g.dac).sort()).toEqual([1, 2]);
    const of = (dac: number) => segs.find((g) => g.dac === dac)!;
    expect(of(1).samples).toEqual(expected(a, 0, framesIn(1_000_000, 8000)));
    expect(of(2).samples).toEqual(expected(b, M16S, framesIn(1_000_000, 44100)));
  });

  it("the IRQ rises exactly when a period's frames have been played, and the counter counts down", () => {
    const { h } = setup();
    fillBuffer(h, 4096, "irq");
    const rate = 44100;
    const period = 100;
    prepare(h, { bytes: 4096, mode: M16S, period, rate });
    enable(h, 2, true);
    h.advanceTo(T0 + cycleOf(30, rate));
    expect(h.inl(B + ES_DAC2_COUNT)).toBe(((period - 1 - 30) << 16) | (period - 1));
    const first = T0 + cycleOf(period, rate);
    h.advanceTo(first - 1);
    expect(h.irqLevel(IRQ_ES1371)).toBe(false);
    expect(h.inl(B + ES_STATUS)).toBe(0);
    h.advanceTo(first);
    expect(irqRises(h)).toEqual([first]);
    expect(h.inl(B + ES_STATUS)).toBe((STAT_INTR | STAT_DAC2) >>> 0);
    expect(h.inl(B + ES_DAC2_COUNT) >>> 16).toBe(period - 1);
    ack(h, 2);
    h.advanceTo(T0 + cycleOf(2 * period, rate));
    ack(h, 2);
    h.advanceTo(T0 + cycleOf(3 * period, rate));
    expect(irqRises(h)).toEqual([first, T0 + cycleOf(2 * period, rate), T0 + cycleOf(3 * period, rate)]);
  });

  it("ack: clearing INT_EN in SERIAL clears the STATUS bit and the line; STATUS writes do nothing", () => {
    const { h } = setup();
    prepare(h, { bytes: 1024, mode: M16S, period: 64, rate: 48000 });
    enable(h, 2, true);
    h.advanceBy(cycleOf(64, 48000));
    expect(h.irqLevel(IRQ_ES1371)).toBe(true);
    h.outl(B + ES_STATUS, 0);
    expect(h.inl(B + ES_STATUS)).toBe((STAT_INTR | STAT_DAC2) >>> 0);
    const ser = h.inl(B + ES_SERIAL);
    h.outl(B + ES_SERIAL, ser & ~SER_P2_INT_EN);
    expect(h.irqLevel(IRQ_ES1371)).toBe(false);
    expect(h.inl(B + ES_STATUS)).toBe(0);
    h.outl(B + ES_SERIAL, ser);
    expect(h.irqLevel(IRQ_ES1371)).toBe(false);
    // without INT_EN the period passes silently
    h.outl(B + ES_SERIAL, ser & ~SER_P2_INT_EN);
    h.advanceBy(cycleOf(200, 48000));
    expect(h.irqLevel(IRQ_ES1371)).toBe(false);
    expect(h.inl(B + ES_STATUS)).toBe(0);
  });

  it("underruns: each interrupt point reached while the last interrupt is unacknowledged counts once", () => {
    const { h, es } = setup();
    const rate = 8000;
    prepare(h, { bytes: 256, mode: MODE_16BIT, period: 40, rate });
    enable(h, 2, true);
    h.advanceBy(cycleOf(40, rate)); // first interrupt
    ack(h, 2);
    h.advanceBy(cycleOf(4 * 40, rate)); // four more points, none acknowledged: the last three find one pending
    const rec = es.record();
    expect(rec.kind === "audio" && rec.underruns).toBe(3);
    ack(h, 2);
    h.advanceBy(cycleOf(40, rate));
    ack(h, 2);
    const again = es.record();
    expect(again.kind === "audio" && again.underruns).toBe(3);
  });

  it("pause, stop and restart: new segments at the cycles playback resumed, the position carried on", () => {
    const { h, es } = setup();
    const rate = 8000;
    const buf = fillBuffer(h, 400, "pause");
    prepare(h, { bytes: 400, mode: MODE_16BIT, period: 1000, rate });
    enable(h, 2, true);
    const t1 = T0 + 1_234_567;
    h.advanceTo(t1);
    setSerialBits(h, SER_P2_PAUSE);
    const t2 = t1 + 5_000_000;
    h.advanceTo(t2);
    setSerialBits(h, 0, SER_P2_PAUSE);
    const t3 = t2 + 2_500_001;
    h.advanceTo(t3);
    enable(h, 2, false);
    const t4 = t3 + 777_777;
    h.advanceTo(t4);
    enable(h, 2, true);
    const t5 = t4 + 1_000_000;
    h.advanceTo(t5);
    const n = [framesIn(t1 - T0, rate), framesIn(t3 - t2, rate), framesIn(t5 - t4, rate)];
    const segs = segments(es);
    expect(segs.map((g) => g.at)).toEqual([T0, t2, t4]);
    expect(segs.map((g) => g.samples.length)).toEqual(n);
    expect(segs[1].samples).toEqual(expected(buf, MODE_16BIT, n[1], n[0]));
    expect(segs[2].samples).toEqual(expected(buf, MODE_16BIT, n[2], n[0] + n[1]));
  });

  it("a volume change mid-play splits the segment at the frame being played", () => {
    const { h, es } = setup();
    const rate = 44100;
    const buf = fillBuffer(h, 1024, "volume");
    prepare(h, { bytes: 1024, mode: M16S, period: 4000, rate });
    codecWrite(h, AC97_MASTER, 0x0000);
    enable(h, 2, true);
    const t1 = T0 + 1_000_003;
    h.advanceTo(t1);
    codecWrite(h, AC97_MASTER, 0x0505);
    h.advanceTo(t1 + 2_000_000);
    const n1 = framesIn(t1 - T0, rate);
    const total = framesIn(t1 + 2_000_000 - T0, rate);
    const [a, b] = segments(es);
    expect([a.master, b.master]).toEqual([0x0000, 0x0505]);
    expect([a.pcm, b.pcm]).toEqual([0x8808, 0x8808]);
    expect(a.samples).toEqual(expected(buf, M16S, n1));
    expect(b.at).toBe(T0 + Math.ceil((n1 * CPU_HZ) / rate));
    expect(b.at).toBeLessThanOrEqual(t1);
    expect(b.samples).toEqual(expected(buf, M16S, total - n1, n1));
    codecWrite(h, AC97_MASTER, 0x0505); // the same value again: no split
    codecWrite(h, AC97_PCM, 0x0808);
    h.advanceBy(100_000);
    expect(segments(es).map((g) => g.pcm)).toEqual([0x8808, 0x8808, 0x0808]);
  });

  it("a format or rate change mid-play starts a new segment; the rate takes effect at its cycle", () => {
    const { h, es } = setup();
    fillBuffer(h, 512, "change");
    prepare(h, { bytes: 512, mode: M16S, period: 4000, rate: 48000 });
    enable(h, 2, true);
    const t1 = T0 + 500_000;
    h.advanceTo(t1);
    setSerialBits(h, 0, MODE_STEREO << 2);
    const t2 = t1 + 500_000;
    h.advanceTo(t2);
    setRateLinux(h, 2, 22050);
    h.advanceTo(t2 + 1_000_000);
    const segs = segments(es);
    expect(segs.map((g) => [g.channels, g.rate])).toEqual([[2, 48000], [1, 48000], [1, 22050]]);
    expect(segs[2].at).toBe(t2);
    expect(segs[2].samples.length).toBe(framesIn(1_000_000, 22050));
  });

  it("SRC disable or the DAC's freeze bit holds it; releasing it plays on in a new segment", () => {
    const { h, es } = setup();
    const buf = fillBuffer(h, 256, "freeze");
    prepare(h, { bytes: 256, mode: MODE_16BIT, period: 4000, rate: 8000 });
    enable(h, 2, true);
    h.advanceBy(1_000_000);
    srcControl(h, SRC_DIS_P2);
    h.advanceBy(1_000_000);
    srcControl(h, SRC_DISABLE, SRC_DIS_P2);
    h.advanceBy(1_000_000);
    srcControl(h, SRC_DIS_P1, SRC_DISABLE); // the other DAC's freeze bit does not hold this one
    const t = h.clock.now;
    h.advanceBy(1_000_000);
    const segs = segments(es);
    expect(segs.map((g) => g.at)).toEqual([T0, t]);
    expect(segs[1].samples).toEqual(expected(buf, MODE_16BIT, 80, 80));
  });

  it("an unprogrammed SRC plays nothing: an empty segment of rate 0, no event, no interrupt", () => {
    const { h, es } = setup();
    h.outb(B + ES_MEM_PAGE, PAGE_DAC_FRAMES);
    h.outl(B + ES_DAC1_FRAME_ADDR, BUF);
    h.outl(B + ES_DAC1_FRAME_SIZE, 15);
    h.outl(B + ES_SERIAL, SER_P1_INT_EN);
    h.outl(B + ES_DAC1_COUNT, 0);
    enable(h, 1, true);
    expect(h.clock.nextEventAt()).toBe(Infinity);
    h.advanceBy(CPU_HZ);
    expect(h.irqLevel(IRQ_ES1371)).toBe(false);
    expect(h.inl(B + ES_DAC1_FRAME_SIZE) >>> 16).toBe(0);
    setRateLinux(h, 1, 8000);
    h.advanceBy(CPU_HZ / 100);
    const segs = segments(es);
    expect(segs.map((g) => [g.at, g.rate, g.samples.length])).toEqual([[T0, 0, 0], [T0 + CPU_HZ, 8000, 80]]);
    expect(h.irqLevel(IRQ_ES1371)).toBe(true);
  });

  it("refused DMA (IOMMU without a window, or outside RAM) plays silence and is counted; time goes on", () => {
    const { h, es } = setup();
    fillBuffer(h, 256, "dma");
    h.poke(BUF, new Uint8Array(256).fill(0x11));
    h.dma.iommu = { enabled: true, windows: {} };
    prepare(h, { bytes: 256, mode: MODE_16BIT, period: 64, rate: 8000 });
    enable(h, 2, true);
    h.advanceBy(cycleOf(64, 8000));
    expect(h.irqLevel(IRQ_ES1371)).toBe(true);
    expect(es.state.rec.dmaRefused).toBeGreaterThan(0);
    expect(h.dma.faults.records[0]).toMatchObject({ device: "es1371", write: false });
    h.dma.iommu = { enabled: true, windows: { es1371: [[BUF, 256]] } };
    h.advanceBy(cycleOf(10, 8000));
    const [seg] = segments(es);
    expect(Array.from(seg.samples.subarray(0, 64))).toEqual(new Array(64).fill(0));
    expect(Array.from(seg.samples.subarray(64))).toEqual(new Array(seg.samples.length - 64).fill(0x1111));
    h.dma.iommu = { enabled: false, windows: {} };
    h.outb(B + ES_MEM_PAGE, PAGE_DAC_FRAMES);
    h.outl(B + ES_DAC2_FRAME_ADDR, 0x1000); // not RAM
    const before = es.state.rec.dmaRefused;
    h.advanceBy(cycleOf(10, 8000));
    es.record(); // plays what is due
    expect(es.state.rec.dmaRefused).toBeGreaterThan(before);
  });

  it("refused 8-bit frames are silence too (the unsigned midpoint, recorded as 0)", () => {
    const { h, es } = setup();
    prepare(h, { addr: 0x1000, bytes: 64, mode: MODE_STEREO, period: 1000, rate: 8000 });
    enable(h, 2, true);
    h.advanceBy(cycleOf(100, 8000));
    const [seg] = segments(es);
    expect(seg.samples.length).toBe(200);
    expect(seg.samples.every((v) => v === 0)).toBe(true);
    expect(es.state.rec.dmaRefused).toBeGreaterThan(0);
  });

  it("garbage at every offset and size never throws, and the record stays well-formed", () => {
    const { h, es } = setup();
    const rng = seedrandom("garbage");
    const sizes = [1, 2, 4] as const;
    prepare(h, { bytes: 4096, mode: M16S, period: 32, rate: 48000 });
    enable(h, 2, true);
    for (let i = 0; i < 20000; i++) {
      const port = B + Math.floor(rng() * 0x40);
      const size = sizes[Math.floor(rng() * 3)];
      const value = Math.floor(rng() * 0x1_0000_0000);
      if (rng() < 0.6) h.bus.portWrite(port, value, size);
      else h.bus.portRead(port, size);
      if (rng() < 0.05) h.advanceBy(Math.floor(rng() * 50_000));
    }
    for (const g of segments(es)) {
      expect(g.samples.length % g.channels).toBe(0);
      expect(g.rate).toBeGreaterThanOrEqual(0);
    }
    expect(h.irqLevel(IRQ_ES1371)).toBe((h.inl(B + ES_STATUS) & STAT_INTR) !== 0);
  });
});

describe("ES1371 state", () => {
  /** A driver loop: play DAC2 with interrupts, acknowledge each one `late` cycles after it, change volume once. */
  function drive(h: Harness, until: number, late: number) {
    while (h.clock.now < until) {
      const next = Math.min(until, h.clock.nextEventAt());
      h.advanceTo(next);
      if (h.inl(B + ES_STATUS) & STAT_DAC2) {
        h.advanceBy(late);
        ack(h, 2);
      }
      if (h.clock.now >= 7_000_000 && h.clock.now < 7_000_000 + late + 1) codecWrite(h, AC97_PCM, 0x0404);
    }
  }

  function begin(h: Harness) {
    fillBuffer(h, 2048, "snap");
    prepare(h, { bytes: 2048, mode: M16S, period: 300, rate: 44100 });
    prepare(h, { dac: 1, bytes: 512, mode: 0, period: 77, rate: 11025, intEn: false });
    enable(h, 2, true);
    enable(h, 1, true);
  }

  it("snapshot/restore mid-playback continues exactly as the uninterrupted run", () => {
    const a = setup();
    begin(a.h);
    drive(a.h, 20_000_000, 1_000);
    const whole = a.es.record();

    const b = setup();
    begin(b.h);
    drive(b.h, 8_765_432, 1_000);
    const snap = { dev: b.es.snapshot(), clock: b.h.clock.snapshot(), ram: b.h.bus.ram.slice() };
    drive(b.h, 15_000_000, 5_000); // diverge, then go back
    b.es.restore(snap.dev);
    b.h.clock.restore(snap.clock);
    b.h.bus.ram.set(snap.ram);
    drive(b.h, 20_000_000, 1_000);
    expect(b.es.record()).toEqual(whole);
    expect(b.es.state).toEqual(a.es.state);

    const c = setup(0);
    c.es.restore(snap.dev);
    c.h.clock.restore(snap.clock);
    c.h.bus.ram.set(snap.ram);
    drive(c.h, 20_000_000, 1_000);
    expect(c.es.record()).toEqual(whole);
  });

  it("the snapshot is a deep copy: playing on does not change it", () => {
    const { h, es } = setup();
    begin(h);
    h.advanceBy(2_000_000);
    const snap = es.snapshot();
    const copy = structuredClone(snap);
    h.advanceBy(2_000_000);
    codecWrite(h, AC97_MASTER, 0x1f1f);
    expect(snap).toEqual(copy);
  });

  it("reset() is power-on: registers and codec at reset values, playback and events gone, recording kept", () => {
    const { h, es } = setup();
    begin(h);
    codecWrite(h, AC97_MASTER, 0x0101);
    h.advanceBy(2_000_000);
    const played = segments(es).map((g) => g.samples.length);
    expect(h.irqLevel(IRQ_ES1371)).toBe(true);
    es.reset();
    expect(h.irqLevel(IRQ_ES1371)).toBe(false);
    expect(h.clock.nextEventAt()).toBe(Infinity);
    for (const off of [ES_CONTROL, ES_STATUS, ES_SERIAL, ES_DAC2_COUNT]) expect(h.inl(B + off)).toBe(0);
    expect(srcRead(h, SRC_DAC2_BLOCK + SRC_VFREQ_FRAC)).toBe(0);
    expect(codecRead(h, AC97_MASTER)).toBe(0x8000);
    h.advanceBy(2_000_000);
    expect(segments(es).map((g) => g.samples.length)).toEqual(played);
  });

  it("the recording's buffers depend only on what was played, not on when it was caught up", () => {
    const a = setup();
    const b = setup();
    for (const { h } of [a, b]) {
      fillBuffer(h, 1024, "lazy");
      prepare(h, { bytes: 1024, mode: MODE_16BIT, period: 5000, rate: 48000, intEn: false });
      enable(h, 2, true);
    }
    for (let t = 1; t <= 50; t++) {
      a.h.advanceTo(T0 + t * 100_000);
      a.h.inl(B + ES_STATUS); // catch up often
    }
    b.h.advanceTo(T0 + 5_000_000);
    expect(b.h.clock.nextEventAt()).toBe(Infinity); // without INT_EN nothing is timed
    b.h.inl(B + ES_STATUS); // once
    expect(a.es.state).toEqual(b.es.state);
  });

  it("PERIPHERALS.es1371 puts the card on a machine at its ports", () => {
    const m = new Machine({ ramSize: 1 << 20, peripherals: [PERIPHERALS.es1371({})] });
    const es = m.device<Es1371>("es1371");
    expect(es).toBeInstanceOf(Es1371);
    m.bus.portWrite(B + ES_LEGACY, 0xfeedbeef, 4);
    expect(m.bus.portRead(B + ES_LEGACY, 4)).toBe(0xfeedbeef);
    expect(m.records().es1371).toEqual({ kind: "audio", segments: [], underruns: 0 });
  });
});
