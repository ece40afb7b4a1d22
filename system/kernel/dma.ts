/*
 * Device DMA as the kernel sees it. Attribution: a device does its DMA on behalf of the process
 * that last programmed it through a port, so what the DMA writes counts as that process's
 * writes (write-ownership tracking).
 */
import type { Kernel } from "./kernel.js";
import { domainOf } from "./state.js";

/** A port write by process `idx`: the device it programs now does DMA on its behalf. */
export function deviceProgrammed(k: Kernel, port: number, idx: number): void {
  const dev = k.machine.bus.portDevice(port);
  if (dev) k.state.dmaOwner[dev.name] = domainOf(idx);
}

/** Device DMA into RAM counts as a write by the domain that programmed the device. */
export function noteDma(k: Kernel, device: string, pa: number, len: number, write: boolean): void {
  const d = k.state.dmaOwner[device];
  if (!write || !d) return;
  const base = k.machine.bus.ramBase;
  for (let off = pa - base; off < pa - base + len; off = (off & ~0xfff) + 0x1000) k.machine.cpu.noteWrite(d, off);
}
