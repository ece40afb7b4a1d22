/*
 * The standard system a workload runs on: DS, RS (which starts and watches the disk driver),
 * VFS when the workload needs a file system, and the workload's program. The build decides
 * where the driver runs and whether RS restarts it; options tune the heartbeat and the disk.
 */
import type { Build } from "./builds/types.js";
import type { ServiceConf } from "./kernel/service.js";
import { AT_WINI, withConf } from "./builds/services.js";
import { SERVER_Q, USER_Q } from "./kernel/params.js";
import type { NativeRegistry } from "./kernel/native.js";
import { ds, type DsState } from "./servers/ds.js";
import { vfs } from "./servers/vfs/vfs.js";
import { spawn } from "./kernel/spawn.js";
import { makeRs } from "./servers/rs/rs.js";
import { System } from "./system.js";
import type { Workload } from "./workloads/workload.js";

export interface ComposeOptions {
  /** Workload parameters (default: the workload's for seed 1). */
  params?: string;
  /** Heartbeat period of the driver, in clock ticks (default 33: about 3 Hz, as in the MINIX 3 SWIFI runs). */
  heartbeatTicks?: number;
  /** Driver boot parameters (default "dma=1"). */
  driverParams?: string;
  /** Disk size in 512-byte sectors (default 8192 = 4 MiB). */
  diskSectors?: number;
  /** RAM size (default 4 MiB: the standard system uses under 3; less RAM is a cheaper restore and hash). */
  ramSize?: number;
  /** Extra native programs (servers the workload needs, e.g. vfs). */
  natives?: NativeRegistry;
  /** Extra guest images (a mutated driver image for a persistent fault). */
  images?: Record<string, Uint8Array>;
}

const server = (label: string, program: string, extra: Partial<ServiceConf> = {}): ServiceConf => ({
  label, program: { native: program }, role: "server", priority: SERVER_Q, ipcTo: ["*"], kernelCalls: [], io: [], irqs: [], ...extra,
});

/**
 * Boots `build` with the standard services, runs until the disk driver has announced itself
 * in DS (the system is up), then starts the workload: the post-boot point every experiment
 * starts from. An error names what failed.
 */
export function composeSystem(build: Build, workload: Workload, opts: ComposeOptions = {}): { ok: true; system: System; params: string } | { ok: false; error: string } {
  const params = opts.params ?? workload.params(1);
  const disk = new Uint8Array((opts.diskSectors ?? 8192) * 512);
  workload.prepareDisk?.(disk, params);
  const driver = withConf(AT_WINI, {
    params: opts.driverParams ?? AT_WINI.params,
    ipcTo: ["rs", "ds", "vfs", workload.name],
  });
  const natives: NativeRegistry = {
    ds,
    vfs,
    rs: makeRs([{ conf: driver, period: build.recovery.agent === "rs" && build.recovery.heartbeat ? opts.heartbeatTicks ?? 33 : 0, restart: build.recovery.agent === "rs" && build.recovery.restart }]),
    [workload.name]: workload.program,
    ...(opts.natives ?? {}),
  };
  const boot: ServiceConf[] = [server("ds", "ds"), server("rs", "rs")];
  for (const need of workload.needs) boot.push(server(need, need, { memSize: 0x10_0000, params: "driver=at_wini" }));
  const r = System.boot({ build, boot, natives, disk, imageNames: ["at_wini"], images: opts.images, ramSize: opts.ramSize ?? 4 << 20 });
  if (!r.ok) return r;
  const sys = r.system;
  const up = sys.runUntil(() => sys.nativeState<DsState>("ds")?.entries[`drv.blk.${driver.label}`] !== undefined, BOOT_LIMIT_CYCLES);
  if (up !== "done") return { ok: false, error: `the system did not come up (${up === "panic" ? `kernel panic: ${sys.kernel.state.panic?.reason}` : `${up} after ${BOOT_LIMIT_CYCLES} cycles`})` };
  const app: ServiceConf = { label: workload.name, program: { native: workload.name }, role: "user", priority: USER_Q, ipcTo: ["vfs", "ds", "at_wini"], kernelCalls: [], io: [], irqs: [], params };
  const started = spawn(sys.kernel, app);
  if (!started.ok) return { ok: false, error: `cannot start workload ${workload.name}: ${started.error}` };
  sys.kernel.start();
  return { ok: true, system: sys, params };
}

/** Boot must finish within this many cycles (2 s of emulated time). */
const BOOT_LIMIT_CYCLES = 200_000_000;
