/*
 * Helpers for the kernel tests: boot a System of a given build with guest test programs (the
 * stepper of test/kernel/guest/, scripted through its boot parameters) and native programs,
 * and read what happened — console lines per process, step results, process-table state.
 *
 * Endpoints: a stepper script names other processes as "@label". bootSystem() replaces them by
 * the endpoints the kernel will give those processes (spawn's slot rule: rs, ds and vfs have
 * fixed slots, everybody else the next free slot from 3, generation 0) and checks after boot
 * that the kernel did give them.
 */
import { expect } from "vitest";
import type { Build } from "../../system/builds/types.js";
import type { ServiceConf } from "../../system/kernel/service.js";
import type { ChannelDecl } from "../../system/kernel/channels.js";
import { PROC } from "../../system/kernel/layout.js";
import type { NativeRegistry } from "../../system/kernel/native.js";
import { HZ, PROC_SIZE, PROC_TABLE_OFF, slotIndex, USER_Q } from "../../system/kernel/params.js";
import { endpointOf, endpointSlot } from "../../system/kernel/proc.js";
import { CPU_HZ, RAM_BASE } from "../../system/machine/memmap.js";
import { System } from "../../system/system.js";
import { procIndex } from "../support/system.js";

export { procIndex };
import { buildGuests } from "./guest/build.js";

/** Emulated cycles per clock tick. */
export const TICK = CPU_HZ / HZ;

let guests: Promise<Record<string, Uint8Array>> | undefined;

/** The guest test programs' images by name (built once per test process). */
export function guestImages(): Promise<Record<string, Uint8Array>> {
  guests ??= buildGuests().then((r) => {
    if (!r.ok) throw new Error(`cannot build the guest test programs:\n${r.error}`);
    return r.images;
  });
  return guests;
}

/** Kernel calls every stepper needs: parameters and identity, console, alarms (sleep), exit. */
export const BASE_CALLS = ["GETINFO", "DIAGCTL", "SETALARM", "EXIT"];

export interface ServiceOptions {
  role?: ServiceConf["role"];
  priority?: number;
  ipcTo?: string[];
  kernelCalls?: string[];
  io?: Array<[number, number]>;
  irqs?: number[];
}

/** A service entry running the stepper with `steps` (see stepper.c for the step language). */
export function stepper(label: string, steps: string[], opts: ServiceOptions = {}): ServiceConf {
  return {
    label,
    program: { guest: "stepper" },
    role: opts.role ?? "user",
    priority: opts.priority ?? USER_Q,
    ipcTo: opts.ipcTo ?? ["*"],
    kernelCalls: opts.kernelCalls ?? BASE_CALLS,
    io: opts.io ?? [],
    irqs: opts.irqs ?? [],
    params: `steps=${steps.join("/")}`,
  };
}

/** A service entry for native program `program`. */
export function native(label: string, program: string, params = "", opts: ServiceOptions = {}): ServiceConf {
  return {
    label,
    program: { native: program },
    role: opts.role ?? "user",
    priority: opts.priority ?? USER_Q,
    ipcTo: opts.ipcTo ?? ["*"],
    kernelCalls: opts.kernelCalls ?? [],
    io: opts.io ?? [],
    irqs: opts.irqs ?? [],
    params,
  };
}

const FIXED_SLOTS: Record<string, number> = { rs: 0, ds: 1, vfs: 2 };

/** The endpoint each process of `boot` will get, by label (spawn.ts's rule on a fresh kernel). */
export function plannedEndpoints(boot: ServiceConf[]): Record<string, number> {
  const out: Record<string, number> = {};
  let next = 3;
  for (const conf of boot) out[conf.label] = endpointOf(0, FIXED_SLOTS[conf.label] ?? next++);
  return out;
}

/** `params` with every "@label" replaced by that label's endpoint. */
function resolve(params: string, endpoints: Record<string, number>): string {
  return params.replace(/@([a-z0-9_]+)/g, (_, label: string) => {
    if (!(label in endpoints)) throw new Error(`@${label}: no such process in the boot list`);
    return String(endpoints[label]);
  });
}

export interface BootOptions {
  build: Build;
  boot: ServiceConf[];
  natives?: NativeRegistry;
  images?: Record<string, Uint8Array>;
  /** The channels each image's manifest declares, by image name (Singularity builds: kernel/channels.ts). */
  manifests?: Record<string, ChannelDecl[]>;
}

/** Boots the system (params resolved); throws if it does not boot or endpoints differ from the plan. */
export function bootSystem(opts: BootOptions): System {
  const endpoints = plannedEndpoints(opts.boot);
  const boot = opts.boot.map((c) => ({ ...c, params: c.params && resolve(c.params, endpoints) }));
  const r = System.boot({ ...opts, boot });
  if (!r.ok) throw new Error(r.error);
  for (const [label, ep] of Object.entries(endpoints)) expect(r.system.kernel.lookupLabel(label), `endpoint of ${label}`).toBe(ep);
  return r.system;
}

export const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
/** The 32-bit word at physical address `pa`. */
export const word = (sys: System, pa: number): number => sys.kernel.km.view.getUint32(pa - RAM_BASE, true);
/** Physical address of the magic word of the process-table entry of endpoint `ep`. */
export const magicOf = (ep: number): number => RAM_BASE + PROC_TABLE_OFF + slotIndex(endpointSlot(ep)) * PROC_SIZE + PROC.magic;

/** The console lines `label` printed (its prefix removed), in order. */
export function lines(sys: System, label: string): string[] {
  const prefix = `${label}: `;
  return sys.kernel.state.console
    .split("\n")
    .filter((l) => l.startsWith(prefix))
    .map((l) => l.slice(prefix.length));
}

/** The key=value fields of `label`'s step line "#i op ...", or undefined if it has not printed it. */
export function step(sys: System, label: string, i: number): Record<string, string> | undefined {
  const line = lines(sys, label).find((l) => l.startsWith(`#${i} `));
  if (!line) return undefined;
  const [, op, ...rest] = line.split(" ");
  return { op, ...Object.fromEntries(rest.filter((f) => f.includes("=")).map((f) => f.split("=", 2) as [string, string])) };
}

/** Runs until `label` has printed `text` (or `ticks` clock ticks pass); returns runUntil's result. */
export function runUntilLine(sys: System, label: string, text: string, ticks = 50) {
  return sys.runUntil(() => lines(sys, label).includes(text), ticks * TICK, TICK / 4);
}

/** Runs until every label has printed "done" (or `ticks` pass). */
export function runUntilDone(sys: System, labels: string[], ticks = 50) {
  return sys.runUntil(() => labels.every((l) => lines(sys, l).includes("done")), ticks * TICK, TICK / 4);
}

/** RTS flags, sendTo and getFrom of `label`. */
export function ipcState(sys: System, label: string): { rts: number; sendTo: number; getFrom: number } {
  const km = sys.kernel.km;
  const idx = procIndex(sys, label);
  return { rts: km.proc(idx, PROC.rtsFlags), sendTo: km.proc(idx, PROC.sendTo), getFrom: km.proc(idx, PROC.getFrom) };
}

/** Kernel events of kind `kind` (e.g. "crash") for `label`. */
export const events = (sys: System, kind: string, label?: string) =>
  sys.kernel.state.events.filter((e) => e.kind === kind && (label === undefined || e.label === label));
