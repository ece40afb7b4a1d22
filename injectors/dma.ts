/*
 * BAD_DMA when its site is reached: the driver is at the entry of sys_outl, about to write the
 * physical address of its descriptor table (a1) to its device's DMA-address port (a0). The fault
 * replaces the data address in the table's first entry — the word at physical a1, in the driver's
 * own memory, as if the driver had built the entry wrong — or the table pointer a1 itself, with
 * the address its aim resolves to now. Nothing else is faked: the device later walks the table
 * through the machine's DMA unit and really moves its data there, unless the IOMMU refuses.
 */
import { PROC } from "../system/kernel/layout.js";
import { lookupEndpoint } from "../system/kernel/proc.js";
import type { System } from "../system/system.js";
import { hex8 } from "./rv32.js";
import type { DmaAddress, DmaAim } from "./types.js";

/** A descriptor-table entry (a PIIX PRD): data address, then the byte count in the low 16 bits (0 = 64 KiB). */
const ENTRY_SIZE = 8;
const PAGE = 4096;

export type DmaResult = { ok: true; aimedAt: number } | { ok: false; note: string };

/** Physical [base, size) of the memory of the live process `label`, or undefined. */
function memoryOf(sys: System, label: string): [number, number] | undefined {
  const ep = sys.kernel.lookupLabel(label);
  if (ep === undefined) return undefined;
  const idx = lookupEndpoint(sys.kernel.km, ep);
  return [sys.kernel.km.proc(idx, PROC.memBase) >>> 0, sys.kernel.km.proc(idx, PROC.memSize) >>> 0];
}

/** The address `aim` gives in place of the driver's `given` one, from which the device moves `bytes`; or why there is none. */
function resolve(sys: System, aim: DmaAim, given: number, bytes: number): number | string {
  const bus = sys.machine.bus;
  switch (aim.to) {
    case "address": return aim.address >>> 0;
    case "offset": return (given + aim.add) >>> 0;
    case "ram": return (bus.ramBase + 4 * (aim.draw % Math.floor(bus.ramSize / 4))) >>> 0;
    case "process": {
      const mem = memoryOf(sys, aim.label);
      if (!mem || mem[1] === 0) return `${aim.label} is not running`;
      const pages = Math.floor((mem[1] - Math.min(bytes, mem[1])) / PAGE) + 1;
      return (mem[0] + PAGE * (aim.draw % pages)) >>> 0;
    }
  }
}

/**
 * Applies BAD_DMA to the driver `driver` stopped at its site (see the file comment). `data`
 * needs the table in the driver's memory, word-aligned (it built it there); otherwise, or when
 * the aim's process is not running, nothing changes and the result says why.
 */
export function applyBadDma(sys: System, driver: string, replace: DmaAddress, aim: DmaAim): DmaResult {
  const x = sys.machine.cpu.x;
  const table = x[11] >>> 0;
  if (replace === "table") {
    const to = resolve(sys, aim, table, ENTRY_SIZE);
    if (typeof to === "string") return { ok: false, note: to };
    x[11] = to | 0;
    return { ok: true, aimedAt: to };
  }
  const mem = memoryOf(sys, driver);
  if (!mem || table & 3 || table < mem[0] || table + ENTRY_SIZE > mem[0] + mem[1]) {
    return { ok: false, note: `the descriptor table pointer ${hex8(table)} is not in ${driver}'s memory` };
  }
  const ram = sys.machine.bus.ram32;
  const w = (table - sys.machine.bus.ramBase) >>> 2;
  const bytes = ram[w + 1] & 0xfffe || 0x10000;
  const to = resolve(sys, aim, ram[w] >>> 0, bytes);
  if (typeof to === "string") return { ok: false, note: to };
  ram[w] = to | 0;
  return { ok: true, aimedAt: to };
}
