/*
 * A user program's side of the VFS protocol (kernel/abi.ts, VFS and VFS_MSG), shared by the
 * workloads that speak it (files.ts, throughput.ts): boot parameters as key=value words, and
 * the path and data requests, each through a grant on the program's own memory that the caller
 * revokes when the reply comes (the grant ids go to `grants`).
 */
import { CLOCK, CPF_READ, CPF_WRITE, errorName, NOTIFY_MESSAGE, VFS, VFS_MSG, VFS_PROC_NR } from "../kernel/abi.js";
import { msgSource, msgType, messageOf, newMessage, set32, setString, type Message } from "../kernel/message.js";
import type { NativeApi } from "../kernel/native.js";

/** `key=value` words of a boot parameter string. */
export function parseParams(params: string): Record<string, string> {
  return Object.fromEntries(params.split(/\s+/).filter(Boolean).map((kv) => kv.split("=", 2) as [string, string]));
}

/** A numeric parameter, or `dflt` when absent or not a number. */
export const num = (v: string | undefined, dflt: number): number => (v !== undefined && Number.isFinite(Number(v)) ? Number(v) : dflt);

export const vfsEndpoint = (k: NativeApi<unknown>): number => k.lookup("vfs") ?? VFS_PROC_NR;

/** Sends a path request (the path inline when short, else through a grant on `pathBuf`). */
export function pathRequest(k: NativeApi<unknown>, grants: number[], pathBuf: number, type: number, path: string): void {
  const m = newMessage(type, { [VFS_MSG.request.pathLen]: path.length });
  if (path.length < VFS.PATH_INLINE) setString(m, VFS_MSG.request.path, VFS.PATH_INLINE, path);
  else {
    k.write(pathBuf, Uint8Array.from(path, (c) => c.charCodeAt(0)));
    const g = k.grant(vfsEndpoint(k), pathBuf, path.length, CPF_READ);
    grants.push(g);
    set32(m, VFS_MSG.request.pathGrant, g);
  }
  k.sendrec(vfsEndpoint(k), m);
}

/** Sends a READ or WRITE on `fd` of `bytes` (at most VFS.IO_MAX are moved) through a grant on [va, va + bytes). */
export function dataRequest(k: NativeApi<unknown>, grants: number[], type: number, fd: number, va: number, bytes: number): void {
  const g = k.grant(vfsEndpoint(k), va, Math.max(bytes, 1), type === VFS.WRITE ? CPF_READ : CPF_WRITE);
  grants.push(g);
  k.sendrec(vfsEndpoint(k), messageOf(type, VFS_MSG.request.fd, fd, VFS_MSG.request.grant, g, VFS_MSG.request.bytes, bytes));
}

/** What every workload program keeps about its requests (files.ts, throughput.ts, net.ts). */
export interface VfsClientState {
  fd: number;
  /** Grants to revoke when the reply comes. */
  grants: number[];
  /** Requests answered (a watchdog watches this grow). */
  ops: number;
  /** Waiting for a clock tick (the program pauses now and then so that time passes). */
  sleeping: boolean;
  /** The last operations: tick, request, result. */
  events: Array<{ at: number; op: string; result: string }>;
  /** Requests that failed, with the error. */
  errors: Array<{ request: string; error: string }>;
  /** What was read back with wrong contents or length. */
  mismatches: string[];
  done: boolean;
}

/** Counts a reply to request `what` and logs it among the last `max` events. */
export function noteReply(k: NativeApi<VfsClientState>, what: string, status: number, max = 1000): void {
  const s = k.state;
  s.ops++;
  s.events.push({ at: k.ticks(), op: what, result: status < 0 ? errorName(status) : String(status) });
  if (s.events.length > max) s.events.shift();
}

/** Replies between one-tick pauses: handler runs of natives chain within one kernel entry; a pause now and then lets time pass. */
export const PAUSE_EVERY = 256;

/**
 * A workload program's receive (files.ts, throughput.ts, net.ts): a CLOCK notification ends a
 * pause (`hooks.woke`, then the next request); a reply of `replyType` revokes the request's
 * grants and goes to `step`; then, unless the program is done, the next request — after a
 * one-tick pause (`hooks.paused`) every PAUSE_EVERY replies.
 */
export function clientReceive<S extends VfsClientState>(
  k: NativeApi<S>, m: Message, replyType: number, step: (m: Message) => void, next: () => void,
  hooks: { paused?: () => void; woke?: () => void } = {},
): void {
  const s = k.state;
  if (msgType(m) === NOTIFY_MESSAGE) {
    if (msgSource(m) === CLOCK && s.sleeping) {
      s.sleeping = false;
      hooks.woke?.();
      next();
    }
    return;
  }
  if (msgType(m) !== replyType || s.done) return;
  for (const g of s.grants.splice(0)) k.revoke(g);
  step(m);
  if (s.done) return;
  if (s.ops % PAUSE_EVERY === 0) {
    s.sleeping = true;
    hooks.paused?.();
    k.setAlarm(1);
  } else next();
}
