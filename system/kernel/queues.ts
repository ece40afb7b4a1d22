/*
 * The kernel's two message queues in guest RAM (layouts in layout.ts RUNQ and ASYNCQ): native
 * processes ready to run, and messages native processes sent asynchronously that their
 * destination has not received yet (MINIX keeps the latter in the senders' senda tables). A full
 * queue is a kernel decision like any other: a full run queue panics (it cannot happen unless
 * the queue is corrupt), a full asynchronous queue refuses the send (ENOSPC, as MINIX's senda
 * refuses a table it cannot take). Counts read from RAM are clamped, so a wild write may lose or
 * invent entries but never takes the host out of bounds.
 */
import { ENOSPC, OK } from "./abi.js";
import type { Kernel } from "./kernel.js";
import { ASYNCQ, ASYNCQ_ENTRY, RUNQ, type KernelMemory } from "./layout.js";
import { ASYNCQ_CAP, ASYNCQ_OFF, RUNQ_CAP, RUNQ_OFF } from "./params.js";

const clamp = (v: number, cap: number): number => Math.min(Math.max(v, 0), cap);

export function initRunQueue(km: KernelMemory): void {
  km.setWord(RUNQ_OFF + RUNQ.head, 0);
  km.setWord(RUNQ_OFF + RUNQ.count, 0);
  km.setWord(ASYNCQ_OFF + ASYNCQ.count, 0);
}

const runEntry = (i: number): number => RUNQ_OFF + RUNQ.entries + (i % RUNQ_CAP) * 8;

/** Queues native process idx to run with `result` (OK, an IPC error, or NATIVE_START). */
export function pushRun(k: Kernel, idx: number, result: number): void {
  const km = k.km;
  const n = clamp(km.word(RUNQ_OFF + RUNQ.count), RUNQ_CAP);
  if (n >= RUNQ_CAP) return k.panic("native run queue overflow");
  const at = runEntry(clamp(km.word(RUNQ_OFF + RUNQ.head), RUNQ_CAP - 1) + n);
  km.setWord(at, idx);
  km.setWord(at + 4, result);
  km.setWord(RUNQ_OFF + RUNQ.count, n + 1);
}

/** Takes the first entry of the run queue into `out` ([index, result]); false when empty. */
export function shiftRun(km: KernelMemory, out: [number, number]): boolean {
  const n = clamp(km.word(RUNQ_OFF + RUNQ.count), RUNQ_CAP);
  if (n === 0) return false;
  const head = clamp(km.word(RUNQ_OFF + RUNQ.head), RUNQ_CAP - 1);
  out[0] = km.word(runEntry(head));
  out[1] = km.word(runEntry(head) + 4);
  km.setWord(RUNQ_OFF + RUNQ.head, (head + 1) % RUNQ_CAP);
  km.setWord(RUNQ_OFF + RUNQ.count, n - 1);
  return true;
}

/** Drops the run-queue entries of process idx (it died), keeping the others in order. */
export function dropRuns(km: KernelMemory, idx: number): void {
  const n = clamp(km.word(RUNQ_OFF + RUNQ.count), RUNQ_CAP);
  const head = clamp(km.word(RUNQ_OFF + RUNQ.head), RUNQ_CAP - 1);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const from = runEntry(head + i);
    if (km.word(from) === idx) continue;
    const to = runEntry(head + kept++);
    km.setWord(to, km.word(from));
    km.setWord(to + 4, km.word(from + 4));
  }
  km.setWord(RUNQ_OFF + RUNQ.count, kept);
}

const asyncEntry = (i: number): number => ASYNCQ_OFF + ASYNCQ.entries + i * ASYNCQ_ENTRY;
const asyncCount = (km: KernelMemory): number => clamp(km.word(ASYNCQ_OFF + ASYNCQ.count), ASYNCQ_CAP);

/** Queues message `msg` from process `from` for endpoint `to`; -ENOSPC when the queue is full. */
export function pushAsync(km: KernelMemory, from: number, to: number, msg: Uint8Array): number {
  const n = asyncCount(km);
  if (n >= ASYNCQ_CAP) return -ENOSPC;
  const at = asyncEntry(n);
  km.setWord(at + ASYNCQ.from, from);
  km.setWord(at + ASYNCQ.to, to);
  km.bus.ram.set(msg.subarray(0, ASYNCQ_ENTRY - ASYNCQ.msg), at + ASYNCQ.msg);
  km.setWord(ASYNCQ_OFF + ASYNCQ.count, n + 1);
  return OK;
}

/**
 * The first queued message for endpoint `to` whose sender passes `accept` (given the sender's
 * process-table index), removed from the queue, with that sender's index; undefined if none.
 */
export function takeAsyncFor(km: KernelMemory, to: number, accept: (from: number) => boolean): { from: number; msg: Uint8Array } | undefined {
  const n = asyncCount(km);
  for (let i = 0; i < n; i++) {
    const at = asyncEntry(i);
    if (km.word(at + ASYNCQ.to) !== to) continue;
    const from = km.word(at + ASYNCQ.from);
    if (!accept(from)) continue;
    const msg = km.bus.ram.slice(at + ASYNCQ.msg, at + ASYNCQ_ENTRY);
    km.moveWords(asyncEntry(i + 1), at, ((n - i - 1) * ASYNCQ_ENTRY) >> 2);
    km.setWord(ASYNCQ_OFF + ASYNCQ.count, n - 1);
    return { from, msg };
  }
  return undefined;
}

/** Drops the queued messages from process idx or to endpoint `endpoint` (idx died). */
export function dropAsync(km: KernelMemory, idx: number, endpoint: number): void {
  const n = asyncCount(km);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const at = asyncEntry(i);
    if (km.word(at + ASYNCQ.from) === idx || km.word(at + ASYNCQ.to) === endpoint) continue;
    if (kept !== i) km.moveWords(at, asyncEntry(kept), ASYNCQ_ENTRY >> 2);
    kept++;
  }
  km.setWord(ASYNCQ_OFF + ASYNCQ.count, kept);
}
