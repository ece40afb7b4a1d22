/*
 * RTL8139 (8139C) Fast Ethernet controller, at register level, in its 256-byte I/O window at
 * PORT_RTL8139 with its interrupt on IRQ_RTL8139 (level: ISR & IMR != 0). Facts from
 * ../shared/DEVICES.md §1 (datasheet notes via the MINIX and Linux drivers, QEMU's model).
 *
 *   00-05 IDR (MAC; writable only after 9346CR = 0xC0)   08-0F MAR (multicast hash)
 *   10-1C TSD0-3   20-2C TSAD0-3   30 RBSTART   37 CR   38 CAPR   3A CBR   3C IMR   3E ISR
 *   40 TCR   44 RCR   48 TCTR   4C MPC   50 9346CR   51/52 CONFIG0/1   54 TimerInt   58 MSR
 *   5B HLTCLK   60 TSAD (summary)   62 BMCR   64 BMSR   66/68/6A ANAR/ANLPAR/ANER
 *
 * Transmit: four descriptors used in order; a dword write to TSDn with OWN = 0 while CR.TE is set
 * starts slot n if it is the chip's current slot (anything else does nothing, as in QEMU). The
 * frame is read from TSADn by DMA (tagged "rtl8139", so an IOMMU may refuse it) at once, OWN is
 * set (the frame is in the FIFO), the FCS is appended unless TCR.CRC, and the frame goes to the
 * link (the wire); TOK (TSD and ISR) follows as a clock event when its last byte has left.
 * Size 0: nothing leaves, TOK still comes (QEMU). Size > TX_MAX_FRAME (the datasheet's 1792) or a
 * refused DMA read: the chip aborts the slot: TABT + OWN, ISR.TER, and moves on to the next slot.
 * TCR.CLRABT retransmits the last slot if it was aborted. No padding (drivers pad to 60 bytes).
 *
 * Receive: a frame from the link (with its FCS) is dropped while RE = 0 or the clock is halted;
 * a bad FCS counts a CRC error and is dropped unless RCR.AER (then delivered with status CRC and
 * ISR.RER); a runt (< 64 bytes with FCS) needs RCR.AR; the address filter is QEMU's (AAP: all;
 * broadcast needs AB; multicast needs AM and its MAR bit; unicast needs APM and the IDR). An
 * accepted frame is DMA'd to the ring at RBSTART + CBR as a 4-byte header (status, length incl.
 * CRC) + frame + CRC, CBR then moves to the next dword; the ring (8 KiB << RBLEN) wraps, except
 * that with RCR.WRAP (and a ring below 64 KiB) a frame crossing the end is written on past it.
 * Free space = CAPR+16 - CBR (mod ring size; equal = empty, CR.BUFE); a frame that does not fit
 * with a dword to spare sets ISR.RXOVW, counts in MPC and is dropped (QEMU's flow-control
 * hold-back is not modelled). A refused DMA write drops the frame and sets ISR.SERR (the PCI
 * master abort a real chip reports as a system error).
 *
 * Simplified, as QEMU does: CR.RST is instant; every RCR write resets the ring pointers (the
 * driver re-reads CAPR/CBR); TCR writes are ignored while TE = 0; the PHY is fixed at 100 Mb/s
 * full duplex with auto-negotiation done (link up while a wire is connected); the 93C46 EEPROM
 * answers READ (words 0 = 0x8129, 1-2 = PCI IDs, 7-9 = MAC) and ignores writes; early-rx/tx
 * thresholds, FIFO underruns (TUN), collisions, loopback and C+ mode are not modelled.
 * Registers not listed above are plain byte storage. Counters (frames and bytes each way, CRC
 * errors, overruns, ...) are device state. Whatever the guest writes, nothing throws.
 */
import type { AccessSize, Device, DeviceContext, Region } from "../device.js";
import { IRQ_RTL8139, PORT_RTL8139 } from "../memmap.js";
import { etherCrcBe, FCS_BYTES, fcsOk, putFcs } from "../network/crc32.js";
import { frameArray } from "../network/frame-arrays.js";

/** Register offsets from PORT_RTL8139. */
export const RTL_IDR = 0x00;
export const RTL_MAR = 0x08;
export const RTL_TSD0 = 0x10;
export const RTL_TSAD0 = 0x20;
export const RTL_RBSTART = 0x30;
export const RTL_CR = 0x37;
export const RTL_CAPR = 0x38;
export const RTL_CBR = 0x3a;
export const RTL_IMR = 0x3c;
export const RTL_ISR = 0x3e;
export const RTL_TCR = 0x40;
export const RTL_RCR = 0x44;
export const RTL_TCTR = 0x48;
export const RTL_MPC = 0x4c;
export const RTL_9346CR = 0x50;
export const RTL_CONFIG0 = 0x51;
export const RTL_CONFIG1 = 0x52;
export const RTL_TIMERINT = 0x54;
export const RTL_MSR = 0x58;
export const RTL_CONFIG3 = 0x59;
export const RTL_CONFIG4 = 0x5a;
export const RTL_HLTCLK = 0x5b;
export const RTL_TSAD = 0x60;
export const RTL_BMCR = 0x62;
export const RTL_BMSR = 0x64;
export const RTL_ANAR = 0x66;
export const RTL_ANLPAR = 0x68;
export const RTL_ANER = 0x6a;
export const RTL_CONFIG5 = 0xd8;

/** TSD bits. */
export const TSD_SIZE = 0x1fff;
export const TSD_OWN = 1 << 13;
export const TSD_TUN = 1 << 14;
export const TSD_TOK = 1 << 15;
export const TSD_TABT = 1 << 30;
const TSD_WRITABLE = 0x003f3fff; // SIZE, OWN, ERTXTH (QEMU clears 31:24, TOK, TUN on a write)
/** CR bits. */
export const CR_BUFE = 0x01;
export const CR_TE = 0x04;
export const CR_RE = 0x08;
export const CR_RST = 0x10;
/** ISR / IMR bits. */
export const ISR_ROK = 1 << 0;
export const ISR_RER = 1 << 1;
export const ISR_TOK = 1 << 2;
export const ISR_TER = 1 << 3;
export const ISR_RXOVW = 1 << 4;
export const ISR_PUN = 1 << 5;
export const ISR_FOVW = 1 << 6;
export const ISR_TIMEOUT = 1 << 14;
export const ISR_SERR = 1 << 15;
const ISR_BITS = 0xe07f;
/** TCR bits. */
export const TCR_CLRABT = 1 << 0;
export const TCR_CRC = 1 << 16;
/** Hardware version bits of an RTL8139C (read-only; MINIX: "RTL8139A-G / RTL8139C"). */
export const TCR_VERSION_8139C = 0x74000000;
const TCR_WRITABLE = 0x03070ff0; // IFG, LBK, CRC, MXDMA, TXRR
/** RCR bits. */
export const RCR_AAP = 1 << 0;
export const RCR_APM = 1 << 1;
export const RCR_AM = 1 << 2;
export const RCR_AB = 1 << 3;
export const RCR_AR = 1 << 4;
export const RCR_AER = 1 << 5;
export const RCR_WRAP = 1 << 7;
const RCR_WRITABLE = 0x0f03ffbf; // QEMU's read-only mask is 0xf0fc0040
/** Receive header status bits. */
export const RX_ROK = 1 << 0;
export const RX_CRC = 1 << 2;
export const RX_RUNT = 1 << 4;
export const RX_BAR = 1 << 13;
export const RX_PAM = 1 << 14;
export const RX_MAR = 1 << 15;
/** 9346CR modes (bits 7:6) and EEPROM pins. */
export const EEM_NORMAL = 0x00;
export const EEM_AUTOLOAD = 0x40;
export const EEM_PROGRAM = 0x80;
export const EEM_CONFIG = 0xc0;
const EE_CS = 0x08;
const EE_SK = 0x04;
const EE_DI = 0x02;
const EE_DO = 0x01;
/** MSR / BMSR bits. */
export const MSR_LINKB = 0x04;
export const BMSR_LINK = 0x04;

/** The NIC's power-on MAC (its EEPROM's): 52:54:00:12:34:56. */
export const RTL8139_MAC = Uint8Array.of(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);
/** Largest frame the transmitter takes (datasheet figure, via driver comments). */
export const TX_MAX_FRAME = 1792;
/** Largest frame (with FCS) the receiver takes; longer ones are dropped (the LONG status is > 4 KiB). */
export const RX_MAX_FRAME = 4096;
/** Shortest frame (with FCS) that is not a runt. */
export const RX_MIN_FRAME = 64;
/** Serialisation time per byte when no wire is connected (100 Mb/s at CPU_HZ 100 MHz). */
const UNLINKED_CYCLES_PER_BYTE = 8;
/** TCTR counts at the PCI clock, about CPU_HZ / 3 (33 MHz). */
const TCTR_DIVIDER = 3;

const NAME = "rtl8139";
const EV_TX = ["tx0", "tx1", "tx2", "tx3"];
const EV_TIMEOUT = "timeout";

/** The medium the transmitter drives (the wire, network/wire.ts). */
export interface NicLink {
  /**
   * Puts `frame` (with FCS) on the medium now and takes it (the NIC does not touch it again);
   * returns the cycle its last byte has left the NIC. `fcsComputed`: the NIC computed the FCS
   * itself, so it is known to be right (else it is the guest's, TCR.CRC).
   */
  send(frame: Uint8Array, fcsComputed: boolean): number;
}

/** What the NIC counted (device state; kept across resets). */
export interface Rtl8139Counters {
  txFrames: number;
  /** Bytes put on the wire, FCS included. */
  txBytes: number;
  txAborts: number;
  rxFrames: number;
  /** Bytes written to the ring, FCS included, header not. */
  rxBytes: number;
  rxCrcErrors: number;
  rxOverruns: number;
  /** Frames the address filter refused, runts and over-long frames. */
  rxFiltered: number;
  /** Frames that arrived while the receiver was off or the clock halted. */
  rxDisabled: number;
  /** DMA accesses refused (receive writes and transmit reads). */
  dmaRefused: number;
}

/** 93C46 serial EEPROM interface state (9346CR programming mode). */
interface EepromState {
  /** 0 = waiting for a command, 1 = shifting a word out, 2 = ignoring until CS drops. */
  phase: number;
  /** Command bits shifted in so far (start bit first) and their count. */
  bits: number;
  count: number;
  /** Word being shifted out, its address, and the data-out pin. */
  word: number;
  addr: number;
  out: number;
  /** Pins last written (CS, SK, DI). */
  pins: number;
}

export interface Rtl8139State {
  /** Plain byte registers: IDR 0-5, MAR 8-15, CONFIG3-5, TimerInt, and any unmodelled offset. */
  regs: Uint8Array;
  tsd: Uint32Array;
  tsad: Uint32Array;
  rbstart: number;
  /** CR's RE and TE as written. */
  cr: number;
  /** Ring offsets: the driver's read offset (CAPR + 16) and the chip's write offset (CBR). */
  rxRead: number;
  rxWrite: number;
  imr: number;
  isr: number;
  tcr: number;
  rcr: number;
  mpc: number;
  cfg9346: number;
  config1: number;
  /** Cycle at which TCTR was last zero. */
  tctrBase: number;
  /** HLTCLK: 1 while halted ('H'). */
  halted: number;
  /** The chip's current transmit descriptor. */
  txNext: number;
  /** Interrupt line level last driven (0/1). */
  irq: number;
  eeprom: EepromState;
  counters: Rtl8139Counters;
}

function zeroCounters(): Rtl8139Counters {
  return { txFrames: 0, txBytes: 0, txAborts: 0, rxFrames: 0, rxBytes: 0, rxCrcErrors: 0, rxOverruns: 0, rxFiltered: 0, rxDisabled: 0, dmaRefused: 0 };
}

function idleEeprom(): EepromState {
  return { phase: 0, bits: 0, count: 0, word: 0, addr: 0, out: 0, pins: 0 };
}

function powerOnState(counters: Rtl8139Counters): Rtl8139State {
  const regs = new Uint8Array(256);
  regs.set(RTL8139_MAC, RTL_IDR);
  return {
    regs,
    tsd: Uint32Array.of(TSD_OWN, TSD_OWN, TSD_OWN, TSD_OWN),
    tsad: new Uint32Array(4),
    rbstart: 0,
    cr: 0,
    rxRead: 0,
    rxWrite: 0,
    imr: 0,
    isr: 0,
    tcr: TCR_VERSION_8139C,
    rcr: 0,
    mpc: 0,
    cfg9346: 0,
    config1: 0x0c,
    tctrBase: 0,
    halted: 0,
    txNext: 0,
    irq: 0,
    eeprom: idleEeprom(),
    counters,
  };
}

/** EEPROM words (16-bit), as QEMU fills them: ID, PCI vendor/device, MAC at words 7-9. */
const EEPROM = (() => {
  const w = new Uint16Array(64);
  w[0] = 0x8129;
  w[1] = 0x10ec;
  w[2] = 0x8139;
  for (let i = 0; i < 3; i++) w[7 + i] = RTL8139_MAC[2 * i] | (RTL8139_MAC[2 * i + 1] << 8);
  return w;
})();

/** Width of the register at each offset that is its base (0 = inside a wider register). */
const REG_WIDTH = (() => {
  const w = new Uint8Array(256).fill(1);
  const wide: Array<[number, number]> = [
    [0x10, 4], [0x14, 4], [0x18, 4], [0x1c, 4], [0x20, 4], [0x24, 4], [0x28, 4], [0x2c, 4],
    [RTL_RBSTART, 4], [0x34, 2], [RTL_CAPR, 2], [RTL_CBR, 2], [RTL_IMR, 2], [RTL_ISR, 2],
    [RTL_TCR, 4], [RTL_RCR, 4], [RTL_TCTR, 4], [RTL_MPC, 4], [RTL_TIMERINT, 4],
    [RTL_TSAD, 2], [RTL_BMCR, 2], [RTL_BMSR, 2], [RTL_ANLPAR, 2], [RTL_ANER, 2],
  ];
  for (const [base, n] of wide) {
    w[base] = n;
    for (let i = 1; i < n; i++) w[base + i] = 0;
  }
  return w;
})();

/** Base offset of the register holding byte offset `o`. */
function regBase(o: number): number {
  while (REG_WIDTH[o] === 0) o--;
  return o;
}

export class Rtl8139 implements Device {
  readonly name = NAME;
  readonly mmio: Region[] = [];
  readonly ports: Region[] = [{ base: PORT_RTL8139, size: 256 }];
  state: Rtl8139State = powerOnState(zeroCounters());
  private link: NicLink | null = null;
  /** Where toRing assembles a ring record (header + frame) before its DMA (host-side scratch, not state). */
  private readonly ringRecord = new Uint8Array(4 + RX_MAX_FRAME);

  constructor(private readonly ctx: DeviceContext) {}

  /** Plugs the NIC into a medium (the wire), or unplugs it (null: link down). */
  connect(link: NicLink | null): void {
    this.link = link;
  }

  /** The station address the NIC answers to now (a copy of IDR0-5). */
  mac(): Uint8Array {
    return this.state.regs.slice(RTL_IDR, RTL_IDR + 6);
  }

  portRead(port: number, size: AccessSize): number {
    const off = port - PORT_RTL8139;
    let v = 0;
    for (let i = 0; i < size; i++) {
      const o = off + i;
      const byte = o > 0xff ? 0xff : this.readByte(o);
      v |= byte << (8 * i);
    }
    return v >>> 0;
  }

  /** A write reaches each register it covers once, with a mask of the bytes it wrote. */
  portWrite(port: number, value: number, size: AccessSize): void {
    const off = port - PORT_RTL8139;
    let i = 0;
    while (i < size && off + i <= 0xff) {
      const base = regBase(off + i);
      const end = base + REG_WIDTH[base];
      let mask = 0;
      let val = 0;
      for (; i < size && off + i < end; i++) {
        const shift = 8 * (off + i - base);
        mask |= 0xff << shift;
        val |= ((value >>> (8 * i)) & 0xff) << shift;
      }
      this.writeReg(base, val >>> 0, mask >>> 0);
    }
  }

  onEvent(kind: string): void {
    const s = this.state;
    if (kind === EV_TIMEOUT) {
      s.isr |= ISR_TIMEOUT;
      return this.updateIrq();
    }
    const n = EV_TX.indexOf(kind);
    if (n < 0) return;
    s.tsd[n] |= TSD_TOK;
    s.isr |= ISR_TOK;
    this.updateIrq();
  }

  /** Power-on: registers at their reset values, MAC from the EEPROM; counters kept. */
  reset(): void {
    this.ctx.clock.cancel(NAME);
    this.state = powerOnState(this.state.counters);
    this.state.tctrBase = this.ctx.clock.now;
    this.ctx.setIrq(IRQ_RTL8139, false);
  }

  snapshot(): Rtl8139State {
    const s = this.state;
    return { ...s, regs: s.regs.slice(), tsd: s.tsd.slice(), tsad: s.tsad.slice(), eeprom: { ...s.eeprom }, counters: { ...s.counters } };
  }

  restore(snap: unknown): void {
    const { regs, tsd, tsad, eeprom, counters, ...rest } = snap as Rtl8139State;
    const s = this.state;
    Object.assign(s, rest);
    s.regs.set(regs);
    s.tsd.set(tsd);
    s.tsad.set(tsad);
    s.eeprom = { ...eeprom };
    s.counters = { ...counters };
  }

  // ---- register reads ---------------------------------------------------------------------------

  private readByte(o: number): number {
    const base = regBase(o);
    return (this.readReg(base) >>> (8 * (o - base))) & 0xff;
  }

  /** The value of the register at `base` (reads have no side effects on this chip). */
  private readReg(base: number): number {
    const s = this.state;
    if (base >= RTL_TSD0 && base < RTL_TSAD0) return s.tsd[(base - RTL_TSD0) >> 2];
    if (base >= RTL_TSAD0 && base < RTL_RBSTART) return s.tsad[(base - RTL_TSAD0) >> 2];
    switch (base) {
      case RTL_RBSTART:
        return s.rbstart;
      case 0x34: // ERBCR: early-rx byte count (not modelled)
      case 0x36: // ERSR
        return 0;
      case RTL_CR:
        return s.cr | (s.rxRead === s.rxWrite ? CR_BUFE : 0);
      case RTL_CAPR:
        return (s.rxRead - 16) & 0xffff;
      case RTL_CBR:
        return s.rxWrite;
      case RTL_IMR:
        return s.imr;
      case RTL_ISR:
        return s.isr;
      case RTL_TCR:
        return s.tcr;
      case RTL_RCR:
        return s.rcr;
      case RTL_TCTR:
        return Math.floor((this.ctx.clock.now - s.tctrBase) / TCTR_DIVIDER) >>> 0;
      case RTL_MPC:
        return s.mpc;
      case RTL_9346CR:
        return this.read9346();
      case RTL_CONFIG0:
        return 0;
      case RTL_CONFIG1:
        return s.config1;
      case RTL_TIMERINT:
        return this.timerInt();
      case RTL_MSR:
        return 0xd0 | (this.link ? 0 : MSR_LINKB);
      case RTL_TSAD:
        return this.tsadSummary();
      case RTL_BMCR:
        return 0x3100; // 100 Mb/s, auto-negotiation on, full duplex
      case RTL_BMSR:
        return this.link ? 0x782d : 0x7809;
      case RTL_ANLPAR:
        return this.link ? 0x05e1 : 0;
      case RTL_ANER:
        return 0x0001;
      default:
        return s.regs[base];
    }
  }

  /** TSAD at 0x60: TOK3-0, TUN3-0, TABT3-0, OWN3-0 gathered from TSD0-3. */
  private tsadSummary(): number {
    let v = 0;
    for (let n = 0; n < 4; n++) {
      const t = this.state.tsd[n];
      if (t & TSD_TOK) v |= 1 << (12 + n);
      if (t & TSD_TUN) v |= 1 << (8 + n);
      if (t & TSD_TABT) v |= 1 << (4 + n);
      if (t & TSD_OWN) v |= 1 << n;
    }
    return v;
  }

  private timerInt(): number {
    const r = this.state.regs;
    return (r[RTL_TIMERINT] | (r[RTL_TIMERINT + 1] << 8) | (r[RTL_TIMERINT + 2] << 16) | (r[RTL_TIMERINT + 3] << 24)) >>> 0;
  }

  // ---- register writes --------------------------------------------------------------------------

  /** Writes the bytes of `val` selected by `mask` to the register at `base`. */
  private writeReg(base: number, val: number, mask: number): void {
    const s = this.state;
    const merge = (old: number) => ((old & ~mask) | (val & mask)) >>> 0;
    if (base >= RTL_TSD0 && base < RTL_TSAD0) {
      // Only a whole-dword write starts a send (QEMU ignores narrower TSD writes).
      if (mask === 0xffffffff) this.writeTsd((base - RTL_TSD0) >> 2, val);
      return;
    }
    if (base >= RTL_TSAD0 && base < RTL_RBSTART) {
      s.tsad[(base - RTL_TSAD0) >> 2] = merge(s.tsad[(base - RTL_TSAD0) >> 2]);
      return;
    }
    if (base < 6) {
      if (s.cfg9346 === EEM_CONFIG) s.regs[base] = val;
      return;
    }
    switch (base) {
      case RTL_RBSTART:
        s.rbstart = merge(s.rbstart);
        return;
      case RTL_CR:
        return this.writeCr(val);
      case RTL_CAPR:
        s.rxRead = (merge((s.rxRead - 16) & 0xffff) + 16) % this.ringSize();
        return;
      case RTL_IMR:
        s.imr = merge(s.imr) & ISR_BITS;
        return this.updateIrq();
      case RTL_ISR:
        s.isr &= ~(val & mask);
        return this.updateIrq();
      case RTL_TCR:
        return this.writeTcr(merge(s.tcr), val & mask);
      case RTL_RCR:
        s.rcr = merge(s.rcr) & RCR_WRITABLE;
        s.rxRead = s.rxWrite = 0; // QEMU: every RCR write resets the ring pointers
        return;
      case RTL_TCTR:
        s.tctrBase = this.ctx.clock.now;
        return this.armTimer();
      case RTL_MPC:
        s.mpc = 0;
        return;
      case RTL_9346CR:
        return this.write9346(val);
      case RTL_CONFIG1:
        if (s.cfg9346 === EEM_CONFIG) s.config1 = (s.config1 & 0x0c) | (val & 0xf3);
        return;
      case RTL_CONFIG3:
      case RTL_CONFIG4:
      case RTL_CONFIG5:
        if (s.cfg9346 === EEM_CONFIG) s.regs[base] = val;
        return;
      case RTL_TIMERINT:
        for (let i = 0; i < 4; i++) if ((mask >>> (8 * i)) & 0xff) s.regs[base + i] = (val >>> (8 * i)) & 0xff;
        return this.armTimer();
      case RTL_HLTCLK:
        if (val === 0x48) s.halted = 1; // 'H'
        else if (val === 0x52) s.halted = 0; // 'R'
        return;
      case 0x34:
      case 0x36:
      case RTL_CBR:
      case RTL_CONFIG0:
      case RTL_MSR:
      case RTL_TSAD:
      case RTL_BMCR:
      case RTL_BMSR:
      case RTL_ANLPAR:
      case RTL_ANER:
        return; // read-only here
      default:
        s.regs[base] = val & 0xff;
        return;
    }
  }

  /** CR: RST resets at once (and reads back clear); RE and TE as written. */
  private writeCr(v: number): void {
    const s = this.state;
    if (v & CR_RST) this.softReset();
    const wasTe = s.cr & CR_TE;
    s.cr = v & (CR_RE | CR_TE);
    if (wasTe && !(s.cr & CR_TE)) s.txNext = 0; // datasheet note (MINIX rtl8139.h): disabling TX rewinds to TSD0
  }

  /**
   * The software reset: transmitter and receiver off, descriptors host-owned from slot 0, ring
   * empty, interrupts masked and clear, RCR/TCR at reset values. IDR, MAR and the buffer
   * addresses keep their values (datasheet: IDR and MAR do not change).
   */
  private softReset(): void {
    const s = this.state;
    this.ctx.clock.cancel(NAME);
    s.tsd.fill(TSD_OWN);
    Object.assign(s, { cr: 0, txNext: 0, rxRead: 0, rxWrite: 0, imr: 0, isr: 0, tcr: TCR_VERSION_8139C, rcr: 0, mpc: 0, cfg9346: 0, halted: 0 });
    s.eeprom = idleEeprom();
    this.armTimer();
    this.updateIrq();
  }

  /** TCR: ignored while TE is off (QEMU); version bits read-only; CLRABT retransmits an aborted slot. */
  private writeTcr(merged: number, written: number): void {
    const s = this.state;
    if (!(s.cr & CR_TE)) return;
    s.tcr = ((s.tcr & ~TCR_WRITABLE) | (merged & TCR_WRITABLE)) >>> 0;
    if (!(written & TCR_CLRABT)) return;
    const last = (s.txNext + 3) & 3;
    if (!(s.tsd[last] & TSD_TABT)) return;
    s.tsd[last] &= ~(TSD_TABT | TSD_OWN);
    s.txNext = last;
    this.transmit(last);
  }

  // ---- transmit ---------------------------------------------------------------------------------

  private writeTsd(n: number, v: number): void {
    const s = this.state;
    this.ctx.clock.cancel(NAME, EV_TX[n]);
    s.tsd[n] = v & TSD_WRITABLE;
    this.transmit(n);
  }

  /** Sends slot `n` if the transmitter is on, it is the current slot and the host gave it to the chip. */
  private transmit(n: number): void {
    const s = this.state;
    if (!(s.cr & CR_TE) || n !== s.txNext || s.tsd[n] & TSD_OWN) return;
    s.txNext = (n + 1) & 3;
    const size = s.tsd[n] & TSD_SIZE;
    if (size > TX_MAX_FRAME) return this.abort(n);
    // Without TCR.CRC the chip appends the FCS: the frame is read into a buffer with room for it.
    const appendCrc = !(s.tcr & TCR_CRC);
    const frame = frameArray(appendCrc ? size + FCS_BYTES : size);
    if (!this.ctx.dma.read(NAME, s.tsad[n], frame.subarray(0, size))) {
      s.counters.dmaRefused++;
      return this.abort(n);
    }
    s.tsd[n] |= TSD_OWN; // in the FIFO: the host may reuse the buffer
    let done = this.ctx.clock.now;
    if (size > 0) {
      if (appendCrc) putFcs(frame, size);
      s.counters.txFrames++;
      s.counters.txBytes += frame.length;
      done = this.link ? this.link.send(frame, appendCrc) : done + frame.length * UNLINKED_CYCLES_PER_BYTE;
    }
    this.ctx.clock.scheduleAt(done, NAME, EV_TX[n]);
  }

  /** Transmit abort: the slot is the host's again with TABT, ISR.TER. */
  private abort(n: number): void {
    const s = this.state;
    s.tsd[n] |= TSD_TABT | TSD_OWN;
    s.isr |= ISR_TER;
    s.counters.txAborts++;
    this.updateIrq();
  }

  // ---- receive ----------------------------------------------------------------------------------

  /** Ring size in bytes: 8 KiB << RCR.RBLEN. */
  private ringSize(): number {
    return 8192 << ((this.state.rcr >>> 11) & 3);
  }

  /**
   * A frame (with its FCS) arrives from the link. `fcsRight`: the link knows the FCS is right
   * (it computed it and did not corrupt the frame), so the check's result is known and not
   * computed again; the NIC does not keep `frame`.
   */
  receive(frame: Uint8Array, fcsRight = false): void {
    const s = this.state;
    const c = s.counters;
    if (!(s.cr & CR_RE) || s.halted) {
      c.rxDisabled++;
      return;
    }
    let status = 0;
    const good = fcsRight || fcsOk(frame);
    if (!good) {
      c.rxCrcErrors++;
      if (!(s.rcr & RCR_AER)) return;
      status |= RX_CRC;
    }
    const runt = frame.length < RX_MIN_FRAME;
    if ((runt && !(s.rcr & RCR_AR)) || frame.length < 6 || frame.length > RX_MAX_FRAME) {
      c.rxFiltered++;
      return;
    }
    if (runt) status |= RX_RUNT;
    const match = this.filter(frame);
    if (match < 0) {
      c.rxFiltered++;
      return;
    }
    status |= match | (good && !runt ? RX_ROK : 0);
    this.toRing(frame, status);
  }

  /** The header status bits of an accepted frame (BAR/MAR/PAM), or -1 when the filter refuses it. */
  private filter(f: Uint8Array): number {
    const s = this.state;
    const rcr = s.rcr;
    const promiscuous = (rcr & RCR_AAP) !== 0;
    if (f[0] & 1) {
      if (f[0] === 0xff && f[1] === 0xff && f[2] === 0xff && f[3] === 0xff && f[4] === 0xff && f[5] === 0xff)
        return rcr & RCR_AB || promiscuous ? RX_BAR : -1;
      const bit = etherCrcBe(f, 0, 6) >>> 26;
      const hashed = (s.regs[RTL_MAR + (bit >> 3)] >> (bit & 7)) & 1;
      return (rcr & RCR_AM && hashed) || promiscuous ? RX_MAR : -1;
    }
    let mine = true;
    for (let i = 0; i < 6; i++) if (f[i] !== s.regs[RTL_IDR + i]) mine = false;
    if (mine && rcr & RCR_APM) return RX_PAM;
    return promiscuous ? 0 : -1;
  }

  /** Writes header + frame at CBR if it fits (else RXOVW, MPC), then moves CBR and raises ROK/RER. */
  private toRing(frame: Uint8Array, status: number): void {
    const s = this.state;
    const size = this.ringSize();
    const len = frame.length;
    const need = (4 + len + 3) & ~3;
    const free = (s.rxRead - s.rxWrite + size) % size || size;
    if (need >= free) {
      s.isr |= ISR_RXOVW;
      s.mpc = (s.mpc + 1) & 0xffffff;
      s.counters.rxOverruns++;
      return this.updateIrq();
    }
    const rec = this.ringRecord.subarray(0, 4 + len);
    const header = (status & 0xffff) | (len << 16);
    rec[0] = header & 0xff;
    rec[1] = (header >>> 8) & 0xff;
    rec[2] = (header >>> 16) & 0xff;
    rec[3] = header >>> 24;
    rec.set(frame, 4);
    const off = s.rxWrite;
    const linear = off + rec.length <= size || (s.rcr & RCR_WRAP && size < 65536);
    const dma = this.ctx.dma;
    const first = linear ? rec.length : size - off;
    const ok =
      dma.write(NAME, (s.rbstart + off) >>> 0, rec.subarray(0, first)) &&
      (first === rec.length || dma.write(NAME, s.rbstart >>> 0, rec.subarray(first)));
    if (!ok) {
      s.counters.dmaRefused++;
      s.isr |= ISR_SERR;
      return this.updateIrq();
    }
    s.rxWrite = ((off + need) % size) & ~3;
    s.counters.rxFrames++;
    s.counters.rxBytes += len;
    s.isr |= status & RX_ROK ? ISR_ROK : ISR_RER;
    this.updateIrq();
  }

  // ---- 9346CR and the EEPROM --------------------------------------------------------------------

  private read9346(): number {
    const s = this.state;
    if (s.cfg9346 !== EEM_PROGRAM) return s.cfg9346;
    return s.cfg9346 | s.eeprom.pins | s.eeprom.out;
  }

  /** Mode bits 7:6: auto-load reloads the MAC and resets (then reads normal); programming drives the EEPROM pins. */
  private write9346(v: number): void {
    const s = this.state;
    const mode = v & 0xc0;
    if (mode === EEM_AUTOLOAD) {
      s.regs.set(RTL8139_MAC, RTL_IDR);
      this.softReset();
      return;
    }
    s.cfg9346 = mode;
    if (mode === EEM_PROGRAM) this.eepromPins(v & (EE_CS | EE_SK | EE_DI));
    else s.eeprom = idleEeprom();
  }

  /**
   * 93C46 in 64 x 16-bit mode: with CS high, each rising SK edge shifts DI in (start bit, 2-bit
   * opcode, 6-bit address); after a READ (opcode 10) DO gives a 0 then the word MSB first, then
   * the following words. CS low ends the command. Other opcodes are ignored (write-protected).
   */
  private eepromPins(pins: number): void {
    const e = this.state.eeprom;
    const rising = pins & EE_SK && !(e.pins & EE_SK);
    e.pins = pins;
    if (!(pins & EE_CS)) {
      Object.assign(e, idleEeprom(), { pins });
      return;
    }
    if (!rising) return;
    if (e.phase === 1) {
      e.out = (e.word >> 15) & 1 ? EE_DO : 0;
      e.word = (e.word << 1) & 0xffff;
      if (++e.count === 16) {
        e.addr = (e.addr + 1) & 0x3f;
        e.word = EEPROM[e.addr];
        e.count = 0;
      }
      return;
    }
    if (e.phase !== 0) return;
    const bit = pins & EE_DI ? 1 : 0;
    if (e.count === 0 && !bit) return; // waiting for the start bit
    e.bits = (e.bits << 1) | bit;
    if (++e.count < 9) return;
    if (((e.bits >> 6) & 3) === 2) {
      e.addr = e.bits & 0x3f;
      e.word = EEPROM[e.addr];
      Object.assign(e, { phase: 1, count: 0, out: 0 });
    } else e.phase = 2;
  }

  // ---- timer and interrupt ----------------------------------------------------------------------

  /** Schedules ISR.TimeOut for when TCTR reaches a nonzero TimerInt (once). */
  private armTimer(): void {
    const clock = this.ctx.clock;
    clock.cancel(NAME, EV_TIMEOUT);
    const t = this.timerInt();
    const at = this.state.tctrBase + t * TCTR_DIVIDER;
    if (t !== 0 && at > clock.now) clock.scheduleAt(at, NAME, EV_TIMEOUT);
  }

  private updateIrq(): void {
    const s = this.state;
    const level = (s.isr & s.imr) !== 0 ? 1 : 0;
    if (level === s.irq) return;
    s.irq = level;
    this.ctx.setIrq(IRQ_RTL8139, level === 1);
  }
}
