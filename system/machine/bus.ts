/*
 * The physical bus: RAM, MMIO regions and the separate 16-bit port I/O space.
 *
 * RAM is one ArrayBuffer seen through typed arrays of every width, so the CPU's fast path reads
 * and writes it directly (aligned accesses only: misaligned ones trap before they get here).
 * Everything that is not RAM goes through a device's callbacks. An access that hits nothing is a
 * bus error: `fault` is set and the CPU raises an access fault.
 */
import type { AccessSize, Device } from "./device.js";
import { PORT_WINDOW_BASE, PORT_WINDOW_SIZE } from "./memmap.js";

interface MmioMapping {
  base: number;
  end: number;
  device: Device;
  region: number;
}

export class Bus {
  readonly ram: Uint8Array;
  readonly ram8: Int8Array;
  readonly ram16: Int16Array;
  readonly ramu16: Uint16Array;
  readonly ram32: Int32Array;
  readonly ramBase: number;
  readonly ramSize: number;
  /** Set by mmioRead/mmioWrite when no device answered the address; the caller clears it. */
  fault = false;
  private readonly mmioMap: MmioMapping[] = [];
  /** Device index + 1 for each port, 0 = nobody. */
  private readonly portOwner = new Uint8Array(0x10000);
  private readonly portDevices: Device[] = [];

  constructor(ramBase: number, ramSize: number) {
    if (ramSize % 4096 !== 0 || ramSize <= 0) throw new Error(`RAM size must be a positive multiple of 4 KiB, got ${ramSize}`);
    const buf = new ArrayBuffer(ramSize);
    this.ram = new Uint8Array(buf);
    this.ram8 = new Int8Array(buf);
    this.ram16 = new Int16Array(buf);
    this.ramu16 = new Uint16Array(buf);
    this.ram32 = new Int32Array(buf);
    this.ramBase = ramBase >>> 0;
    this.ramSize = ramSize;
  }

  /** Plugs a device into its MMIO regions and port ranges; overlapping claims are a bug. */
  attach(dev: Device): void {
    dev.mmio.forEach((r, i) => {
      const end = r.base + r.size;
      for (const m of this.mmioMap)
        if (r.base < m.end && m.base < end) throw new Error(`${dev.name}: MMIO region overlaps ${m.device.name}`);
      this.mmioMap.push({ base: r.base, end, device: dev, region: i });
    });
    if (dev.ports.length) {
      this.portDevices.push(dev);
      const id = this.portDevices.length;
      for (const r of dev.ports)
        for (let p = r.base; p < r.base + r.size; p++) {
          if (this.portOwner[p]) throw new Error(`${dev.name}: port 0x${p.toString(16)} already owned`);
          this.portOwner[p] = id;
        }
    }
  }

  /** True when [paddr, paddr+len) lies in RAM. */
  isRam(paddr: number, len = 1): boolean {
    const off = (paddr >>> 0) - this.ramBase;
    return off >= 0 && off + len <= this.ramSize;
  }

  /** Reads a non-RAM physical address; sets `fault` when nothing answers. */
  mmioRead(paddr: number, size: AccessSize): number {
    paddr >>>= 0;
    if (paddr >= PORT_WINDOW_BASE && paddr < PORT_WINDOW_BASE + PORT_WINDOW_SIZE)
      return this.portRead(paddr - PORT_WINDOW_BASE, size);
    const m = this.findMmio(paddr);
    if (!m) {
      this.fault = true;
      return 0;
    }
    return m.device.mmioRead ? m.device.mmioRead(m.region, paddr - m.base, size) : 0;
  }

  /** Writes a non-RAM physical address; sets `fault` when nothing answers. */
  mmioWrite(paddr: number, value: number, size: AccessSize): void {
    paddr >>>= 0;
    if (paddr >= PORT_WINDOW_BASE && paddr < PORT_WINDOW_BASE + PORT_WINDOW_SIZE) {
      this.portWrite(paddr - PORT_WINDOW_BASE, value, size);
      return;
    }
    const m = this.findMmio(paddr);
    if (!m) {
      this.fault = true;
      return;
    }
    m.device.mmioWrite?.(m.region, paddr - m.base, value, size);
  }

  /** Owner of a port, or undefined. */
  portDevice(port: number): Device | undefined {
    const id = this.portOwner[port & 0xffff];
    return id ? this.portDevices[id - 1] : undefined;
  }

  /** IN from the port space: an unowned port reads as all-ones (floating bus), as on a PC. */
  portRead(port: number, size: AccessSize): number {
    const dev = this.portDevice(port);
    const ones = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    if (!dev || !dev.portRead) return ones;
    return dev.portRead(port & 0xffff, size) >>> 0;
  }

  /** OUT to the port space: an unowned port ignores the write. */
  portWrite(port: number, value: number, size: AccessSize): void {
    const dev = this.portDevice(port);
    const mask = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    dev?.portWrite?.(port & 0xffff, (value & mask) >>> 0, size);
  }

  private findMmio(paddr: number): MmioMapping | undefined {
    for (const m of this.mmioMap) if (paddr >= m.base && paddr < m.end) return m;
    return undefined;
  }
}
