/*
 * Nooks' isolation manager, the kernel's half (SOSP 2003 §4): what happens at the boundary of a
 * driver's lightweight protection domain. A driver in a domain (priv flag SF_WRAPPED) runs in
 * supervisor mode on its own copy of the kernel page table, in which kernel memory is
 * read-only (spawn.ts, module-layout.ts). So:
 *
 * - Leaving the domain (any kernel entry from the driver) switches to the kernel's page table,
 *   and returning switches back (Kernel.restoreContext): two address-space switches with their
 *   TLB flushes, and the MMU's refills after them. A port access does not leave: a driver in the
 *   kernel executes in/out itself (as in monolithic), and no wrapper sees it.
 * - Every call across the boundary (a kernel call or IPC of the driver, a message delivered to
 *   it) is an XPC through a wrapper: its checks and object tracking cost `wrapper` (costs.ts).
 * - A wrapper check that fails (a message buffer the driver may not read or write, a grant the
 *   driver was not given or used out of its bounds, a copy buffer outside its writable memory,
 *   an IRQ hook it does not hold) fails the driver:
 *   the kernel ends it when the call returns, and the recovery manager reloads it. The objects
 *   the wrappers track (IRQ hooks, alarms, grants, memory) are the driver's privilege-table entry
 *   and memory, which the kernel releases when it ends the driver (Kernel.terminate).
 *
 * The same file records, in builds that ask (policy.ts tracksContext), the context a kernel-mode
 * driver runs in: Linux's oops and Nooks' livelock detector depend on it.
 */
import { CLOCK, HARDWARE, IPC_NOTIFY, IPC_SEND, IPC_SENDNB, M_SOURCE, MESSAGE_SIZE } from "./abi.js";
import { isPortCall } from "./calls/devio.js";
import { injected, isVm } from "./hypervisor.js";
import type { Kernel } from "./kernel.js";
import { CTX_IRQ, CTX_PROCESS, CTX_TIMER, PRIV, PROC, SF_WRAPPED } from "./layout.js";
import { get32, type Message } from "./message.js";
import { tracksContext } from "./policy.js";

/** The message buffer at va of an IPC or kernel call `op` is one the driver may use: read (a send), written (a receive), both. */
export function messageBufferOk(k: Kernel, idx: number, op: number, va: number): boolean {
  if (op === IPC_NOTIFY) return true;
  return op === IPC_SEND || op === IPC_SENDNB ? k.readable(idx, va, MESSAGE_SIZE) : k.writable(idx, va, MESSAGE_SIZE);
}

/** The process runs in a Nooks protection domain. */
export const wrapped = (k: Kernel, idx: number): boolean => (k.km.priv(idx, PRIV.flags) & SF_WRAPPED) !== 0;

/**
 * Driver idx (in a domain) entered the kernel: unless it is a port access, the kernel switches
 * to its own page table (the driver's is restored when it runs again); an ecall is an XPC
 * through a wrapper.
 */
export function leaveDomain(k: Kernel, idx: number, ecall: boolean): void {
  if (ecall && isPortCall(k, idx)) return;
  k.machine.cpu.csr.satp = 0; // the kernel's own page table (our kernel runs in M-mode: untranslated)
  k.charge("addressSpaceSwitch");
  k.charge("tlbFlush");
  if (ecall) k.charge("wrapper");
}

/**
 * A message is delivered to guest idx (`fromAny`: by its main loop's receive). Into a domain it
 * is an XPC through a wrapper; into a driver VM, an interrupt or timer is injected (hypervisor.ts);
 * and a kernel-mode driver's context is what its main loop got: a notification from HARDWARE is
 * an interrupt, one from CLOCK a timer, anything else a request.
 */
export function entering(k: Kernel, idx: number, msg: Message, fromAny: boolean): void {
  if (wrapped(k, idx)) k.charge("wrapper");
  if (k.vms && isVm(k, idx)) injected(k, msg);
  if (!fromAny || !tracksContext(k.build) || k.km.proc(idx, PROC.mode) !== 1) return;
  const src = get32(msg, M_SOURCE);
  k.km.setProc(idx, PROC.context, src === HARDWARE ? CTX_IRQ : src === CLOCK ? CTX_TIMER : CTX_PROCESS);
}

/** The context recorded for kernel-mode driver idx (CTX_*). */
export const contextOf = (k: Kernel, idx: number): number => k.km.proc(idx, PROC.context);
