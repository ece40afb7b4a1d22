/*
 * A bench for device tests: a real Bus (with RAM), Clock and Dma, and a DeviceContext whose
 * CPU-facing parts (interrupt lines, MIP bits, halt) are recorded, since the CPU is not under
 * test. Time moves only through advanceTo/advanceBy, which dispatch due events to the attached
 * devices the way the machine does.
 */
import { Bus } from "../../../system/machine/bus.js";
import { Clock } from "../../../system/machine/clock.js";
import type { Device, DeviceContext, HaltRecord } from "../../../system/machine/device.js";
import { Dma } from "../../../system/machine/dma.js";
import { RAM_BASE } from "../../../system/machine/memmap.js";

export interface IrqChange {
  line: number;
  level: boolean;
  at: number;
}

export class Harness {
  readonly clock = new Clock();
  readonly bus: Bus;
  readonly dma: Dma;
  readonly ctx: DeviceContext;
  /** Current level of each PLIC source line, and every change driven. */
  readonly irq = new Map<number, boolean>();
  readonly irqLog: IrqChange[] = [];
  /** Current level of each MIP bit driven by devices, and every change driven. */
  readonly mip = new Map<number, boolean>();
  readonly mipLog: IrqChange[] = [];
  readonly halts: HaltRecord[] = [];
  /** When set, setIrq is also routed here (e.g. a real PLIC). */
  irqSink: ((line: number, level: boolean) => void) | null = null;
  private readonly devices = new Map<string, Device>();

  constructor(ramSize = 1 << 20) {
    this.bus = new Bus(RAM_BASE, ramSize);
    this.dma = new Dma(this.bus.ram, this.bus.ramBase);
    this.ctx = {
      clock: this.clock,
      dma: this.dma,
      setIrq: (line, level) => {
        this.irq.set(line, level);
        this.irqLog.push({ line, level, at: this.clock.now });
        this.irqSink?.(line, level);
      },
      setCpuPending: (bit, level) => {
        this.mip.set(bit, level);
        this.mipLog.push({ line: bit, level, at: this.clock.now });
      },
      halt: (kind, reason) => {
        this.halts.push({ kind, reason, at: this.clock.now });
      },
    };
  }

  /** Plugs a device into the bus and the event dispatch; returns it. */
  attach<D extends Device>(dev: D): D {
    this.bus.attach(dev);
    this.devices.set(dev.name, dev);
    return dev;
  }

  /** Moves time to `t`, firing every event due on the way at its own cycle. */
  advanceTo(t: number): void {
    while (this.clock.nextEventAt() <= t) {
      this.clock.state.now = Math.max(this.clock.now, this.clock.nextEventAt());
      for (let ev = this.clock.popDue(); ev; ev = this.clock.popDue())
        this.devices.get(ev.target)?.onEvent?.(ev.kind, ev.arg);
    }
    this.clock.state.now = Math.max(this.clock.now, t);
  }

  advanceBy(dt: number): void {
    this.advanceTo(this.clock.now + dt);
  }

  /** Runs until no event is pending (bounded); returns the final cycle. */
  settle(limit = 1e12): number {
    while (this.clock.nextEventAt() <= limit) this.advanceTo(this.clock.nextEventAt());
    return this.clock.now;
  }

  irqLevel(line: number): boolean {
    return this.irq.get(line) ?? false;
  }

  mipLevel(bit: number): boolean {
    return this.mip.get(bit) ?? false;
  }

  // Port and MMIO access through the real bus.
  inb(port: number): number {
    return this.bus.portRead(port, 1);
  }
  inw(port: number): number {
    return this.bus.portRead(port, 2);
  }
  inl(port: number): number {
    return this.bus.portRead(port, 4);
  }
  outb(port: number, v: number): void {
    this.bus.portWrite(port, v, 1);
  }
  outw(port: number, v: number): void {
    this.bus.portWrite(port, v, 2);
  }
  outl(port: number, v: number): void {
    this.bus.portWrite(port, v, 4);
  }
  read32(paddr: number): number {
    return this.bus.mmioRead(paddr, 4) >>> 0;
  }
  write32(paddr: number, v: number): void {
    this.bus.mmioWrite(paddr, v, 4);
  }

  /** Writes bytes into RAM at physical address `paddr`. */
  poke(paddr: number, bytes: Uint8Array): void {
    this.bus.ram.set(bytes, paddr - this.bus.ramBase);
  }

  /** Reads `len` bytes of RAM at physical address `paddr` (a view). */
  peek(paddr: number, len: number): Uint8Array {
    const off = paddr - this.bus.ramBase;
    return this.bus.ram.subarray(off, off + len);
  }
}
