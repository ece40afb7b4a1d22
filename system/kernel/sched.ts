/*
 * Scheduling: MINIX's multilevel ready queues, kept in guest memory (heads and tails in the
 * scheduler area, links in each process entry). A process is in its priority's queue exactly
 * when it is runnable (no RTS flag). pickNext takes the head of the highest non-empty queue;
 * a process whose quantum ran out goes to the tail of its queue (round robin within a level).
 */
import { KernelMemory, PROC } from "./layout.js";
import { NR_SCHED_QUEUES } from "./params.js";

export function initQueues(km: KernelMemory): void {
  for (let q = 0; q < NR_SCHED_QUEUES; q++) km.setRdy(q, -1, -1);
}

/** Appends `idx` to the tail of its priority queue. */
export function enqueue(km: KernelMemory, idx: number): void {
  const q = km.proc(idx, PROC.priority);
  km.setProc(idx, PROC.nextReady, -1);
  const tail = km.rdyTail(q);
  if (tail < 0) km.setRdy(q, idx, idx);
  else {
    km.setProc(tail, PROC.nextReady, idx);
    km.setRdy(q, km.rdyHead(q), idx);
  }
}

/** Removes `idx` from its queue if it is there. */
export function dequeue(km: KernelMemory, idx: number): void {
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

