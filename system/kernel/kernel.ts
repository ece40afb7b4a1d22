/*
 * The microkernel: trap entry (every ecall, exception and interrupt of the hosted machine
 * lands in onTrap), context switching, system-call dispatch, process death and kernel panic.
 * The rest lives beside it: the clock tick in clock.ts, device interrupts in interrupts.ts,
 * DMA attribution and IOMMU windows in dma.ts, IPC in ipc.ts, kernel calls in calls/, process
 * creation in spawn.ts, native processes in native-runtime.ts, invariants in check.ts.
 *
 * Kernel state is split in two: the tables a wild write could hit live in guest RAM
 * (layout.ts); the rest is the plain-data KernelState (state.ts), copied by snapshots.
 */
import type { Build } from "../builds/types.js";
import { MIP_MEIP, MIP_MTIP, MSTATUS_MIE } from "../machine/csr.js";
import type { Machine } from "../machine/machine.js";
import { IRQ_IOMMU, RAM_BASE } from "../machine/memmap.js";
import { Cause, causeName, Irq, Mode } from "../machine/trap.js";
import {
  EBADREQUEST, EFAULT, ELOCKED, SYSTEM, IPC_KERNEL_CALL, IPC_NOTIFY, IPC_RECEIVE,
  IPC_SEND, IPC_SENDNB, IPC_SENDREC, MESSAGE_SIZE, NONE, OK, ETRAPDENIED,
} from "./abi.js";
import { kernelCall } from "./calls/index.js";
import { checkEntry } from "./check.js";
import { tick } from "./clock.js";
import { noteDma, startIommu } from "./dma.js";
import { enableIrqLine, external, releaseIrqs } from "./interrupts.js";
import * as ipc from "./ipc.js";
import { callsDirectly, costModel, faultPanics, hasVms, oneAddressSpace, oops, preemptible, queueAsserts, sanityChecks, sips, zeroCopy } from "./policy.js";
import { type ChannelDecl, closeChannels } from "./channels.js";
import { softwareCheckFailed } from "./sip.js";
import { ddosEntry, ddosPanic, isVm, vmPortCall } from "./hypervisor.js";
import { contextOf, leaveDomain, messageBufferOk, wrapped } from "./wrappers.js";
import type { CostKind, CostModel } from "./costs.js";
import { CTX_PROCESS, KernelMemory, PK_GUEST, PK_NATIVE, PRIV, PROC, RTS_SLOT_FREE, SF_CHECKED } from "./layout.js";
import type { Message } from "./message.js";
import { type NativeRegistry } from "./native.js";
import { runNatives, takeAsync } from "./native-runtime.js";
import { NR_SLOTS, slotIndex } from "./params.js";
import { lookupEndpoint, setRts } from "./proc.js";
import { type Asserts, dequeue, enqueue, pickNext } from "./sched.js";
import { dropAsync, dropRuns, pushRun } from "./queues.js";
import { bootTables, labelIndex, releaseProcess } from "./spawn.js";
import { type DeathRecord, type DenialKind, domainOf, type KernelEvent, type KernelState, MTIME_PER_TICK } from "./state.js";
import { accessible, copyFrom, copyTo } from "./vm.js";

/** Console characters kept, and refused requests recorded (guests can produce either without end). */
const MAX_CONSOLE = 256 * 1024;
const MAX_DENIALS = 1000;

export class Kernel {
  readonly km: KernelMemory;
  state: KernelState;
  /**
   * Called after each handler run of a native process with its label and state (host-side, not
   * state: the run monitors use it to see progress to the cycle). Null when nobody watches.
   */
  onNativeRun: ((label: string, state: unknown) => void) | null = null;
  /** Pristine guest images by name (what RS restarts from; persistent faults change them). */
  images: Record<string, Uint8Array> = {};
  /** The channels each image's manifest declares, by image name (Singularity builds: channels.ts). */
  manifests: Record<string, ChannelDecl[]> = {};
  /** The build's cost model (policy.ts costModel). */
  readonly costs: CostModel;
  /** A check that failed during the current kernel call (failOnReturn), cleared when the call returns. */
  private failing: { idx: number; what: string } | null = null;
  /** The build runs drivers in VMs (hypervisor.ts): only then is a process's SF_VM flag asked. */
  readonly vms: boolean;
  /** The kernel's asserts on its queues, in builds that have them (policy.ts queueAsserts). */
  readonly asserts: Asserts | undefined;
  /** The build runs its guest processes as software-isolated processes (policy.ts sips; channels.ts, sip.ts). */
  readonly sips: boolean;
  /** Messages are passed by reference (policy.ts zeroCopy), and switching processes switches no address space (oneAddressSpace). */
  private readonly zeroCopy: boolean;
  private readonly oneAddressSpace: boolean;

  constructor(
    readonly machine: Machine,
    readonly build: Build,
    readonly natives: NativeRegistry,
  ) {
    this.km = new KernelMemory(machine.bus, machine.cpu);
    this.costs = costModel(build);
    this.vms = hasVms(build);
    this.sips = sips(build);
    this.zeroCopy = zeroCopy(build);
    this.oneAddressSpace = oneAddressSpace(build);
    if (this.sips) {
      // The software checks of software-isolated processes run beside their code (cpu.ts sfi).
      machine.cpu.sfi = true;
      machine.cpu.sfiCycles = this.costs.sfiCheck ?? 0;
    }
    this.asserts = queueAsserts(build) ? { fail: (what) => this.panic(what), charge: (n) => this.charge("kernelAssert", n) } : undefined;
    this.state = bootTables(this);
    machine.cpu.hosted = true;
    machine.cpu.trackOwnership = true;
    machine.hostHandler = (m) => this.onTrap(m);
    machine.dma.observer = (device, pa, len, write) => noteDma(this, device, pa, len, write);
    if (startIommu(this)) enableIrqLine(this, IRQ_IOMMU, true);
    const cpu = machine.cpu;
    cpu.csr.mie = MIP_MTIP | MIP_MEIP;
    cpu.csr.mstatus |= MSTATUS_MIE; // the idle loop runs in M-mode and must take interrupts
    this.state.bootMtime = machine.clint.mtime();
    machine.clint.setTimecmp(this.state.bootMtime + MTIME_PER_TICK);
    this.enterIdle();
  }

  /** After boot: runs the native processes' start handlers and puts the first process on the CPU. */
  start(): void {
    this.state.runningSince = this.state.ticks;
    runNatives(this);
    if (!this.state.panic) this.dispatch();
  }

  /**
   * Charges `units` of kernel work `kind` to the emulated clock at the build's cost (costs.ts),
   * and counts them: the run's counters (state.counts, state.charged) say where its time went.
   */
  charge(kind: CostKind, units = 1): void {
    // One case per kind, each naming its fields: V8 then caches each access, where counts[kind]
    // with sixteen different keys takes its slow generic lookup (about 3x the time of the
    // switch; an experiment charges some 20,000 times).
    const c = this.costs;
    const n = this.state.counts;
    const ch = this.state.charged;
    let cycles: number;
    switch (kind) {
      case "kernelEntry": cycles = Math.ceil(c.kernelEntry * units); n.kernelEntry += units; ch.kernelEntry += cycles; break;
      case "ipcOp": cycles = Math.ceil(c.ipcOp * units); n.ipcOp += units; ch.ipcOp += cycles; break;
      case "messageCopy": cycles = Math.ceil(c.messageCopy * units); n.messageCopy += units; ch.messageCopy += cycles; break;
      case "kernelCall": cycles = Math.ceil(c.kernelCall * units); n.kernelCall += units; ch.kernelCall += cycles; break;
      case "copyByte": cycles = Math.ceil(c.copyByte * units); n.copyByte += units; ch.copyByte += cycles; break;
      case "contextSwitch": cycles = Math.ceil(c.contextSwitch * units); n.contextSwitch += units; ch.contextSwitch += cycles; break;
      case "addressSpaceSwitch": cycles = Math.ceil(c.addressSpaceSwitch * units); n.addressSpaceSwitch += units; ch.addressSpaceSwitch += cycles; break;
      case "tlbFlush": cycles = Math.ceil(c.tlbFlush * units); n.tlbFlush += units; ch.tlbFlush += cycles; break;
      case "nativeHandler": cycles = Math.ceil(c.nativeHandler * units); n.nativeHandler += units; ch.nativeHandler += cycles; break;
      case "interrupt": cycles = Math.ceil(c.interrupt * units); n.interrupt += units; ch.interrupt += cycles; break;
      case "portAccess": cycles = Math.ceil(c.portAccess * units); n.portAccess += units; ch.portAccess += cycles; break;
      case "kernelAssert": cycles = Math.ceil(c.kernelAssert * units); n.kernelAssert += units; ch.kernelAssert += cycles; break;
      case "sanitySlot": cycles = Math.ceil(c.sanitySlot * units); n.sanitySlot += units; ch.sanitySlot += cycles; break;
      case "sanityPte": cycles = Math.ceil(c.sanityPte * units); n.sanityPte += units; ch.sanityPte += cycles; break;
      case "functionCall": cycles = Math.ceil(c.functionCall * units); n.functionCall += units; ch.functionCall += cycles; break;
      case "portInstruction": cycles = Math.ceil(c.portInstruction * units); n.portInstruction += units; ch.portInstruction += cycles; break;
      case "wrapper": cycles = Math.ceil((c.wrapper ?? 0) * units); n.wrapper = (n.wrapper ?? 0) + units; ch.wrapper = (ch.wrapper ?? 0) + cycles; break;
      case "vmExit": cycles = Math.ceil((c.vmExit ?? 0) * units); n.vmExit = (n.vmExit ?? 0) + units; ch.vmExit = (ch.vmExit ?? 0) + cycles; break;
      case "contractCheck": cycles = Math.ceil((c.contractCheck ?? 0) * units); n.contractCheck = (n.contractCheck ?? 0) + units; ch.contractCheck = (ch.contractCheck ?? 0) + cycles; break;
      default: {
        const other = kind as CostKind; // every kind has its case: as before, should a new kind lack one
        cycles = Math.ceil((c[other] ?? 0) * units);
        n[other] += units;
        ch[other] += cycles;
      }
    }
    this.machine.clock.state.now += cycles;
  }

  /** Counts `units` of kernel work `kind` that costs nothing here (a kernel call made by function call). */
  note(kind: CostKind, units = 1): void {
    this.state.counts[kind] += units;
  }

  now(): number {
    return this.machine.clock.now;
  }

  /** The trap handler: every trap and interrupt of the hosted machine. */
  onTrap(m: Machine): void | "stop" {
    const cpu = m.cpu;
    if (this.state.idleSince >= 0) {
      this.state.idleCycles += this.now() - this.state.idleSince; // the idle loop's wait ends here
      this.state.idleSince = -1;
    }
    const cur = this.state.current;
    const ecall = !cpu.trapInterrupt && (cpu.trapCause === Cause.EcallU || cpu.trapCause === Cause.EcallS);
    if (cur >= 0) this.saveContext(cur);
    if (!(ecall && cur >= 0 && vmPortCall(this, cur)))
      this.charge(ecall && cur >= 0 && this.callsDirectly(cur) ? "functionCall" : "kernelEntry");
    if (cur >= 0 && wrapped(this, cur)) leaveDomain(this, cur, ecall);
    if (cpu.trapInterrupt) this.interrupt(cpu.trapCause);
    else if (cur < 0) this.panic(`${causeName(cpu.trapCause)} in the idle loop at 0x${(cpu.pc >>> 0).toString(16)}`);
    else if (cpu.trapCause === Cause.EcallU || cpu.trapCause === Cause.EcallS) {
      this.km.setProc(cur, PROC.pc, (this.km.proc(cur, PROC.pc) + 4) | 0);
      this.syscall(cur);
    } else this.exception(cur, cpu.trapCause, cpu.trapTval);
    // A non-preemptible (supervisor) process that is still runnable keeps the CPU: the kernel
    // did its work, but nothing else runs (native servers included) until it blocks.
    const holdsCpu = cur >= 0 && this.state.current === cur && this.holdsCpu(cur);
    // The scheduler runs (natives, then dispatch): the soft-lockup detector's clock starts again.
    if (!holdsCpu) this.state.runningSince = this.state.ticks;
    if (!this.state.panic && !holdsCpu) runNatives(this);
    if (!this.state.panic && this.state.current >= 0 && sanityChecks(this.build)) this.checkEntry(this.state.current);
    if (this.state.panic) return "stop";
    if (holdsCpu) this.restoreContext(cur);
    else this.dispatch();
  }

  /** Process idx runs inside the kernel and calls it directly (costs.ts functionCall): no trap, no message copies. */
  callsDirectly(idx: number): boolean {
    return callsDirectly(this.build, this.km.proc(idx, PROC.mode) === 1);
  }

  /** A runnable supervisor-mode process in a build that does not preempt it. */
  holdsCpu(idx: number): boolean {
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
    const label = idx >= 0 ? this.km.procName(idx) : "kernel";
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
    km.procWords(idx, PROC.regs + 4, cpu.xAbove0);
    cpu.x[0] = 0;
    cpu.pc = km.proc(idx, PROC.pc);
    const satp = ((1 << 31) | ((km.proc(idx, PROC.ptRoot) >>> 0) >>> 12)) | 0;
    if (cpu.csr.satp !== satp) {
      cpu.csr.satp = satp;
      cpu.tlb.flush();
      // With one address space there is no switch to pay for: each process has a page table
      // here only because every driver binary is linked at the same address.
      if (!this.oneAddressSpace) {
        this.charge("addressSpaceSwitch");
        this.charge("tlbFlush");
      }
    }
    cpu.setMode(km.proc(idx, PROC.mode) === 1 ? Mode.S : Mode.U);
    cpu.domain = domainOf(idx);
  }

  private enterIdle(): void {
    const cpu = this.machine.cpu;
    if (this.state.idleSince < 0) this.state.idleSince = this.now();
    this.state.current = -1;
    cpu.domain = 0;
    cpu.pc = RAM_BASE | 0;
    cpu.setMode(Mode.M);
  }

  /** Puts the highest-priority runnable guest process on the CPU, or the idle loop. */
  dispatch(): void {
    const next = pickNext(this.km);
    if (next !== this.state.current) this.charge("contextSwitch");
    if (next >= NR_SLOTS) {
      // A queue head overwritten in guest RAM (a wild write, a DMA): MINIX would switch to a wild
      // proc pointer and fault in the kernel. Panic here rather than run a context from nowhere.
      this.panic(`ready queue head ${next} names no process entry: kernel fault on a wild process pointer`);
      return this.enterIdle();
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
    if (this.vms && isVm(this, cur)) {
      // The driver called its DD/OS, which checks its tables before it serves the call.
      const bad = ddosEntry(this, cur);
      if (bad) return this.terminate(cur, "crash", ddosPanic(bad));
    }
    if (op < IPC_SEND || op > IPC_KERNEL_CALL) r = -EBADREQUEST;
    else if (this.checked(cur) && !((km.priv(cur, PRIV.trapMask) >>> op) & 1)) r = -ETRAPDENIED;
    else if (op !== IPC_KERNEL_CALL && op !== IPC_RECEIVE && lookupEndpoint(km, ep) === cur) r = -ELOCKED;
    else if (wrapped(this, cur) && !messageBufferOk(this, cur, op, va)) r = this.wrapperFault(cur, `message buffer 0x${va.toString(16)} outside the driver's domain`, -EFAULT);
    else
      switch (op) {
        case IPC_SEND: r = ipc.send(this, cur, ep, va, false); break;
        case IPC_SENDNB: r = ipc.send(this, cur, ep, va, true); break;
        case IPC_RECEIVE: r = ipc.receive(this, cur, ep, va); break;
        case IPC_SENDREC: r = ipc.sendrec(this, cur, ep, va); break;
        case IPC_NOTIFY: r = ipc.notify(this, cur, ep); break;
        default: r = kernelCall(this, cur, va);
      }
    if (this.failing) {
      // A check failed during the call (a Nooks wrapper's, a VM's port): the driver fails now.
      const { idx, what } = this.failing;
      this.failing = null;
      return this.terminate(idx, "crash", what);
    }
    if (r === ipc.SUSPENDED) this.setReg(cur, 10, OK);
    else if (!(km.proc(cur, PROC.rtsFlags) & RTS_SLOT_FREE)) this.setReg(cur, 10, r);
  }

  /**
   * A Nooks wrapper found a bad parameter in a call of driver idx (wrappers.ts): the call fails
   * with `code`, and the driver is failed when the call returns. Returns `code` for chaining.
   */
  wrapperFault(idx: number, what: string, code: number): number {
    return this.failOnReturn(idx, `wrapper check failed: ${what}`, code);
  }

  /** Process idx fails (crashes: `what`) when its current call returns, which fails with `code`. Returns `code` for chaining. */
  failOnReturn(idx: number, what: string, code: number): number {
    this.failing ??= { idx, what };
    return code;
  }

  /** Records a request of process idx refused by a privilege check; returns `code` for chaining. */
  denied(idx: number, kind: DenialKind, code: number): number {
    // A software-isolated process holds no object for what its manifest does not declare, nor a
    // reference to a block it was not handed: using one is a failed check that kills it.
    if (this.isSip(idx)) {
      const what = { call: "a kernel call", ipc: "an IPC peer", port: "a port", grant: "" }[kind];
      return this.failOnReturn(idx, kind === "grant" ? "exchange-heap check failed: a copy the block it holds does not allow (past its end, or not its access)" : `manifest check failed: ${what} its manifest does not declare`, code);
    }
    // Bounded: a driver can retry a refused call forever. The first ones say when and what.
    if (this.state.denials.length < MAX_DENIALS) this.state.denials.push({ label: this.km.procName(idx), kind, at: this.now() });
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

  /** Process idx is a software-isolated process (a guest process of a Singularity build). */
  isSip(idx: number): boolean {
    return this.sips && this.km.proc(idx, PROC.kind) === PK_GUEST;
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
    if (native) pushRun(this, idx, code);
    else if (km.proc(idx, PROC.rtsFlags) === 0) this.enqueue(idx);
  }

  /** Makes a woken process runnable at its own priority again (see the quantum in clock.ts). */
  enqueue(idx: number): void {
    dequeue(this.km, idx, this.asserts);
    this.km.setProc(idx, PROC.priority, this.km.proc(idx, PROC.maxPriority));
    enqueue(this.km, idx, this.asserts);
  }

  /** Reads the message at va in idx's memory; `charged`: a copy between address spaces (not a pointer passed inside the kernel). */
  copyMsgFrom(idx: number, va: number, charged = true): Message | undefined {
    if (charged && !this.zeroCopy) this.charge("messageCopy");
    return copyFrom(this.km, idx, va, MESSAGE_SIZE);
  }
  /** Writes message m into idx's buffer at va: idx's write (a receiver's, never its sender's) for propagation. */
  copyMsgTo(idx: number, va: number, m: Message, charged = true): boolean {
    if (charged && !this.zeroCopy) this.charge("messageCopy");
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
    const pc = this.km.proc(cur, PROC.pc) >>> 0;
    const sip = this.isSip(cur) ? softwareCheckFailed(cause, tval, pc) : undefined;
    this.fail(cur, "crash", sip ?? `${causeName(cause)} at pc 0x${pc.toString(16)}, tval 0x${(tval >>> 0).toString(16)}`);
  }

  /**
   * Process idx crashed (a CPU exception) or gave up (exit, panic()). In a driver VM that is its
   * DD/OS's panic (hypervisor.ts): the VM ends. In supervisor mode that is
   * a kernel panic where the build says so, except for Linux's oops: in process context (a
   * request) the driver's thread of execution is killed and the kernel runs on; in interrupt
   * context Linux panics ("Fatal exception in interrupt"). Otherwise the process ends.
   */
  fail(idx: number, kind: "crash" | "exit", what: string): void {
    // A driver VM's driver runs in its DD/OS's kernel mode: there it is a panic of the DD/OS, which ends the VM only.
    if (this.vms && isVm(this, idx)) return this.terminate(idx, kind, ddosPanic(`${what} in kernel mode`));
    const supervisor = this.km.proc(idx, PROC.mode) === 1;
    const oopsing = supervisor && oops(this.build);
    if (faultPanics(this.build, supervisor) && !(oopsing && contextOf(this, idx) === CTX_PROCESS)) {
      this.panic(`${this.km.procName(idx)}: ${what} in supervisor mode${oopsing ? ", in interrupt context (Fatal exception in interrupt)" : ""}`);
      return;
    }
    this.terminate(idx, kind, oopsing ? `oops: ${what}` : what);
  }

  /** Ends process idx (exit, crash or kill): IPC partners get EDEADSRCDST; the signal manager is told. */
  terminate(idx: number, kind: DeathRecord["kind"], detail: string): void {
    const km = this.km;
    if (km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE) return;
    const endpoint = km.proc(idx, PROC.endpoint);
    const label = km.procName(idx);
    this.log(kind, idx, detail);
    ipc.cleanupIpc(this, idx);
    dequeue(km, idx, this.asserts);
    releaseIrqs(this, idx);
    if (this.sips) closeChannels(this, idx);
    setRts(km, idx, RTS_SLOT_FREE);
    releaseProcess(this, idx);
    dropRuns(km, idx);
    dropAsync(km, idx, endpoint);
    if (this.state.current === idx) this.state.current = -1;
    this.state.deaths.push({ endpoint, label, kind, detail, at: this.now() });
    const sm = lookupEndpoint(km, this.state.signalManager);
    if (sm >= 0) ipc.notify(this, slotIndex(SYSTEM), this.state.signalManager);
  }

  // ---- interrupts ----

  private interrupt(irq: number): void {
    this.charge("interrupt");
    if (irq === Irq.MTI) tick(this);
    else if (irq === Irq.MEI) external(this);
    else this.panic(`unexpected interrupt ${irq}`);
  }

  // ---- invariants ----

  /** Sanity checks (MINIX DEBUG_SANITYCHECKS builds): the entries a kernel entry touched, the current process's. */
  private checkEntry(idx: number): void {
    this.charge("sanitySlot");
    const bad = checkEntry(this.km, idx);
    if (bad) this.panic(bad);
  }

  /** Endpoint of the live process labelled `label`. */
  lookupLabel(label: string): number | undefined {
    const idx = labelIndex(this.km, label);
    return idx >= 0 ? this.km.proc(idx, PROC.endpoint) : undefined;
  }
}
