/*
 * Device DMA as the kernel sees it. Attribution: a device does its DMA on behalf of the process
 * that last programmed it through a port, so what the DMA writes counts as that process's
 * writes (write-ownership tracking). Restriction, in builds with an IOMMU (policy.ts,
 * dmaRestricted): the kernel switches the machine's IOMMU on at boot and gives each device a
 * window onto the memory of every process whose service entry grants it the device's ports,
 * opened when that process starts and closed when it is released; a device no live driver owns
 * reaches no memory at all. IOMMU faults: the IOMMU records each access it refuses and raises
 * IRQ_IOMMU; the kernel takes the records, keeps them (KernelState.iommuFaults) and kills the
 * process each refused access is attributed to (iommuInterrupt, below).
 *
 * The windows and the fault records live in the machine's DMA state (machine/dma.ts), which
 * snapshots copy and the state hash covers; builds without an IOMMU never touch it.
 */
import type { IommuFault } from "../machine/dma.js";
import { NONE } from "./abi.js";
import type { Kernel } from "./kernel.js";
import { PROC, RTS_SLOT_FREE } from "./layout.js";
import { NR_IO_RANGE, NR_SLOTS } from "./params.js";
import { dmaRestricted } from "./policy.js";
import type { ServiceConf } from "./service.js";
import { domainOf } from "./state.js";

/** IOMMU faults the kernel keeps (a device refused in a loop must not grow the state without end). */
const MAX_IOMMU_FAULTS = 1000;

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

/**
 * At boot: in builds with an IOMMU, switches it on with no windows (no device reaches RAM yet);
 * true when it did (the kernel then enables IRQ_IOMMU at the interrupt controller).
 */
export function startIommu(k: Kernel): boolean {
  if (!dmaRestricted(k.build)) return false;
  k.machine.dma.iommu.enabled = true;
  return true;
}

/**
 * The IOMMU raised its fault line (interrupts.ts hands IRQ_IOMMU here): takes its fault records;
 * for each, keeps it in KernelState.iommuFaults, prints it, and kills the live process the
 * device's DMA is attributed to (dmaOwner: the last process that programmed the device aimed it
 * outside its windows). RS sees a kill, as for any crash, and restarts the driver. Faults the
 * IOMMU could not record (its records were full) are only counted on the console.
 *
 * What real systems do: Linux's DMA-remapping fault handler (intel-iommu's dmar_fault) logs
 * each fault ("DMAR: [DMA Write] Request device [..] fault addr ..."), clears the record and
 * leaves device and driver alone: the driver only sees its transfer fail. MINIX 3 has no IOMMU
 * handling in its kernel (IOMMU support is the user-mode AMD DEV driver; COSTS.md §2.2,
 * do_umap). Ours is a defined choice for a kernel that already kills a process for a CPU
 * exception: a device access outside the windows is the DMA equivalent of the driver's page fault.
 */
export function iommuInterrupt(k: Kernel): void {
  const { records, overflow } = k.machine.dma.takeFaults();
  const owners = records.map((f) => dmaOwnerIndex(k, f.device)); // before any kill frees a slot
  const log = k.state.iommuFaults;
  records.forEach((f, i) => {
    const idx = owners[i];
    const label = idx >= 0 ? k.km.procName(idx) : "";
    const endpoint = idx >= 0 ? k.km.proc(idx, PROC.endpoint) : NONE;
    if (log.length < MAX_IOMMU_FAULTS) log.push({ at: k.now(), device: f.device, address: f.address, length: f.length, write: f.write, label, endpoint });
    const what = faultText(f);
    k.print(`kernel: ${what}${idx >= 0 ? `, DMA programmed by ${label}: killed` : ", no live process programmed the device"}\n`);
    if (idx >= 0) k.terminate(idx, "killed", what);
  });
  if (overflow > 0) k.print(`kernel: ${overflow} more IOMMU fault(s) lost (the fault records were full)\n`);
}

/** "IOMMU fault: ata write of 512 bytes at 0x80001000 outside its windows" (the kill's reason too). */
function faultText(f: IommuFault): string {
  return `IOMMU fault: ${f.device} ${f.write ? "write" : "read"} of ${f.length} bytes at 0x${f.address.toString(16).padStart(8, "0")} outside its windows`;
}

/** Process-table index of the live process `device`'s DMA is attributed to, or -1. */
function dmaOwnerIndex(k: Kernel, device: string): number {
  const idx = (k.state.dmaOwner[device] ?? 0) - 1; // the inverse of domainOf; domain 0 is the kernel
  if (idx < 0 || idx >= NR_SLOTS) return -1;
  return k.km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE ? -1 : idx;
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
