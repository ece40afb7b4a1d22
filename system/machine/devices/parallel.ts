/*
 * The PC parallel port LPT1 (PORT_LPT1 .. +7, IRQ_LPT1) with a printer on it. Facts from
 * ../shared/DEVICES.md §3 (letters there: [QP] QEMU parallel.c, [SMSC], [Stewart], [M-pr] MINIX).
 *
 *   +0 DATA     output latch D0-D7; reads the latch, or the lines (0xFF, nobody drives them:
 *               a printer only listens) while CONTROL.DIR is set (a PS/2 bidirectional port)
 *   +1 STATUS   read-only: 7 nBUSY, 6 nACK, 5 PE, 4 SELECT, 3 nERROR; 2:0 read 0
 *   +2 CONTROL  0 STROBE, 1 AUTOFD, 2 nINIT, 3 SELECT-IN, 4 IRQ enable, 5 DIR; 7:6 read 11 [QP]
 *   +3..+7      EPP address/data (no EPP here): read 0xFF, writes ignored
 * Registers are bytes; a 16/32-bit access is successive byte accesses from the addressed port
 * upwards, low byte first (bytes past +7 read 0xFF and are dropped), so a wide read at +1
 * reads STATUS (clearing a pending interrupt) and CONTROL.
 *
 * The printer (Centronics compatibility handshake, §3.2): STROBE going 0 -> 1 while it is ready
 * (not busy, online, paper in, nINIT high) and selected (SELECT-IN, as QEMU requires [QP])
 * latches the lines: the byte is taken (appended to the record) and BUSY rises. After the
 * accept time nACK goes low for ACK_PULSE_CYCLES (5 us, §3.2); at its rising edge BUSY drops
 * and, with CONTROL.IRQ enable set, the interrupt is requested (§3.1). A strobe at any other
 * time is not taken and counts in `missed`.
 *
 * Timing: the printer has an input buffer that its print mechanism drains at `charCycles` per
 * character. While the buffer has room a byte is accepted in `acceptCycles`; when it is full
 * the byte waits in the interface until the character being printed is done. The mechanism
 * stops while the printer is offline or out of paper (and resumes where it stopped). The drain
 * is computed lazily from the cycle (no event per printed character); a byte costs one clock
 * event (the end of its ack pulse), two when it had to wait for room.
 *
 * Interrupt: a pending flag set at the nACK rising edge when IRQ enable is set; the line is the
 * flag (level-triggered). A STATUS read clears it, as in QEMU [QP]; so does a CONTROL write with
 * IRQ enable clear, since the enable bit gates the port's interrupt output [SMSC, Stewart]: a
 * disabled port requests nothing, and no stale request is kept for when it is enabled again.
 * MINIX needs the second rule: the interrupt after its last character writes CONTROL = 0x0C
 * without reading STATUS, then re-enables IRQ 7 (§3.4); a line left high would interrupt again.
 * (QEMU also raises the line on a CONTROL write with STROBE = 0 while IRQ enable is set, its
 * stand-in for the unmodelled ack timing; here the ack is timed, so that is not done.)
 *
 * nINIT low (CONTROL.2 = 0) resets the printer: the handshake in progress is abandoned (no ack,
 * no interrupt), the input buffer is emptied, and the printer is busy until nINIT goes high
 * again, when it is ready at once. Real printers need the pulse held > 50 us (§3.2); any width
 * resets here. The falling edges are counted in `resets`.
 *
 * STATUS bits beyond the handshake: SELECT = online; PE = paper out; nERROR low and BUSY
 * asserted while offline or out of paper (what a printer's fault and busy lines report then;
 * a modelling choice, consistent with MINIX's checks in §3.4: offline reads 0x00, paper-out
 * 0x20 or 0x30, neither 0x90 nor 0x10). The EPP timeout bit (0) reads 0: no EPP cycles exist
 * to time out. So power-on STATUS is 0xD8: QEMU's 0xD9 without the timeout bit (QEMU itself
 * reads 0xD8 after the first INIT [QP]). Power-on CONTROL is 0xCC and DATA 0xFF, as in QEMU
 * [QP] (select, not init; Linux's default control is 0x0C, §3.1). AUTOFD is stored only: it
 * changes how a printer lays out lines, not the bytes it takes.
 *
 * The record is the bytes taken, in order (an INIT empties the buffer but not the record), and
 * the missed strobes. Whatever the guest writes, nothing throws.
 */
import type { AccessSize, Device, DeviceContext, DeviceRecord, Region } from "../device.js";
import { CPU_HZ, IRQ_LPT1, PORT_LPT1 } from "../memmap.js";

/** Register offsets from PORT_LPT1. */
export const LPT_DATA = 0;
export const LPT_STATUS = 1;
export const LPT_CONTROL = 2;
/** The port's I/O window: +3..+7 are EPP registers, not modelled. */
export const LPT_WINDOW = 8;

/** STATUS bits. */
export const ST_NBUSY = 0x80;
export const ST_NACK = 0x40;
export const ST_PE = 0x20;
export const ST_SELECT = 0x10;
export const ST_NERROR = 0x08;
/** CONTROL bits. */
export const CTL_STROBE = 0x01;
export const CTL_AUTOFD = 0x02;
export const CTL_NINIT = 0x04;
export const CTL_SELECT_IN = 0x08;
export const CTL_IRQ_ENABLE = 0x10;
export const CTL_DIR = 0x20;
const CTL_WRITABLE = 0x3f;
const CTL_READ_ONES = 0xc0; // bits 7:6 are not implemented and read 1 [QP]

/** Power-on values (QEMU's reset [QP], without the EPP timeout bit in STATUS). */
export const LPT_POWER_ON_STATUS = ST_NBUSY | ST_NACK | ST_SELECT | ST_NERROR; // 0xD8
export const LPT_POWER_ON_CONTROL = CTL_READ_ONES | CTL_SELECT_IN | CTL_NINIT; // 0xCC

const CYCLES_PER_US = CPU_HZ / 1_000_000;
/** nACK low time: about 5 us (§3.2). */
export const ACK_PULSE_CYCLES = 5 * CYCLES_PER_US;

/*
 * Default printer: a dot-matrix printer of the MINIX 3 papers' era, a modelling choice (not from
 * DEVICES.md): 300 characters per second in draft, a 2 KiB input buffer, and 5 us from the strobe
 * to the ack while the buffer has room, so with the 5 us ack pulse a byte costs 10 us (100 KB/s,
 * about what a compatibility-mode port manages); the host's loop, not the printer, sets the pace
 * until the buffer is full, then the print speed does.
 */
export const DEFAULT_ACCEPT_CYCLES = 5 * CYCLES_PER_US;
export const DEFAULT_CHAR_CYCLES = Math.round(CPU_HZ / 300);
export const DEFAULT_BUFFER_SIZE = 2048;

/** Bytes kept in the record; later ones are still taken (handshake as usual) but only counted. */
export const PRINTED_CAPACITY = 1 << 20;
const PRINTED_INITIAL = 256;

/** What the printer is doing with the last byte strobed. */
const PHASE_IDLE = 0;
const PHASE_WAIT_ROOM = 1; // BUSY; the byte waits for buffer room (event EV_ROOM at headAt)
const PHASE_ACCEPT = 2; // BUSY; nACK low from ackAt; event EV_READY at readyAt

const NAME = "lpt1";
const EV_ROOM = "room";
const EV_READY = "ready";

/** What the printer recorded (the "printer" case of DeviceRecord). */
export type PrinterRecord = Extract<DeviceRecord, { kind: "printer" }>;

/** The printer on the port: speed, buffer and its condition at power-on. */
export interface PrinterOptions {
  /** Cycles from a strobe to the ack while the buffer has room (default 5 us). */
  acceptCycles?: number;
  /** Cycles the mechanism takes per character (default 300 characters/s). */
  charCycles?: number;
  /** Input buffer size in bytes, >= 1 (default 2048). */
  bufferSize?: number;
  /** Online (SELECT) at power-on (default true). */
  online?: boolean;
  /** Out of paper at power-on (default false). */
  paperOut?: boolean;
}

export interface ParallelState {
  /** DATA output latch, CONTROL bits 5:0 as written. */
  data: number;
  control: number;
  /** Interrupt requested at an nACK rising edge, not yet cleared (0/1); the line follows it. */
  irqPending: number;
  /** The printer's condition (set by the host: setOnline / setPaperOut). */
  online: number;
  paperOut: number;
  /** PHASE_*, and the cycles of the current byte's ack (nACK falls) and ready (nACK rises, BUSY drops). */
  phase: number;
  ackAt: number;
  readyAt: number;
  /** Bytes in the input buffer (the head one being printed). */
  queued: number;
  /** Cycle the head character is done (while printing), or cycles it has left (while stopped). */
  headAt: number;
  headLeft: number;
  /** The bytes taken, in order: printed[0, printedLen); the array grows by doubling. */
  printed: Uint8Array;
  printedLen: number;
  /** Bytes taken past PRINTED_CAPACITY (not kept). */
  printedLost: number;
  /** Strobes the printer did not take (busy, offline, paper out, in reset, not selected). */
  missed: number;
  /** INIT pulses (nINIT falling edges). */
  resets: number;
}

function portPowerOn(): Pick<ParallelState, "data" | "control" | "irqPending" | "phase" | "ackAt" | "readyAt" | "queued" | "headAt" | "headLeft"> {
  return { data: 0xff, control: LPT_POWER_ON_CONTROL & CTL_WRITABLE, irqPending: 0, phase: PHASE_IDLE, ackAt: 0, readyAt: 0, queued: 0, headAt: 0, headLeft: 0 };
}

/** Checks a timing option: a non-negative integer (min 1 when `positive`); a bad one is a bulkhead bug. */
function cycles(name: string, v: number | undefined, dflt: number, positive = false): number {
  const n = v ?? dflt;
  if (!Number.isSafeInteger(n) || n < (positive ? 1 : 0)) throw new Error(`lpt1: bad printer ${name} ${n}`);
  return n;
}

export class ParallelPort implements Device {
  readonly name = NAME;
  readonly mmio: Region[] = [];
  readonly ports: Region[] = [{ base: PORT_LPT1, size: LPT_WINDOW }];
  readonly acceptCycles: number;
  readonly charCycles: number;
  readonly bufferSize: number;
  state: ParallelState;

  /** Builds the port with its printer, both in their power-on state. Throws on bad options (a bulkhead bug). */
  constructor(
    private readonly ctx: DeviceContext,
    opts: PrinterOptions = {},
  ) {
    this.acceptCycles = cycles("acceptCycles", opts.acceptCycles, DEFAULT_ACCEPT_CYCLES);
    this.charCycles = cycles("charCycles", opts.charCycles, DEFAULT_CHAR_CYCLES, true);
    this.bufferSize = cycles("bufferSize", opts.bufferSize, DEFAULT_BUFFER_SIZE, true);
    this.state = {
      ...portPowerOn(),
      online: opts.online === false ? 0 : 1,
      paperOut: opts.paperOut ? 1 : 0,
      printed: new Uint8Array(PRINTED_INITIAL),
      printedLen: 0,
      printedLost: 0,
      missed: 0,
      resets: 0,
    };
  }

  /** What the printer took, in order (a live view: copy it to keep it past the next run), and the missed strobes. */
  record(): PrinterRecord {
    const s = this.state;
    return { kind: "printer", printed: s.printed.subarray(0, s.printedLen), missed: s.missed };
  }

  /** Puts the printer online or offline (the operator's button), now. */
  setOnline(online: boolean): void {
    this.setCondition(() => (this.state.online = online ? 1 : 0));
  }

  /** Runs the printer out of paper, or loads paper, now. */
  setPaperOut(out: boolean): void {
    this.setCondition(() => (this.state.paperOut = out ? 1 : 0));
  }

  portRead(port: number, size: AccessSize): number {
    this.catchUp();
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readByte(port - PORT_LPT1 + i) << (8 * i);
    return v >>> 0;
  }

  portWrite(port: number, value: number, size: AccessSize): void {
    this.catchUp();
    for (let i = 0; i < size; i++) this.writeByte(port - PORT_LPT1 + i, (value >>> (8 * i)) & 0xff);
  }

  /** A handshake step is due (its time is kept in state, so the event carries nothing). */
  onEvent(): void {
    this.catchUp();
  }

  /** Power-on: port registers at QEMU's reset values, printer idle with an empty buffer; its condition and the record kept. */
  reset(): void {
    this.ctx.clock.cancel(NAME);
    Object.assign(this.state, portPowerOn());
    this.ctx.setIrq(IRQ_LPT1, false);
  }

  /** The whole record buffer is copied: a shorter prefix would leave a later run's bytes in the state hash. */
  snapshot(): ParallelState {
    return { ...this.state, printed: this.state.printed.slice() };
  }

  restore(snap: unknown): void {
    const { printed, ...rest } = snap as ParallelState;
    const s = this.state;
    Object.assign(s, rest);
    if (s.printed.length === printed.length) s.printed.set(printed);
    else s.printed = printed.slice();
  }

  // ---- registers ------------------------------------------------------------------------------

  private readByte(off: number): number {
    const s = this.state;
    switch (off) {
      case LPT_DATA:
        return s.control & CTL_DIR ? 0xff : s.data;
      case LPT_STATUS:
        return this.readStatus();
      case LPT_CONTROL:
        return s.control | CTL_READ_ONES;
      default:
        return 0xff;
    }
  }

  private writeByte(off: number, v: number): void {
    switch (off) {
      case LPT_DATA:
        this.state.data = v;
        return;
      case LPT_CONTROL:
        return this.writeControl(v);
      default:
        return; // STATUS is read-only; EPP registers are absent
    }
  }

  /** STATUS from the printer's lines now; clears the pending interrupt [QP]. */
  private readStatus(): number {
    const s = this.state;
    const now = this.ctx.clock.now;
    const fault = s.online === 0 || s.paperOut === 1;
    const busy = s.phase !== PHASE_IDLE || fault || !(s.control & CTL_NINIT);
    const ackLow = s.phase === PHASE_ACCEPT && now >= s.ackAt;
    const v = (busy ? 0 : ST_NBUSY) | (ackLow ? 0 : ST_NACK) | (s.paperOut ? ST_PE : 0) | (s.online ? ST_SELECT : 0) | (fault ? 0 : ST_NERROR);
    this.setPending(0);
    return v;
  }

  /** CONTROL: nINIT falling resets the printer; STROBE rising offers DATA; IRQ enable clear drops a request. */
  private writeControl(v: number): void {
    const s = this.state;
    const old = s.control;
    s.control = v & CTL_WRITABLE;
    if (old & CTL_NINIT && !(v & CTL_NINIT)) this.initPrinter();
    if (!(old & CTL_STROBE) && v & CTL_STROBE) this.strobe();
    if (!(v & CTL_IRQ_ENABLE)) this.setPending(0);
  }

  // ---- the printer ----------------------------------------------------------------------------

  /** Ready to take a byte: idle, online, paper in, not in reset, selected. */
  private ready(): boolean {
    const s = this.state;
    return s.phase === PHASE_IDLE && s.online === 1 && s.paperOut === 0 && (s.control & (CTL_NINIT | CTL_SELECT_IN)) === (CTL_NINIT | CTL_SELECT_IN);
  }

  /** A strobe: the printer latches the lines (0xFF with the port's drivers off, DIR) or misses it. */
  private strobe(): void {
    const s = this.state;
    if (!this.ready()) {
      s.missed++;
      return;
    }
    this.take(s.control & CTL_DIR ? 0xff : s.data);
    const now = this.ctx.clock.now;
    this.drain(now);
    if (s.queued < this.bufferSize) return this.enterBuffer(now);
    s.phase = PHASE_WAIT_ROOM;
    this.ctx.clock.scheduleAt(s.headAt, NAME, EV_ROOM);
  }

  /** Appends a taken byte to the record (growing it by doubling, up to PRINTED_CAPACITY). */
  private take(byte: number): void {
    const s = this.state;
    if (s.printedLen === PRINTED_CAPACITY) {
      s.printedLost++;
      return;
    }
    if (s.printedLen === s.printed.length) {
      const bigger = new Uint8Array(Math.min(PRINTED_CAPACITY, 2 * s.printed.length));
      bigger.set(s.printed);
      s.printed = bigger;
    }
    s.printed[s.printedLen++] = byte;
  }

  /** The latched byte goes into the buffer at `at` (now, or when room was made); the ack follows. */
  private enterBuffer(at: number): void {
    const s = this.state;
    if (s.queued === 0) {
      s.headAt = at + this.charCycles;
      s.headLeft = this.charCycles;
    }
    s.queued++;
    s.phase = PHASE_ACCEPT;
    s.ackAt = at + this.acceptCycles;
    s.readyAt = s.ackAt + ACK_PULSE_CYCLES;
    this.ctx.clock.scheduleAt(s.readyAt, NAME, EV_READY);
  }

  /**
   * Moves the handshake on to now: room made for a waiting byte, an ack pulse ended. Runs on its
   * events and before every port access (so an access at an event's very cycle sees it done).
   */
  private catchUp(): void {
    const s = this.state;
    const now = this.ctx.clock.now;
    if (s.phase === PHASE_WAIT_ROOM && !this.stopped() && now >= s.headAt) {
      this.ctx.clock.cancel(NAME, EV_ROOM);
      const at = s.headAt;
      this.drain(at);
      this.enterBuffer(at);
    }
    if (s.phase === PHASE_ACCEPT && now >= s.readyAt) {
      this.ctx.clock.cancel(NAME, EV_READY);
      s.phase = PHASE_IDLE;
      if (s.control & CTL_IRQ_ENABLE) this.setPending(1);
    }
  }

  /** The mechanism prints the characters due by cycle `t` (lazily: one step for many). */
  private drain(t: number): void {
    const s = this.state;
    if (s.queued === 0 || this.stopped() || t < s.headAt) return;
    const done = Math.min(s.queued, 1 + Math.floor((t - s.headAt) / this.charCycles));
    s.queued -= done;
    s.headAt += done * this.charCycles;
  }

  /** The mechanism stands still while offline or out of paper. */
  private stopped(): boolean {
    return this.state.online === 0 || this.state.paperOut === 1;
  }

  /** Changes the printer's condition at now, stopping or restarting the mechanism (and a byte waiting for room). */
  private setCondition(change: () => void): void {
    const s = this.state;
    const now = this.ctx.clock.now;
    this.catchUp();
    this.drain(now);
    const wasStopped = this.stopped();
    change();
    const stopped = this.stopped();
    if (!wasStopped && stopped) {
      s.headLeft = s.headAt - now;
      this.ctx.clock.cancel(NAME, EV_ROOM);
    } else if (wasStopped && !stopped) {
      s.headAt = now + s.headLeft;
      if (s.phase === PHASE_WAIT_ROOM) this.ctx.clock.scheduleAt(s.headAt, NAME, EV_ROOM);
    }
  }

  /** INIT: the handshake in progress is abandoned and the buffer emptied; the record stays. */
  private initPrinter(): void {
    const s = this.state;
    this.ctx.clock.cancel(NAME);
    s.phase = PHASE_IDLE;
    s.queued = 0;
    s.resets++;
  }

  /** Sets the interrupt request; the line follows it. */
  private setPending(p: number): void {
    if (p === this.state.irqPending) return;
    this.state.irqPending = p;
    this.ctx.setIrq(IRQ_LPT1, p === 1);
  }
}
