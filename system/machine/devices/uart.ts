/*
 * The console UART: a 16550-like serial port at COM1 (PORT_UART .. +7) on IRQ_UART.
 *
 * Transmission is instantaneous: a byte written to THR is appended to the captured output at
 * once, so the transmitter is always empty (LSR.THRE and LSR.TEMT always set). The capture is a
 * ring of the last OUTPUT_CAPACITY bytes; older bytes are counted as dropped, so a guest that
 * prints forever cannot exhaust host memory. The host queues input with pushInput(); it is read
 * from RBR in order. Interrupts follow the 16550: received-data-available (IER bit 0) while input
 * is queued, and THR-empty (IER bit 1) which reading IIR clears until the next THR write.
 * Not modelled: baud-rate timing, line errors, modem-status changes, loopback, the OUT2 gate.
 */
import { Buffer } from "node:buffer";
import type { AccessSize, Device, DeviceContext, Region } from "../device.js";
import { IRQ_UART, PORT_UART } from "../memmap.js";

/** Register offsets from PORT_UART. DLAB = LCR bit 7 turns +0/+1 into the divisor latch. */
export const UART_RBR_THR_DLL = 0;
export const UART_IER_DLM = 1;
export const UART_IIR_FCR = 2;
export const UART_LCR = 3;
export const UART_MCR = 4;
export const UART_LSR = 5;
export const UART_MSR = 6;
export const UART_SCR = 7;

const IER_ERBFI = 0x01; // received data available interrupt
const IER_ETBEI = 0x02; // THR empty interrupt
const IIR_NONE = 0x01;
const IIR_THRE = 0x02;
const IIR_RDA = 0x04;
const IIR_FIFO = 0xc0; // FIFOs enabled
const FCR_ENABLE = 0x01;
const FCR_CLEAR_RX = 0x02;
const LCR_DLAB = 0x80;
const LSR_DR = 0x01;
const LSR_THRE_TEMT = 0x60;
const MSR_CTS_DSR_DCD = 0xb0; // a terminal is attached and ready

/** Captured output kept: the last 1 MiB. */
export const OUTPUT_CAPACITY = 1 << 20;
/** Size of the output ring before the first byte that does not fit. */
const OUTPUT_INITIAL = 4096;
/** Queued input kept: further pushInput bytes are refused. */
export const INPUT_CAPACITY = 1 << 16;

export interface UartState {
  /**
   * Ring of the last OUTPUT_CAPACITY transmitted bytes; data at [0, outCount) until it wraps. It
   * starts small and doubles as output arrives (a quiet console costs snapshots nothing).
   */
  out: Uint8Array;
  /** Next write index into `out`. */
  outHead: number;
  /** Bytes held in `out` (≤ OUTPUT_CAPACITY). */
  outCount: number;
  /** Bytes that fell out of the ring. */
  outDropped: number;
  /** Received bytes not yet read from RBR, oldest first (queued by the host). */
  input: number[];
  ier: number;
  lcr: number;
  mcr: number;
  scr: number;
  fcr: number;
  /** Divisor latch, low and high byte. */
  dll: number;
  dlm: number;
  /** 1 while the THR-empty interrupt is pending (cleared by an IIR read that reports it). */
  threPending: number;
  /** IRQ level last driven (0/1). */
  irq: number;
}

function powerOnState(out: Uint8Array): UartState {
  return {
    out,
    outHead: 0,
    outCount: 0,
    outDropped: 0,
    input: [],
    ier: 0,
    lcr: 0,
    mcr: 0,
    scr: 0,
    fcr: 0,
    dll: 0x0c, // 9600 baud at 1.8432 MHz (the real value is undefined at reset)
    dlm: 0,
    threPending: 0,
    irq: 0,
  };
}

export class Uart implements Device {
  readonly name = "uart";
  readonly mmio: Region[] = [];
  readonly ports: Region[] = [{ base: PORT_UART, size: 8 }];
  state: UartState = powerOnState(new Uint8Array(OUTPUT_INITIAL));

  /** Builds a UART in its power-on state; drives no line until used. */
  constructor(private readonly ctx: DeviceContext) {}

  /** The captured output, oldest byte first, one character per byte (Latin-1). */
  output(): string {
    return Buffer.from(this.outputBytes()).toString("latin1");
  }

  /** The captured output as bytes (a copy), oldest first. */
  outputBytes(): Uint8Array {
    const s = this.state;
    if (s.outCount < OUTPUT_CAPACITY) return s.out.slice(0, s.outCount);
    const r = new Uint8Array(OUTPUT_CAPACITY);
    r.set(s.out.subarray(s.outHead));
    r.set(s.out.subarray(0, s.outHead), OUTPUT_CAPACITY - s.outHead);
    return r;
  }

  /** Number of output bytes lost because the capture was full. */
  droppedOutput(): number {
    return this.state.outDropped;
  }

  /** Forgets the captured output (e.g. at the start of a run). */
  clearOutput(): void {
    this.state.outHead = 0;
    this.state.outCount = 0;
    this.state.outDropped = 0;
  }

  /** Queues received bytes (strings as Latin-1); returns how many fit in the input queue. */
  pushInput(bytes: Uint8Array | string): number {
    const data = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
    const n = Math.min(data.length, INPUT_CAPACITY - this.state.input.length);
    for (let i = 0; i < n; i++) this.state.input.push(data[i]);
    this.updateIrq();
    return n;
  }

  /** IN: registers are bytes; wider accesses read the addressed register zero-extended. */
  portRead(port: number, _size: AccessSize): number {
    const s = this.state;
    const dlab = (s.lcr & LCR_DLAB) !== 0;
    switch (port - PORT_UART) {
      case UART_RBR_THR_DLL:
        return dlab ? s.dll : this.readRbr();
      case UART_IER_DLM:
        return dlab ? s.dlm : s.ier;
      case UART_IIR_FCR:
        return this.readIir();
      case UART_LCR:
        return s.lcr;
      case UART_MCR:
        return s.mcr;
      case UART_LSR:
        return LSR_THRE_TEMT | (s.input.length ? LSR_DR : 0);
      case UART_MSR:
        return MSR_CTS_DSR_DCD;
      case UART_SCR:
        return s.scr;
      default:
        return 0xff;
    }
  }

  /** OUT: the low byte of the value goes to the addressed register. */
  portWrite(port: number, value: number, _size: AccessSize): void {
    const s = this.state;
    const v = value & 0xff;
    const dlab = (s.lcr & LCR_DLAB) !== 0;
    switch (port - PORT_UART) {
      case UART_RBR_THR_DLL:
        if (dlab) s.dll = v;
        else this.transmit(v);
        return;
      case UART_IER_DLM:
        if (dlab) s.dlm = v;
        else this.writeIer(v);
        return;
      case UART_IIR_FCR:
        return this.writeFcr(v);
      case UART_LCR:
        s.lcr = v;
        return;
      case UART_MCR:
        s.mcr = v & 0x1f;
        return;
      case UART_SCR:
        s.scr = v;
        return;
      default:
        return; // LSR and MSR writes (factory test) are ignored
    }
  }

  /** Power-on: registers cleared, no input, output kept (it is the run's record); IRQ low. */
  reset(): void {
    const s = this.state;
    const keep = { outHead: s.outHead, outCount: s.outCount, outDropped: s.outDropped };
    this.state = { ...powerOnState(s.out), ...keep };
    this.ctx.setIrq(IRQ_UART, false);
  }

  /** The whole ring is copied: restoring a shorter prefix would leave a later run's bytes behind it (and in the state hash). */
  snapshot(): UartState {
    const s = this.state;
    return { ...s, out: s.out.slice(), input: s.input.slice() };
  }

  restore(snap: unknown): void {
    const { out, input, ...rest } = snap as UartState;
    Object.assign(this.state, rest);
    if (this.state.out.length === out.length) this.state.out.set(out);
    else this.state.out = out.slice();
    this.state.input = input.slice();
  }

  private transmit(byte: number): void {
    const s = this.state;
    if (s.outHead === s.out.length && s.out.length < OUTPUT_CAPACITY) {
      // Not wrapped yet (outHead = outCount): twice the room, the bytes kept.
      const bigger = new Uint8Array(Math.min(OUTPUT_CAPACITY, 2 * s.out.length));
      bigger.set(s.out);
      s.out = bigger;
    }
    s.out[s.outHead] = byte;
    s.outHead = (s.outHead + 1) % OUTPUT_CAPACITY;
    if (s.outCount < OUTPUT_CAPACITY) s.outCount++;
    else s.outDropped++;
    s.threPending = 1; // sent at once: THR is empty again
    this.updateIrq();
  }

  private readRbr(): number {
    const byte = this.state.input.shift() ?? 0;
    this.updateIrq();
    return byte;
  }

  /** Interrupt identification, highest priority first; reporting THRE clears it. */
  private readIir(): number {
    const s = this.state;
    const fifo = s.fcr & FCR_ENABLE ? IIR_FIFO : 0;
    if (s.ier & IER_ERBFI && s.input.length) return IIR_RDA | fifo;
    if (!(s.ier & IER_ETBEI && s.threPending)) return IIR_NONE | fifo;
    s.threPending = 0;
    this.updateIrq();
    return IIR_THRE | fifo;
  }

  private writeIer(v: number): void {
    const s = this.state;
    const changed = (s.ier ^ v) & IER_ETBEI;
    s.ier = v & 0x0f;
    if (changed) s.threPending = s.ier & IER_ETBEI ? 1 : 0; // THR is always empty
    this.updateIrq();
  }

  private writeFcr(v: number): void {
    this.state.fcr = v & 0xc9;
    if (v & FCR_CLEAR_RX) this.state.input = [];
    this.updateIrq();
  }

  private updateIrq(): void {
    const s = this.state;
    const rda = s.ier & IER_ERBFI && s.input.length > 0;
    const thre = s.ier & IER_ETBEI && s.threPending;
    const level = rda || thre ? 1 : 0;
    if (level === s.irq) return;
    s.irq = level;
    this.ctx.setIrq(IRQ_UART, level === 1);
  }
}
