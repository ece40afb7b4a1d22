/*
 * VFS's state in its memory region (memory.ts): the buffer headers, the inode table, the open
 * files and the globals are what VFS decides on, so a plain RAM write there — what a wild write
 * by a driver or a stray DMA would do — has the consequences it has in MINIX. Each test runs the
 * real system (the files workload on minix3: DS, RS, the at_wini driver, VFS), changes a word of
 * VFS's region through the machine's RAM array part way through, runs to the end and reads the
 * oracle; the same run without the write passes.
 */
import seedrandom from "seedrandom";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, runWorkload, type RunLimits } from "../../system/run.js";
import { BLOCK_SIZE, decodeInode, inodeBlock, inodeOffset } from "../../system/servers/vfs/fsformat.js";
import { openImage } from "../../system/servers/vfs/mkfs.js";
import {
  BUF, BUF_DIRTY, BUF_SIZE, BUF_TABLE, CACHE_BASE, DRV_WAITING, FILP_TABLE, G, GLOBALS, IN_IO, INODE, INODE_ENTRY_SIZE, INODE_TABLE,
  IO_NONE,
} from "../../system/servers/vfs/memory.js";
import { fileBlocks } from "../../system/servers/vfs/tree.js";
import { filesWorkload, judgeFiles } from "../../system/workloads/files-oracle.js";
import type { FilesState } from "../../system/workloads/files.js";
import type { VfsState } from "../../system/servers/vfs/types.js";
import type { System } from "../../system/system.js";
import { boot, ILLEGAL, patchRunning } from "../support/system.js";
import { vfsRamOffset, vfsView } from "../support/vfs.js";

const work = (sys: System): FilesState => sys.nativeState<FilesState>("files")!;
const LIMIT = 2_000_000_000;

/** A plain RAM write: word `value` at byte `off` of VFS's region. */
function poke(sys: System, off: number, value: number): void {
  new DataView(sys.machine.bus.ram.buffer, sys.machine.bus.ram.byteOffset).setInt32(vfsRamOffset(sys) + off, value, true);
}
const peek = (sys: System, off: number): number =>
  new DataView(sys.machine.bus.ram.buffer, sys.machine.bus.ram.byteOffset).getInt32(vfsRamOffset(sys) + off, true);

/**
 * A clean run: it passes, and its disk says where each data block of each file lies (blocks do
 * not move between identical runs).
 */
function cleanRun(): { owner: Map<number, { path: string; index: number; at: number }>; totalBlocks: number; image: Uint8Array } {
  const run = boot("minix3", filesWorkload);
  expect(runWorkload(run.sys, filesWorkload, run.params).oracle.verdict).toBe("pass");
  const image = run.sys.machine.ata.image;
  const owner = new Map<number, { path: string; index: number; at: number }>();
  work(run.sys).plan.files.forEach((f, index) => fileBlocks(image, f.path)!.forEach((b, i) => owner.set(b, { path: f.path, index, at: i * BLOCK_SIZE })));
  const o = openImage(image);
  if (!o.ok) throw new Error(o.error);
  return { owner, totalBlocks: o.fs.sb.totalBlocks, image };
}
let clean: ReturnType<typeof cleanRun>;
beforeAll(() => {
  clean = cleanRun();
});

describe("a wild write to a buffer header", () => {
  /**
   * Boots and runs until a dirty buffer holds a block of a file the workload has finished writing
   * and is not being written back right now (the I/O in flight carries its own block number, as
   * MINIX's does once issued); that buffer's slot.
   */
  function atDirtyBlock(): { sys: System; params: string; slot: number; hit: { path: string; at: number } } {
    const { sys, params } = boot("minix3", filesWorkload);
    const writing = (): boolean => ["create", "write", "close"].includes(work(sys).phase);
    const target = (): number =>
      writing() ? vfsView(sys).buffers.findIndex((b) => b.dirty && !b.busy && clean.owner.get(b.block) !== undefined && clean.owner.get(b.block)!.index < work(sys).index) : -1;
    expect(sys.runUntil(() => target() >= 0, LIMIT, 100_000)).toBe("done");
    const slot = target();
    return { sys, params, slot, hit: clean.owner.get(vfsView(sys).buffers[slot].block)! };
  }

  it("its block number changed to a free block: VFS writes the data there, the file's block never reaches the disk", () => {
    const { sys, params, slot, hit } = atDirtyBlock();
    const spare = clean.totalBlocks - 1; // free in the clean run: no file owns it
    expect([...clean.owner.keys()]).not.toContain(spare);
    poke(sys, BUF_TABLE + slot * BUF_SIZE + BUF.blocknr, spare);
    const obs = runWorkload(sys, filesWorkload, params);
    expect(obs.end).toBe("completed");
    expect(obs.oracle.verdict).toBe("corrupt");
    const j = judgeFiles(params, work(sys), sys.machine.ata.image);
    expect(j.wrongFiles.map((f) => [f.path, f.firstDifference])).toEqual([[hit.path, hit.at]]);
    expect(j.programMismatches).toEqual([hit.path]); // the read-back finds no buffer for the block and reads the disk's stale copy
    expect(j.programErrors).toEqual([]); // nothing was reported: silent corruption
    expect(sys.machine.ata.image.subarray(spare * BLOCK_SIZE, (spare + 1) * BLOCK_SIZE).some((b) => b !== 0)).toBe(true);
  });

  it("its dirty flag cleared: the write is lost", () => {
    const { sys, params, slot, hit } = atDirtyBlock();
    const flags = BUF_TABLE + slot * BUF_SIZE + BUF.flags;
    poke(sys, flags, peek(sys, flags) & ~BUF_DIRTY);
    const obs = runWorkload(sys, filesWorkload, params);
    expect(obs.end).toBe("completed");
    expect(obs.oracle.verdict).toBe("corrupt");
    const j = judgeFiles(params, work(sys), sys.machine.ata.image);
    expect(j.wrongFiles.map((f) => [f.path, f.firstDifference])).toEqual([[hit.path, hit.at]]);
    expect(j.programErrors).toEqual([]);
    expect(j.fsckProblems).toEqual([]); // the metadata is intact: only the data is gone
  });
});

describe("a wild write to the inode table", () => {
  /**
   * Boots and runs until the second file (the largest) is open and two of its blocks are
   * written — caught right after the workload's handler run that got there, since many requests
   * are served within one kernel entry — and then calls `corrupt` with its inode-table entry.
   */
  function inFile(corrupt: (sys: System, entry: number) => void): { sys: System; params: string; ino: number; path: string } {
    const { sys, params } = boot("minix3", filesWorkload);
    let ino = -1;
    sys.kernel.onNativeRun = (label) => {
      const w = work(sys);
      if (ino >= 0 || label !== "files" || w.phase !== "write" || w.index !== 1 || w.offset < 2 * BLOCK_SIZE) return;
      const v = vfsView(sys);
      ino = v.files[w.fd]!.ino;
      const e = v.inodes.find((x) => x.ino === ino)!;
      expect(e.count).toBe(1); // the workload's open file
      corrupt(sys, e.entry);
    };
    expect(sys.runUntil(() => ino >= 0, LIMIT, 100_000)).toBe("done");
    sys.kernel.onNativeRun = null;
    return { sys, params, ino, path: work(sys).plan.files[1].path };
  }
  const entryWord = (entry: number, field: number): number => INODE_TABLE + entry * INODE_ENTRY_SIZE + field;

  it("the size grown: VFS writes it through to the disk; the read-back and fsck see a file too long", () => {
    let size = 0;
    const { sys, params, ino, path } = inFile((s, entry) => poke(s, entryWord(entry, INODE.disk + 4), (size = 5 * BLOCK_SIZE + work(s).plan.files[1].size)));
    const obs = runWorkload(sys, filesWorkload, params);
    expect(obs.end).toBe("completed");
    expect(obs.oracle.verdict).toBe("corrupt");
    const j = judgeFiles(params, work(sys), sys.machine.ata.image);
    expect(j.wrongFiles.map((f) => [f.path, f.found !== "dir" && f.found.size])).toEqual([[path, size]]);
    expect(j.programMismatches).toEqual([path]);
    expect(j.fsckProblems).toContain(`inode ${ino}: block ${Math.ceil(size / BLOCK_SIZE) - 1} is missing (size needs ${Math.ceil(size / BLOCK_SIZE)} blocks)`);
  });

  it("a block pointer changed to its directory's block: the file reads the directory's data and fsck finds the block used twice", () => {
    const dirBlock = fileBlocks(clean.image, "/d0")![0];
    const { sys, params, path } = inFile((s, entry) => poke(s, entryWord(entry, INODE.disk + 8), dirBlock)); // direct[0]
    const obs = runWorkload(sys, filesWorkload, params);
    expect(obs.oracle.verdict).toBe("corrupt");
    const j = judgeFiles(params, work(sys), sys.machine.ata.image);
    expect(j.wrongFiles.map((f) => [f.path, f.firstDifference])).toContainEqual([path, 0]);
    expect(j.programMismatches).toContain(path);
    expect(j.fsckProblems.some((p) => p.startsWith(`block ${dirBlock} used twice`))).toBe(true);
  });

  it("stays coherent with the disk in a fault-free run: every entry equals its inode on the synced image, no file left open", () => {
    const { sys, params } = boot("minix3", filesWorkload);
    expect(runWorkload(sys, filesWorkload, params).oracle.verdict).toBe("pass");
    const o = openImage(sys.machine.ata.image);
    if (!o.ok) throw new Error(o.error);
    const v = vfsView(sys);
    expect(v.inodes.length).toBeGreaterThan(work(sys).plan.files.length); // the files, their directories and the root
    for (const e of v.inodes) {
      expect(e.count).toBe(0);
      expect(e.inode).toEqual(decodeInode(sys.machine.ata.image, inodeBlock(o.fs.sb, e.ino) * BLOCK_SIZE + inodeOffset(e.ino)));
    }
    expect(v.files.every((f) => f === null)).toBe(true);
    expect(v.buffers.every((b) => !b.dirty)).toBe(true);
  });
});

describe("a wild write to the pending I/O while VFS waits for the restarted driver", () => {
  it("its buffer slot out of the cache: the reissued I/O fails with EIO instead of granting memory VFS does not have", () => {
    const { sys, params } = boot("minix3", filesWorkload);
    expect(sys.runUntil(() => work(sys).ops >= 30, LIMIT, 100_000)).toBe("done");
    patchRunning(sys, "at_wini", "at_transfer", [ILLEGAL]); // the driver crashes at its next transfer; RS restarts it
    let done = false;
    sys.kernel.onNativeRun = (label) => {
      if (done || label !== "vfs" || peek(sys, GLOBALS + G.drvStatus) !== DRV_WAITING || peek(sys, GLOBALS + G.ioKind) === IO_NONE) return;
      poke(sys, GLOBALS + G.ioSlot, 0x7fff_ffff);
      done = true;
    };
    expect(sys.runUntil(() => done, LIMIT, 100_000)).toBe("done");
    sys.kernel.onNativeRun = null;
    const obs = runWorkload(sys, filesWorkload, params);
    expect(obs.end).toBe("completed");
    expect(work(sys).errors.map((e) => e.error)).toEqual(["EIO"]);
    expect(obs.oracle.verdict).not.toBe("pass");
    const log = sys.nativeState<VfsState>("vfs")!.log.map((e) => e.what);
    expect(log).toContainEqual(expect.stringMatching(/buffer 2147483647 is not in the cache; the I\/O fails/));
    expect(log).toContainEqual(expect.stringMatching(/recovered: at_wini reopened/));
  });
});

describe("garbage in VFS's state", () => {
  const limits: RunLimits = { ...DEFAULT_LIMITS, budgetCycles: 1_000_000_000, watchdogCycles: 150_000_000 };
  const tables: Record<string, [number, number]> = {
    "the globals": [GLOBALS, FILP_TABLE],
    "the file table": [FILP_TABLE, BUF_TABLE],
    "every buffer header": [BUF_TABLE, INODE_TABLE],
    "the inode table": [INODE_TABLE, CACHE_BASE],
    "all of them": [GLOBALS, CACHE_BASE], // not the buffers' data
  };
  const fills: Record<string, (rng: () => number) => number> = {
    "random words": (rng) => Math.floor(rng() * 2 ** 32) | 0,
    "small numbers": (rng) => Math.floor(rng() * 600) - 100, // block numbers, slots, inode numbers, fds that exist
    "all ones": () => -1,
    "0x7fffffff": () => 0x7fff_ffff,
    zeros: () => 0,
  };
  const cases = Object.keys(tables).flatMap((t) => Object.keys(fills).map((f) => [f, t] as const));

  it.each(cases)("%s in %s never throw on the host; the run ends in a defined way", (fill, table) => {
    const [lo, hi] = tables[table];
    for (const ops of [5, 40]) {
      const { sys, params } = boot("minix3", filesWorkload);
      expect(sys.runUntil(() => work(sys).ops >= ops, LIMIT, 100_000)).toBe("done");
      const rng = seedrandom(`vfs-garbage:${table}:${ops}`);
      for (let off = lo; off < hi; off += 4) poke(sys, off, fills[fill](rng));
      const obs = runWorkload(sys, filesWorkload, params, limits);
      expect(["completed", "stalled"]).toContain(obs.end);
      expect(["pass", "errors", "corrupt", "incomplete"]).toContain(obs.oracle.verdict);
      expect(sys.kernel.state.panic).toBeNull();
      expect(obs.probe.alive).toBe(true); // VFS's trouble is VFS's: the rest of the system still answers
    }
  });

  // One global at a time, while the others stay sane, so VFS goes on and uses it: changed right
  // after the handler run in which VFS sent a block I/O (it uses the pending I/O's fields when
  // the reply comes, and the rest on the requests after).
  const globals = Object.entries(G).flatMap(([name, off]) => [0x7fff_ffff, 37].map((v) => [name, off, v] as const));

  it.each(globals)("G.%s (at %i) = %i while a block I/O is in flight never throws; the run ends in a defined way", (_name, off, value) => {
    const { sys, params } = boot("minix3", filesWorkload);
    let done = false;
    sys.kernel.onNativeRun = (label) => {
      if (done || label !== "vfs" || work(sys).ops < 30 || peek(sys, GLOBALS + G.inFlight) !== IN_IO) return;
      poke(sys, GLOBALS + off, value);
      done = true;
    };
    expect(sys.runUntil(() => done, LIMIT, 100_000)).toBe("done");
    sys.kernel.onNativeRun = null;
    const obs = runWorkload(sys, filesWorkload, params, limits);
    expect(["completed", "stalled"]).toContain(obs.end);
    expect(["pass", "errors", "corrupt", "incomplete"]).toContain(obs.oracle.verdict);
    expect(sys.kernel.state.panic).toBeNull();
  });
});

