/*
 * The clients' side of Nooks recovery (servers/recovery-mode.ts) on the real system: a driver
 * crashes for real in the middle of a request (an illegal instruction patched into a function the
 * request path runs, in the running copy only: a transient failure), Nooks' recovery manager
 * reloads it, and the servers meet it as their mode says — restart (nooks): the request in
 * flight fails and state is lost; shadow (nooks-shadow): held, replayed, unseen by the program.
 * minix3 runs the same fault where the comparison shows the difference.
 */
import { describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import { composeSystem } from "../../system/compose.js";
import type { AudioSegment } from "../../system/machine/device.js";
import { DEFAULT_LIMITS, runWorkload } from "../../system/run.js";
import { MODE_MINIX, MODE_REISSUE, MODE_RESTART, MODE_SHADOW } from "../../system/servers/recovery-mode.js";
import { nativeRegion } from "../../system/servers/region.js";
import { G as NET_G, NR_RX, regionMem as netRegionMem } from "../../system/servers/net/memory.js";
import type { NetStats } from "../../system/servers/net/types.js";
import { G, regionMem } from "../../system/servers/vfs/memory.js";
import type { VfsState } from "../../system/servers/vfs/types.js";
import type { System } from "../../system/system.js";
import { audioWorkload, judgeAudio, masterFor, type AudioState } from "../../system/workloads/audio.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import type { FilesState } from "../../system/workloads/files.js";
import { netWorkload } from "../../system/workloads/net-oracle.js";
import { documentOf, judgePrint, printWorkload, type PrintState } from "../../system/workloads/print.js";
import type { Workload } from "../../system/workloads/workload.js";
import { ILLEGAL, patchImage, patchRunning } from "../support/system.js";

function compose(build: string, workload: Workload<never> | Workload<unknown>, params: string): System {
  const c = composeSystem(BUILDS[build], workload as Workload, { params });
  if (!c.ok) throw new Error(c.error);
  return c.system;
}

const vfsStats = (sys: System) => sys.nativeState<VfsState>("vfs")!.stats;
const netStats = (sys: System): NetStats => sys.nativeState<{ stats: NetStats }>("inet")!.stats;
const events = (sys: System, label: string) => sys.kernel.state.events.filter((e) => e.label === label).map((e) => e.kind);

describe("the recovery mode in each server's RAM", () => {
  it("is parsed from recovery= at init: 0 (minix, also singularity's) unless the build is nooks (restart), nooks-shadow or paravirt-replay (shadow), paravirt (reissue)", () => {
    const want: Record<string, number> = { minix3: MODE_MINIX, nooks: MODE_RESTART, "nooks-shadow": MODE_SHADOW, paravirt: MODE_REISSUE, "paravirt-replay": MODE_SHADOW, singularity: MODE_MINIX };
    for (const [build, mode] of Object.entries(want)) {
      const sys = compose(build, printWorkload, "seed=3 bytes=200 piece=100");
      expect(regionMem(nativeRegion(sys.kernel, "vfs")!).g(G.recovery)).toBe(mode);
      const n = compose(build, netWorkload, "seed=5 bytes=1000 maxwrite=500 udp=1");
      expect(netRegionMem(nativeRegion(n.kernel, "inet")!).g(NET_G.recovery)).toBe(mode);
    }
  });
});

describe("block (files): VFS and the disk driver", () => {
  const PARAMS = "seed=7 dirs=2 files=3 maxsize=65536";
  const files = (sys: System) => sys.nativeState<FilesState>("files")!;

  function crash(build: string) {
    const sys = compose(build, filesWorkload, PARAMS);
    expect(sys.runUntil(() => files(sys).ops >= 30, 2_000_000_000, 100_000)).toBe("done");
    expect(files(sys).done).toBe(false);
    patchRunning(sys, "at_wini", "at_transfer", [ILLEGAL]);
    const o = runWorkload(sys, filesWorkload, PARAMS, DEFAULT_LIMITS);
    return { sys, o };
  }

  it("nooks (restart): the I/O in flight is not reissued: the request gets EIO and the oracle reports errors", () => {
    const { sys, o } = crash("nooks");
    expect(events(sys, "at_wini")).toContain("crash");
    expect(vfsStats(sys)).toMatchObject({ driverFailures: 1, failedInFlight: 1, retries: 0 });
    expect(vfsStats(sys).eio).toBeGreaterThanOrEqual(1);
    expect(files(sys).errors.map((e) => e.error)).toContain("EIO");
    expect(o.oracle.verdict).toBe("errors");
  });

  it("nooks-shadow: the shadow (libbdev's hold and reissue) hides the restart: the oracle passes", () => {
    const { sys, o } = crash("nooks-shadow");
    expect(events(sys, "at_wini").filter((e) => e === "crash").length).toBe(1);
    expect(vfsStats(sys)).toMatchObject({ driverFailures: 1, recoveries: 1, eio: 0 });
    expect(vfsStats(sys).failedInFlight).toBeUndefined();
    expect(vfsStats(sys).retries).toBeGreaterThanOrEqual(1);
    expect(files(sys).errors).toEqual([]);
    expect(o.oracle.verdict).toBe("pass");
  });
});

describe("character (audio): the volume the user set", () => {
  const PARAMS = "seed=2 rate=22050 fragment=4096 fragments=16 volume=20";
  const audio = (sys: System) => sys.nativeState<AudioState>("audio")!;
  const segments = (sys: System): AudioSegment[] => {
    const r = Object.values(sys.machine.records()).find((d) => d.kind === "audio");
    if (!r || r.kind !== "audio") throw new Error("no sound card");
    return r.segments;
  };

  function crash(build: string) {
    const sys = compose(build, audioWorkload, PARAMS);
    expect(sys.runUntil(() => audio(sys).offset >= 6 * 4096, 1_000_000_000)).toBe("done");
    patchRunning(sys, "es1371", "es_played", [ILLEGAL]);
    const o = runWorkload(sys, audioWorkload, PARAMS, { ...DEFAULT_LIMITS, budgetCycles: 3_000_000_000, watchdogCycles: 1_000_000_000 });
    return { sys, o, j: judgeAudio(PARAMS, audio(sys), sys.machine.records()) };
  }

  it("nooks (restart): EIO, the player reopens, and the reloaded driver plays at its default volume: degraded", () => {
    const { sys, o, j } = crash("nooks");
    expect(events(sys, "es1371")).toContain("crash");
    expect(audio(sys).eios.length).toBe(1);
    expect(audio(sys).opens).toBe(2);
    expect(j.off).toBeGreaterThan(0);
    expect(j.offSettings).toEqual(["22050 Hz, master 0x101"]); // the driver's initial volume: the user's is gone with its DS state
    expect(o.oracle.verdict).toBe("errors");
  });

  it("nooks-shadow: no error reaches the player; volume, rate and format are replayed; the fragment the dead driver had taken is lost unseen", () => {
    const { sys, o, j } = crash("nooks-shadow");
    expect(events(sys, "es1371").filter((e) => e === "crash").length).toBe(1);
    expect(audio(sys).errors).toEqual([]);
    expect(audio(sys).opens).toBe(1);
    const s = vfsStats(sys);
    // One reopen and the five settings the driver accepted (volume, rate, stereo, bits, fragment size).
    expect(s).toMatchObject({ shadowRecoveries: 1, shadowReissued: 1, shadowReplayed: 6, eio: 0 });
    expect(s.shadowFailures).toBeUndefined();
    expect(j).toMatchObject({ off: 0, wrong: 0, eios: 0 });
    // The card's record after the restart still plays at the user's volume and rate.
    const last = segments(sys).at(-1)!;
    expect({ rate: last.rate, master: last.master }).toEqual({ rate: 22050, master: masterFor(20) });
    // What the shadow cannot replay: the write the dead driver had acknowledged (copied into its
    // DMA buffer) and not yet played. Less than one fragment (1024 frames) is lost, nothing else,
    // and the program was told nothing: the oracle calls damage without an error silent corruption.
    expect(j).toMatchObject({ repeated: 0 });
    expect(j.lost).toBeGreaterThan(0);
    expect(j.lost).toBeLessThanOrEqual(1024);
    expect(o.oracle.verdict).toBe("corrupt");
  });
});

describe("character (print): a request that is not idempotent", () => {
  const PARAMS = "seed=3 bytes=2400 piece=200";
  const print = (sys: System) => sys.nativeState<PrintState>("print")!;
  const printed = (sys: System): Uint8Array => {
    const r = Object.values(sys.machine.records()).find((d) => d.kind === "printer");
    if (!r || r.kind !== "printer") throw new Error("no printer");
    return r.printed;
  };

  function crash(build: string, fn: string) {
    const sys = compose(build, printWorkload, PARAMS);
    expect(sys.runUntil(() => print(sys).offset >= 2000, 500_000_000)).toBe("done");
    patchRunning(sys, "printer", fn, [ILLEGAL]);
    const o = runWorkload(sys, printWorkload, PARAMS, DEFAULT_LIMITS);
    return { sys, o, j: judgePrint(PARAMS, print(sys), sys.machine.records()) };
  }

  it("nooks-shadow, crash before a piece's first character: no error reaches the program, the printout is exact", () => {
    const { sys, o } = crash("nooks-shadow", "pr_write");
    expect(events(sys, "printer")).toContain("crash");
    expect(print(sys).errors).toEqual([]);
    expect(print(sys).opens).toBe(1);
    expect(vfsStats(sys)).toMatchObject({ shadowRecoveries: 1, shadowReplayed: 1 }); // a reopen, no configuration
    expect(Buffer.compare(printed(sys), documentOf(3, 2400))).toBe(0);
    expect(o.oracle.verdict).toBe("pass");
  });

  it("nooks-shadow, crash in the middle of a piece: no error, the piece is sent again and its start printed twice", () => {
    const { sys, o, j } = crash("nooks-shadow", "pr_intr");
    expect(print(sys).errors).toEqual([]);
    expect(print(sys).eios).toEqual([]);
    expect(vfsStats(sys)).toMatchObject({ shadowRecoveries: 1, shadowReissued: 1 });
    const doc = documentOf(3, 2400);
    const out = printed(sys);
    const extra = out.length - doc.length;
    expect(extra).toBeGreaterThan(0);
    expect(extra).toBeLessThan(200);
    // The printout is the document with `extra` characters of one piece printed again where the driver died.
    const piece = Math.floor(2000 / 200) * 200;
    const cut = [...Array(200).keys()].map((i) => piece + i).find((at) => Buffer.compare(Buffer.concat([doc.subarray(0, at), doc.subarray(at - extra, doc.length)]), Buffer.from(out)) === 0);
    expect(cut).toBeDefined();
    // The program was told nothing, so the oracle cannot place the repeat on a restart point: characters it did not send there.
    expect(j.wrong).toBeGreaterThan(0);
    expect(o.oracle.verdict).toBe("corrupt");
  });
});

describe("character: the shadow's bounds", () => {
  it("nooks-shadow, a persistent fault: once a reloaded driver is not back within the wait, MINIX's semantics: EIO, the program reopens", () => {
    const PARAMS = "seed=3 bytes=2400 piece=200";
    const sys = compose("nooks-shadow", printWorkload, PARAMS);
    const print = () => sys.nativeState<PrintState>("print")!;
    expect(sys.runUntil(() => print().offset >= 2000, 500_000_000)).toBe("done");
    patchRunning(sys, "printer", "pr_write", [ILLEGAL]);
    patchImage(sys, "printer", "pr_write", [ILLEGAL]); // every reloaded copy fails the same way
    runWorkload(sys, printWorkload, PARAMS, { ...DEFAULT_LIMITS, budgetCycles: 3_000_000_000, watchdogCycles: 2_000_000_000 });
    const s = vfsStats(sys);
    // The first reloads come at once and are replayed to (each fails again on the reissued piece);
    // the recovery manager then backs off longer than VFS's wait (250 ticks): the shadow gives up.
    expect(s.shadowReissued).toBeGreaterThanOrEqual(1);
    expect(s.shadowFailures).toBeGreaterThanOrEqual(1);
    expect(print().errors[0]).toEqual({ request: "WRITE @2200", error: "EIO" });
    expect(print().opens).toBeGreaterThan(1);
  });
});

describe("network: the sends outstanding at the failed driver", () => {
  const PARAMS = "seed=5 bytes=65536 maxwrite=3000 udp=3";
  const state = (sys: System) => sys.nativeState<{ received: number }>("net")!;

  function crash(build: string) {
    const sys = compose(build, netWorkload, PARAMS);
    expect(sys.runUntil(() => state(sys).received >= 20_000, 2_000_000_000)).toBe("done");
    patchRunning(sys, "rtl8139", "rl_send", [ILLEGAL]);
    const o = runWorkload(sys, netWorkload, PARAMS, DEFAULT_LIMITS);
    return { sys, o };
  }

  it("nooks-shadow: replayed to the reloaded driver before new traffic, none dropped; the workload passes", () => {
    const { sys, o } = crash("nooks-shadow");
    expect(events(sys, "rtl8139")).toContain("crash");
    const s = netStats(sys);
    expect(s.recoveries).toBe(1);
    expect(s.replayedSends).toBeGreaterThan(0);
    expect(s.outstandingDropped).toBe(NR_RX); // only the receive buffers, posted again to the new driver
    expect(o.oracle.verdict).toBe("pass");
  });

  it("nooks (restart) and minix3: dropped, none replayed (the stream protocol retransmits); the workload passes", () => {
    for (const build of ["nooks", "minix3"]) {
      const { sys, o } = crash(build);
      const s = netStats(sys);
      expect(s.recoveries).toBe(1);
      expect(s.replayedSends).toBeUndefined();
      expect(s.outstandingDropped).toBeGreaterThan(NR_RX); // the receive buffers and the sends
      expect(o.oracle.verdict).toBe("pass");
    }
  });
});
