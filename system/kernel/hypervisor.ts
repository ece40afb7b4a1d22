/*
 * The microkernel as the hypervisor of driver VMs (LeVasseur et al., OSDI 2004, where L4 plays
 * this part): a driver of the paravirt builds runs, with its driver-domain OS (ddos.ts), in a VM
 * of its own. The scheme is paravirtual, as the paper's (its DD/OS was a Linux paravirtualised
 * for L4), rather than the RISC-V H extension's two-stage translation: the VM runs deprivileged
 * (U-mode) through a page table the hypervisor builds and the guest cannot reach, so what the DD/OS
 * sees as its physical memory is translated once, by that table, to the VM's region of host RAM.
 * No second-level walk happens (the H extension's cost); the hypervisor builds the table at each
 * (re)boot of the VM, uncharged as every build's page tables are at process creation. The H extension would need VS/VU modes and a
 * second walker in the machine for the same containment, and no RISC-V VM-exit cost is published
 * to charge for it (COSTS.md §1.5).
 *
 * A VM's memory (priv flag SF_VM), one region of host RAM:
 *
 *   VM memory      what                     driver virtual (the hypervisor's page table, all R/W/U)
 *   +0x0_0000      DD/OS tables (ddos.ts)   RAM_BASE + offset (the DD/OS's map of its own memory,
 *   +0x1_0000      image: text .. bss         as the host kernel maps RAM), for the whole VM; and
 *   +0x1_0000+img  stack (64 KiB)             the driver's window: DD/OS memory just below the image,
 *                                             the image at DRIVER_TEXT_BASE, the stack at the top
 *
 * Nothing else is mapped: a pointer out of the VM faults. The driver runs in its DD/OS's kernel
 * mode, so every exception it takes (a page fault, an illegal or privileged instruction) is an
 * exception in that kernel: the DD/OS panics and the VM dies; the host kernel runs on, and the
 * recovery agent (recovery.ts, RS as the VM's monitor) reboots the VM.
 *
 * What passes the VM boundary, and what it costs (costs.ts vmExit):
 * - the driver's calls enter its DD/OS (a function call), which checks its tables first (ddos.ts);
 *   IPC, grants, alarms and IRQ attachment are the DD/OS's hypercalls: the hypervisor's system
 *   calls, checked as any process's (its IPC mask, call mask, grants, IRQ lines);
 * - a port access is an in/out of the DD/OS, which traps: a VM exit; the hypervisor performs it if
 *   the port is one of the VM's device's, else the DD/OS takes a general-protection fault and
 *   panics; a port call passes its message by reference (the driver called its own kernel), so
 *   it costs no kernel-call decode or message copies, and the driver's call into its DD/OS is a
 *   function call, not a trap: each in/out traps by itself. With the VM's ports in its I/O bitmap
 *   (paravirt-iobitmap: L4's I/O flexpages on x86) an in/out to them runs in the VM with no exit,
 *   at the bus's cost alone, and the others still fault;
 * - an interrupt or timer is injected into the VM: a VM exit.
 * DMA is not the hypervisor's to see: unrestricted unless the IOMMU is on (paravirt-iommu).
 */
import type { ElfSegment } from "../machine/elf.js";
import { RAM_BASE } from "../machine/memmap.js";
import { CLOCK, DRIVER_STACK_SIZE, DRIVER_STACK_TOP, DRIVER_TEXT_BASE, HARDWARE, M_SOURCE } from "./abi.js";
import { isPortCall } from "./calls/devio.js";
import { bootDdos, DDOS_SIZE, ddosCheck, ddosTables } from "./ddos.js";
import type { Kernel } from "./kernel.js";
import { type KernelMemory, PRIV, PROC, SF_VM } from "./layout.js";
import { get32, type Message } from "./message.js";
import { imagePerm } from "./module-layout.js";
import { vmIoBitmap } from "./policy.js";
import type { ServiceConf } from "./service.js";
import { mapPage, PAGE, PERM_R, PERM_U, PERM_W } from "./vm.js";

/** Process idx is a driver VM. */
export const isVm = (k: Kernel, idx: number): boolean => (k.km.priv(idx, PRIV.flags) & SF_VM) !== 0;

/** The ecall VM idx just made is a port access: a call into its own DD/OS, not a trap (its in/out traps by itself: vmPortAccess). */
export const vmPortCall = (k: Kernel, idx: number): boolean => k.vms && isVm(k, idx) && isPortCall(k, idx);

/** Bytes of host memory a VM for an image of `imageSize` bytes takes. */
export const vmMemSize = (imageSize: number): number => DDOS_SIZE + imageSize + DRIVER_STACK_SIZE;

/** Where the image lies in a VM whose memory starts at `base`. */
export const vmImageBase = (base: number): number => base + DDOS_SIZE;

/** Views of live VMs' tables by memory base (host-side, rebuilt when a base holds another VM: no state). */
const views = new WeakMap<Kernel, Map<number, KernelMemory>>();

/** The DD/OS's tables of VM idx. */
export function vmTables(k: Kernel, idx: number): KernelMemory {
  const base = k.km.proc(idx, PROC.memBase) >>> 0, size = k.km.proc(idx, PROC.memSize) >>> 0;
  let byBase = views.get(k);
  if (!byBase) views.set(k, (byBase = new Map()));
  let d = byBase.get(base);
  if (!d || d.bus.ramSize !== size) byBase.set(base, (d = ddosTables(k.km.bus, base, size)));
  return d;
}

/**
 * Builds the page table `root` of a VM whose memory starts at `base` (see the file comment) and
 * boots its DD/OS; false when out of page-table frames. The boot costs what it does: the DD/OS
 * writes its 64 KiB of kernel memory (copyByte) and the VM is entered (a VM exit's world switch).
 * Loading the image is every build's (nothing charges it).
 */
export function bootVm(k: Kernel, idx: number, conf: ServiceConf, segs: ElfSegment[], base: number, imageSize: number, root: number): boolean {
  const km = k.km;
  const size = vmMemSize(imageSize);
  const rw = PERM_R | PERM_W | PERM_U;
  for (let off = 0; off < size; off += PAGE) if (!mapPage(km, root, RAM_BASE + off, base + off, rw)) return false;
  for (let off = 0; off < DDOS_SIZE; off += PAGE) if (!mapPage(km, root, DRIVER_TEXT_BASE - DDOS_SIZE + off, base + off, rw)) return false;
  const image = vmImageBase(base);
  for (let va = DRIVER_TEXT_BASE; va < DRIVER_TEXT_BASE + imageSize; va += PAGE)
    if (!mapPage(km, root, va, image + (va - DRIVER_TEXT_BASE), imagePerm(segs, va) | PERM_U)) return false;
  for (let va = DRIVER_STACK_TOP - DRIVER_STACK_SIZE; va < DRIVER_STACK_TOP; va += PAGE)
    if (!mapPage(km, root, va, image + imageSize + (va - (DRIVER_STACK_TOP - DRIVER_STACK_SIZE)), rw)) return false;
  km.setProc(idx, PROC.memBase, base);
  km.setProc(idx, PROC.memSize, size);
  bootDdos(vmTables(k, idx), { label: conf.label, io: conf.io, irqs: conf.irqs, size: size - DDOS_SIZE });
  k.charge("copyByte", DDOS_SIZE);
  k.charge("vmExit");
  return true;
}

/** Why VM idx's DD/OS panics on this entry (its checks of its own tables), or undefined. Charged as one entry's checks. */
export function ddosEntry(k: Kernel, idx: number): string | undefined {
  k.charge("functionCall"); // the driver calls its kernel
  k.charge("sanitySlot"); // which checks the tables the entry touches
  return ddosCheck(vmTables(k, idx));
}

/** What a DD/OS panics with when `what` happens in its kernel mode. */
export const ddosPanic = (what: string): string => `driver-domain kernel panic: ${what}`;

/**
 * A VM's DD/OS executes an in/out to one of its device's ports: a trap into the hypervisor, the
 * VM exit and the hypervisor's checked access; or, through the I/O bitmap, the access alone.
 */
export function vmPortAccess(k: Kernel): void {
  if (vmIoBitmap(k.build)) return k.charge("portInstruction");
  k.charge("kernelEntry");
  k.charge("vmExit");
  k.charge("portAccess");
}

/** A message is delivered into a VM: an interrupt or a timer is injected (a VM exit's world switch). */
export function injected(k: Kernel, msg: Message): void {
  const src = get32(msg, M_SOURCE);
  if (src === HARDWARE || src === CLOCK) k.charge("vmExit");
}
