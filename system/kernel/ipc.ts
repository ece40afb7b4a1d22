/*
 * Inter-process communication with MINIX semantics: rendezvous SEND / RECEIVE / SENDREC,
 * non-blocking SENDNB (ENOTREADY when the receiver is not waiting), NOTIFY (a pending bit per
 * notifier that coalesces), deadlock detection (ELOCKED), and the cleanup when a process dies
 * (everyone blocked on it gets EDEADSRCDST). Messages are copied at delivery, from the sender's
 * buffer to the receiver's, each through its owner's page table. In the Singularity builds every
 * send is first checked against the contract of its channel (channels.ts).
 *
 * Functions return OK, a negative error code, or SUSPENDED when the caller now blocks (its
 * result is written when the operation completes).
 */
import {
  ANY, CLOCK, ECALLDENIED, EDEADSRCDST, EFAULT, ELOCKED, ENOTREADY, HARDWARE, IPC_RECEIVE, IPC_SEND, M_SOURCE, MESSAGE_SIZE, MSG, NONE,
  NOTIFY_MESSAGE, OK,
} from "./abi.js";
import type { Kernel } from "./kernel.js";
import { PROC, RTS_RECEIVING, RTS_SENDING, PRIV, SF_CHECKED } from "./layout.js";
import { messageOf, set32, type Message } from "./message.js";
import { NR_SLOTS } from "./params.js";
import { clearRts, lookupEndpoint, setRts } from "./proc.js";
import { pushAsync } from "./queues.js";
import { assertProcOk, dequeue } from "./sched.js";
import { entering } from "./wrappers.js";
import { sendChecked, sendRecorded } from "./channels.js";

export const SUSPENDED = 1;

/** May `caller` send to process `dst`? (the IPC send mask, when checks are on for the caller) */
export function maySendTo(k: Kernel, caller: number, dst: number): boolean {
  const km = k.km;
  if (!(km.priv(caller, PRIV.flags) & SF_CHECKED)) return true;
  return km.privBit(caller, PRIV.ipcTo, dst);
}

/** SEND (and SENDNB when `nonblock`): deliver now if `dstE` waits for us, else block or fail. */
export function send(k: Kernel, caller: number, dstE: number, msgVa: number, nonblock: boolean): number {
  const km = k.km;
  const dst = target(k, caller, dstE);
  if (dst < 0) return dst;
  const callerE = km.proc(caller, PROC.endpoint);
  const waits = waitsFor(k, dst, callerE);
  if (!waits) {
    if (nonblock) return -ENOTREADY;
    if (deadlock(k, caller, dstE, IPC_SEND)) return -ELOCKED;
    if (!k.readable(caller, msgVa, MESSAGE_SIZE)) return -EFAULT;
  }
  // The message goes now (delivered, or its sender blocks with it): its channel checks and records it first.
  if (k.sips) {
    const c = sendChecked(k, caller, dst, msgVa, undefined, true);
    if (c !== OK) return c;
  }
  if (waits) {
    const msg = k.copyMsgFrom(caller, msgVa);
    if (!msg) return -EFAULT;
    return deliver(k, dst, msg, callerE);
  }
  setRts(km, caller, RTS_SENDING);
  km.setProc(caller, PROC.sendTo, dstE);
  km.setProc(caller, PROC.msgVir, msgVa);
  appendCaller(k, dst, caller);
  dequeue(km, caller, k.asserts);
  return SUSPENDED;
}

/** RECEIVE from `srcE` (ANY or an endpoint): notifications first, then asynchronous messages, then senders. */
export function receive(k: Kernel, caller: number, srcE: number, msgVa: number): number {
  const km = k.km;
  k.charge("ipcOp");
  if (srcE !== ANY && lookupEndpoint(km, srcE) < 0) return -EDEADSRCDST;
  if (!k.writable(caller, msgVa, MESSAGE_SIZE)) return -EFAULT;
  const note = takeNotification(k, caller, srcE);
  if (note) return into(k, caller, msgVa, note, srcE) ? OK : -EFAULT;
  const async = k.takeAsync(caller, srcE);
  if (async) return into(k, caller, msgVa, async, srcE) ? OK : -EFAULT;
  for (let prev = -1, s = km.proc(caller, PROC.callerQ), n = 0; s >= 0 && n < NR_SLOTS; prev = s, s = km.proc(s, PROC.qLink), n++) {
    if (srcE !== ANY && km.proc(s, PROC.endpoint) !== srcE) continue;
    unlinkCaller(k, caller, prev, s);
    const msg = k.copyMsgFrom(s, km.proc(s, PROC.msgVir));
    clearRts(km, s, RTS_SENDING);
    km.setProc(s, PROC.sendTo, NONE);
    if (!msg) {
      k.complete(s, -EFAULT);
      continue;
    }
    k.complete(s, OK);
    set32(msg, M_SOURCE, km.proc(s, PROC.endpoint));
    return into(k, caller, msgVa, msg, srcE) ? OK : -EFAULT;
  }
  if (deadlock(k, caller, srcE, IPC_RECEIVE)) return -ELOCKED;
  setRts(km, caller, RTS_RECEIVING);
  km.setProc(caller, PROC.getFrom, srcE);
  km.setProc(caller, PROC.msgVir, msgVa);
  dequeue(km, caller, k.asserts);
  return SUSPENDED;
}

/** SENDREC: send, then receive the reply from the same endpoint (MINIX rendezvous call). */
export function sendrec(k: Kernel, caller: number, dstE: number, msgVa: number): number {
  const km = k.km;
  const r = send(k, caller, dstE, msgVa, false);
  if (r === SUSPENDED) {
    // Blocked sending; once the message is taken we keep waiting for the reply.
    setRts(km, caller, RTS_RECEIVING);
    km.setProc(caller, PROC.getFrom, dstE);
    return SUSPENDED;
  }
  if (r !== OK) return r;
  return receive(k, caller, dstE, msgVa);
}

/** The process `caller` may send to at `dstE` (index), or the error: dead endpoint, send mask. */
function target(k: Kernel, caller: number, dstE: number): number {
  k.charge("ipcOp");
  const dst = lookupEndpoint(k.km, dstE);
  if (dst < 0) return -EDEADSRCDST;
  if (!maySendTo(k, caller, dst)) return k.denied(caller, "ipc", -ECALLDENIED);
  return dst;
}

/** NOTIFY from process `caller` (a task index for CLOCK/HARDWARE): deliver or set the pending bit. */
export function notify(k: Kernel, caller: number, dstE: number): number {
  const km = k.km;
  const dst = target(k, caller, dstE);
  if (dst < 0) return dst;
  const callerE = km.proc(caller, PROC.endpoint);
  if (waitsFor(k, dst, callerE)) {
    km.setPrivBit(dst, PRIV.notifyPending, caller, false);
    deliver(k, dst, buildNotify(k, caller, dst), callerE); // a bad receive buffer is the receiver's problem
    return OK;
  }
  km.setPrivBit(dst, PRIV.notifyPending, caller, true);
  return OK;
}

/** True when process `dst` is blocked receiving from `srcE` (or from ANY) and not still sending. */
function waitsFor(k: Kernel, dst: number, srcE: number): boolean {
  const km = k.km;
  const f = km.proc(dst, PROC.rtsFlags);
  if (!(f & RTS_RECEIVING) || f & RTS_SENDING) return false;
  const from = km.proc(dst, PROC.getFrom);
  return from === ANY || from === srcE;
}

/** Copies received message `msg` into guest idx's buffer at va (its receive named `srcE`): across a Nooks domain's boundary too (wrappers.ts). */
function into(k: Kernel, idx: number, va: number, msg: Message, srcE: number): boolean {
  entering(k, idx, msg, srcE === ANY);
  return k.copyMsgTo(idx, va, msg);
}

/** Copies `msg` (from `srcE`) into blocked receiver `dst` and wakes it. */
function deliver(k: Kernel, dst: number, msg: Message, srcE: number): number {
  const km = k.km;
  set32(msg, M_SOURCE, srcE);
  clearRts(km, dst, RTS_RECEIVING);
  const from = km.proc(dst, PROC.getFrom);
  km.setProc(dst, PROC.getFrom, NONE);
  if (!into(k, dst, km.proc(dst, PROC.msgVir), msg, from)) {
    k.complete(dst, -EFAULT);
    return -EFAULT;
  }
  k.complete(dst, OK);
  return OK;
}

/** A pending notification for `caller` matching `srcE`, consumed; or undefined. */
function takeNotification(k: Kernel, caller: number, srcE: number): Message | undefined {
  const km = k.km;
  for (let i = 0; i < NR_SLOTS; i++) {
    if (!km.privBit(caller, PRIV.notifyPending, i)) continue;
    if (srcE !== ANY && km.proc(i, PROC.endpoint) !== srcE) continue;
    km.setPrivBit(caller, PRIV.notifyPending, i, false);
    const m = buildNotify(k, i, caller);
    set32(m, M_SOURCE, km.proc(i, PROC.endpoint));
    return m;
  }
  return undefined;
}

/** The notification message from `from` to `to` (HARDWARE carries and clears the pending IRQ bits). */
function buildNotify(k: Kernel, from: number, to: number): Message {
  const km = k.km;
  const ticks = k.state.ticks;
  const m = messageOf(NOTIFY_MESSAGE, MSG.notify.timestampLo, ticks | 0, MSG.notify.timestampHi, Math.floor(ticks / 2 ** 32));
  if (km.proc(from, PROC.endpoint) === HARDWARE) {
    set32(m, MSG.notify.interrupts, km.priv(to, PRIV.intPending));
    km.setPriv(to, PRIV.intPending, 0);
  } else if (km.proc(from, PROC.endpoint) === CLOCK) set32(m, MSG.notify.interrupts, 0);
  return m;
}

/** The endpoint process p is blocked on (MINIX P_BLOCKEDON): its send target, its receive source, or NONE. */
function blockedOn(k: Kernel, p: number): number {
  const f = k.km.proc(p, PROC.rtsFlags);
  if (f & RTS_SENDING) return k.km.proc(p, PROC.sendTo);
  if (f & RTS_RECEIVING) return k.km.proc(p, PROC.getFrom);
  return NONE;
}

/**
 * MINIX deadlock detection (proc.c deadlock()): following what each process is blocked on,
 * starting at `e`, leads back to `caller`. The one legitimate cycle is two processes that
 * directly SEND(REC) and RECEIVE to each other. `fn` is IPC_SEND or IPC_RECEIVE.
 */
function deadlock(k: Kernel, caller: number, e: number, fn: number): boolean {
  const km = k.km;
  const callerE = km.proc(caller, PROC.endpoint);
  for (let size = 2; e !== ANY && size <= NR_SLOTS + 1; size++) {
    const xp = lookupEndpoint(km, e);
    if (xp < 0) return false;
    if (k.asserts && !assertProcOk(km, xp, k.asserts, "deadlock")) return false;
    e = blockedOn(k, xp);
    if (e === NONE) return false;
    if (e === callerE) return !(size === 2 && (km.proc(xp, PROC.rtsFlags) ^ (fn << 2)) & RTS_SENDING);
  }
  return false;
}

function appendCaller(k: Kernel, dst: number, caller: number): void {
  const km = k.km;
  km.setProc(caller, PROC.qLink, -1);
  let s = km.proc(dst, PROC.callerQ);
  if (s < 0) {
    km.setProc(dst, PROC.callerQ, caller);
    return;
  }
  for (let n = 0; km.proc(s, PROC.qLink) >= 0 && n < NR_SLOTS; n++) s = km.proc(s, PROC.qLink);
  km.setProc(s, PROC.qLink, caller);
}

function unlinkCaller(k: Kernel, dst: number, prev: number, s: number): void {
  const km = k.km;
  const next = km.proc(s, PROC.qLink);
  if (prev < 0) km.setProc(dst, PROC.callerQ, next);
  else km.setProc(prev, PROC.qLink, next);
  km.setProc(s, PROC.qLink, -1);
}

/**
 * Cleans up IPC state when process `dead` dies: it leaves the sender queue it was in, and
 * every process blocked sending to it or receiving from it gets EDEADSRCDST.
 */
export function cleanupIpc(k: Kernel, dead: number): void {
  const km = k.km;
  const deadE = km.proc(dead, PROC.endpoint);
  if (km.proc(dead, PROC.rtsFlags) & RTS_SENDING) {
    const to = lookupEndpoint(km, km.proc(dead, PROC.sendTo));
    if (to >= 0)
      for (let prev = -1, s = km.proc(to, PROC.callerQ), n = 0; s >= 0 && n < NR_SLOTS; prev = s, s = km.proc(s, PROC.qLink), n++)
        if (s === dead) {
          unlinkCaller(k, to, prev, s);
          break;
        }
  }
  for (let s = km.proc(dead, PROC.callerQ), n = 0; s >= 0 && n < NR_SLOTS; n++) {
    const next = km.proc(s, PROC.qLink);
    km.setProc(s, PROC.qLink, -1);
    clearRts(km, s, RTS_SENDING | RTS_RECEIVING);
    km.setProc(s, PROC.sendTo, NONE);
    km.setProc(s, PROC.getFrom, NONE);
    k.complete(s, -EDEADSRCDST);
    s = next;
  }
  km.setProc(dead, PROC.callerQ, -1);
  for (let i = 0; i < NR_SLOTS; i++) {
    if (i === dead) continue;
    km.setPrivBit(i, PRIV.notifyPending, dead, false);
    const f = km.proc(i, PROC.rtsFlags);
    if (f & RTS_RECEIVING && !(f & RTS_SENDING) && km.proc(i, PROC.getFrom) === deadE) {
      clearRts(km, i, RTS_RECEIVING);
      km.setProc(i, PROC.getFrom, NONE);
      k.complete(i, -EDEADSRCDST);
    }
  }
}

/**
 * Asynchronous send of an in-kernel message (native processes, MINIX senda): delivered at once
 * when `dstE` waits for `caller`, otherwise queued until `dstE` receives.
 */
export function sendAsync(k: Kernel, caller: number, dstE: number, msg: Message): number {
  const dst = target(k, caller, dstE);
  if (dst < 0) return dst;
  if (k.sips) {
    const c = sendChecked(k, caller, dst, 0, msg);
    if (c !== OK) return c;
  }
  const callerE = k.km.proc(caller, PROC.endpoint);
  const r = waitsFor(k, dst, callerE) ? deliver(k, dst, msg.slice(), callerE) : pushAsync(k.km, caller, dstE, msg);
  if (k.sips && r === OK) sendRecorded(k, caller, dst, 0, msg);
  return r;
}
