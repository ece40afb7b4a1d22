/*
 * Scheduling: MINIX's multilevel ready queues, kept in guest memory (heads and tails in the
 * scheduler area, links in each process entry). A process is in its priority's queue exactly
 * when it is runnable (no RTS flag). pickNext takes the head of the highest non-empty queue;
 * a process whose quantum ran out goes to the tail of its queue (round robin within a level).
 *
 * In builds whose kernel asserts (MINIX: kernel/proc.c, asserts compiled in by default), enqueue
 * and dequeue check what MINIX's check there, at a price; a failed assert panics. Without them a
 * corrupt priority or link is used as it is (a priority past the last queue links the process
 * into memory after the queue heads, where pickNext never looks).
 */
import { KernelMemory, PMAGIC, PROC, RTS_SLOT_FREE } from "./layout.js";
import { NR_SCHED_QUEUES, NR_TASKS } from "./params.js";

/** The kernel's asserts, in builds that have them: fail panics, charge(n) pays for n asserts evaluated. */
export interface Asserts {
  fail(what: string): void;
  charge(n: number): void;
}

/** MINIX proc_ptr_ok(): the entry's magic is intact (asserted in dequeue and deadlock()). */
export function assertProcOk(km: KernelMemory, idx: number, a: Asserts, where: string): boolean {
  a.charge(1);
  if (km.proc(idx, PROC.magic) === PMAGIC) return true;
  a.fail(`assert failed in ${where}: proc_ptr_ok(process ${idx - NR_TASKS})`);
  return false;
}

export function initQueues(km: KernelMemory): void {
  for (let q = 0; q < NR_SCHED_QUEUES; q++) km.setRdy(q, -1, -1);
}

/** Appends `idx` to the tail of its priority queue (MINIX asserts it is runnable and q >= 0). */
export function enqueue(km: KernelMemory, idx: number, a?: Asserts): void {
  const q = km.proc(idx, PROC.priority);
  if (a) {
    a.charge(2);
    if (km.proc(idx, PROC.rtsFlags) !== 0) return a.fail(`assert failed in enqueue: proc_is_runnable(process ${idx - NR_TASKS})`);
    if (q < 0) return a.fail(`assert failed in enqueue: q >= 0 (process ${idx - NR_TASKS}, q ${q})`);
  }
  km.setProc(idx, PROC.nextReady, -1);
  const tail = km.rdyTail(q);
  if (tail < 0) km.setRdy(q, idx, idx);
  else {
    km.setProc(tail, PROC.nextReady, idx);
    km.setRdy(q, km.rdyHead(q), idx);
  }
}

/** Removes `idx` from its queue if it is there (MINIX asserts proc_ptr_ok and that the slot is in use). */
export function dequeue(km: KernelMemory, idx: number, a?: Asserts): void {
  if (a) {
    if (!assertProcOk(km, idx, a, "dequeue")) return;
    a.charge(1);
    if (km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE) return a.fail(`assert failed in dequeue: process ${idx - NR_TASKS} is not a free slot`);
  }
  const q = km.proc(idx, PROC.priority);
  let prev = -1;
  let cur = km.rdyHead(q);
  for (let n = 0; cur >= 0 && n < 1024; n++) {
    if (cur === idx) {
      const next = km.proc(idx, PROC.nextReady);
      if (prev < 0) km.setRdy(q, next, km.rdyTail(q) === idx ? -1 : km.rdyTail(q));
      else {
        km.setProc(prev, PROC.nextReady, next);
        if (km.rdyTail(q) === idx) km.setRdy(q, km.rdyHead(q), prev);
      }
      km.setProc(idx, PROC.nextReady, -1);
      return;
    }
    prev = cur;
    cur = km.proc(cur, PROC.nextReady);
  }
}

/** Index of the process to run next (head of the highest non-empty queue), or -1. */
export function pickNext(km: KernelMemory): number {
  for (let q = 0; q < NR_SCHED_QUEUES; q++) {
    const h = km.rdyHead(q);
    if (h >= 0) return h;
  }
  return -1;
}

