/*
 * Native processes: servers and programs written in TypeScript that take part in IPC like
 * guest processes (they have a process-table entry, an endpoint, privileges and a memory
 * region in guest RAM for their message buffers, grant table and data buffers), but run as
 * message handlers on the host. Their state is plain data (DESIGN.md principle 1); the program
 * (the handler functions) is code, looked up by name.
 *
 * A native process is always either waiting for a message (RECEIVING from ANY) or blocked in
 * one SENDREC. Its handler runs when a message arrives and may send (asynchronously: queued
 * until the destination receives), notify, and end with at most one sendrec.
 */
import type { ServiceConf } from "./service.js";
import type { DeathRecord } from "./state.js";
import type { Message } from "./message.js";

/** Addresses in a native process's memory region. */
export const NATIVE_INBOX = 0x0;
export const NATIVE_CALLBUF = 0x40;
export const NATIVE_GRANTS = 0x100; // up to NATIVE_MAX_GRANTS entries of 16 bytes
export const NATIVE_MAX_GRANTS = 256;
export const NATIVE_HEAP = 0x2000; // free for the program's buffers

/** nativeRunQ result meaning "first run: call start()" (spawn queues it, native-runtime.ts acts on it). */
export const NATIVE_START = 2;

/** What a native program may do while it handles a message. */
export interface NativeApi<S> {
  /** The program's own state (plain data; mutate it in place). */
  readonly state: S;
  readonly endpoint: number;
  readonly label: string;
  /** Boot parameters of this process. */
  readonly params: string;
  /** Asynchronous send: delivered at once if dst waits, else when dst next receives. */
  send(dst: number, m: Message): number;
  /** Send `m` and block for the reply (delivered to receive(), or ipcError on failure). One per handler. */
  sendrec(dst: number, m: Message): number;
  notify(dst: number): number;
  /** Reads/writes this process's memory region (addresses from 0). */
  read(va: number, len: number): Uint8Array;
  write(va: number, data: Uint8Array): void;
  /**
   * The bytes at `va` in place (no copy: valid until the handler returns). Servers read and
   * write their tables through it: it is their own memory, the same RAM write() changes.
   */
  view(va: number, len: number): Uint8Array;
  /** Creates a direct grant of [va, va+len) for `grantee`; returns the grant id. */
  grant(grantee: number, va: number, len: number, access: number): number;
  revoke(id: number): void;
  /**
   * Copies through another process's grant (MINIX sys_safecopyfrom/to, checked exactly as for
   * guests): from the granter's memory into ours (`from`), or from ours into the granter's.
   * Returns OK or a negative error.
   */
  safecopyFrom(granter: number, grant: number, offset: number, va: number, bytes: number): number;
  safecopyTo(granter: number, grant: number, offset: number, va: number, bytes: number): number;
  /** Alarm in `ticks` clock ticks (0 cancels): a notification from CLOCK. */
  setAlarm(ticks: number): void;
  /** Emulated time in cycles, and in clock ticks. */
  now(): number;
  ticks(): number;
  log(text: string): void;
  /** The endpoint of a live process with this label, or undefined. */
  lookup(label: string): number | undefined;
  /** The label of the live process `endpoint`, or undefined. */
  labelOf(endpoint: number): string | undefined;
  exit(status: number): void;
  /** Process management, for the reincarnation server. */
  readonly sys: NativeSys;
}

/** Privileged process management (MINIX RS's kernel calls and PM's role, folded together). */
export interface NativeSys {
  /** Starts a process for `conf` from the system's pristine image; its endpoint, or an error. */
  spawn(conf: ServiceConf): { ok: true; endpoint: number } | { ok: false; error: string };
  /** Kills a process (SIGKILL): its IPC partners get EDEADSRCDST; a death record is made. */
  kill(endpoint: number, reason: string): void;
  /** Makes this process the one the kernel notifies (from SYSTEM) when a process dies. */
  becomeSignalManager(): void;
  /** Takes the death records collected since the last call. */
  takeDeaths(): DeathRecord[];
}

export interface NativeProgram<S = any> {
  /** Initial state of a new process of this program. */
  init(label: string, params: string): S;
  /** Runs once, when the process is first scheduled. */
  start?(k: NativeApi<S>): void;
  /** A message arrived (a request, a notification, or the reply to a sendrec). */
  receive(k: NativeApi<S>, m: Message): void;
  /** The pending sendrec failed with `code` (negative), e.g. -EDEADSRCDST when the partner died. */
  ipcError?(k: NativeApi<S>, partner: number, code: number): void;
}

/** Native programs by name. */
export type NativeRegistry = Record<string, NativeProgram>;
