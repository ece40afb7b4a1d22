/*
 * The faults applied at run time, when the CPU reaches a site: the directed faults BAD_POINTER
 * (the base register of a load/store is overridden; the kernel structures it aims at are in
 * kernel-targets.ts), BAD_PORT_WRITE (the port argument of libsys's sys_out* is overridden) and
 * BAD_DMA (the physical address a driver hands its device for DMA is replaced; applied by
 * dma.ts), and the state faults REG_FLIP and MEM_FLIP. For each type: which instructions are
 * sites, the Action the planner fixes for a site and, for a site shared by other uses, the
 * register value that makes an execution count. Definitions in README.md ("Fault models").
 */
import { driverEntry } from "../system/drivers/catalog.js";
import { RAM_BASE, PORT_RESET_CTRL, PORT_SYSCTL_A, PORT_UART } from "../system/machine/memmap.js";
import { PAGE_TABLE_VARIANT, STRUCTURES, wordAt, wordCount } from "./kernel-targets.js";
import { pick } from "./mutations.js";
import type { Func, Insn, Program } from "./program.js";
import { accessSize } from "./rv32.js";
import { SERVERS } from "../system/servers/index.js";
import { VARIANTS, type Action, type DmaAddress, type DmaAim, type FaultModel, type Rng } from "./types.js";

export interface RuntimeDef {
  variants?: readonly string[];
  sites(p: Program, f: Func, variant?: string): Insn[];
  action(i: Insn, rng: Rng, variant: string | undefined, p: Program, model: FaultModel): Action;
  /** The executions that count: those where x[reg] = equals (absent: all of them). */
  when?(model: FaultModel): { reg: number; equals: number };
}

/** Base registers BAD_POINTER leaves alone: zero, sp, gp, tp (the stack and the ABI pointers). */
const FIXED_BASES = [0, 2, 3, 4];

/** libsys functions that write one port; their first argument (a0) is the port. */
export const PORT_WRITERS = ["sys_outb", "sys_outw", "sys_outl"];

/** libsys's 32-bit port write: how a driver hands its device a physical address (BAD_DMA's site). */
export const DMA_ADDRESS_WRITER = "sys_outl";

/**
 * Whose memory BAD_DMA other-process aims at: the server that uses the driver's class (VFS for a
 * disk, whose buffer cache fills most of its memory; the network server for a NIC, whose socket
 * buffers fill most of its), else VFS.
 */
export function dmaVictim(driver: string): string {
  const e = driverEntry(driver);
  const user = e.ok ? Object.entries(SERVERS).find(([, s]) => s.drivers.includes(e.entry.class)) : undefined;
  return user ? user[1].service.label : "vfs";
}

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
    case "servers": return { kind: "aim-server-tables", reg, imm, draw: pick(rng, 2 ** 32) };
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

/**
 * BAD_DMA's ports: the model's, else the DMA-address ports the driver declares in its
 * driver.json (system/drivers/catalog.ts); undefined when neither names one.
 */
export function dmaPorts(model: FaultModel): number[] | undefined {
  if (model.port !== undefined) return [model.port];
  const e = driverEntry(model.driver);
  return e.ok ? e.entry.dma?.addressPorts : undefined;
}

/** What BAD_DMA replaces by default: the data address in the first descriptor, or the address itself when the device takes a buffer. */
function dmaReplace(model: FaultModel): DmaAddress {
  if (model.dmaAddress) return model.dmaAddress;
  const e = driverEntry(model.driver);
  return e.ok && e.entry.dma?.holds === "buffer" ? "table" : "data";
}

/**
 * Where BAD_DMA's variant sends the device. kernel: a structure of kernel-targets.ts (uniformly,
 * in STRUCTURES' order), then a word of it (uniformly), as BAD_POINTER's kernel variants do.
 */
function dmaAim(rng: Rng, variant: string | undefined, driver: string): DmaAim {
  switch (variant) {
    case "kernel": {
      const names = Object.keys(STRUCTURES);
      const s = STRUCTURES[names[pick(rng, names.length)]];
      return { to: "address", address: (RAM_BASE + wordAt(s, pick(rng, wordCount(s)))) >>> 0 };
    }
    case "other-process": return { to: "process", label: dmaVictim(driver), draw: pick(rng, 2 ** 32) };
    case "random": return { to: "ram", draw: pick(rng, 2 ** 32) };
    default: return { to: "offset", add: 4096 };
  }
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
  BAD_DMA: {
    variants: VARIANTS.BAD_DMA,
    sites: (_p, f) => (f.name === DMA_ADDRESS_WRITER ? f.insns.slice(0, 1) : []),
    action: (_i, rng, v, _p, model) => ({ kind: "dma-address", replace: dmaReplace(model), aim: dmaAim(rng, v, model.driver) }),
    // The planner checked that there is a port. One port keeps the plain form (and the rows of campaigns planned with it).
    when: (model) => {
      const ports = dmaPorts(model)!;
      return ports.length === 1 ? { reg: 10, equals: ports[0] } : { reg: 10, equals: ports[0], oneOf: ports };
    },
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
