/*
 * The microkernel: trap entry (every ecall, exception and interrupt of the hosted machine
 * lands in onTrap), context switching, the clock tick, interrupt dispatch, process death and
 * kernel panic. Policy lives elsewhere: IPC in ipc.ts, kernel calls in calls/, process
 * creation in spawn.ts, native processes in native-runtime.ts, invariants in check.ts.
 *
 * Kernel state is split in two: the tables a wild write could hit live in guest RAM
 * (layout.ts); the rest is the plain-data KernelState below, copied by snapshots.
 */
import type { Build } from "../builds/types.js";
import type { ServiceConf } from "./service.js";
import * as mcost from "../machine/costs.js";
import { MIP_MEIP, MIP_MTIP, MSTATUS_MIE } from "../machine/csr.js";
import { PLIC_ENABLE, PLIC_PRIORITY } from "../machine/devices/plic.js";
import type { Machine } from "../machine/machine.js";
import { CPU_HZ, MTIME_DIVIDER, RAM_BASE } from "../machine/memmap.js";
import { Cause, causeName, Irq, Mode } from "../machine/trap.js";
import {
  CLOCK, EBADREQUEST, ELOCKED, HARDWARE, SYSTEM, IPC_KERNEL_CALL, IPC_NOTIFY, IPC_RECEIVE,
  IPC_SEND, IPC_SENDNB, IPC_SENDREC, MESSAGE_SIZE, NONE, OK, ETRAPDENIED,
} from "./abi.js";
import { kernelCall } from "./calls/index.js";
import { checkPageTable, checkPriv, checkProc, checkQueues } from "./check.js";
import * as costs from "./costs.js";
import * as ipc from "./ipc.js";
import { faultPanics, preemptible, softLockupTicks } from "./policy.js";
import { HOOK, HOOK_SIZE, KernelMemory, PROC, PK_NATIVE, RTS_SLOT_FREE, PRIV, SF_CHECKED } from "./layout.js";
import type { Message } from "./message.js";
import { type NativeRegistry } from "./native.js";
import { runNatives, takeAsync } from "./native-runtime.js";
import { HZ, IDLE_Q, NR_IRQ_HOOKS, NR_SLOTS, QUANTUM_TICKS, slotIndex } from "./params.js";
import { lookupEndpoint, setRts } from "./proc.js";
import { dequeue, enqueue, pickNext } from "./sched.js";
import { bootTables, releaseProcess } from "./spawn.js";
import { accessible, copyFrom, copyTo, type VmState } from "./vm.js";

/** Console characters kept, and refused requests recorded (guests can produce either without end). */
const MAX_CONSOLE = 256 * 1024;
const MAX_DENIALS = 1000;

/** Protection domain of process-table index idx (page ownership; 0 is the kernel). */
export const domainOf = (idx: number): number => idx + 1;

/** mtime ticks per clock tick. */
export const MTIME_PER_TICK = CPU_HZ / HZ / MTIME_DIVIDER;
/** The idle loop at the start of RAM: wfi; j .-4 */
export const IDLE_CODE = [0x10500073, 0xffdff06f];

export interface KernelEvent {
  /** Cycle. */
  at: number;
  kind: "start" | "exit" | "crash" | "killed" | "panic" | "lockup";
  label: string;
  endpoint: number;
  detail: string;
}

export interface ProcInfo {
  label: string;
  conf: ServiceConf;
}

export interface NativeSlot {
  program: string;
  state: unknown;
  started: boolean;
  /** Where the message for the next handler run is: the inbox or the sendrec buffer. */
  msgAt: number;
  /** Endpoint of the pending sendrec partner, NONE when receiving from ANY. */
  partner: number;
}

/** A death for the signal manager (RS): who, why, when. */
export interface DeathRecord {
  endpoint: number;
  label: string;
  kind: "exit" | "crash" | "killed";
  detail: string;
  at: number;
}

export interface KernelState {
  /** Process-table index whose context is in the CPU; -1 = the idle loop. */
  current: number;
  ticks: number;
  /** mtime at boot: tick n fires at bootMtime + n * MTIME_PER_TICK. */
  bootMtime: number;
  vm: VmState;
  procs: Record<number, ProcInfo>;
  natives: Record<number, NativeSlot>;
  /** Native processes ready to run: [index, result] (OK: a message; negative: IPC error; NATIVE_START). */
  nativeRunQ: Array<[number, number]>;
  /** Messages sent asynchronously and not yet received. */
  asyncQ: Array<{ from: number; to: number; msg: number[] }>;
  /** Set by a kernel panic: the system stops. */
  panic: { reason: string; at: number } | null;
  events: KernelEvent[];
  /** Diagnostic output of processes (SYS_DIAGCTL) and the kernel. */
  console: string;
  /** Deaths not yet collected by the signal manager. */
  deaths: DeathRecord[];
  /** Endpoint told of deaths (RS), or NONE. */
  signalManager: number;
  /** Per device: the protection domain that last programmed it (its DMA is attributed to it). */
  dmaOwner: Record<string, number>;
  /** Tick at which the process on the CPU got it (soft-lockup detection). */
  runningSince: number;
  /** Set when the soft-lockup detector fired: the system is hung, the run stops. */
  lockup: { label: string; at: number; ticks: number } | null;
  /** Requests the privilege checks refused, in order (a detection mechanism of their own). */
  denials: Array<{ label: string; kind: "call" | "ipc" | "port"; at: number }>;
}

export class Kernel {
  readonly km: KernelMemory;
  state: KernelState;
  /** Pristine guest images by name (what RS restarts from; persistent faults change them). */
  images: Record<string, Uint8Array> = {};

  constructor(
    readonly machine: Machine,
    readonly build: Build,
    readonly natives: NativeRegistry,
  ) {
    this.km = new KernelMemory(machine.bus);
    this.state = bootTables(this);
    machine.cpu.hosted = true;
    machine.cpu.trackOwnership = true;
    machine.hostHandler = (m) => this.onTrap(m);
    machine.dma.observer = (device, pa, len, write) => this.noteDma(device, pa, len, write);
    const cpu = machine.cpu;
    cpu.csr.mie = MIP_MTIP | MIP_MEIP;
    cpu.csr.mstatus |= MSTATUS_MIE; // the idle loop runs in M-mode and must take interrupts
    this.state.bootMtime = machine.clint.mtime();
    machine.clint.setTimecmp(this.state.bootMtime + MTIME_PER_TICK);
    this.enterIdle();
  }

  /** After boot: runs the native processes' start handlers and puts the first process on the CPU. */
  start(): void {
    runNatives(this);
    if (!this.state.panic) this.dispatch();
  }

  /** Charges kernel work to the emulated clock. */
  charge(cycles: number): void {
    this.machine.clock.state.now += Math.ceil(cycles);
  }

  now(): number {
    return this.machine.clock.now;
  }

  /** The trap handler: every trap and interrupt of the hosted machine. */
  onTrap(m: Machine): void | "stop" {
    const cpu = m.cpu;
    this.charge(costs.KERNEL_ENTRY);
    const cur = this.state.current;
    if (cur >= 0) this.saveContext(cur);
    if (cpu.trapInterrupt) this.interrupt(cpu.trapCause);
    else if (cur < 0) this.panic(`${causeName(cpu.trapCause)} in the idle loop at 0x${(cpu.pc >>> 0).toString(16)}`);
    else if (cpu.trapCause === Cause.EcallU || cpu.trapCause === Cause.EcallS) {
      this.km.setProc(cur, PROC.pc, (this.km.proc(cur, PROC.pc) + 4) | 0);
      this.syscall(cur);
    } else this.exception(cur, cpu.trapCause, cpu.trapTval);
    // A non-preemptible (supervisor) process that is still runnable keeps the CPU: the kernel
    // did its work, but nothing else runs (native servers included) until it blocks.
    const holdsCpu = cur >= 0 && this.state.current === cur && this.holdsCpu(cur);
    if (!this.state.panic && !holdsCpu) runNatives(this);
    if (!this.state.panic && this.state.current >= 0) this.checkEntry(this.state.current);
    if (this.state.panic || this.state.lockup) return "stop";
    if (holdsCpu) this.restoreContext(cur);
    else this.dispatch();
  }

  /** A runnable supervisor-mode process in a build that does not preempt it. */
  private holdsCpu(idx: number): boolean {
    return !preemptible(this.build, this.km.proc(idx, PROC.mode) === 1) && this.km.proc(idx, PROC.rtsFlags) === 0;
  }

  /** Records a kernel panic; the system stops at the end of this kernel entry. */
  panic(reason: string): void {
    if (this.state.panic) return;
    this.state.panic = { reason, at: this.now() };
    this.log("panic", -1, reason);
    this.print(`kernel panic: ${reason}\n`);
  }

  log(kind: KernelEvent["kind"], idx: number, detail: string): void {
    const label = idx >= 0 ? this.state.procs[idx]?.label ?? "?" : "kernel";
    const endpoint = idx >= 0 ? this.km.proc(idx, PROC.endpoint) : NONE;
    this.state.events.push({ at: this.now(), kind, label, endpoint, detail });
  }

  // ---- registers of processes (saved in their process-table entry) ----

  reg(idx: number, r: number): number {
    return this.km.proc(idx, PROC.regs + 4 * r);
  }
  setReg(idx: number, r: number, v: number): void {
    if (r !== 0) this.km.setProc(idx, PROC.regs + 4 * r, v);
  }

  private saveContext(idx: number): void {
    const cpu = this.machine.cpu;
    this.km.setProcWords(idx, PROC.regs + 4, cpu.xAbove0);
    this.km.setProc(idx, PROC.pc, cpu.pc);
  }

  private restoreContext(idx: number): void {
    const cpu = this.machine.cpu;
    const km = this.km;
    for (let r = 1; r < 32; r++) cpu.x[r] = km.proc(idx, PROC.regs + 4 * r);
    cpu.x[0] = 0;
    cpu.pc = km.proc(idx, PROC.pc);
    const satp = ((1 << 31) | ((km.proc(idx, PROC.ptRoot) >>> 0) >>> 12)) | 0;
    if (cpu.csr.satp !== satp) {
      cpu.csr.satp = satp;
      cpu.tlb.flush();
      this.charge(costs.ADDRESS_SPACE_SWITCH + mcost.TLB_FLUSH);
    }
    cpu.setMode(km.proc(idx, PROC.mode) === 1 ? Mode.S : Mode.U);
    cpu.domain = domainOf(idx);
  }

  /** A port write by process `idx`: the device it programs now does DMA on its behalf. */
  deviceProgrammed(port: number, idx: number): void {
    const dev = this.machine.bus.portDevice(port);
    if (dev) this.state.dmaOwner[dev.name] = domainOf(idx);
  }

  /** Device DMA into RAM counts as a write by the domain that programmed the device. */
  private noteDma(device: string, pa: number, len: number, write: boolean): void {
    const d = this.state.dmaOwner[device];
    if (!write || !d) return;
    const base = this.machine.bus.ramBase;
    for (let off = pa - base; off < pa - base + len; off = (off & ~0xfff) + 0x1000) this.machine.cpu.noteWrite(d, off);
  }

  private enterIdle(): void {
    const cpu = this.machine.cpu;
    this.state.current = -1;
    cpu.domain = 0;
    cpu.pc = RAM_BASE | 0;
    cpu.setMode(Mode.M);
  }

  /** Puts the highest-priority runnable guest process on the CPU, or the idle loop. */
  dispatch(): void {
    const next = pickNext(this.km);
    if (next !== this.state.current) {
      this.charge(costs.CONTEXT_SWITCH);
      this.state.runningSince = this.state.ticks;
    }
    if (next < 0) return this.enterIdle();
    this.state.current = next;
    this.restoreContext(next);
  }

  // ---- system calls: IPC and kernel calls ----

  private syscall(cur: number): void {
    const km = this.km;
    const op = this.reg(cur, 10);
    const ep = this.reg(cur, 11);
    const va = this.reg(cur, 12) >>> 0;
    let r: number;
    if (op < IPC_SEND || op > IPC_KERNEL_CALL) r = -EBADREQUEST;
    else if (this.checked(cur) && !((km.priv(cur, PRIV.trapMask) >>> op) & 1)) r = -ETRAPDENIED;
    else if (op !== IPC_KERNEL_CALL && op !== IPC_RECEIVE && lookupEndpoint(km, ep) === cur) r = -ELOCKED;
    else
      switch (op) {
        case IPC_SEND: r = ipc.send(this, cur, ep, va, false); break;
        case IPC_SENDNB: r = ipc.send(this, cur, ep, va, true); break;
        case IPC_RECEIVE: r = ipc.receive(this, cur, ep, va); break;
        case IPC_SENDREC: r = ipc.sendrec(this, cur, ep, va); break;
        case IPC_NOTIFY: r = ipc.notify(this, cur, ep); break;
        default: r = kernelCall(this, cur, va);
      }
    if (r === ipc.SUSPENDED) this.setReg(cur, 10, OK);
    else if (!(km.proc(cur, PROC.rtsFlags) & RTS_SLOT_FREE)) this.setReg(cur, 10, r);
  }

  /** Records a request of process idx refused by a privilege check; returns `code` for chaining. */
  denied(idx: number, kind: "call" | "ipc" | "port", code: number): number {
    // Bounded: a driver can retry a refused call forever. The first ones say when and what.
    if (this.state.denials.length < MAX_DENIALS) this.state.denials.push({ label: this.state.procs[idx]?.label ?? "?", kind, at: this.now() });
    return code;
  }

  /**
   * Appends to the console (diagnostics of processes and the kernel). Bounded: a process that
   * prints in a loop keeps only the last MAX_CONSOLE characters, after a note of what was cut.
   */
  print(text: string): void {
    const s = this.state;
    s.console += text;
    if (s.console.length > MAX_CONSOLE) s.console = `[earlier console output dropped]\n${s.console.slice(-MAX_CONSOLE / 2)}`;
  }

  /** Whether privilege checks apply to process idx (build and its priv flags). */
  checked(idx: number): boolean {
    return (this.km.priv(idx, PRIV.flags) & SF_CHECKED) !== 0;
  }

  /**
   * An operation of blocked process `idx` completed with `code`: its result is written (guest:
   * a0; native: remembered for its handler) and it is woken if nothing else blocks it.
   */
  complete(idx: number, code: number): void {
    const km = this.km;
    const native = km.proc(idx, PROC.kind) === PK_NATIVE;
    if (!native) this.setReg(idx, 10, code);
    if (km.proc(idx, PROC.rtsFlags) !== 0 && code === OK) return; // still blocked (the receive half of a SENDREC)
    if (native) this.state.nativeRunQ.push([idx, code]);
    else if (km.proc(idx, PROC.rtsFlags) === 0) this.enqueue(idx);
  }

  /** Makes a woken process runnable at its own priority again (see the quantum in tick()). */
  enqueue(idx: number): void {
    dequeue(this.km, idx);
    const conf = this.state.procs[idx]?.conf;
    if (conf) this.km.setProc(idx, PROC.priority, conf.priority);
    enqueue(this.km, idx);
  }

  copyMsgFrom(idx: number, va: number): Message | undefined {
    this.charge(costs.MESSAGE_COPY);
    return copyFrom(this.km, idx, va, MESSAGE_SIZE);
  }
  copyMsgTo(idx: number, va: number, m: Message): boolean {
    this.charge(costs.MESSAGE_COPY);
    return copyTo(this.km, idx, va, m);
  }
  readable(idx: number, va: number, len: number): boolean {
    return accessible(this.km, idx, va, len, false);
  }
  writable(idx: number, va: number, len: number): boolean {
    return accessible(this.km, idx, va, len, true);
  }
  takeAsync(caller: number, srcE: number): Message | undefined {
    return takeAsync(this, caller, srcE);
  }

  // ---- exceptions, death ----

  private exception(cur: number, cause: number, tval: number): void {
    const what = `${causeName(cause)} at pc 0x${(this.km.proc(cur, PROC.pc) >>> 0).toString(16)}, tval 0x${(tval >>> 0).toString(16)}`;
    if (faultPanics(this.build, this.km.proc(cur, PROC.mode) === 1)) {
      this.panic(`${this.state.procs[cur]?.label ?? "?"}: ${what} in supervisor mode`);
      return;
    }
    this.terminate(cur, "crash", what);
  }

  /** Ends process idx (exit, crash or kill): IPC partners get EDEADSRCDST; the signal manager is told. */
  terminate(idx: number, kind: DeathRecord["kind"], detail: string): void {
    const km = this.km;
    if (km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE) return;
    const endpoint = km.proc(idx, PROC.endpoint);
    const label = this.state.procs[idx]?.label ?? "?";
    this.log(kind, idx, detail);
    ipc.cleanupIpc(this, idx);
    dequeue(km, idx);
    this.releaseIrqs(idx);
    setRts(km, idx, RTS_SLOT_FREE);
    releaseProcess(this, idx);
    this.state.nativeRunQ = this.state.nativeRunQ.filter(([i]) => i !== idx);
    this.state.asyncQ = this.state.asyncQ.filter((a) => a.from !== idx && a.to !== endpoint);
    if (this.state.current === idx) this.state.current = -1;
    this.state.deaths.push({ endpoint, label, kind, detail, at: this.now() });
    const sm = lookupEndpoint(km, this.state.signalManager);
    if (sm >= 0) ipc.notify(this, slotIndex(SYSTEM), this.state.signalManager);
  }

  // ---- interrupts and the clock ----

  private interrupt(irq: number): void {
    this.charge(costs.INTERRUPT);
    if (irq === Irq.MTI) this.tick();
    else if (irq === Irq.MEI) this.external();
    else this.panic(`unexpected interrupt ${irq}`);
  }

  private tick(): void {
    const s = this.state;
    s.ticks++;
    this.machine.clint.setTimecmp(s.bootMtime + (s.ticks + 1) * MTIME_PER_TICK);
    const bad = this.checkAll();
    if (bad) return this.panic(bad);
    const km = this.km;
    for (let i = 0; i < NR_SLOTS; i++) {
      if (km.proc(i, PROC.rtsFlags) & RTS_SLOT_FREE) continue;
      const at = km.priv(i, PRIV.alarmLo) >>> 0;
      if (at !== 0 && at <= s.ticks) {
        km.setPriv(i, PRIV.alarmLo, 0);
        ipc.notify(this, slotIndex(CLOCK), km.proc(i, PROC.endpoint));
      }
    }
    const cur = s.current;
    const lockupTicks = softLockupTicks(this.build);
    if (cur >= 0 && lockupTicks > 0 && this.holdsCpu(cur) && s.ticks - s.runningSince >= lockupTicks) {
      // Linux's soft-lockup detector: the CPU has not scheduled for the threshold.
      s.lockup = { label: s.procs[cur]?.label ?? "?", at: this.now(), ticks: s.ticks - s.runningSince };
      this.print(`kernel: soft lockup - CPU stuck for ${s.ticks - s.runningSince} ticks in ${s.lockup.label}\n`);
      this.log("lockup", cur, `CPU stuck for ${s.ticks - s.runningSince} ticks`);
    }
    if (cur >= 0 && preemptible(this.build, km.proc(cur, PROC.mode) === 1)) {
      const left = km.proc(cur, PROC.quantumLeft) - 1;
      if (left > 0) km.setProc(cur, PROC.quantumLeft, left);
      else {
        // MINIX sched(): a process that uses whole quanta (a loop in a driver) sinks one queue,
        // so it cannot starve everything below it; it regains its priority when it next blocks.
        km.setProc(cur, PROC.quantumLeft, QUANTUM_TICKS);
        if (km.proc(cur, PROC.rtsFlags) === 0) {
          dequeue(km, cur);
          km.setProc(cur, PROC.priority, Math.min(km.proc(cur, PROC.priority) + 1, IDLE_Q - 1));
          enqueue(km, cur);
        }
      }
    }
  }

  /** Claims the PLIC's pending line and notifies the drivers hooked to it. */
  private external(): void {
    const plic = this.machine.plic;
    const km = this.km;
    const irq = plic.claim(0);
    if (irq === 0) return;
    let hooked = false;
    let reenable = true;
    for (let i = 0; i < NR_SLOTS; i++) {
      if (km.proc(i, PROC.rtsFlags) & RTS_SLOT_FREE) continue;
      for (let h = 0; h < NR_IRQ_HOOKS; h++) {
        const o = PRIV.hooks + h * HOOK_SIZE;
        if (km.priv(i, o + HOOK.irq) !== irq || !km.priv(i, o + HOOK.enabled)) continue;
        hooked = true;
        km.setPriv(i, PRIV.intPending, km.priv(i, PRIV.intPending) | (1 << h));
        if (!(km.priv(i, o + HOOK.policy) & 1)) {
          km.setPriv(i, o + HOOK.enabled, 0);
          reenable = false;
        }
        ipc.notify(this, slotIndex(HARDWARE), km.proc(i, PROC.endpoint));
      }
    }
    if (!hooked) {
      // Nobody handles this line: mask it, or a level-triggered device left asserted (e.g. by a
      // driver that died mid-transfer) would interrupt forever (Linux: "nobody cared").
      this.enableIrqLine(irq, false);
      plic.complete(0, irq);
    } else if (reenable) plic.complete(0, irq);
  }

  /** Whether some live process has a hook on `irq`. */
  private irqHooked(irq: number): boolean {
    const km = this.km;
    for (let i = 0; i < NR_SLOTS; i++) {
      if (km.proc(i, PROC.rtsFlags) & RTS_SLOT_FREE) continue;
      for (let h = 0; h < NR_IRQ_HOOKS; h++) if (km.priv(i, PRIV.hooks + h * HOOK_SIZE + HOOK.irq) === irq) return true;
    }
    return false;
  }

  /** Enables PLIC line `irq` for the kernel's context (M-mode). */
  enableIrqLine(irq: number, on: boolean): void {
    const plic = this.machine.plic;
    plic.mmioWrite(0, PLIC_PRIORITY + 4 * irq, 1, 4);
    const word = plic.mmioRead(0, PLIC_ENABLE, 4);
    plic.mmioWrite(0, PLIC_ENABLE, on ? word | (1 << irq) : word & ~(1 << irq), 4);
  }

  private releaseIrqs(idx: number): void {
    const km = this.km;
    for (let h = 0; h < NR_IRQ_HOOKS; h++) {
      const o = PRIV.hooks + h * HOOK_SIZE;
      const irq = km.priv(idx, o + HOOK.irq);
      if (irq > 0 && !km.priv(idx, o + HOOK.enabled)) this.machine.plic.complete(0, irq);
      km.setPriv(idx, o + HOOK.irq, 0);
      km.setPriv(idx, o + HOOK.enabled, 0);
      if (irq > 0 && !this.irqHooked(irq)) this.enableIrqLine(irq, false);
    }
  }

  // ---- invariants ----

  /** Checks the entries a kernel entry touched (the current process). */
  private checkEntry(idx: number): void {
    const bad = checkProc(this.km, idx) ?? checkPriv(this.km, idx);
    if (bad) this.panic(bad);
  }

  /** Every table: processes, privileges, ready queues, page tables. */
  checkAll(): string | undefined {
    const km = this.km;
    for (let i = 0; i < NR_SLOTS; i++) {
      const bad = checkProc(km, i);
      if (bad) return bad;
      if (km.proc(i, PROC.rtsFlags) & RTS_SLOT_FREE) continue;
      const bp = checkPriv(km, i) ?? checkPageTable(km, i);
      if (bp) return bp;
    }
    return checkQueues(km);
  }

  /** Endpoint of the live process labelled `label`. */
  lookupLabel(label: string): number | undefined {
    const procs = this.state.procs;
    for (const key in procs) {
      const idx = Number(key);
      if (procs[idx].label === label && !(this.km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE)) return this.km.proc(idx, PROC.endpoint);
    }
    return undefined;
  }
}
