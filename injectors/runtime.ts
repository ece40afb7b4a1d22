/*
 * The faults applied at run time, when the CPU reaches a site: the directed faults BAD_POINTER
 * (the base register of a load/store is overridden; the kernel structures it aims at are in
 * kernel-targets.ts) and BAD_PORT_WRITE (the port argument of libsys's sys_out* is overridden),
 * and the state faults REG_FLIP and MEM_FLIP. For each type: which instructions are sites, and
 * the Action the planner fixes for a site. Definitions in README.md ("Fault models").
 */
import { RAM_BASE, PORT_RESET_CTRL, PORT_SYSCTL_A, PORT_UART } from "../system/machine/memmap.js";
import { PAGE_TABLE_VARIANT, STRUCTURES, wordAt, wordCount } from "./kernel-targets.js";
import { pick } from "./mutations.js";
import type { Func, Insn, Program } from "./program.js";
import { accessSize } from "./rv32.js";
import { VARIANTS, type Action, type FaultModel, type Rng } from "./types.js";

export interface RuntimeDef {
  variants?: readonly string[];
  sites(p: Program, f: Func, variant?: string): Insn[];
  action(i: Insn, rng: Rng, variant: string | undefined, p: Program, model: FaultModel): Action;
}

/** Base registers BAD_POINTER leaves alone: zero, sp, gp, tp (the stack and the ABI pointers). */
const FIXED_BASES = [0, 2, 3, 4];

/** libsys functions that write one port; their first argument (a0) is the port. */
export const PORT_WRITERS = ["sys_outb", "sys_outw", "sys_outl"];

/** Ports of the devices a driver of the disk must not touch (the console UART, COM1). */
const OTHER_DEVICE_PORTS = 8;

/**
 * BAD_POINTER's action at load/store i. The kernel variants aim at a word of the structure they
 * name (kernel-targets.ts), drawn uniformly among its words; kernel-pagetable draws an integer
 * in [0, 2^32) that picks the word among the live page tables when the site is reached.
 */
function badPointer(i: Insn, rng: Rng, variant: string | undefined): Action {
  const reg = i.d.rs1!;
  const imm = i.d.imm ?? 0;
  const aim = (target: number): Action => ({ kind: "set-reg", reg, value: (target - imm) | 0 });
  const structure = variant === undefined ? undefined : STRUCTURES[variant];
  if (structure) return aim(RAM_BASE + wordAt(structure, pick(rng, wordCount(structure))));
  switch (variant) {
    case "null": return aim(0);
    case "random": return aim(Math.floor(rng() * 2 ** 32) & -accessSize(i.d));
    case PAGE_TABLE_VARIANT: return { kind: "aim-page-table", reg, imm, draw: pick(rng, 2 ** 32) };
    default: return { kind: "add-reg", reg, add: 4096 };
  }
}

function badPort(rng: Rng, variant: string | undefined, model: FaultModel): Action {
  let port: number;
  if (model.port !== undefined) port = model.port;
  else if (variant === "other-device") port = PORT_UART + pick(rng, OTHER_DEVICE_PORTS);
  else if (variant === "sysctl") port = [PORT_SYSCTL_A, PORT_RESET_CTRL][pick(rng, 2)];
  else port = pick(rng, 0x1_0000);
  return { kind: "set-reg", reg: 10, value: port };
}

/** A word (4-byte aligned) of the driver's data and bss, uniformly. */
function dataWord(p: Program, rng: Rng): number {
  const regions = p.data.map(([va, size]): [number, number] => [(va + 3) & ~3, Math.floor((va + size - ((va + 3) & ~3)) / 4)]);
  let k = pick(rng, regions.reduce((n, [, words]) => n + words, 0));
  for (const [base, words] of regions) {
    if (k < words) return (base + 4 * k) >>> 0;
    k -= words;
  }
  return regions[0][0];
}

export const RUNTIME: Record<string, RuntimeDef> = {
  BAD_POINTER: {
    variants: VARIANTS.BAD_POINTER,
    sites: (_p, f) => f.insns.filter((i) => (i.d.isLoad || i.d.isStore) && !FIXED_BASES.includes(i.d.rs1!)),
    action: (i, rng, v) => badPointer(i, rng, v),
  },
  BAD_PORT_WRITE: {
    variants: ["other-device", "sysctl", "random"],
    sites: (_p, f) => (PORT_WRITERS.includes(f.name) ? f.insns.slice(0, 1) : []),
    action: (_i, rng, v, _p, model) => badPort(rng, v, model),
  },
  REG_FLIP: {
    sites: (_p, f) => f.insns,
    action: (_i, rng) => ({ kind: "xor-reg", reg: 1 + pick(rng, 31), xor: (1 << pick(rng, 32)) >>> 0 }),
  },
  MEM_FLIP: {
    sites: (p, f) => (p.data.length ? f.insns : []),
    action: (_i, rng, _v, p) => ({ kind: "xor-mem", va: dataWord(p, rng), xor: (1 << pick(rng, 32)) >>> 0 }),
  },
};
