/*
 * Test helpers for whole-system tests: boot the standard system with a workload, find a
 * process, and make real faults in a driver's code — in the running copy (transient) or also in
 * the pristine image RS restarts from (persistent).
 */
import { BUILDS } from "../../system/builds/index.js";
import type { Build } from "../../system/builds/types.js";
import { composeSystem, type ComposeOptions } from "../../system/compose.js";
import { lookupEndpoint } from "../../system/kernel/proc.js";
import { procTranslate } from "../../system/kernel/vm.js";
import { fileOffsetOf, findSymbol, parseElf } from "../../system/machine/elf.js";
import type { System } from "../../system/system.js";
import type { Workload } from "../../system/workloads/workload.js";

export function boot(build: Build | string, workload: Workload, opts: ComposeOptions = {}): { sys: System; params: string } {
  const r = composeSystem(typeof build === "string" ? BUILDS[build] : build, workload, opts);
  if (!r.ok) throw new Error(r.error);
  return { sys: r.system, params: r.params };
}

/** Process-table index of the live process labelled `label`. */
export function procIndex(sys: System, label: string): number {
  const ep = sys.kernel.lookupLabel(label);
  if (ep === undefined) throw new Error(`no live process ${label}`);
  return lookupEndpoint(sys.kernel.km, ep);
}

/** Virtual address of function `symbol` in driver image `image`. */
export function symbolAddress(sys: System, image: string, symbol: string): number {
  const parsed = parseElf(sys.images[image]);
  if (!parsed.ok) throw new Error(parsed.error);
  const sym = findSymbol(parsed.elf, symbol);
  if (!sym) throw new Error(`no symbol ${symbol}`);
  return sym.value;
}

/** Writes instruction words at `symbol` (+ offset) in the running driver's memory. */
export function patchRunning(sys: System, label: string, symbol: string, words: number[], offset = 0): void {
  const pa = procTranslate(sys.kernel.km, procIndex(sys, label), symbolAddress(sys, label, symbol) + offset, false);
  const view = new DataView(sys.machine.bus.ram.buffer);
  words.forEach((w, i) => view.setUint32(pa - sys.machine.bus.ramBase + 4 * i, w >>> 0, true));
}

/** Writes instruction words at `symbol` in the pristine image too (a persistent fault). */
export function patchImage(sys: System, image: string, symbol: string, words: number[], offset = 0): void {
  const parsed = parseElf(sys.images[image]);
  if (!parsed.ok) throw new Error(parsed.error);
  const off = fileOffsetOf(parsed.elf, symbolAddress(sys, image, symbol) + offset)!;
  const view = new DataView(sys.images[image].buffer, sys.images[image].byteOffset);
  words.forEach((w, i) => view.setUint32(off + 4 * i, w >>> 0, true));
}

/** An illegal instruction, and `j .` (an infinite loop). */
export const ILLEGAL = 0x0000_0000;
export const LOOP = 0x0000_006f;
