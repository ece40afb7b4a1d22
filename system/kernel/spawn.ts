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
import { HOOK, HOOK_SIZE, PROC, PK_GUEST, PK_NATIVE, RTS_PROC_STOP, RTS_SLOT_FREE, PRIV, SF_CHECKED, SF_PREEMPTIBLE, SF_SYS_PROC, SMAGIC } from "./layout.js";
import { NATIVE_GRANTS, NATIVE_INBOX, NATIVE_MAX_GRANTS, NATIVE_START } from "./native.js";
import { NATIVE_MEM_SIZE, NR_IO_RANGE, NR_IRQ_HOOKS, NR_SLOTS, NR_TASKS, QUANTUM_TICKS, slotIndex } from "./params.js";
import { endpointOf, endpointGeneration, freeSlot, initProcTable, resetLinks } from "./proc.js";
import { enqueue, initQueues } from "./sched.js";
import { allocMem, freeAddressSpace, freeMem, initVm, mapAllRam, mapPage, newAddressSpace, PERM_R, PERM_U, PERM_W, PERM_X } from "./vm.js";
import { KERNEL_CALL_NAMES } from "./calls/index.js";
import { mapsAllRam, privilegeChecked, runsInKernel } from "./policy.js";
import { domainOf, IDLE_CODE, type KernelState } from "./state.js";

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
  const procs: KernelState["procs"] = {};
  for (const [slot, name] of TASKS) {
    const idx = slotIndex(slot);
    km.setProc(idx, PROC.rtsFlags, RTS_PROC_STOP); // kernel tasks exist (their endpoints resolve) but never run
    km.setProcName(idx, name);
    procs[idx] = { label: name, conf: { label: name, program: { native: "kernel" }, priority: 0, ipcTo: ["*"], kernelCalls: [], io: [], irqs: [], role: "server" } };
  }
  return {
    current: -1, ticks: 0, bootMtime: 0, vm: initVm(), procs, natives: {}, nativeRunQ: [], asyncQ: [], panic: null,
    events: [], console: "", deaths: [], signalManager: NONE, dmaOwner: {}, denials: [], runningSince: 0, lockup: null,
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
  const s = slot ?? FIXED_SLOTS[conf.label] ?? freeSlot(km, 3);
  if (s < 0 || s >= NR_SLOTS - NR_TASKS) return { ok: false, error: "process table full" };
  const idx = slotIndex(s);
  if (!(km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE)) return { ok: false, error: `slot ${s} in use` };
  // A slot's first process keeps generation 0, so boot services have MINIX's fixed endpoints.
  const gen = endpointGeneration(km.proc(idx, PROC.endpoint)) + (k.state.procs[idx] ? 1 : 0);
  const endpoint = endpointOf(gen, s);
  for (let f = PROC.rtsFlags + 4; f < 256; f += 4) km.setProc(idx, f, 0);
  km.setProc(idx, PROC.endpoint, endpoint);
  resetLinks(km, idx);
  km.setProc(idx, PROC.priority, conf.priority);
  km.setProc(idx, PROC.quantumLeft, QUANTUM_TICKS);
  km.setProcName(idx, conf.label);
  setPrivileges(k, idx, conf);
  const native = "native" in conf.program;
  const r = native ? setupNative(k, idx, conf) : setupGuest(k, idx, conf, image);
  if (!r) setOwner(k, idx, domainOf(idx));
  if (r) {
    km.setProc(idx, PROC.rtsFlags, RTS_SLOT_FREE);
    return { ok: false, error: `${conf.label}: ${r}` };
  }
  k.state.procs[idx] = { label: conf.label, conf };
  openDmaWindows(k, idx, conf);
  km.setProc(idx, PROC.rtsFlags, 0);
  if (native) k.state.nativeRunQ.push([idx, NATIVE_START]);
  else enqueue(km, idx);
  refreshIpcMasks(k);
  k.log("start", idx, `${native ? "native" : "guest"} process ${conf.label}, endpoint ${endpoint}`);
  return { ok: true, idx, endpoint };
}

function setPrivileges(k: Kernel, idx: number, conf: ServiceConf): void {
  const km = k.km;
  let flags = SF_SYS_PROC | SF_PREEMPTIBLE;
  if (privilegeChecked(k.build)) flags |= SF_CHECKED;
  initPriv(k, idx, flags);
  const ops = [IPC_SEND, IPC_RECEIVE, IPC_SENDREC, IPC_NOTIFY, IPC_SENDNB, IPC_KERNEL_CALL];
  km.setPriv(idx, PRIV.trapMask, ops.reduce((m, op) => m | (1 << op), 0));
  for (const name of conf.kernelCalls) {
    if (name === "*") for (let c = 0; c < 64; c++) km.setPrivBit(idx, PRIV.callMask, c, true);
    const num = KERNEL_CALL_NAMES[name];
    if (num !== undefined) km.setPrivBit(idx, PRIV.callMask, num - KERNEL_CALL, true);
  }
  const io = conf.io.slice(0, NR_IO_RANGE);
  km.setPriv(idx, PRIV.nrIoRange, io.length);
  io.forEach(([first, last], i) => km.setPriv(idx, PRIV.ioTab + 4 * i, (first & 0xffff) | ((last & 0xffff) << 16)));
  const irqs = conf.irqs.slice(0, NR_IRQ_HOOKS);
  km.setPriv(idx, PRIV.nrIrq, irqs.length);
  irqs.forEach((irq, i) => km.setPriv(idx, PRIV.irqTab + 4 * i, irq));
  for (let h = 0; h < NR_IRQ_HOOKS; h++) km.setPriv(idx, PRIV.hooks + h * HOOK_SIZE + HOOK.irq, 0);
}

/** Recomputes every process's IPC send mask from the labels in its service entry. */
export function refreshIpcMasks(k: Kernel): void {
  const km = k.km;
  const byLabel = new Map<string, number>([["hardware", slotIndex(HARDWARE)]]);
  for (const [i, info] of Object.entries(k.state.procs)) byLabel.set(info.label.toLowerCase(), Number(i));
  for (const [i, info] of Object.entries(k.state.procs)) {
    const idx = Number(i);
    if (idx < NR_TASKS) continue;
    km.setPriv(idx, PRIV.ipcTo, 0);
    km.setPriv(idx, PRIV.ipcTo + 4, 0);
    for (const label of info.conf.ipcTo) {
      if (label === "*") for (let b = 0; b < NR_SLOTS; b++) km.setPrivBit(idx, PRIV.ipcTo, b, true);
      const target = byLabel.get(label.toLowerCase());
      if (target !== undefined) km.setPrivBit(idx, PRIV.ipcTo, target, true);
    }
  }
}

function setupNative(k: Kernel, idx: number, conf: ServiceConf): string | undefined {
  const km = k.km;
  const name = (conf.program as { native: string }).native;
  const program = k.natives[name];
  if (!program) return `no native program "${name}"`;
  const size = conf.memSize ?? NATIVE_MEM_SIZE;
  const base = allocMem(km, k.state.vm, size);
  if (base < 0) return "out of memory";
  km.setProc(idx, PROC.kind, PK_NATIVE);
  km.setProc(idx, PROC.memBase, base);
  km.setProc(idx, PROC.memSize, size);
  km.setProc(idx, PROC.msgVir, NATIVE_INBOX);
  km.setPriv(idx, PRIV.grantTable, NATIVE_GRANTS);
  km.setPriv(idx, PRIV.grantEntries, NATIVE_MAX_GRANTS);
  k.state.natives[idx] = { program: name, state: program.init(conf.label, conf.params ?? ""), started: false, msgAt: NATIVE_INBOX, partner: NONE };
  return undefined;
}

/** Loads an ELF image into new memory and builds the process's address space. */
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
  const memSize = imageSize + DRIVER_STACK_SIZE;
  const base = allocMem(km, k.state.vm, memSize);
  if (base < 0) return "out of memory";
  km.setProc(idx, PROC.kind, PK_GUEST);
  km.setProc(idx, PROC.memBase, base);
  km.setProc(idx, PROC.memSize, memSize);
  for (const sg of segs) km.bus.ram.set(sg.data, base - RAM_BASE + (sg.vaddr - lo));
  const supervisor = runsInKernel(k.build, conf.role);
  const root = newAddressSpace(km, k.state.vm);
  if (root < 0) return "out of page-table frames";
  km.setProc(idx, PROC.ptRoot, root);
  const user = supervisor ? 0 : PERM_U;
  for (let va = lo; va < lo + imageSize; va += 4096) {
    const sg = segs.find((g) => va + 4096 > g.vaddr && va < g.vaddr + g.memsz);
    const f = sg ? sg.flags : 6;
    const perm = (f & 4 ? PERM_R : 0) | (f & 2 ? PERM_W | PERM_R : 0) | (f & 1 ? PERM_X : 0);
    if (!mapPage(km, k.state.vm, root, va, base + (va - lo), (perm || PERM_R) | user)) return "out of page-table frames";
  }
  for (let va = DRIVER_STACK_TOP - DRIVER_STACK_SIZE; va < DRIVER_STACK_TOP; va += 4096)
    if (!mapPage(km, k.state.vm, root, va, base + imageSize + (va - (DRIVER_STACK_TOP - DRIVER_STACK_SIZE)), PERM_R | PERM_W | user))
      return "out of page-table frames";
  if (mapsAllRam(k.build, conf.role)) mapAllRam(km, root);
  km.setProc(idx, PROC.mode, supervisor ? 1 : 0);
  km.setProc(idx, PROC.pc, parsed.elf.entry);
  km.setProc(idx, PROC.regs + 4 * 2, DRIVER_STACK_TOP);
  return undefined;
}

/** Marks the pages of process idx's memory as owned by `domain` (propagation tracking). */
function setOwner(k: Kernel, idx: number, domain: number): void {
  const base = (k.km.proc(idx, PROC.memBase) >>> 0) - k.machine.bus.ramBase;
  const size = k.km.proc(idx, PROC.memSize) >>> 0;
  if (size) k.machine.cpu.owner.fill(domain, base >>> 12, (base + size + 0xfff) >>> 12);
}

/** Frees the memory (closing devices' IOMMU windows onto it) and address space of a dead process and forgets its program state. */
export function releaseProcess(k: Kernel, idx: number): void {
  const km = k.km;
  closeDmaWindows(k, idx);
  setOwner(k, idx, 0);
  freeAddressSpace(km, k.state.vm, km.proc(idx, PROC.ptRoot) >>> 0);
  freeMem(k.state.vm, km.proc(idx, PROC.memBase) >>> 0, km.proc(idx, PROC.memSize) >>> 0);
  km.setProc(idx, PROC.ptRoot, 0);
  km.setProc(idx, PROC.memBase, 0);
  km.setProc(idx, PROC.memSize, 0);
  km.setPriv(idx, PRIV.alarmLo, 0);
  delete k.state.natives[idx];
}
