/*
 * The files oracle. As a pure function on literal images (made with mkfs and the image helpers
 * from the workload's own plan) and program states: pass, errors, and every kind of corrupt.
 * On a real system: corruption the program could not see — a data block changed on disk after
 * the program verified it, and one changed on disk while the program read its cached copy.
 */
import { describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import { driverConf } from "../support/driver.js";
import { vfsView } from "../support/vfs.js";
import type { ServiceConf } from "../../system/kernel/service.js";
import { SERVER_Q } from "../../system/kernel/params.js";
import { ds } from "../../system/servers/ds.js";
import { makeRs } from "../../system/servers/rs/rs.js";
import { BLOCK_SIZE, decodeSuper } from "../../system/servers/vfs/fsformat.js";
import { addDir, addFile, mkfs } from "../../system/servers/vfs/mkfs.js";
import { fileBlocks } from "../../system/servers/vfs/tree.js";
import type { VfsState } from "../../system/servers/vfs/types.js";
import { vfs, vfsService } from "../../system/servers/vfs/vfs.js";
import { System } from "../../system/system.js";
import { judgeFiles, judgeFilesRun } from "../../system/workloads/files-oracle.js";
import { fileBytes, files, filesParams, filesService, planFiles, type FilesState } from "../../system/workloads/files.js";

const PARAMS = "seed=11 dirs=2 files=3 maxsize=60000";

/** The disk as the workload leaves it: every directory and file of the plan, written by mkfs's helpers. */
function expectedImage(params = PARAMS): Uint8Array {
  const img = new Uint8Array(4 << 20);
  mkfs(img);
  const p = filesParams(params);
  const plan = planFiles(p);
  for (const d of plan.dirs) addDir(img, d);
  for (const f of plan.files) addFile(img, f.path, fileBytes(p.seed, f.path, 0, f.size));
  return img;
}

/** A finished program state, edited by `change`. */
function finishedState(change: (s: FilesState) => void = () => {}): FilesState {
  const s = files.init("files", PARAMS);
  Object.assign(s, { phase: "done", done: true, synced: true, verified: 6 });
  change(s);
  return s;
}

/** Flips the bytes [at, at + n) of the disk block holding byte `offset` of `path`. */
function flip(img: Uint8Array, path: string, offset = 0, n = 4): void {
  const block = fileBlocks(img, path)![Math.floor(offset / BLOCK_SIZE)];
  for (let i = 0; i < n; i++) img[block * BLOCK_SIZE + (offset % BLOCK_SIZE) + i] ^= 0xff;
}

describe("judgeFiles on literal images", () => {
  it("passes a complete, consistent disk and an error-free run", () => {
    expect(judgeFiles(PARAMS, finishedState(), expectedImage())).toEqual({
      verdict: "pass", programErrors: [], programMismatches: [], fsckProblems: [], wrongFiles: [], missingFiles: [],
    });
  });

  it("finds a file whose data changed on disk although the program saw nothing", () => {
    const img = expectedImage();
    flip(img, "/d0/f1", 5000);
    const j = judgeFiles(PARAMS, finishedState(), img);
    expect(j.verdict).toBe("corrupt");
    expect(j.wrongFiles).toHaveLength(1);
    expect(j.wrongFiles[0]).toMatchObject({ path: "/d0/f1", firstDifference: 5000 });
    expect(j.wrongFiles[0].found).not.toEqual(j.wrongFiles[0].expected);
    expect(j.fsckProblems).toEqual([]); // the structure is fine: only the oracle's comparison sees it
  });

  it("finds missing files and an inconsistent file system", () => {
    const img = expectedImage();
    img.fill(0, fileBlocks(img, "/d1")![0] * BLOCK_SIZE + 2 * 32, fileBlocks(img, "/d1")![0] * BLOCK_SIZE + 3 * 32); // remove /d1/f0's entry
    const j = judgeFiles(PARAMS, finishedState(), img);
    expect(j.verdict).toBe("corrupt");
    expect(j.missingFiles).toEqual(["/d1/f0"]);
    expect(j.fsckProblems.some((p) => p.includes("in no directory"))).toBe(true);
  });

  it("calls an inconsistent file system corrupt only when the program saw no errors", () => {
    const img = expectedImage();
    const sb = decodeSuper(img);
    img[sb.blockMapStart * BLOCK_SIZE + 100] = 0xff; // blocks marked in use that are not
    expect(judgeFiles(PARAMS, finishedState(), img).verdict).toBe("corrupt");
    const sawErrors = finishedState((s) => s.errors.push({ request: "SYNC", error: "EIO" }));
    const j = judgeFiles(PARAMS, sawErrors, img);
    expect(j.verdict).toBe("errors");
    expect(j.programErrors).toEqual(["SYNC: EIO"]);
    expect(j.fsckProblems.length).toBeGreaterThan(0);
  });

  it("does not expect files an error touched, nor anything when SYNC failed", () => {
    const img = expectedImage();
    flip(img, "/d0/f2");
    const failedFile = finishedState((s) => {
      s.errors.push({ request: "WRITE /d0/f2 @0", error: "EIO" });
      s.failed.push("/d0/f2");
    });
    expect(judgeFiles(PARAMS, failedFile, img)).toMatchObject({ verdict: "errors", wrongFiles: [], missingFiles: [] });
    const unsynced = finishedState((s) => {
      s.errors.push({ request: "SYNC", error: "EIO" });
      s.synced = false;
    });
    expect(judgeFiles(PARAMS, unsynced, new Uint8Array(4 << 20)).verdict).toBe("errors");
  });

  it("calls wrong data the program read back corrupt, and an unfinished or vanished program errors", () => {
    expect(judgeFiles(PARAMS, finishedState((s) => s.mismatches.push("/d0/f1")), expectedImage()).verdict).toBe("corrupt");
    const hung = finishedState((s) => Object.assign(s, { done: false, phase: "read" }));
    expect(judgeFiles(PARAMS, hung, expectedImage()).verdict).toBe("errors");
    expect(judgeFiles(PARAMS, undefined, expectedImage()).programErrors).toEqual(["the workload is gone"]);
  });
});

describe("judgeFilesRun, the Workload oracle", () => {
  it("adds incomplete for a program that did not finish, and says why in one line", () => {
    expect(judgeFilesRun(PARAMS, finishedState(), { ata: { kind: "disk", image: expectedImage() } })).toMatchObject({ verdict: "pass" });
    expect(judgeFilesRun(PARAMS, finishedState((s) => Object.assign(s, { done: false, phase: "read", ops: 40 })), { ata: { kind: "disk", image: expectedImage() } })).toMatchObject({
      verdict: "incomplete", summary: "stopped in phase read after 40 operations",
    });
    const img = expectedImage();
    flip(img, "/d0/f1");
    expect(judgeFilesRun(PARAMS, finishedState(), { ata: { kind: "disk", image: img } })).toMatchObject({ verdict: "corrupt", summary: "/d0/f1 wrong on disk" });
    expect(judgeFilesRun(PARAMS, finishedState((s) => s.errors.push({ request: "SYNC", error: "EIO" })), { ata: { kind: "disk", image: expectedImage() } })).toMatchObject({
      verdict: "errors", summary: "SYNC: EIO",
    });
  });
});

// ---- on a real system ---------------------------------------------------------------------------

const server = (label: string): ServiceConf => ({ label, program: { native: label }, role: "server", priority: SERVER_Q, ipcTo: ["*"], kernelCalls: ["*"], io: [], irqs: [] });

function boot(vfsParams = ""): System {
  const disk = new Uint8Array(4 << 20);
  mkfs(disk);
  const r = System.boot({
    build: BUILDS.minix3, disk, imageNames: ["at_wini"],
    natives: { ds, rs: makeRs([{ conf: driverConf("at_wini", { ipcTo: ["rs", "ds", "vfs"] }), period: 33, restart: true }]), vfs, files },
    boot: [server("ds"), server("rs"), vfsService(vfsParams), { ...filesService(), params: PARAMS }],
  });
  if (!r.ok) throw new Error(r.error);
  return r.system;
}

const workload = (sys: System): FilesState => sys.nativeState<FilesState>("files")!;

describe("judgeFiles on a real run", () => {
  it("finds a data block changed on disk after the program verified it", () => {
    const sys = boot();
    expect(sys.runUntil(() => workload(sys).done, 2_000_000_000)).toBe("done");
    expect(judgeFiles(PARAMS, workload(sys), sys.machine.ata.image).verdict).toBe("pass");
    flip(sys.machine.ata.image, "/d1/f2", 100);
    const j = judgeFiles(PARAMS, workload(sys), sys.machine.ata.image);
    expect(j).toMatchObject({ verdict: "corrupt", programErrors: [], programMismatches: [], fsckProblems: [] });
    expect(j.wrongFiles.map((f) => f.path)).toEqual(["/d1/f2"]);
  });

  it("finds a block changed on disk while the program reads back the cached copy", () => {
    const sys = boot("buffers=100"); // the whole working set stays cached: the read-back never reads the disk
    expect(sys.runUntil(() => workload(sys).synced, 2_000_000_000, 100_000)).toBe("done");
    const v = sys.nativeState<VfsState>("vfs")!;
    const img = sys.machine.ata.image;
    const victim = workload(sys).plan.files.find((f) => f.size > 0 && vfsView(sys).buffers.some((b) => b.block === fileBlocks(img, f.path)![0]));
    expect(victim).toBeDefined();
    flip(img, victim!.path);
    const reads = v.stats.blockReads;
    expect(sys.runUntil(() => workload(sys).done, 2_000_000_000)).toBe("done");
    expect(sys.nativeState<VfsState>("vfs")!.stats.blockReads).toBe(reads);
    const w = workload(sys);
    expect(w.mismatches).toEqual([]); // the program saw the right bytes (from the cache)
    expect(w.errors).toEqual([]);
    const j = judgeFiles(PARAMS, w, img);
    expect(j.verdict).toBe("corrupt");
    expect(j.wrongFiles.map((f) => f.path)).toEqual([victim!.path]);
  });
});
