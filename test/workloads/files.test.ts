/*
 * The files workload: its plan and contents from the seed, and full runs on a real system (DS,
 * RS managing the real at_wini driver, VFS, the workload) in both builds, with DMA on and off,
 * judged by the oracle; determinism (same seed, same final state hash); and a real driver crash
 * in the middle of the workload, recovered (RS restarts) or not (RS restarts off).
 */
import { describe, expect, it } from "vitest";
import { ILLEGAL, patchRunning } from "../support/system.js";
import { vfsView } from "../support/vfs.js";
import { BUILDS } from "../../system/builds/index.js";
import { driverConf } from "../support/driver.js";
import type { ServiceConf } from "../../system/kernel/service.js";
import { SERVER_Q } from "../../system/kernel/params.js";
import { ds } from "../../system/servers/ds.js";
import { makeRs } from "../../system/servers/rs/rs.js";
import { mkfs } from "../../system/servers/vfs/mkfs.js";
import type { VfsState } from "../../system/servers/vfs/types.js";
import { vfs, vfsService } from "../../system/servers/vfs/vfs.js";
import { composeSystem } from "../../system/compose.js";
import { DEFAULT_LIMITS, runWorkload } from "../../system/run.js";
import { System } from "../../system/system.js";
import { filesWorkload, judgeFiles } from "../../system/workloads/files-oracle.js";
import { fileBytes, files, filesParams, filesService, planFiles, type FilesState } from "../../system/workloads/files.js";

const PARAMS = "seed=7 dirs=2 files=3 maxsize=65536";
const LIMIT = 2_000_000_000; // 20 emulated seconds

interface Run {
  build?: string;
  dma?: 0 | 1;
  params?: string;
  restart?: boolean;
  vfsParams?: string;
}

const server = (label: string): ServiceConf => ({ label, program: { native: label }, role: "server", priority: SERVER_Q, ipcTo: ["*"], kernelCalls: ["*"], io: [], irqs: [] });

/** Boots DS, RS (managing at_wini), VFS and the workload on a freshly formatted 4 MiB disk. */
function boot(run: Run = {}): System {
  const disk = new Uint8Array(4 << 20);
  mkfs(disk);
  const driver = driverConf("at_wini", { ipcTo: ["rs", "ds", "vfs"], params: `dma=${run.dma ?? 1}` });
  const r = System.boot({
    build: BUILDS[run.build ?? "minix3"], disk, imageNames: ["at_wini"],
    natives: { ds, rs: makeRs([{ conf: driver, period: 33, restart: run.restart ?? true }]), vfs, files },
    boot: [server("ds"), server("rs"), vfsService(run.vfsParams), { ...filesService(), params: run.params ?? PARAMS }],
  });
  if (!r.ok) throw new Error(r.error);
  return r.system;
}

const workload = (sys: System): FilesState => sys.nativeState<FilesState>("files")!;
const finished = (sys: System): string => sys.runUntil(() => workload(sys).done, LIMIT);

/** Makes the running at_wini crash when it next calls `fn`: an illegal instruction (0) at its entry. */
function breakDriver(sys: System, fn = "at_transfer"): void {
  patchRunning(sys, "at_wini", fn, [ILLEGAL]);
}

describe("the plan", () => {
  it("has defaults, and sizes from 0 to maxsize drawn from the seed", () => {
    expect(filesParams("")).toEqual({ seed: 1, dirs: 2, files: 3, maxsize: 65536, chunk: 6000 });
    const p = filesParams("seed=3 dirs=3 files=4 maxsize=50000");
    const plan = planFiles(p);
    expect(plan.dirs).toEqual(["/d0", "/d1", "/d2"]);
    expect(plan.files.map((f) => f.path).slice(0, 5)).toEqual(["/d0/f0", "/d0/f1", "/d0/f2", "/d0/f3", "/d1/f0"]);
    expect(plan.files[0].size).toBe(0);
    expect(plan.files[1].size).toBe(50000); // more than 12 direct blocks: needs the indirect block
    expect(plan.files.every((f) => f.size >= 0 && f.size <= 50000)).toBe(true);
    expect(planFiles(p)).toEqual(plan);
    expect(planFiles(filesParams("seed=4 dirs=3 files=4 maxsize=50000")).files.map((f) => f.size)).not.toEqual(plan.files.map((f) => f.size));
  });

  it("gives every file seeded contents that can be read at any offset", () => {
    const whole = fileBytes(5, "/d0/f1", 0, 20000);
    expect(Buffer.from(fileBytes(5, "/d0/f1", 4000, 13000)).equals(whole.subarray(4000, 13000))).toBe(true);
    expect(Buffer.from(fileBytes(5, "/d0/f2", 0, 20000)).equals(whole)).toBe(false);
    expect(fileBytes(5, "/d0/f1", 0, 0)).toHaveLength(0);
  });
});

describe("the workload on a real system", () => {
  it.each([
    ["minix3", 1],
    ["minix3", 0],
    ["monolithic", 1],
    ["monolithic", 0],
  ] as const)("%s, dma=%d: writes, syncs and verifies every file; the oracle passes", (build, dma) => {
    const sys = boot({ build, dma });
    expect(finished(sys)).toBe("done");
    const w = workload(sys);
    expect(w.errors).toEqual([]);
    expect(w.mismatches).toEqual([]);
    expect(w.verified).toBe(6);
    expect(w.synced).toBe(true);
    expect(w.ops).toBe(w.events.length);
    expect(sys.kernel.state.panic).toBeNull();
    const j = judgeFiles(PARAMS, w, sys.machine.ata.image);
    expect(j).toEqual({ verdict: "pass", programErrors: [], programMismatches: [], fsckProblems: [], wrongFiles: [], missingFiles: [] });
    expect(sys.nativeState<VfsState>("vfs")!.stats).toMatchObject({ driverFailures: 0, eio: 0, ioErrors: 0 });
  });

  it("passes with a small cache (16 buffers): evictions and restarted requests", () => {
    const sys = boot({ vfsParams: "buffers=16" });
    expect(finished(sys)).toBe("done");
    expect(judgeFiles(PARAMS, workload(sys), sys.machine.ata.image).verdict).toBe("pass");
    const v = sys.nativeState<VfsState>("vfs")!;
    expect(v.stats.evictions).toBeGreaterThan(0);
    expect(v.stats.runs).toBeGreaterThan(v.stats.requests);
  });

  it("is deterministic: the same seed gives the same final state hash", () => {
    const hash = (params: string): string => {
      const sys = boot({ params });
      expect(finished(sys)).toBe("done");
      return sys.stateHash();
    };
    const a = hash(PARAMS);
    expect(hash(PARAMS)).toBe(a);
    expect(hash("seed=8 dirs=2 files=3 maxsize=65536")).not.toBe(a);
  });
});

describe("the workload in the standard composition", () => {
  it.each(["minix3", "monolithic"])("%s: composeSystem + runWorkload complete it and the oracle passes", (build) => {
    const c = composeSystem(BUILDS[build], filesWorkload, { natives: { vfs } });
    if (!c.ok) throw new Error(c.error);
    const o = runWorkload(c.system, filesWorkload, c.params, DEFAULT_LIMITS);
    expect(o.end).toBe("completed");
    expect(o.oracle.verdict).toBe("pass");
    expect(o.progress).toBeGreaterThan(50);
  });
});

describe("a driver crash in the middle of the workload (minix3)", () => {
  it("is recovered: RS restarts the driver, VFS reopens it and reissues; the oracle passes", () => {
    const sys = boot();
    expect(sys.runUntil(() => workload(sys).ops >= 30, LIMIT, 100_000)).toBe("done");
    expect(workload(sys).phase).not.toBe("done");
    breakDriver(sys);
    expect(finished(sys)).toBe("done");
    const w = workload(sys);
    expect(w.errors).toEqual([]);
    expect(judgeFiles(PARAMS, w, sys.machine.ata.image).verdict).toBe("pass");
    const v = sys.nativeState<VfsState>("vfs")!;
    expect(v.stats).toMatchObject({ driverFailures: 1, recoveries: 1, eio: 0 });
    expect(v.stats.retries).toBeGreaterThanOrEqual(1);
    const rs = sys.nativeState<{ events: Array<{ kind: string }> }>("rs")!;
    expect(rs.events.map((e) => e.kind)).toEqual(["crash", "restart", "up"]);
  });

  it("with RS's restarts off, the workload sees EIO and the oracle says errors", () => {
    const sys = boot({ restart: false, vfsParams: "wait=100" });
    expect(sys.runUntil(() => workload(sys).ops >= 30, LIMIT, 100_000)).toBe("done");
    breakDriver(sys);
    expect(finished(sys)).toBe("done");
    const w = workload(sys);
    expect(w.errors.map((e) => e.error)).toContain("EIO");
    expect(w.synced).toBe(false);
    expect(w.mismatches).toEqual([]);
    const j = judgeFiles(PARAMS, w, sys.machine.ata.image);
    expect(j.verdict).toBe("errors");
    expect(j.programErrors.some((e) => e.startsWith("SYNC: EIO"))).toBe(true);
    const v = sys.nativeState<VfsState>("vfs")!;
    expect(vfsView(sys).driver.status).toBe("failed");
    expect(v.stats).toMatchObject({ recoveries: 0, recoveryTimeouts: 1 });
  });
});
