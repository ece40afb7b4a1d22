/*
 * The process table: slots, endpoints with generation numbers, lookup and RTS flags.
 * An endpoint is (generation << ENDPOINT_GENERATION_SHIFT) + slot; a stale endpoint (old
 * generation) no longer resolves, so messages to a dead incarnation fail (MINIX isokendpt).
 */
import { ANY, ENDPOINT_GENERATION_SHIFT, NONE } from "./abi.js";
import { KernelMemory, PROC, PMAGIC, RTS_SLOT_FREE, SVC, SVC_PARAMS } from "./layout.js";
import { NR_PROCS, NR_SLOTS, NR_TASKS, slotIndex } from "./params.js";

export const endpointOf = (generation: number, slot: number): number => (generation << ENDPOINT_GENERATION_SHIFT) + slot;

/** Slot encoded in an endpoint (MINIX _ENDPOINT_P), for endpoints of any sign. */
export function endpointSlot(e: number): number {
  const span = 1 << ENDPOINT_GENERATION_SHIFT;
  const s = ((e % span) + span) % span;
  return s >= span - NR_TASKS ? s - span : s; // kernel tasks have negative slots
}

export const endpointGeneration = (e: number): number => (e - endpointSlot(e)) >> ENDPOINT_GENERATION_SHIFT;

/**
 * Process-table index of a live endpoint, or -1 when the endpoint is ANY/NONE, out of range,
 * names a free slot, or is of another generation (the process died and was replaced).
 */
export function lookupEndpoint(km: KernelMemory, e: number): number {
  if (e === ANY || e === NONE) return -1;
  const slot = endpointSlot(e);
  if (slot < -NR_TASKS || slot >= NR_PROCS) return -1;
  const idx = slotIndex(slot);
  if (km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE) return -1;
  return km.proc(idx, PROC.endpoint) === e ? idx : -1;
}

/** True when `e` is syntactically an endpoint that could name a process (ignoring liveness). */
export function endpointInRange(e: number): boolean {
  const slot = endpointSlot(e);
  return e !== ANY && e !== NONE && slot >= -NR_TASKS && slot < NR_PROCS;
}

/** First free user slot at or after `from`, or -1. */
export function freeSlot(km: KernelMemory, from = 0): number {
  for (let s = from; s < NR_PROCS; s++) if (km.proc(slotIndex(s), PROC.rtsFlags) & RTS_SLOT_FREE) return s;
  return -1;
}

/** Initialises every table entry as a free slot of generation 0. */
export function initProcTable(km: KernelMemory): void {
  for (let idx = 0; idx < NR_SLOTS; idx++) {
    const slot = idx - NR_TASKS;
    for (let f = 0; f < 256; f += 4) km.setProc(idx, f, 0);
    km.setProc(idx, PROC.magic, PMAGIC);
    km.setProc(idx, PROC.nr, slot);
    km.setProc(idx, PROC.endpoint, endpointOf(0, slot));
    km.setProc(idx, PROC.rtsFlags, RTS_SLOT_FREE);
    resetLinks(km, idx);
  }
}

/** No IPC partner and no queue membership: the state of a free or newly created process. */
export function resetLinks(km: KernelMemory, idx: number): void {
  km.setProc(idx, PROC.sendTo, NONE);
  km.setProc(idx, PROC.getFrom, NONE);
  km.setProc(idx, PROC.nextReady, -1);
  km.setProc(idx, PROC.callerQ, -1);
  km.setProc(idx, PROC.qLink, -1);
}

/** Sets RTS flag bits; returns the new flags. */
export function setRts(km: KernelMemory, idx: number, bits: number): number {
  const f = km.proc(idx, PROC.rtsFlags) | bits;
  km.setProc(idx, PROC.rtsFlags, f);
  return f;
}

/** Clears RTS flag bits; returns the new flags. */
export function clearRts(km: KernelMemory, idx: number, bits: number): number {
  const f = km.proc(idx, PROC.rtsFlags) & ~bits;
  km.setProc(idx, PROC.rtsFlags, f);
  return f;
}

/** The boot parameters of process idx (its per-slot boot data in RAM). */
export function bootParams(km: KernelMemory, idx: number): string {
  const at = km.svcOff(idx) + SVC.params;
  const ram = km.bus.ram;
  let end = at;
  while (end < at + SVC_PARAMS - 1 && ram[end] !== 0) end++;
  let s = "";
  for (let i = at; i < end; i++) s += ram[i] >= 32 && ram[i] < 127 ? String.fromCharCode(ram[i]) : "?";
  return s;
}
