/*
 * The driver catalog: each driver's entry as its folder declares it (system/drivers/<name>/
 * driver.json) — its class, the device it drives, its service entry (whom it may call, which
 * kernel calls, ports and IRQ lines, default boot parameters) and the handlers fault models
 * target. Ports are written as MINIX's system.conf writes them: "1f0:8" (base and count, hex)
 * or "3f6" (one port). Composition reads drivers only through this module.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ServiceConf } from "../kernel/service.js";
import { DRIVER_Q } from "../kernel/params.js";
import { DRIVERS_DIR } from "./images.js";
import { CONTRACTS, contractNumber } from "../kernel/contracts.js";

export interface DriverEntry {
  /** Folder and image name; the default label. */
  name: string;
  description: string;
  /** Driver class (classes.ts): what clients ask for. */
  class: string;
  /** Device kind it drives (machine/devices/index.ts). */
  device: string;
  /** Its service entry, labelled with its name. */
  service: ServiceConf;
  /** Main handler functions (fault targets). */
  handlers: string[];
  /**
   * A DMA-capable driver: the ports of its device's DMA-address registers, which it writes (with
   * libsys sys_outl) to hand the device a physical address, and what that address is: a table
   * of descriptors the device walks (at_wini: the PRD table pointer) or a buffer the device reads
   * or writes itself (the RTL8139: its receive ring, RBSTART, and its four transmit buffers, TSAD0-3).
   */
  dma?: { addressPorts: number[]; holds: "descriptors" | "buffer" };
  /**
   * The channels of its manifest (read by the Singularity builds, kernel/channels.ts): the
   * contract it exports to its clients (bound to whichever clients composition gives it) and
   * those it imports, by the peer's label.
   */
  channels?: { exports: string; imports: Record<string, string> };
}

type Parsed = { ok: true; entry: DriverEntry } | { ok: false; error: string };

const HEX = /^[0-9a-f]+$/i;

/** "1f0:8" → [0x1f0, 0x1f7]; "c100:100" → [0xc100, 0xc1ff] (the count is hex too, as in MINIX); "3f6" → [0x3f6, 0x3f6]; undefined when malformed. */
export function parsePorts(text: string): [number, number] | undefined {
  const [base, count = "1"] = text.split(":");
  if (!HEX.test(base) || !HEX.test(count) || parseInt(count, 16) < 1) return undefined;
  const first = parseInt(base, 16);
  return [first, first + parseInt(count, 16) - 1];
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/** Validates a driver.json object for driver `name`; the error names the field. */
export function parseDriverEntry(name: string, json: unknown): Parsed {
  const j = json as Record<string, any>;
  const bad = (what: string): Parsed => ({ ok: false, error: `driver ${name}: driver.json: ${what}` });
  if (typeof j !== "object" || j === null) return bad("not an object");
  for (const f of ["description", "class", "device"]) if (typeof j[f] !== "string") return bad(`"${f}" must be a string`);
  if (!strings(j.handlers)) return bad(`"handlers" must be a list of function names`);
  const s = j.service;
  if (typeof s !== "object" || s === null) return bad(`"service" must be an object`);
  if (!strings(s.ipcTo) || !strings(s.kernelCalls) || !strings(s.io)) return bad(`"service" needs ipcTo, kernelCalls and io as lists of strings`);
  if (!Array.isArray(s.irqs) || !s.irqs.every((n: unknown) => Number.isInteger(n))) return bad(`"service.irqs" must be a list of IRQ numbers`);
  const io: Array<[number, number]> = [];
  for (const p of s.io as string[]) {
    const r = parsePorts(p);
    if (!r) return bad(`bad port range "${p}" (write "1f0:8" or "3f6")`);
    io.push(r);
  }
  let dma: DriverEntry["dma"];
  if (j.dma !== undefined) {
    const given = j.dma?.addressPort;
    const ports = (typeof given === "string" ? [given] : strings(given) && given.length ? given : []).map(parsePorts);
    const holds = j.dma?.holds ?? "descriptors";
    if (!ports.length || ports.some((r) => !r || r[0] !== r[1] || r[0] > 0xffff) || (holds !== "descriptors" && holds !== "buffer")) {
      return bad(`"dma" must be { "addressPort": "<one port, hex>" or a list of them, "holds": "descriptors" (default) or "buffer" }`);
    }
    dma = { addressPorts: ports.map((r) => r![0]), holds };
  }
  let channels: DriverEntry["channels"];
  if (j.channels !== undefined) {
    const c = j.channels;
    const imports = c?.imports ?? {};
    const names = [c?.exports, ...Object.values(imports)];
    if (typeof c?.exports !== "string" || typeof imports !== "object" || imports === null || !names.every((n) => typeof n === "string" && contractNumber(n) >= 0))
      return bad(`"channels" must be { "exports": "<contract>", "imports": { "<peer label>": "<contract>" } } with contracts among ${CONTRACTS.map((x) => x.name).join(", ")}`);
    channels = { exports: c.exports, imports };
  }
  // Key order is part of the kernel's state (hashed): label, program, role, priority, ipcTo, kernelCalls, io, irqs, params.
  const service: ServiceConf = {
    label: name, program: { guest: name }, role: "driver", priority: DRIVER_Q, ipcTo: s.ipcTo, kernelCalls: s.kernelCalls, io, irqs: s.irqs,
    params: typeof s.params === "string" ? s.params : "",
  };
  return { ok: true, entry: { name, description: j.description, class: j.class, device: j.device, service, handlers: j.handlers, ...(dma ? { dma } : {}), ...(channels ? { channels } : {}) } };
}

const cache = new Map<string, Parsed>();

/** The catalog entry of driver `name`, or an error naming what is missing or malformed. */
export function driverEntry(name: string): Parsed {
  let r = cache.get(name);
  if (!r) {
    const path = join(DRIVERS_DIR, name, "driver.json");
    if (!/^[a-z0-9_-]+$/.test(name) || !existsSync(path)) r = { ok: false, error: `no driver "${name}" (known: ${driverNames().join(", ")})` };
    else {
      try {
        r = parseDriverEntry(name, JSON.parse(readFileSync(path, "utf8")));
      } catch (e) {
        r = { ok: false, error: `driver ${name}: driver.json is not JSON (${(e as Error).message})` };
      }
    }
    cache.set(name, r);
  }
  return r;
}

/** Names of the drivers in the catalog (folders with a driver.json), sorted. */
export function driverNames(): string[] {
  return readdirSync(DRIVERS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(DRIVERS_DIR, d.name, "driver.json")))
    .map((d) => d.name)
    .sort();
}
