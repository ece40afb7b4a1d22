/*
 * The driver-domain OS (DD/OS) of a driver VM (LeVasseur et al., OSDI 2004): the small monolithic
 * kernel a driver runs with inside its VM, the driver in its kernel mode. It is this kernel's own
 * code (its tables' layout, its table functions, its checks) running on the VM's memory instead
 * of the machine's: a DD/OS is a second copy of an ordinary kernel, not a special one.
 *
 * Its tables lie at the start of the VM's memory, at the offsets the host kernel's lie at in RAM
 * (params.ts: idle code, process table, privilege table, ready queues, up to the page-table pool),
 * and the VM maps its memory at RAM_BASE as the host's kernel maps RAM (hypervisor.ts): so the
 * address a wild pointer would corrupt the host's process table with in the monolithic build
 * corrupts the DD/OS's process table here. The driver is the DD/OS's one process (slot 0), in
 * kernel mode, with the I/O ranges and IRQ lines of its device; the DD/OS mirrors the IRQ hooks
 * the driver sets (irqctl.ts) in its privilege entry.
 *
 * The DD/OS checks what each of its entries touches — the running process's process-table and
 * privilege entries and its ready queues (check.ts, as the minix3-sanity build checks the host's)
 * — and panics on corrupt data: the VM dies, the host does not (hypervisor.ts). A real DD/OS
 * (Linux) would more often run on corrupt data for a while, or crash on it later; the checks put
 * the DD/OS at the fail-stop end of that range, which README says.
 *
 * Everything lies in the VM's memory; the KernelMemory view over it is rebuilt from the process's
 * memory base whenever asked, so nothing outside guest RAM holds DD/OS state.
 */
import { RAM_BASE } from "../machine/memmap.js";
import { checkEntry, checkQueues } from "./check.js";
import { HOOK, HOOK_SIZE, KernelMemory, PRIV, PROC, type RamView, RTS_PROC_STOP, SF_SYS_PROC, SMAGIC } from "./layout.js";
import { DRIVER_Q, NR_SLOTS, PT_POOL_OFF, slotIndex } from "./params.js";
import { setDeviceResources } from "./spawn.js";
import { initProcTable } from "./proc.js";
import { enqueue, initQueues } from "./sched.js";
import { IDLE_CODE } from "./state.js";

/** Bytes of DD/OS kernel memory at the start of a VM: the host kernel's tables' region, up to its page-table pool. */
export const DDOS_SIZE = PT_POOL_OFF;
/** The driver's index in the DD/OS's process table (slot 0, the first after the kernel tasks). */
export const DDOS_DRIVER = slotIndex(0);
/** The DD/OS's kernel tasks, as the host kernel has them (spawn.ts bootTables). */
const TASKS = ["idle", "clock", "system", "kernel"];

/** The VM's memory [base, base + size) (host physical) seen at RAM_BASE, as the DD/OS sees it. */
function vmRam(ram: RamView, base: number, size: number): RamView {
  const off = base - ram.ramBase;
  return {
    ram: ram.ram.subarray(off, off + size),
    ram32: ram.ram32.subarray(off >> 2, (off + size) >> 2),
    ramBase: RAM_BASE,
    ramSize: size,
    isRam: (pa: number, len = 1) => (pa >>> 0) - RAM_BASE >= 0 && (pa >>> 0) - RAM_BASE + len <= size,
  };
}

/** The DD/OS's tables in the VM whose memory is [base, base + size). */
export function ddosTables(ram: RamView, base: number, size: number): KernelMemory {
  return new KernelMemory(vmRam(ram, base, size));
}

export interface DdosDriver {
  label: string;
  /** The I/O ranges and IRQ lines of the VM's device (the DD/OS's resources). */
  io: Array<[number, number]>;
  irqs: number[];
  /** Bytes of the driver's image and stack after the DD/OS's memory. */
  size: number;
}

/** Boots the DD/OS in a fresh VM: its tables, its kernel tasks and the driver as its one process, runnable. */
export function bootDdos(d: KernelMemory, drv: DdosDriver): void {
  IDLE_CODE.forEach((w, i) => d.view.setUint32(i * 4, w >>> 0, true));
  initProcTable(d);
  initQueues(d);
  TASKS.forEach((name, i) => {
    d.setProc(i, PROC.rtsFlags, RTS_PROC_STOP);
    d.setProcName(i, name);
  });
  for (let idx = 0; idx < NR_SLOTS; idx++) {
    d.setPriv(idx, PRIV.magic, SMAGIC);
    d.setPriv(idx, PRIV.procIndex, idx);
  }
  const p = DDOS_DRIVER;
  d.setProc(p, PROC.rtsFlags, 0);
  d.setProcName(p, drv.label);
  d.setProc(p, PROC.priority, DRIVER_Q);
  d.setProc(p, PROC.maxPriority, DRIVER_Q);
  d.setProc(p, PROC.mode, 1); // the driver runs in the DD/OS's kernel mode
  d.setProc(p, PROC.memBase, RAM_BASE + DDOS_SIZE);
  d.setProc(p, PROC.memSize, drv.size);
  d.setPriv(p, PRIV.flags, SF_SYS_PROC);
  setDeviceResources(d, p, drv);
  enqueue(d, p);
}

/** The DD/OS's checks on one of its entries; the violated invariant, or undefined. */
export function ddosCheck(d: KernelMemory): string | undefined {
  return checkEntry(d, DDOS_DRIVER) ?? checkQueues(d);
}

/** The DD/OS records IRQ hook `h` of its driver (the host's hook of the same number routes the line to the VM). */
export function ddosHook(d: KernelMemory, h: number, irq: number, enabled: boolean): void {
  const o = PRIV.hooks + h * HOOK_SIZE;
  d.setPriv(DDOS_DRIVER, o + HOOK.irq, irq);
  d.setPriv(DDOS_DRIVER, o + HOOK.enabled, enabled ? 1 : 0);
}
