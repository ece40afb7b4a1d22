/*
 * Ensoniq ES1371 (AudioPCI 97) sound card, at register level as far as a playback driver needs,
 * in its 64-byte I/O BAR0 at PORT_ES1371 with its interrupt on IRQ_ES1371 (level: high while
 * STATUS.INTR). Facts from ../shared/DEVICES.md §2 (Linux ens1370.c [Lens], the MINIX driver [M-es],
 * QEMU's es1370 [QE] and ac97 [QA] models).
 *
 *   00 CONTROL   04 STATUS (RO)   08-0B UART (harmless)   0C MEM_PAGE (bits 3:0)   10 SRC
 *   14 CODEC (AC'97)   18/1C LEGACY (storage)   20 SERIAL   24/28/2C DAC1/DAC2/ADC sample count
 *   30-3F the page MEM_PAGE selects: page C = DAC1 frame address/size (30/34), DAC2 (38/3C);
 *         other pages plain storage
 *
 * Every register is a dword; 8-, 16- and 32-bit accesses at any sub-offset reach the bytes they
 * cover (MINIX uses all three, §2). A write to SRC runs its RAM access only when it covers byte 3
 * (address/WE), a write to CODEC runs its command only when it covers byte 2 (PIRD/register), so a
 * register written in halves acts once, on the half that carries the command.
 *
 * SRC and codec protocol (§2.2): SRC BUSY and codec WIP never read as set (each access completes at
 * once); a codec read request (PIRD) sets RDY with the value in 15:0, a codec write clears RDY.
 * AC'97: a write to register 0 resets the mixer (§2.3); the powerdown ready bits 3:0 always read
 * 1 and the ID registers ignore writes; odd addresses are not registers (read 0).
 * The SRC sync-state field 18:16 is the SRC's sequencer, shown while the driver asks for it by
 * writing a nonzero state (0x00010000): the first read after that write shows state 0 (Linux waits
 * for 0 first) and every later read state 1 (the safe state Linux and MINIX wait for; MINIX gives
 * up after 0x1000 reads); a write with state 0 hides it again (reads 0).
 *
 * Rate (§2.4): a DAC's rate is read from its SRC RAM block (DAC1 0x70, DAC2 0x74): with
 * f = ((INT_REGS & 0xFC00) << 5) | (VFREQ_FRAC & 0x7FFF), rate = round(f * 3000 / 32768), rounding
 * half up. That inverts Linux's f = ((rate << 15) + 1500) / 3000 (error below 0.05 Hz) and MINIX's
 * truncated (rate << 16) / 3000 >> 1 (error below 0.1 Hz), so both give back the rate they meant.
 * f = 0 (an unprogrammed SRC) is rate 0: the DAC plays nothing and raises no interrupt.
 *
 * Playback: a DAC plays while its DACx_EN is set, its SERIAL PAUSE clear, and neither SRC disable
 * (bit 22) nor its freeze bit (DIS_P1/DIS_P2) is set. From the cycle it starts, frame k (0-based)
 * has been played once (k + 1) frame times have elapsed: frames played by cycle t =
 * floor((t - start) * rate / CPU_HZ). Each played frame is read by DMA (tagged "es1371") from the
 * frame buffer at the current position, which then advances and wraps at the end (loop mode
 * only: LOOP_SEL, ST/END_INC and P1_SCT_RLD are stored and ignored, as QEMU does). Format from
 * SERIAL: mode bit 0 stereo, bit 1 16-bit (8-bit unsigned, 16-bit signed LE, L,R interleaved).
 * The sample counter counts played frames down; when it passes 0 it reloads from 15:0 and, with
 * the channel's INT_EN set, sets its STATUS bit (and INTR): the line rises at the exact cycle the
 * period's last frame has been played. A write to the count register loads both 15:0 and the
 * current count (as QEMU's es1370 does since commit 00e3b29d, 2023); a write to the frame size rewinds the position to
 * the buffer start (31:16 are read-only; drivers write them as 0). A format change rounds the
 * position down to a whole frame. Ack (§2.4): clearing INT_EN in SERIAL clears the STATUS bit.
 *
 * Time and speed: nothing runs per sample. Playback is caught up lazily, at every register access
 * and at record() (so a rate, volume or format change takes effect at its exact cycle), and, while
 * the DAC's INT_EN is set, at one clock event per DAC at its next interrupt point (so the line
 * rises on time). A catch-up reads the stretch of buffer it plays once (at most two DMA reads)
 * and appends the samples to a typed array that grows by doubling.
 *
 * Recording (record(), part of state): every played frame, before volume, 8-bit widened to
 * 16-bit ((u8 - 128) << 8), in segments. A frame belongs to the settings in force when it has
 * been played; a new segment starts when its rate, format, master (codec 0x02) or PCM (0x18)
 * differ from the DAC's open segment, and after the DAC stopped, paused, was frozen or changed
 * rate (a gap or a new time base: `at` is the cycle its first frame began). A DAC that starts with
 * rate 0 records an empty segment of rate 0, so "started, played nothing" is visible.
 * underruns: the number of times a DAC reached an interrupt point while its previous interrupt
 * was still pending (unacknowledged): the driver fell a whole period behind and the card went on
 * to replay stale buffer contents. dmaRefused (state only: DeviceRecord has no field for it): DMA
 * reads refused (IOMMU or outside RAM); the frames they should have brought are played (and
 * recorded) as silence, and time and interrupts go on, as a DAC fed by a broken bus would.
 *
 * Not modelled: the ADC (capture), UART/MIDI, joystick, legacy SB decode, GPIO, ES1373 SRC
 * bypass, AC'97 VRA; the AC'97 register file is storage with QEMU's reset values. Reset and
 * record: reset() is power-on (registers zero, codec at defaults, playback stopped) and keeps the
 * recording, underruns and dmaRefused, as ata.ts and rtl8139.ts keep their counters.
 * Whatever the guest writes, nothing throws.
 */
import type { AccessSize, AudioSegment, Device, DeviceContext, DeviceRecord, Region } from "../device.js";
import { CPU_HZ, IRQ_ES1371, PORT_ES1371 } from "../memmap.js";

/** Register offsets from PORT_ES1371. */
export const ES_CONTROL = 0x00;
export const ES_STATUS = 0x04;
export const ES_UART = 0x08;
export const ES_MEM_PAGE = 0x0c;
export const ES_SRC = 0x10;
export const ES_CODEC = 0x14;
export const ES_LEGACY = 0x18;
export const ES_LEGACY2 = 0x1c;
export const ES_SERIAL = 0x20;
export const ES_DAC1_COUNT = 0x24;
export const ES_DAC2_COUNT = 0x28;
export const ES_ADC_COUNT = 0x2c;
/** Paged window; with MEM_PAGE = PAGE_DAC_FRAMES: */
export const ES_DAC1_FRAME_ADDR = 0x30;
export const ES_DAC1_FRAME_SIZE = 0x34;
export const ES_DAC2_FRAME_ADDR = 0x38;
export const ES_DAC2_FRAME_SIZE = 0x3c;
export const PAGE_DAC_FRAMES = 0x0c;
const BAR_SIZE = 0x40;
const PAGED = 0x30;

/** CONTROL bits. */
export const CTRL_ADC_EN = 1 << 4;
export const CTRL_DAC2_EN = 1 << 5;
export const CTRL_DAC1_EN = 1 << 6;
export const CTRL_SYNC_RES = 1 << 14;
const CTRL_GPIO_IN = 0x00f00000; // read-only input pins, read as 0
/** STATUS bits. */
export const STAT_ADC = 1 << 0;
export const STAT_DAC2 = 1 << 1;
export const STAT_DAC1 = 1 << 2;
export const STAT_INTR = 0x80000000;
const STAT_CHANNELS = STAT_ADC | STAT_DAC2 | STAT_DAC1;
/** UART status (byte 0x09): TXRDY, so a writer never waits; what it sends is dropped. */
const UART_TXRDY = 0x02;
/** SRC register bits. */
export const SRC_WE = 1 << 24;
export const SRC_BUSY = 1 << 23;
export const SRC_DISABLE = 1 << 22;
export const SRC_DIS_P1 = 1 << 21;
export const SRC_DIS_P2 = 1 << 20;
export const SRC_DIS_R1 = 1 << 19;
export const SRC_STATE = 0x00070000;
const SRC_ADDR_SHIFT = 25;
const SRC_CTL = 0x00780000; // disable + freeze bits, as stored
const SRC_KEPT = 0xfe000000 | SRC_CTL | 0xffff; // address, control, data (WE, BUSY, state are not stored)
/** SRC RAM: 128 words; each DAC's block, and the words of a block that set its rate. */
export const SRC_RAM_WORDS = 128;
export const SRC_DAC1_BLOCK = 0x70;
export const SRC_DAC2_BLOCK = 0x74;
export const SRC_INT_REGS = 1;
export const SRC_VFREQ_FRAC = 3;
/** CODEC register bits. */
export const CODEC_RDY = 0x80000000;
export const CODEC_WIP = 1 << 30;
export const CODEC_PIRD = 1 << 23;
const CODEC_CMD = 0x00ffffff; // PIRD, register, data: what reads back besides RDY
/** SERIAL bits. */
export const SER_P1_MODE_SHIFT = 0;
export const SER_P2_MODE_SHIFT = 2;
export const MODE_STEREO = 1;
export const MODE_16BIT = 2;
export const SER_P1_INT_EN = 1 << 8;
export const SER_P2_INT_EN = 1 << 9;
export const SER_R1_INT_EN = 1 << 10;
export const SER_P1_PAUSE = 1 << 11;
export const SER_P2_PAUSE = 1 << 12;
const SER_BITS = 0x003fffff;

/** AC'97 registers (byte addresses; the file holds 64 16-bit registers at even addresses). */
export const AC97_RESET = 0x00;
export const AC97_MASTER = 0x02;
export const AC97_PCM = 0x18;
export const AC97_POWERDOWN = 0x26;
export const AC97_EXT_ID = 0x28;
export const AC97_FRONT_RATE = 0x2c;
export const AC97_VENDOR1 = 0x7c;
export const AC97_VENDOR2 = 0x7e;
const AC97_READY_BITS = 0x000f; // powerdown 3:0: ADC, DAC, mixer, Vref ready (read-only)

/** AC'97 reset values, QEMU's mixer_reset [QA] (a SigmaTel STAC9700); others 0. */
const AC97_DEFAULTS: Array<[number, number]> = [
  [AC97_MASTER, 0x8000], [0x06, 0x8000], [0x0c, 0x8008], [0x0e, 0x8008], [0x10, 0x8808],
  [0x12, 0x8808], [0x16, 0x8808], [AC97_PCM, 0x8808], [0x1c, 0x8808], [0x1e, 0x8000],
  [AC97_POWERDOWN, AC97_READY_BITS], [AC97_VENDOR1, 0x8384], [AC97_VENDOR2, 0x7600],
  [AC97_EXT_ID, 0x0809], [0x2a, 0x0009], [AC97_FRONT_RATE, 0xbb80], [0x2e, 0xbb80], [0x30, 0xbb80],
  [0x32, 0xbb80], [0x34, 0xbb80],
];
/** Registers whose writes are ignored (reset reads capabilities; IDs are fixed). */
const AC97_READ_ONLY = new Set([AC97_EXT_ID, AC97_VENDOR1, AC97_VENDOR2]);

/** Sample-count current value / position in a frame-size register: bits 31:16. */
const HIGH = 16;
/** Smallest sample buffer a segment grows to (samples); capacities are max(this, 2^n) >= length. */
const MIN_SAMPLES = 1024;

const NAME = "es1371";

/** What distinguishes DAC1 from DAC2. */
interface DacWiring {
  dac: 1 | 2;
  enable: number;
  status: number;
  intEn: number;
  pause: number;
  freeze: number;
  modeShift: number;
  srcBlock: number;
  event: string;
}

const DACS: readonly DacWiring[] = [
  { dac: 1, enable: CTRL_DAC1_EN, status: STAT_DAC1, intEn: SER_P1_INT_EN, pause: SER_P1_PAUSE, freeze: SRC_DIS_P1, modeShift: SER_P1_MODE_SHIFT, srcBlock: SRC_DAC1_BLOCK, event: "dac1" },
  { dac: 2, enable: CTRL_DAC2_EN, status: STAT_DAC2, intEn: SER_P2_INT_EN, pause: SER_P2_PAUSE, freeze: SRC_DIS_P2, modeShift: SER_P2_MODE_SHIFT, srcBlock: SRC_DAC2_BLOCK, event: "dac2" },
];

/** One DAC: its buffer registers, sample counter and playing stretch. */
export interface DacState {
  /** Frame buffer physical address and size register 15:0 (dwords - 1). */
  addr: number;
  size: number;
  /** Byte offset of the next frame in the buffer (current dword index = pos >> 2). */
  pos: number;
  /** Sample count: reload value (15:0) and current count (31:16). */
  reload: number;
  count: number;
  /** 1 while playing (enabled, not paused, not frozen); then start, frames played since, rate. */
  running: number;
  /** Cycle the stretch's time base starts (moved on by whole seconds, keeping `played` < rate). */
  start: number;
  played: number;
  rate: number;
  /** Index of the DAC's open segment in the recording, -1 = none (the next frame opens one). */
  seg: number;
  /** Cycle of its pending clock event (the next interrupt point), -1 = none. */
  nextAt: number;
}

/** A recorded segment: AudioSegment with its samples in a growing buffer. */
export interface SegmentState extends Omit<AudioSegment, "samples"> {
  /** Capacity max(MIN_SAMPLES, next power of two) (0 for an empty segment): a function of length. */
  samples: Int16Array;
  length: number;
}

/** What the card played (kept across reset()). */
export interface AudioRecording {
  segments: SegmentState[];
  underruns: number;
  /** DMA reads refused; their frames were played as silence. */
  dmaRefused: number;
}

export interface Es1371State {
  control: number;
  /** STATUS channel bits (INTR is derived). */
  status: number;
  memPage: number;
  /** SRC register: address 31:25, control 22:19, data 15:0. */
  src: number;
  /** Sequencer state display: 0 = hidden (reads 0), 1 = next read shows 0, 2 = reads show 1. */
  srcSync: number;
  srcRam: Uint16Array;
  /** CODEC register: PIRD, register and data last written (data: read result after PIRD); RDY. */
  codec: number;
  codecRdy: number;
  /** The AC'97 register file, by address / 2. */
  ac97: Uint16Array;
  legacy: number;
  legacy2: number;
  serial: number;
  /** ADC sample count (storage: 15:0 and current 31:16, loaded together). */
  adcCount: number;
  /** The paged window, 16 pages x 4 dwords (page C is the DACs' own registers instead). */
  pages: Uint32Array;
  dacs: DacState[];
  /** Interrupt line level last driven (0/1). */
  irq: number;
  rec: AudioRecording;
}

function idleDac(): DacState {
  return { addr: 0, size: 0, pos: 0, reload: 0, count: 0, running: 0, start: 0, played: 0, rate: 0, seg: -1, nextAt: -1 };
}

function mixerDefaults(ac97: Uint16Array): Uint16Array {
  ac97.fill(0);
  for (const [reg, v] of AC97_DEFAULTS) ac97[reg >> 1] = v;
  return ac97;
}

function powerOnState(rec: AudioRecording): Es1371State {
  return {
    control: 0,
    status: 0,
    memPage: 0,
    src: 0,
    srcSync: 0,
    srcRam: new Uint16Array(SRC_RAM_WORDS),
    codec: 0,
    codecRdy: 0,
    ac97: mixerDefaults(new Uint16Array(64)),
    legacy: 0,
    legacy2: 0,
    serial: 0,
    adcCount: 0,
    pages: new Uint32Array(64),
    dacs: [idleDac(), idleDac()],
    irq: 0,
    rec,
  };
}

/** floor(a / b) for integers a >= 0, b > 0 below 2^53, exact where a float quotient may round. */
function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  while (q * b > a) q--;
  while ((q + 1) * b <= a) q++;
  return q;
}

/** ceil(a / b) for integers a >= 0, b > 0. */
function ceilDiv(a: number, b: number): number {
  const q = floorDiv(a, b);
  return q * b === a ? q : q + 1;
}

/** Sample buffer capacity for `length` samples: a function of the length alone (canonical state). */
function capacityFor(length: number): number {
  if (length === 0) return 0;
  let c = MIN_SAMPLES;
  while (c < length) c *= 2;
  return c;
}

function copySegment(g: SegmentState): SegmentState {
  return { ...g, samples: g.samples.slice() };
}

export class Es1371 implements Device {
  readonly name = NAME;
  readonly mmio: Region[] = [];
  readonly ports: Region[] = [{ base: PORT_ES1371, size: BAR_SIZE }];
  state: Es1371State = powerOnState({ segments: [], underruns: 0, dmaRefused: 0 });
  /** DMA staging buffer (not state: its contents never outlive one read). */
  private scratch = new Uint8Array(4096);

  constructor(private readonly ctx: DeviceContext) {}

  /** IN: the bytes of each register the access covers, after playing everything due. */
  portRead(port: number, size: AccessSize): number {
    this.catchUp();
    const off = port - PORT_ES1371;
    let v = 0;
    let i = 0;
    while (i < size) {
      const base = (off + i) & ~3;
      if (off + i >= BAR_SIZE) {
        v |= 0xff << (8 * i); // past the BAR: floating bus
        i++;
        continue;
      }
      let mask = 0;
      for (let j = i; j < size && ((off + j) & ~3) === base; j++) mask |= 0xff << (8 * ((off + j) & 3));
      const reg = this.readReg(base, mask >>> 0);
      for (; i < size && ((off + i) & ~3) === base; i++) v |= ((reg >>> (8 * ((off + i) & 3))) & 0xff) << (8 * i);
    }
    return v >>> 0;
  }

  /** OUT: each register the access covers is written once, with a mask of the bytes written. */
  portWrite(port: number, value: number, size: AccessSize): void {
    this.catchUp();
    const off = port - PORT_ES1371;
    let i = 0;
    while (i < size && off + i < BAR_SIZE) {
      const base = (off + i) & ~3;
      let mask = 0;
      let val = 0;
      for (; i < size && ((off + i) & ~3) === base; i++) {
        const shift = 8 * ((off + i) & 3);
        mask |= 0xff << shift;
        val |= ((value >>> (8 * i)) & 0xff) << shift;
      }
      this.writeReg(base, val >>> 0, mask >>> 0);
    }
    this.reconcile(0);
    this.reconcile(1);
  }

  /** A DAC's interrupt point: play up to now (raising the interrupt) and arm the next one. */
  onEvent(kind: string): void {
    const i = kind === DACS[0].event ? 0 : kind === DACS[1].event ? 1 : -1;
    if (i < 0) return;
    this.state.dacs[i].nextAt = -1;
    this.play(i);
    this.arm(i);
  }

  /** Power-on: registers zero, codec at its defaults, playback stopped; the recording is kept. */
  reset(): void {
    this.ctx.clock.cancel(NAME);
    this.state = powerOnState(this.state.rec);
    this.ctx.setIrq(IRQ_ES1371, false);
  }

  snapshot(): Es1371State {
    const s = this.state;
    return {
      ...s,
      srcRam: s.srcRam.slice(),
      ac97: s.ac97.slice(),
      pages: s.pages.slice(),
      dacs: s.dacs.map((d) => ({ ...d })),
      rec: { ...s.rec, segments: s.rec.segments.map(copySegment) },
    };
  }

  restore(snap: unknown): void {
    const { srcRam, ac97, pages, dacs, rec, ...rest } = snap as Es1371State;
    const s = this.state;
    Object.assign(s, rest);
    s.srcRam.set(srcRam);
    s.ac97.set(ac97);
    s.pages.set(pages);
    s.dacs.forEach((d, i) => Object.assign(d, dacs[i]));
    const live = s.rec.segments;
    const segments = rec.segments.map((g, i) => {
      const mine = live[i];
      if (!mine || mine.samples.length !== g.samples.length) return copySegment(g);
      mine.samples.set(g.samples);
      return Object.assign(mine, { ...g, samples: mine.samples });
    });
    s.rec = { ...rec, segments };
  }

  /** What was played, up to now (the segments' samples are live views). */
  record(): DeviceRecord {
    this.catchUp();
    const r = this.state.rec;
    const segments = r.segments.map(({ length, samples, ...g }) => ({ ...g, samples: samples.subarray(0, length) }));
    return { kind: "audio", segments, underruns: r.underruns };
  }

  // ---- register reads ---------------------------------------------------------------------------

  /** The dword register at `base`; `mask` says which bytes the access reads (side effects). */
  private readReg(base: number, mask: number): number {
    const s = this.state;
    switch (base) {
      case ES_CONTROL:
        return s.control;
      case ES_STATUS:
        return (s.status | (s.status & STAT_CHANNELS ? STAT_INTR : 0)) >>> 0;
      case ES_UART:
        return UART_TXRDY << 8;
      case ES_MEM_PAGE:
        return s.memPage;
      case ES_SRC:
        return (s.src | (mask & 0x00ff0000 ? this.srcState() : 0)) >>> 0;
      case ES_CODEC:
        return (s.codec | (s.codecRdy ? CODEC_RDY : 0)) >>> 0;
      case ES_LEGACY:
        return s.legacy;
      case ES_LEGACY2:
        return s.legacy2;
      case ES_SERIAL:
        return s.serial;
      case ES_DAC1_COUNT:
      case ES_DAC2_COUNT: {
        const d = s.dacs[(base - ES_DAC1_COUNT) >> 2];
        return ((d.count << HIGH) | d.reload) >>> 0;
      }
      case ES_ADC_COUNT:
        return s.adcCount;
      default:
        return this.readPaged(base);
    }
  }

  /** The sequencer state field as this read sees it (a read may move it on: see the header). */
  private srcState(): number {
    const s = this.state;
    if (s.srcSync === 0) return 0;
    if (s.srcSync === 1) {
      s.srcSync = 2;
      return 0;
    }
    return 1 << 16;
  }

  private readPaged(base: number): number {
    const s = this.state;
    const k = (base - PAGED) >> 2;
    if (s.memPage !== PAGE_DAC_FRAMES) return s.pages[s.memPage * 4 + k];
    const d = s.dacs[k >> 1];
    return k & 1 ? (((d.pos >> 2) << HIGH) | d.size) >>> 0 : d.addr;
  }

  // ---- register writes --------------------------------------------------------------------------

  /** Writes the bytes of `val` selected by `mask` to the dword register at `base`. */
  private writeReg(base: number, val: number, mask: number): void {
    const s = this.state;
    const merge = (old: number) => ((old & ~mask) | (val & mask)) >>> 0;
    switch (base) {
      case ES_CONTROL:
        s.control = merge(s.control) & ~CTRL_GPIO_IN;
        return;
      case ES_MEM_PAGE:
        if (mask & 0xff) s.memPage = val & 0x0f; // MINIX parks a codec dword here (§2.1): bits 3:0 only
        return;
      case ES_SRC:
        return this.writeSrc(merge(s.src), mask);
      case ES_CODEC:
        return this.writeCodec(merge(s.codec), mask);
      case ES_LEGACY:
        s.legacy = merge(s.legacy);
        return;
      case ES_LEGACY2:
        s.legacy2 = merge(s.legacy2);
        return;
      case ES_SERIAL:
        return this.writeSerial(merge(s.serial) & SER_BITS);
      case ES_DAC1_COUNT:
      case ES_DAC2_COUNT: {
        if (!(mask & 0xffff)) return; // the current count is read-only
        const d = s.dacs[(base - ES_DAC1_COUNT) >> 2];
        d.reload = d.count = merge(d.reload) & 0xffff;
        return;
      }
      case ES_ADC_COUNT:
        if (mask & 0xffff) s.adcCount = ((merge(s.adcCount) & 0xffff) * 0x10001) >>> 0;
        return;
      case ES_STATUS:
      case ES_UART:
        return; // read-only / not modelled
      default:
        return this.writePaged(base, mask, merge);
    }
  }

  /** The paged window: page C's frame registers (a size write rewinds the position), else storage. */
  private writePaged(base: number, mask: number, merge: (old: number) => number): void {
    const s = this.state;
    const k = (base - PAGED) >> 2;
    if (s.memPage !== PAGE_DAC_FRAMES) {
      s.pages[s.memPage * 4 + k] = merge(s.pages[s.memPage * 4 + k]);
      return;
    }
    const d = s.dacs[k >> 1];
    if (!(k & 1)) d.addr = merge(d.addr);
    else if (mask & 0xffff) {
      d.size = merge(d.size) & 0xffff;
      d.pos = 0;
    }
  }

  /** SRC: control bits and the sequencer display always; the RAM access only with byte 3. */
  private writeSrc(v: number, mask: number): void {
    const s = this.state;
    s.src = (v & SRC_KEPT) >>> 0;
    if (mask & 0x00ff0000) s.srcSync = v & SRC_STATE ? 1 : 0;
    if (!(mask & 0xff000000)) return;
    const addr = v >>> SRC_ADDR_SHIFT;
    if (v & SRC_WE) s.srcRam[addr] = v & 0xffff;
    else s.src = ((s.src & ~0xffff) | s.srcRam[addr]) >>> 0;
  }

  /** CODEC: a command (byte 2 written) reads into 15:0 with RDY, or writes the AC'97 register. */
  private writeCodec(v: number, mask: number): void {
    const s = this.state;
    s.codec = v & CODEC_CMD;
    if (!(mask & 0x00ff0000)) return;
    const reg = (v >>> 16) & 0x7f;
    if (v & CODEC_PIRD) {
      s.codec = ((v & 0x00ff0000) | (reg & 1 ? 0 : s.ac97[reg >> 1])) >>> 0;
      s.codecRdy = 1;
      return;
    }
    s.codecRdy = 0;
    this.writeAc97(reg, v & 0xffff);
  }

  /** An AC'97 register write: reg 0 resets the mixer; ready bits and IDs are read-only. */
  private writeAc97(reg: number, data: number): void {
    const ac97 = this.state.ac97;
    if (reg & 1 || AC97_READ_ONLY.has(reg)) return;
    if (reg === AC97_RESET) mixerDefaults(ac97);
    else if (reg === AC97_POWERDOWN) ac97[reg >> 1] = data | AC97_READY_BITS;
    else ac97[reg >> 1] = data;
  }

  /** SERIAL: clearing a channel's INT_EN acknowledges it; a format change realigns the position. */
  private writeSerial(v: number): void {
    const s = this.state;
    const old = s.serial;
    s.serial = v;
    for (let i = 0; i < 2; i++) {
      const w = DACS[i];
      if (!(v & w.intEn)) s.status &= ~w.status;
      if (((old ^ v) >> w.modeShift) & 3) {
        const d = s.dacs[i];
        d.pos -= d.pos % this.frameBytes(i);
      }
    }
    if (!(v & SER_R1_INT_EN)) s.status &= ~STAT_ADC;
    this.updateIrq();
  }

  // ---- playback ---------------------------------------------------------------------------------

  /** DAC `i`'s sample format from its SERIAL mode bits. */
  private format(i: number): { channels: 1 | 2; bits: 8 | 16 } {
    const mode = (this.state.serial >> DACS[i].modeShift) & 3;
    return { channels: mode & MODE_STEREO ? 2 : 1, bits: mode & MODE_16BIT ? 16 : 8 };
  }

  private frameBytes(i: number): number {
    const f = this.format(i);
    return (f.channels * f.bits) / 8;
  }

  /** The rate DAC index `i` gets from its SRC RAM block (0 when unprogrammed). */
  private srcRate(i: number): number {
    const ram = this.state.srcRam;
    const block = DACS[i].srcBlock;
    const f = ((ram[block + SRC_INT_REGS] & 0xfc00) << 5) | (ram[block + SRC_VFREQ_FRAC] & 0x7fff);
    return Math.floor((f * 3000 + 16384) / 32768);
  }

  /** Whether DAC index `i` is playing by its enable, pause and freeze bits. */
  private wantsToPlay(i: number): boolean {
    const s = this.state;
    const w = DACS[i];
    return (s.control & w.enable) !== 0 && !(s.serial & w.pause) && !(s.src & (SRC_DISABLE | w.freeze));
  }

  /** Plays everything due on both DACs. */
  private catchUp(): void {
    this.play(0);
    this.play(1);
  }

  /** After a register write: starts, stops or re-times DAC `i` when its conditions or rate changed. */
  private reconcile(i: number): void {
    const d = this.state.dacs[i];
    const want = this.wantsToPlay(i) ? 1 : 0;
    const rate = want ? this.srcRate(i) : 0;
    if (want !== d.running || rate !== d.rate) {
      Object.assign(d, { running: want, start: want ? this.ctx.clock.now : 0, played: 0, rate, seg: -1 });
      if (want && rate === 0) this.openSegment(i, this.ctx.clock.now);
    }
    this.arm(i);
  }

  /**
   * Keeps DAC `i`'s clock event at its next interrupt point; none while it does not advance or its
   * INT_EN is clear (nothing then happens at that point that a register read would not catch up).
   */
  private arm(i: number): void {
    const d = this.state.dacs[i];
    const timed = d.running && d.rate > 0 && this.state.serial & DACS[i].intEn;
    const at = timed ? d.start + ceilDiv((d.played + d.count + 1) * CPU_HZ, d.rate) : -1;
    if (at === d.nextAt) return;
    const clock = this.ctx.clock;
    if (d.nextAt >= 0) clock.cancel(NAME, DACS[i].event);
    if (at >= 0) clock.scheduleAt(at, NAME, DACS[i].event);
    d.nextAt = at;
  }

  /**
   * Plays the frames DAC `i` has finished by now, then rebases its time. With INT_EN, period by
   * period (each interrupt point in turn); without, in one go, the counter moved on arithmetically.
   */
  private play(i: number): void {
    const d = this.state.dacs[i];
    if (!d.running || d.rate === 0) return;
    const elapsed = Math.max(0, this.ctx.clock.now - d.start);
    const secs = Math.floor(elapsed / CPU_HZ); // whole seconds apart, so no product nears 2^53
    let n = secs * d.rate + floorDiv((elapsed - secs * CPU_HZ) * d.rate, CPU_HZ) - d.played;
    if (n > 0) {
      const seg = this.segmentFor(i, d.start + ceilDiv(d.played * CPU_HZ, d.rate));
      this.reserve(seg, n * seg.channels);
      while (n > 0) {
        const timed = (this.state.serial & DACS[i].intEn) !== 0;
        const k = timed ? Math.min(n, d.count + 1) : n;
        this.fetch(i, k, seg);
        d.played += k;
        n -= k;
        if (k <= d.count) d.count -= k;
        else {
          d.count = d.reload - ((k - d.count - 1) % (d.reload + 1));
          this.interruptPoint(i);
        }
      }
    }
    if (d.played >= d.rate) {
      const secs = Math.floor(d.played / d.rate);
      d.start += secs * CPU_HZ;
      d.played -= secs * d.rate;
    }
  }

  /** The counter passed 0: with INT_EN, the STATUS bit (an underrun if it was still set) and the line. */
  private interruptPoint(i: number): void {
    const s = this.state;
    const w = DACS[i];
    if (!(s.serial & w.intEn)) return;
    if (s.status & w.status) s.rec.underruns++;
    s.status |= w.status;
    this.updateIrq();
  }

  /**
   * Appends `frames` frames of DAC `i` from its position to `seg` and moves the position on. The
   * stretch of buffer they cover (all of it when they go round more than once) is read by DMA
   * once, in at most two reads (position to end, start onwards); a refused read is silence.
   */
  private fetch(i: number, frames: number, seg: SegmentState): void {
    const d = this.state.dacs[i];
    const bufBytes = (d.size + 1) * 4;
    const wide = seg.bits === 16;
    const bytes = frames * seg.channels * (wide ? 2 : 1);
    const span = Math.min(bytes, bufBytes);
    if (this.scratch.length < span) this.scratch = new Uint8Array(capacityFor(span));
    const stage = this.scratch.subarray(0, span);
    const first = Math.min(span, bufBytes - d.pos);
    this.dmaRead((d.addr + d.pos) >>> 0, stage.subarray(0, first), wide);
    if (first < span) this.dmaRead(d.addr, stage.subarray(first), wide);
    const out = seg.samples;
    let at = seg.length;
    for (let done = 0; done < bytes; done += span) {
      const end = Math.min(span, bytes - done);
      if (wide) for (let j = 0; j < end; j += 2) out[at++] = stage[j] | (stage[j + 1] << 8);
      else for (let j = 0; j < end; j++) out[at++] = (stage[j] - 128) << 8;
    }
    seg.length = at;
    d.pos = (d.pos + bytes) % bufBytes;
  }

  /** One DMA read into `dst`; refused, it is counted and `dst` holds silence in the format. */
  private dmaRead(addr: number, dst: Uint8Array, wide: boolean): void {
    if (this.ctx.dma.read(NAME, addr, dst)) return;
    this.state.rec.dmaRefused++;
    dst.fill(wide ? 0 : 0x80);
  }

  /** DAC `i`'s open segment if its settings still hold, else a new one whose first frame began at `at`. */
  private segmentFor(i: number, at: number): SegmentState {
    const s = this.state;
    const d = s.dacs[i];
    const { channels, bits } = this.format(i);
    const g = d.seg >= 0 ? s.rec.segments[d.seg] : undefined;
    const same = g && g.rate === d.rate && g.channels === channels && g.bits === bits && g.master === this.ac97(AC97_MASTER) && g.pcm === this.ac97(AC97_PCM);
    return same ? g : this.openSegment(i, at);
  }

  /** Appends an empty segment for DAC `i` with the settings in force and makes it the DAC's open one. */
  private openSegment(i: number, at: number): SegmentState {
    const s = this.state;
    const d = s.dacs[i];
    const g: SegmentState = {
      at,
      dac: DACS[i].dac,
      rate: d.rate,
      ...this.format(i),
      master: this.ac97(AC97_MASTER),
      pcm: this.ac97(AC97_PCM),
      samples: new Int16Array(0),
      length: 0,
    };
    d.seg = s.rec.segments.push(g) - 1;
    return g;
  }

  /** Grows `seg`'s buffer to hold `more` samples beyond its length. */
  private reserve(seg: SegmentState, more: number): void {
    const need = seg.length + more;
    if (need <= seg.samples.length) return;
    const grown = new Int16Array(capacityFor(need));
    grown.set(seg.samples.subarray(0, seg.length));
    seg.samples = grown;
  }

  private ac97(reg: number): number {
    return this.state.ac97[reg >> 1];
  }

  private updateIrq(): void {
    const s = this.state;
    const level = s.status & STAT_CHANNELS ? 1 : 0;
    if (level === s.irq) return;
    s.irq = level;
    this.ctx.setIrq(IRQ_ES1371, level === 1);
  }
}
