/*
 * Device DMA as the kernel sees it. Attribution: a device does its DMA on behalf of the process
 * that last programmed it through a port, so what the DMA writes counts as that process's
 * writes (write-ownership tracking). Restriction, in builds with an IOMMU (policy.ts,
 * dmaRestricted): the kernel switches the machine's IOMMU on at boot and gives each device a
 * window onto the memory of every process whose service entry grants it the device's ports,
 * opened when that process starts and closed when it is released; a device no live driver owns
 * reaches no memory at all.
 *
 * The windows live in the machine's IOMMU state (machine/dma.ts), which snapshots copy and the
 * state hash covers; builds without an IOMMU never touch it.
 */
import type { Kernel } from "./kernel.js";
import { PROC } from "./layout.js";
import { NR_IO_RANGE } from "./params.js";
import { dmaRestricted } from "./policy.js";
import type { ServiceConf } from "./service.js";
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

/** At boot: in builds with an IOMMU, switches it on with no windows (no device reaches RAM yet). */
export function startIommu(k: Kernel): void {
  if (dmaRestricted(k.build)) k.machine.dma.iommu.enabled = true;
}

/**
 * Process idx (service `conf`) has started with its memory in place: in builds with an IOMMU,
 * every device with a port in its I/O ranges may now reach [memBase, memBase + memSize).
 */
export function openDmaWindows(k: Kernel, idx: number, conf: ServiceConf): void {
  if (!dmaRestricted(k.build)) return;
  const base = k.km.proc(idx, PROC.memBase) >>> 0;
  const size = k.km.proc(idx, PROC.memSize) >>> 0;
  if (!size) return;
  const windows = k.machine.dma.iommu.windows;
  for (const name of devicesOf(k, conf)) (windows[name] ??= []).push([base, size]);
}

/** Process idx is being released (its memory not yet freed): devices lose their window onto it. */
export function closeDmaWindows(k: Kernel, idx: number): void {
  if (!dmaRestricted(k.build)) return;
  const base = k.km.proc(idx, PROC.memBase) >>> 0;
  const size = k.km.proc(idx, PROC.memSize) >>> 0;
  const windows = k.machine.dma.iommu.windows;
  for (const name of Object.keys(windows)) {
    const left = windows[name].filter(([b, s]) => b !== base || s !== size);
    if (left.length) windows[name] = left;
    else delete windows[name];
  }
}

/**
 * Names of the devices with at least one port in conf's I/O ranges (the ranges the kernel
 * enforces: the first NR_IO_RANGE), in the machine's device order. One port is enough: a
 * driver that can program a device can aim its DMA.
 */
function devicesOf(k: Kernel, conf: ServiceConf): string[] {
  const ranges = conf.io.slice(0, NR_IO_RANGE).map(([first, last]) => [first & 0xffff, last & 0xffff]);
  const granted = (base: number, size: number): boolean => ranges.some(([first, last]) => base <= last && first < base + size);
  return k.machine.devices.filter((dev) => dev.ports.some((r) => granted(r.base, r.size))).map((dev) => dev.name);
}
