/*
 * The harness's view of a native server's memory region: the bytes of guest RAM it owns, in
 * place, from address 0 of the region — what the server's tables (ds-table.ts, rs/table.ts) are
 * read from. For observations and tests (what RS believes, what DS holds), not for the servers,
 * which see their region through NativeApi.view.
 */
import type { Kernel } from "../kernel/kernel.js";
import { PK_NATIVE, PROC } from "../kernel/layout.js";
import { lookupEndpoint } from "../kernel/proc.js";

/** The region of the live native process `label`, or undefined (no such process, or its region lies outside RAM). */
export function nativeRegion(k: Kernel, label: string): Uint8Array | undefined {
  const ep = k.lookupLabel(label);
  if (ep === undefined) return undefined;
  const idx = lookupEndpoint(k.km, ep);
  if (idx < 0 || k.km.proc(idx, PROC.kind) !== PK_NATIVE) return undefined;
  const ram = k.km.bus.ram;
  const base = (k.km.proc(idx, PROC.memBase) >>> 0) - k.km.bus.ramBase;
  const size = k.km.proc(idx, PROC.memSize) >>> 0;
  if (base < 0 || base + size > ram.length) return undefined;
  return ram.subarray(base, base + size);
}
