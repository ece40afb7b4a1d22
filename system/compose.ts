/*
 * Composition: the standard system a workload runs on, assembled from data. The workload names
 * the servers and driver classes it needs; each driver's entry (drivers/catalog.ts) names its
 * class, device and privileges; each server's entry lives beside the server; the build picks
 * the recovery agent (recovery.ts). Boot order: DS, the recovery agent (which starts the
 * drivers), the liveness probe (probe.ts), the servers; the system is up when every driver has announced itself in DS under
 * its class's key; then the workload starts. No label is written here.
 */
import type { Build } from "./builds/types.js";
import { announceKey, DRIVER_CLASSES } from "./drivers/classes.js";
import { driverEntry, type DriverEntry } from "./drivers/catalog.js";
import type { NativeRegistry } from "./kernel/native.js";
import type { ServiceConf } from "./kernel/service.js";
import { RemoteHost } from "./net/remote-host.js";
import { PERIPHERALS, type Peripheral, type PeripheralMedia } from "./machine/devices/index.js";
import { probe, probeService } from "./probe.js";
import { clientRecovery, sips } from "./kernel/policy.js";
import type { ChannelDecl } from "./kernel/channels.js";
import { recoveryAgent } from "./recovery.js";
import { dsService, ds } from "./servers/ds.js";
import { dsFind } from "./servers/ds-table.js";
import { nativeRegion } from "./servers/region.js";
import { SERVERS, type ServerEntry } from "./servers/index.js";
import { System } from "./system.js";
import type { DriverLabels, Workload } from "./workloads/workload.js";

/** One driver in the system: a catalog driver, under its own label or another. */
export interface DriverInstance {
  /** Catalog name (folder and image). */
  driver: string;
  /** Label in this system (default: the driver's name). */
  label?: string;
  /** Boot parameters (default: its entry's). */
  params?: string;
  /** An entry given inline instead of the catalog's (e.g. a test's own driver). */
  entry?: DriverEntry;
}

export interface ComposeOptions {
  /** Workload parameters (default: the workload's for `seed`). */
  params?: string;
  /** Seed of the workload's parameters (default 1). */
  seed?: number;
  /** The drivers (default: the class's default driver for each class the workload and its servers need). */
  drivers?: DriverInstance[];
  /** Heartbeat period of the drivers, in clock ticks, when the build's agent sends heartbeats (default 33). */
  heartbeatTicks?: number;
  /** Disk size in 512-byte sectors (default 8192 = 4 MiB). */
  diskSectors?: number;
  /**
   * RAM size (default 8 MiB: the standard system uses about 3, and a driver in a kernel address
   * space needs its 4 MiB window, kernel/module-layout.ts, to lie in RAM; less RAM is a cheaper
   * restore and hash).
   */
  ramSize?: number;
  /** Extra native programs (replacing or adding to the composed ones). */
  natives?: NativeRegistry;
  /** Extra guest images (a mutated driver image for a persistent fault). */
  images?: Record<string, Uint8Array>;
  /** The network on the far side of a NIC's wire (the remote host and the link's properties); default: a RemoteHost with its defaults on a clean 100 Mb/s wire. */
  network?: PeripheralMedia["network"];
  /** Extra device kinds, by name (beside machine/devices/index.ts). */
  peripherals?: Record<string, (media: PeripheralMedia) => Peripheral>;
}

export type Composed = { ok: true; system: System; params: string; drivers: DriverLabels } | { ok: false; error: string };

interface Resolved {
  entry: DriverEntry;
  conf: ServiceConf;
  /** The labels of the processes that call it (its servers, or the workload). */
  clients: string[];
}

/**
 * Boots `build` with what `workload` needs, runs until every driver has announced itself in DS
 * (the system is up), then starts the workload: the post-boot point every experiment starts
 * from. An error names what failed.
 */
export function composeSystem(build: Build, workload: Workload, opts: ComposeOptions = {}): Composed {
  const servers: Array<[string, ServerEntry]> = [];
  for (const name of workload.servers) {
    const srv = SERVERS[name];
    if (!srv) return { ok: false, error: `workload ${workload.name} needs server "${name}", which does not exist (known: ${Object.keys(SERVERS).join(", ")})` };
    servers.push([name, srv]);
  }
  const classes = neededClasses(workload);
  // The classes the workload calls itself: those none of its servers serves it.
  const direct = workload.drivers.filter((c) => !servers.some(([, s]) => s.serves?.includes(c)));
  const instances: DriverInstance[] = opts.drivers ?? classes.map((c) => ({ driver: DRIVER_CLASSES[c]?.defaultDriver ?? c }));
  const drivers: Resolved[] = [];
  for (const inst of instances) {
    const e = inst.entry ? { ok: true as const, entry: inst.entry } : driverEntry(inst.driver);
    if (!e.ok) return e;
    const label = inst.label ?? e.entry.name;
    if (drivers.some((d) => d.conf.label === label)) return { ok: false, error: `two drivers labelled "${label}"` };
    const clients = [...servers.filter(([, s]) => s.drivers.includes(e.entry.class) || s.serves?.includes(e.entry.class)).map(([n]) => n), ...(direct.includes(e.entry.class) ? [workload.name] : [])];
    // Spread keeps the entry's key order (the kernel's state, hashed, holds this object).
    const conf: ServiceConf = { ...e.entry.service, label, ipcTo: [...e.entry.service.ipcTo, ...clients], params: inst.params ?? e.entry.service.params ?? "" };
    drivers.push({ entry: e.entry, conf, clients });
  }
  const labels: DriverLabels = {};
  for (const d of drivers) (labels[d.entry.class] ??= []).push(d.conf.label);
  const missing = classes.filter((c) => !labels[c]);
  if (missing.length) return { ok: false, error: `workload ${workload.name} needs a ${missing.join(" and a ")} driver; none is in the system` };

  const params = opts.params ?? workload.params(opts.seed ?? 1, labels);
  const disk = new Uint8Array((opts.diskSectors ?? 8192) * 512);
  workload.prepareDisk?.(disk, params);
  const peripherals: Peripheral[] = [];
  const kinds = new Set<string>();
  for (const d of drivers) {
    const kind = d.entry.device;
    if (kinds.has(kind)) return { ok: false, error: `two drivers for one ${kind} device (${drivers.filter((x) => x.entry.device === kind).map((x) => x.conf.label).join(", ")})` };
    kinds.add(kind);
    const make = opts.peripherals?.[kind] ?? PERIPHERALS[kind];
    if (!make) return { ok: false, error: `driver ${d.conf.label} drives a "${kind}" device, which the machine does not have` };
    peripherals.push(make({ disk, network: opts.network ?? { peer: () => new RemoteHost() } }));
  }

  const agent = recoveryAgent(build, drivers.map((d) => d.conf), opts.heartbeatTicks ?? 33);
  // The servers stand for the kernel's subsystems above the drivers: the build says how they
  // meet a driver that failed and came back (policy.ts clientRecovery). MINIX's way is their
  // default and is not written, so a minix3 or monolithic system's RAM is what it always was.
  const mode = clientRecovery(build);
  const withMode = (p: string): string => (mode === "minix" ? p : `${p} recovery=${mode}`.trim());
  const serverConfs = servers.map(([, s]) => ({ ...s.service, params: withMode(s.params?.(labels) ?? s.service.params ?? "") }));
  const natives: NativeRegistry = { ds, [agent.service.label]: agent.program, probe, [workload.name]: workload.program, ...opts.natives };
  for (const [name, s] of servers) natives[name] ??= s.program;
  const boot = [dsService, agent.service, probeService, ...serverConfs];
  const imageNames = drivers.flatMap((d) => ("guest" in d.conf.program ? [d.conf.program.guest] : []));
  // Singularity binds each driver's manifest to its peers: the contract it exports to its clients.
  const manifests = sips(build) ? Object.fromEntries(drivers.map((d) => [d.entry.name, manifestChannels(d)])) : undefined;
  const r = System.boot({ build, boot, natives, peripherals, imageNames, images: opts.images, ramSize: opts.ramSize ?? 8 << 20, manifests });
  if (!r.ok) return r;
  const sys = r.system;
  const keys = drivers.map((d) => announceKey(d.entry.class, d.conf.label));
  const up = sys.runUntil(() => {
    const store = nativeRegion(sys.kernel, "ds"); // DS's entries are in its memory (ds-table.ts)
    return store !== undefined && keys.every((key) => dsFind(store, key) >= 0);
  }, BOOT_LIMIT_CYCLES);
  if (up !== "done") return { ok: false, error: `the system did not come up (${up === "panic" ? `kernel panic: ${sys.kernel.state.panic?.reason}` : `${up} after ${BOOT_LIMIT_CYCLES} cycles`})` };
  const ipcTo = [...workload.service.ipcTo, ...direct.flatMap((c) => labels[c] ?? [])];
  const started = sys.start({ ...workload.service, ipcTo, params });
  if (!started.ok) return { ok: false, error: `cannot start workload ${workload.name}: ${started.error}` };
  return { ok: true, system: sys, params, drivers: labels };
}

/** The channels of a driver's manifest, bound: its exported contract to each client, its imports to their peers. */
function manifestChannels(d: Resolved): ChannelDecl[] {
  const c = d.entry.channels;
  if (!c) return [];
  return [...d.clients.map((peer) => ({ peer, contract: c.exports, end: "exp" as const })), ...Object.entries(c.imports).map(([peer, contract]) => ({ peer, contract, end: "imp" as const }))];
}

/** The driver classes a system for `workload` needs: its servers' and its own. */
function neededClasses(workload: Workload): string[] {
  return [...new Set([...workload.servers.flatMap((n) => SERVERS[n]?.drivers ?? []), ...workload.drivers])];
}

/**
 * `named` completed with the default driver of every class `workload` needs that none of them
 * serves (a printer campaign names the printer driver; VFS under it still needs a disk driver).
 * Named drivers whose entry cannot be read are left for composeSystem to report.
 */
export function withDefaultDrivers(workload: Workload, named: DriverInstance[]): DriverInstance[] {
  const covered = new Set(named.map((d) => (d.entry ? { ok: true as const, entry: d.entry } : driverEntry(d.driver))).flatMap((e) => (e.ok ? [e.entry.class] : [])));
  const extra = neededClasses(workload).filter((c) => !covered.has(c) && DRIVER_CLASSES[c]).map((c) => ({ driver: DRIVER_CLASSES[c].defaultDriver }));
  return [...named, ...extra];
}

/** Boot must finish within this many cycles (2 s of emulated time). */
const BOOT_LIMIT_CYCLES = 200_000_000;
