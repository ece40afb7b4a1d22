/*
 * The throughput workload: its parameters; full runs in the standard composition (DS, the
 * recovery agent, the real at_wini driver, VFS) on minix3 and monolithic, judged by the oracle,
 * with a record per size whose cycles show what transfer sizes cost; determinism; a byte
 * corrupted on the disk after the run, and a write lost on its way to the disk during the run,
 * both caught.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { VFS } from "../../system/kernel/abi.js";
import { DEFAULT_LIMITS, runWorkload, type Observations } from "../../system/run.js";
import { BLOCK_SIZE } from "../../system/servers/vfs/fsformat.js";
import { fileBlocks } from "../../system/servers/vfs/tree.js";
import type { System } from "../../system/system.js";
import { getWorkload } from "../../system/workloads/index.js";
import { judgeThroughput, throughputWorkload } from "../../system/workloads/throughput-oracle.js";
import {
  DEFAULT_SIZES, DEFAULT_TOTAL, MAX_TRANSFER, passBytes, THROUGHPUT_PATH, throughputOf, throughputParams, type ThroughputState,
} from "../../system/workloads/throughput.js";
import { parseSpec } from "../../campaigns/spec.js";
import { boot } from "../support/system.js";

const state = (sys: System): ThroughputState => sys.nativeState<ThroughputState>("throughput")!;

interface Run {
  sys: System;
  params: string;
  o: Observations;
}

function run(build: string, params?: string): Run {
  const { sys, params: p } = boot(build, throughputWorkload, params ? { params } : {});
  return { sys, params: p, o: runWorkload(sys, throughputWorkload, p, DEFAULT_LIMITS) };
}

describe("the parameters", () => {
  it("default to 1..64 KiB transfers of a 256 KiB file; sizes are deduplicated and clamped", () => {
    expect(throughputParams("")).toEqual({ seed: 1, sizes: DEFAULT_SIZES, total: DEFAULT_TOTAL });
    expect(DEFAULT_SIZES).toEqual([1024, 2048, 4096, 8192, 16384, 32768, 65536]);
    expect(throughputParams("seed=4 sizes=4096,512,4096,0,x,9999999 total=10000")).toEqual({ seed: 4, sizes: [4096, 512, 1, MAX_TRANSFER], total: 10000 });
    expect(throughputWorkload.params(3, {})).toBe("seed=3 sizes=1024,2048,4096,8192,16384,32768,65536 total=262144");
  });

  it("is registered, and a campaign spec may name it", () => {
    expect(getWorkload("throughput")).toMatchObject({ ok: true, workload: throughputWorkload });
    const spec = parseSpec("name: t\nseed: 1\nbuilds: [minix3]\nworkloads: [throughput]\ndriver: at_wini\nfaults:\n  - { type: NOP, count: 1 }\n");
    expect(spec.ok).toBe(true);
  });
});

describe.each(["minix3", "monolithic"])("a fault-free run on %s", (build) => {
  let r: Run;
  beforeAll(() => {
    r = run(build);
  });

  it("completes, and the oracle passes", () => {
    expect(r.o.end).toBe("completed");
    expect(r.o.oracle.verdict).toBe("pass");
    const s = state(r.sys);
    expect(s.errors).toEqual([]);
    expect(s.mismatches).toEqual([]);
    expect(judgeThroughput(r.params, s, r.sys.machine.ata.image)).toEqual({
      verdict: "pass", programErrors: [], programMismatches: [], fsckProblems: [], wrongFiles: [], missingFiles: [],
    });
  });

  it("records every size, each transfer above VFS.IO_MAX split into IO_MAX requests", () => {
    const s = state(r.sys);
    expect(s.passes.map((p) => p.size)).toEqual([VFS.IO_MAX, ...DEFAULT_SIZES]);
    for (const p of s.passes) {
      expect(p).toMatchObject({ synced: true, verified: true, writeFailed: false, readFailed: false });
      const requests = DEFAULT_TOTAL / Math.min(p.size, VFS.IO_MAX);
      expect(p.writeRequests).toBe(requests);
      expect(p.readRequests).toBe(requests);
    }
    const t = throughputOf(s);
    expect(t.map((x) => x.size)).toEqual(DEFAULT_SIZES);
    for (const x of t) {
      expect(x.writeCycles).toBeGreaterThan(0);
      expect(x.readCycles).toBeGreaterThan(0);
      expect(x.writeBytesPerSec).toBeCloseTo((DEFAULT_TOTAL * 100_000_000) / x.writeCycles, 6);
      expect(x.readBytesPerSec).toBeCloseTo((DEFAULT_TOTAL * 100_000_000) / x.readCycles, 6);
    }
    expect(r.o.oracle.details.throughput).toEqual(t);
  });

  it("takes fewer cycles per byte in every larger transfer than in 1-KiB ones", () => {
    const [one, ...larger] = throughputOf(state(r.sys));
    expect(one.size).toBe(1024);
    for (const x of larger) {
      expect(x.writeCycles).toBeLessThan(one.writeCycles);
      expect(x.readCycles).toBeLessThan(one.readCycles);
    }
  });

  it("is judged corrupt when a byte of the file changes on the disk after the run", () => {
    const image = r.sys.machine.ata.image; // the device's own image, as the oracle reads it after a run
    const blocks = fileBlocks(image, THROUGHPUT_PATH)!;
    expect(blocks).toHaveLength(DEFAULT_TOTAL / BLOCK_SIZE);
    const at = blocks[37] * BLOCK_SIZE + 123;
    image[at] ^= 0x01;
    const v = throughputWorkload.judge(r.params, state(r.sys), r.sys.machine.records());
    const j = judgeThroughput(r.params, state(r.sys), image);
    image[at] ^= 0x01;
    expect(v).toMatchObject({ verdict: "corrupt", summary: `${THROUGHPUT_PATH} wrong on disk` });
    expect(j.wrongFiles).toEqual([expect.objectContaining({ path: THROUGHPUT_PATH, firstDifference: 37 * BLOCK_SIZE + 123 })]);
    expect(j.fsckProblems).toEqual([]); // the structure is intact: only the comparison sees it
  });
});

describe("determinism", () => {
  it("the same seed gives the same cycles and the same final state; another seed other bytes", () => {
    const a = run("minix3");
    const b = run("minix3");
    expect(state(b.sys).passes).toEqual(state(a.sys).passes);
    expect(b.o.cycles).toBe(a.o.cycles);
    expect(b.sys.stateHash()).toBe(a.sys.stateHash());
    const c = run("minix3", "seed=2 sizes=1024,2048,4096,8192,16384,32768,65536 total=262144");
    expect(c.o.oracle.verdict).toBe("pass");
    expect(c.sys.stateHash()).not.toBe(a.sys.stateHash());
  });
});

describe("a write lost on its way to the disk", () => {
  it("reads back as the previous pass's bytes: the program sees it, so does the oracle (the last pass), the size is not measured", () => {
    const params = "seed=5 sizes=4096,8192 total=262144";
    const { sys } = boot("minix3", throughputWorkload, { params });
    const p = throughputParams(params);
    // Pass 2 (8 KiB transfers) has synced: its first block is on the disk, not in the cache (the file is twice the cache).
    expect(sys.runUntil(() => state(sys).passes[2].synced, 2_000_000_000, 10_000)).toBe("done");
    const image = sys.machine.ata.image;
    const first = fileBlocks(image, THROUGHPUT_PATH)![0];
    expect(Buffer.from(image.subarray(first * BLOCK_SIZE, (first + 1) * BLOCK_SIZE)).equals(passBytes(p, 2, 0, BLOCK_SIZE))).toBe(true);
    image.set(passBytes(p, 1, 0, BLOCK_SIZE), first * BLOCK_SIZE); // as if pass 2's write of block 0 had never arrived
    const o = runWorkload(sys, throughputWorkload, params, DEFAULT_LIMITS);
    expect(o.end).toBe("completed");
    const s = state(sys);
    expect(s.mismatches).toEqual(["8192-byte transfers"]);
    expect(s.passes[2].verified).toBe(false);
    expect(throughputOf(s).map((x) => x.size)).toEqual([4096]);
    // Pass 2 is the last: no later pass rewrote the block, so the disk still holds the lost write's old bytes.
    expect(o.oracle).toMatchObject({ verdict: "corrupt", summary: `8192-byte transfers read back wrong; ${THROUGHPUT_PATH} wrong on disk` });
  });
});

describe("the oracle on edited final states", () => {
  let r: Run;
  beforeAll(() => {
    r = run("minix3", "seed=3 sizes=2048,16384 total=65536");
  });
  const edited = (change: (s: ThroughputState) => void): ThroughputState => {
    const s = structuredClone(state(r.sys));
    change(s);
    return s;
  };

  it("a run with a smaller file passes", () => {
    expect(r.o.oracle.verdict).toBe("pass");
    expect(throughputOf(state(r.sys)).map((x) => x.size)).toEqual([2048, 16384]);
  });

  it("promises nothing on disk when the last pass's writes failed: errors, not corrupt", () => {
    const image = r.sys.machine.ata.image.slice();
    image[fileBlocks(image, THROUGHPUT_PATH)![3] * BLOCK_SIZE] ^= 0xff;
    expect(judgeThroughput(r.params, state(r.sys), image).verdict).toBe("corrupt");
    const failedLast = edited((s) => {
      s.errors.push({ request: "WRITE @8192 (16384-byte transfers)", error: "EIO" });
      s.passes[2].writeFailed = true;
    });
    expect(judgeThroughput(r.params, failedLast, image)).toMatchObject({ verdict: "errors", wrongFiles: [], programErrors: ["WRITE @8192 (16384-byte transfers): EIO"] });
    expect(throughputOf(failedLast).map((x) => x.size)).toEqual([2048]);
  });

  it("calls an unfinished program incomplete and a vanished one's disk unpromised", () => {
    const hung = edited((s) => Object.assign(s, { done: false, phase: "read", ops: 40 }));
    expect(throughputWorkload.judge(r.params, hung, r.sys.machine.records())).toMatchObject({ verdict: "incomplete", summary: "stopped in phase read after 40 operations" });
    expect(judgeThroughput(r.params, undefined, new Uint8Array(4 << 20))).toMatchObject({ verdict: "errors", programErrors: ["the workload is gone"], wrongFiles: [], missingFiles: [] });
  });
});
