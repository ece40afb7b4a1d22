/*
 * Creating and releasing processes: the boot-time tables (kernel tasks, the idle loop), a new
 * process from a service-table entry (its slot and endpoint generation, privileges, memory,
 * address space, initial context, its devices' IOMMU windows), and the IPC send masks resolved
 * from labels.
 */
import type { ServiceConf } from "./service.js";
import { parseElf } from "../machine/elf.js";
import { RAM_BASE } from "../machine/memmap.js";
import {
  CLOCK, DRIVER_STACK_SIZE, DRIVER_STACK_TOP, DRIVER_TEXT_BASE, HARDWARE, IDLE, IPC_KERNEL_CALL, IPC_NOTIFY, IPC_RECEIVE,
  IPC_SEND, IPC_SENDNB, IPC_SENDREC, KERNEL_CALL, NONE, SYSTEM, RS_PROC_NR, DS_PROC_NR, VFS_PROC_NR,
} from "./abi.js";
import { closeDmaWindows, openDmaWindows } from "./dma.js";
import type { Kernel } from "./kernel.js";
import {
  HOOK, HOOK_SIZE, KernelMemory, LABEL_MAX, MF_SLOT_USED, PROC, PK_GUEST, PK_NATIVE, RTS_PROC_STOP, RTS_SLOT_FREE, PRIV, SF_CHECKED, SF_WRAPPED, SF_PREEMPTIBLE, SF_SYS_PROC, SF_VM, SMAGIC,
  SVC, SVC_IPC_LABELS, SVC_PARAMS, SVC_SIZE,
} from "./layout.js";
import { NATIVE_GRANTS, NATIVE_INBOX, NATIVE_MAX_GRANTS, NATIVE_START } from "./native.js";
import { NATIVE_MEM_SIZE, NR_IO_RANGE, NR_IRQ_HOOKS, NR_SCHED_QUEUES, NR_SLOTS, NR_TASKS, QUANTUM_TICKS, slotIndex } from "./params.js";
import { endpointOf, endpointGeneration, freeSlot, initProcTable, resetLinks } from "./proc.js";
import { enqueue, initQueues } from "./sched.js";
import { initRunQueue, pushRun } from "./queues.js";
import { allocMem, freeAddressSpace, freeMem, initVm, mapAllRam, mapPage, newAddressSpace, PERM_R, PERM_U, PERM_W } from "./vm.js";
import { KERNEL_CALL_NAMES } from "./calls/index.js";
import { allocModuleStack, imagePerm, mapModuleWindow } from "./module-layout.js";
import { inDomain, inVm, mapsAllRam, privilegeChecked, runsInKernel, stackGuard } from "./policy.js";
import { bootVm, vmImageBase, vmMemSize } from "./hypervisor.js";
import { openChannels } from "./channels.js";
import { domainOf, IDLE_CODE, type KernelState } from "./state.js";
import { COST_KINDS, type CostKind } from "./costs.js";

const zeroCounts = (): Record<CostKind, number> => Object.fromEntries(COST_KINDS.map((k) => [k, 0])) as Record<CostKind, number>;

/** Boot services with well-known endpoints (MINIX RS_PROC_NR, DS_PROC_NR, VFS_PROC_NR). */
const FIXED_SLOTS: Record<string, number> = { rs: RS_PROC_NR, ds: DS_PROC_NR, vfs: VFS_PROC_NR };

const TASKS: Array<[number, string]> = [[IDLE, "idle"], [CLOCK, "clock"], [SYSTEM, "system"], [HARDWARE, "kernel"]];

/** Initialises the kernel's tables in RAM and returns the initial kernel state. */
export function bootTables(k: Kernel): KernelState {
  const km = k.km;
  IDLE_CODE.forEach((w, i) => km.view.setUint32(i * 4, w >>> 0, true));
  initProcTable(km);
  initQueues(km);
  for (let idx = 0; idx < NR_SLOTS; idx++) initPriv(k, idx, 0);
  initVm(km);
  initRunQueue(km);
  for (let idx = 0; idx < NR_SLOTS; idx++) km.bus.ram.fill(0, km.svcOff(idx), km.svcOff(idx) + SVC_SIZE);
  for (const [slot, name] of TASKS) {
    const idx = slotIndex(slot);
    km.setProc(idx, PROC.rtsFlags, RTS_PROC_STOP); // kernel tasks exist (their endpoints resolve) but never run
    km.setProc(idx, PROC.miscFlags, MF_SLOT_USED);
    km.setProcName(idx, name);
  }
  return {
    current: -1, ticks: 0, bootMtime: 0, natives: {}, panic: null,
    events: [], console: "", deaths: [], signalManager: NONE, dmaOwner: {}, denials: [], runningSince: 0, lockup: null, iommuFaults: [],
    counts: zeroCounts(), charged: zeroCounts(), idleCycles: 0, idleSince: -1,
  };
}

function initPriv(k: Kernel, idx: number, flags: number): void {
  const km = k.km;
  for (let f = 0; f < 256; f += 4) km.setPriv(idx, f, 0);
  km.setPriv(idx, PRIV.magic, SMAGIC);
  km.setPriv(idx, PRIV.procIndex, idx);
  km.setPriv(idx, PRIV.flags, flags);
}

export type SpawnResult = { ok: true; idx: number; endpoint: number } | { ok: false; error: string };

/**
 * Creates a process for service `conf` in a free slot (or `slot`, reusing it with the next
 * generation). Guest programs are loaded from `image` (an ELF) into fresh memory with an
 * address space as the build prescribes for the process's role.
 */
export function spawn(k: Kernel, conf: ServiceConf, image?: Uint8Array, slot?: number): SpawnResult {
  const km = k.km;
  const s = slot ?? (Object.hasOwn(FIXED_SLOTS, conf.label) ? FIXED_SLOTS[conf.label] : freeSlot(km, 3));
  if (s < 0 || s >= NR_SLOTS - NR_TASKS) return { ok: false, error: "process table full" };
  const idx = slotIndex(s);
  if (!(km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE)) return { ok: false, error: `slot ${s} in use` };
  if (conf.label.length > LABEL_MAX) return { ok: false, error: `label "${conf.label}" is longer than ${LABEL_MAX} characters` };
  if (!(conf.priority >= 0 && conf.priority < NR_SCHED_QUEUES)) return { ok: false, error: `${conf.label}: priority ${conf.priority} (MINIX sched: EINVAL)` };
  // A slot's first process keeps generation 0, so boot services have MINIX's fixed endpoints.
  const gen = endpointGeneration(km.proc(idx, PROC.endpoint)) + (km.proc(idx, PROC.miscFlags) & MF_SLOT_USED ? 1 : 0);
  const endpoint = endpointOf(gen, s);
  for (let f = PROC.rtsFlags + 4; f < 256; f += 4) km.setProc(idx, f, 0);
  km.setProc(idx, PROC.endpoint, endpoint);
  km.setProc(idx, PROC.miscFlags, MF_SLOT_USED);
  resetLinks(km, idx);
  km.setProc(idx, PROC.priority, conf.priority);
  km.setProc(idx, PROC.maxPriority, conf.priority);
  km.setProc(idx, PROC.nativePartner, NONE);
  setBootData(k, idx, conf);
  km.setProc(idx, PROC.quantumLeft, QUANTUM_TICKS);
  km.setProcName(idx, conf.label);
  setPrivileges(k, idx, conf);
  const native = "native" in conf.program;
  // A software-isolated process also gets the channels its manifest declares (channels.ts).
  const r = native ? setupNative(k, idx, conf) : (setupGuest(k, idx, conf, image) ?? (k.sips ? openChannels(k, idx, conf) : undefined));
  if (!r) setOwner(k, idx, domainOf(idx));
  if (r) {
    km.setProc(idx, PROC.rtsFlags, RTS_SLOT_FREE);
    return { ok: false, error: `${conf.label}: ${r}` };
  }
  openDmaWindows(k, idx, conf);
  km.setProc(idx, PROC.rtsFlags, 0);
  if (native) pushRun(k, idx, NATIVE_START);
  else enqueue(km, idx, k.asserts);
  refreshIpcMasks(k);
  k.log("start", idx, `${native ? "native" : "guest"} process ${conf.label}, endpoint ${endpoint}`);
  return { ok: true, idx, endpoint };
}

function setPrivileges(k: Kernel, idx: number, conf: ServiceConf): void {
  const km = k.km;
  let flags = SF_SYS_PROC | SF_PREEMPTIBLE;
  if (privilegeChecked(k.build)) flags |= SF_CHECKED;
  if (inDomain(k.build, conf.role)) flags |= SF_WRAPPED;
  if (inVm(k.build, conf.role)) flags |= SF_VM;
  initPriv(k, idx, flags);
  const ops = [IPC_SEND, IPC_RECEIVE, IPC_SENDREC, IPC_NOTIFY, IPC_SENDNB, IPC_KERNEL_CALL];
  km.setPriv(idx, PRIV.trapMask, ops.reduce((m, op) => m | (1 << op), 0));
  for (const name of conf.kernelCalls) {
    if (name === "*") for (let c = 0; c < 64; c++) km.setPrivBit(idx, PRIV.callMask, c, true);
    const num = KERNEL_CALL_NAMES[name];
    if (num !== undefined) km.setPrivBit(idx, PRIV.callMask, num - KERNEL_CALL, true);
  }
  setDeviceResources(km, idx, conf);
  for (let h = 0; h < NR_IRQ_HOOKS; h++) km.setPriv(idx, PRIV.hooks + h * HOOK_SIZE + HOOK.irq, 0);
}

/** Writes the I/O ranges and IRQ lines of `conf` into privilege entry idx of the tables `km` (the kernel's, or a DD/OS's). */
export function setDeviceResources(km: KernelMemory, idx: number, conf: Pick<ServiceConf, "io" | "irqs">): void {
  const io = conf.io.slice(0, NR_IO_RANGE);
  km.setPriv(idx, PRIV.nrIoRange, io.length);
  io.forEach(([first, last], i) => km.setPriv(idx, PRIV.ioTab + 4 * i, (first & 0xffff) | ((last & 0xffff) << 16)));
  const irqs = conf.irqs.slice(0, NR_IRQ_HOOKS);
  km.setPriv(idx, PRIV.nrIrq, irqs.length);
  irqs.forEach((irq, i) => km.setPriv(idx, PRIV.irqTab + 4 * i, irq));
}

/** Writes process idx's boot data: its boot parameters and the labels it may send to. */
function setBootData(k: Kernel, idx: number, conf: ServiceConf): void {
  const km = k.km;
  const o = km.svcOff(idx);
  km.bus.ram.fill(0, o, o + SVC_SIZE);
  km.setLabel(o + SVC.params, conf.params ?? "", SVC_PARAMS);
  conf.ipcTo.slice(0, SVC_IPC_LABELS).forEach((label, i) => km.setLabel(o + SVC.ipcTo + 16 * i, label));
}

/**
 * Recomputes every live process's IPC send mask from the target labels in its boot data and
 * the labels in the process table (both in RAM: a corrupted label retargets or drops a bit).
 */
export function refreshIpcMasks(k: Kernel): void {
  const km = k.km;
  for (let idx = NR_TASKS; idx < NR_SLOTS; idx++) {
    if (km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE) continue;
    km.setPriv(idx, PRIV.ipcTo, 0);
    km.setPriv(idx, PRIV.ipcTo + 4, 0);
    for (let i = 0; i < SVC_IPC_LABELS; i++) {
      const at = km.svcOff(idx) + SVC.ipcTo + 16 * i;
      if (km.bus.ram[at] === 0) continue;
      if (km.labelIs(at, "*")) for (let b = 0; b < NR_SLOTS; b++) km.setPrivBit(idx, PRIV.ipcTo, b, true);
      const target = km.labelIs(at, "hardware") ? slotIndex(HARDWARE) : labelIndex(km, km.label(at));
      if (target >= 0) km.setPrivBit(idx, PRIV.ipcTo, target, true);
    }
  }
}

/** Process-table index of a live process (or kernel task) named `label`, or -1. */
export function labelIndex(km: KernelMemory, label: string): number {
  for (let idx = 0; idx < NR_SLOTS; idx++)
    if (!(km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE) && km.labelIs(km.procOff(idx) + PROC.name, label)) return idx;
  return -1;
}

function setupNative(k: Kernel, idx: number, conf: ServiceConf): string | undefined {
  const km = k.km;
  const name = (conf.program as { native: string }).native;
  const program = Object.hasOwn(k.natives, name) ? k.natives[name] : undefined;
  if (!program) return `no native program "${name}"`;
  const size = conf.memSize ?? NATIVE_MEM_SIZE;
  const base = allocMem(km, size);
  if (base < 0) return "out of memory";
  km.setProc(idx, PROC.kind, PK_NATIVE);
  km.setProc(idx, PROC.memBase, base);
  km.setProc(idx, PROC.memSize, size);
  km.setProc(idx, PROC.msgVir, NATIVE_INBOX);
  km.setPriv(idx, PRIV.grantTable, NATIVE_GRANTS);
  km.setPriv(idx, PRIV.grantEntries, NATIVE_MAX_GRANTS);
  k.state.natives[idx] = { program: name, state: program.init(conf.label, conf.params ?? "") };
  return undefined;
}

/**
 * Loads an ELF image into new memory and builds the process's address space: a private one
 * (image and stack only, the stack right after the image in physical memory); in a kernel
 * address space, the window of module-layout.ts among the kernel's objects plus all of RAM; or
 * a driver VM's, its DD/OS booted in it (hypervisor.ts).
 */
function setupGuest(k: Kernel, idx: number, conf: ServiceConf, image?: Uint8Array): string | undefined {
  const km = k.km;
  if (!image) return "no image";
  const parsed = parseElf(image);
  if (!parsed.ok) return parsed.error;
  const segs = parsed.elf.segments;
  const lo = DRIVER_TEXT_BASE;
  const hi = Math.max(...segs.map((sg) => sg.vaddr + sg.memsz));
  if (segs.some((sg) => sg.vaddr < lo) || hi > DRIVER_STACK_TOP - DRIVER_STACK_SIZE) return "image outside the driver address range";
  const imageSize = Math.ceil((hi - lo) / 4096) * 4096;
  const kernelSpace = mapsAllRam(k.build, conf.role);
  const vm = inVm(k.build, conf.role);
  const memSize = kernelSpace ? imageSize : vm ? vmMemSize(imageSize) : imageSize + DRIVER_STACK_SIZE;
  const base = allocMem(km, memSize);
  if (base < 0) return "out of memory";
  const imageBase = vm ? vmImageBase(base) : base;
  km.setProc(idx, PROC.kind, PK_GUEST);
  km.setProc(idx, PROC.memBase, base);
  km.setProc(idx, PROC.memSize, memSize);
  const stack = kernelSpace ? allocModuleStack(km, base) : base + imageSize;
  if (stack < 0) return "out of memory";
  if (kernelSpace) km.setProc(idx, PROC.stackBase, stack);
  for (const sg of segs) km.bus.ram.set(sg.data, imageBase - RAM_BASE + (sg.vaddr - lo));
  const supervisor = runsInKernel(k.build, conf.role);
  const root = newAddressSpace(km);
  if (root < 0) return "out of page-table frames";
  km.setProc(idx, PROC.ptRoot, root);
  if (kernelSpace) {
    const domain = inDomain(k.build, conf.role);
    if (!mapModuleWindow(km, root, segs, base, imageSize, stack, stackGuard(k.build), domain)) return "out of page-table frames";
    mapAllRam(km, root, !domain);
  } else if (vm) {
    if (!bootVm(k, idx, conf, segs, base, imageSize, root)) return "out of page-table frames";
  } else {
    const user = supervisor ? 0 : PERM_U;
    for (let va = lo; va < lo + imageSize; va += 4096) if (!mapPage(km, root, va, base + (va - lo), imagePerm(segs, va) | user)) return "out of page-table frames";
    for (let va = DRIVER_STACK_TOP - DRIVER_STACK_SIZE; va < DRIVER_STACK_TOP; va += 4096)
      if (!mapPage(km, root, va, stack + (va - (DRIVER_STACK_TOP - DRIVER_STACK_SIZE)), PERM_R | PERM_W | user)) return "out of page-table frames";
  }
  km.setProc(idx, PROC.mode, supervisor ? 1 : 0);
  km.setProc(idx, PROC.pc, parsed.elf.entry);
  km.setProc(idx, PROC.regs + 4 * 2, DRIVER_STACK_TOP);
  return undefined;
}

/** The physical memory ranges [base, size) of process idx: its memory, and its stack when that lies elsewhere. */
function memoryOf(km: KernelMemory, idx: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [[km.proc(idx, PROC.memBase) >>> 0, km.proc(idx, PROC.memSize) >>> 0]];
  const stack = km.proc(idx, PROC.stackBase) >>> 0;
  if (stack) ranges.push([stack, DRIVER_STACK_SIZE]);
  return ranges;
}

/**
 * Marks the pages of process idx's memory as owned by `domain` (propagation tracking; in the
 * Singularity builds, what the software checks let the process reach: the TLB, which caches
 * only pages that passed them, is flushed).
 */
function setOwner(k: Kernel, idx: number, domain: number): void {
  const cpu = k.machine.cpu;
  for (const [pa, size] of memoryOf(k.km, idx)) {
    const base = pa - k.machine.bus.ramBase;
    if (size) cpu.owner.fill(domain, base >>> 12, (base + size + 0xfff) >>> 12);
  }
  if (cpu.sfi) cpu.tlb.flush();
}

/** Frees the memory (closing devices' IOMMU windows onto it) and address space of a dead process and forgets its program state. */
export function releaseProcess(k: Kernel, idx: number): void {
  const km = k.km;
  closeDmaWindows(k, idx);
  setOwner(k, idx, 0);
  freeAddressSpace(km, km.proc(idx, PROC.ptRoot) >>> 0);
  for (const [pa, size] of memoryOf(km, idx)) freeMem(km, pa, size);
  km.setProc(idx, PROC.ptRoot, 0);
  km.setProc(idx, PROC.stackBase, 0);
  km.setProc(idx, PROC.memBase, 0);
  km.setProc(idx, PROC.memSize, 0);
  km.setPriv(idx, PRIV.alarmLo, 0);
  delete k.state.natives[idx];
}
