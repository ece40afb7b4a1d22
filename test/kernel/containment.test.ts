/*
 * Containment, the claim bulkhead exists to test: the same real fault in a driver — an illegal
 * instruction or a wild store in at_wini's code, a wild write into the kernel's process table,
 * an infinite loop — is contained by the minix3 build (the driver dies or is preempted, the
 * kernel and the other processes live) and is not by the monolithic build (kernel panic, or a
 * CPU held forever). Faults are made for real: machine code is overwritten in the driver's
 * memory, stores go to real addresses the MMU does or does not map.
 *
 * The kernel checks only what its build asserts (minix3: MINIX's queue asserts, sched.ts;
 * monolithic: nothing; check.ts only with sanity checks on). Wild writes to the rest, and to
 * a server's memory, go unnoticed, and the tests at the end show what they then do: a process
 * takes a stranger's message for its reply, a loop never loses the CPU, a send the IPC mask
 * forbids goes through, a corrupted cached block reaches the disk. Each is run beside the same
 * system without the write, which does not do it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import type { Build } from "../../system/builds/types.js";
import { driverConf } from "../support/driver.js";
import type { ServiceConf } from "../../system/kernel/service.js";
import { DRIVER_TEXT_BASE, ECALLDENIED, ENOTREADY } from "../../system/kernel/abi.js";
import { checkAll } from "../../system/kernel/check.js";
import { PRIV, PROC, PMAGIC, SF_CHECKED } from "../../system/kernel/layout.js";
import {
  DRIVER_Q, PRIV_SIZE, PRIV_TABLE_OFF, PROC_SIZE, PROC_TABLE_OFF, QUANTUM_TICKS, USER_Q, slotIndex,
} from "../../system/kernel/params.js";
import { endpointSlot } from "../../system/kernel/proc.js";
import { findSymbol, parseElf } from "../../system/machine/elf.js";
import { RAM_BASE } from "../../system/machine/memmap.js";
import type { System } from "../../system/system.js";
import { runWorkload } from "../../system/run.js";
import { BLOCK_SIZE } from "../../system/servers/vfs/fsformat.js";
import { fileBlocks } from "../../system/servers/vfs/tree.js";
import { CACHE_BASE } from "../../system/servers/vfs/memory.js";
import { vfsView } from "../support/vfs.js";
import { blockClient, type BlockClientState } from "../../system/workloads/blockclient.js";
import { filesWorkload, judgeFiles } from "../../system/workloads/files-oracle.js";
import type { FilesState } from "../../system/workloads/files.js";
import { boot } from "../support/system.js";
import {
  bootSystem, events, guestImages, lines, native, plannedEndpoints, procIndex, runUntilDone, step, stepper, TICK,
} from "./harness.js";

let images: Record<string, Uint8Array>;

beforeAll(async () => {
  images = await guestImages();
});

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

describe("a fault in the at_wini driver's code", () => {
  const FIRST = 2;

  function bootDisk(build: string): System {
    return bootSystem({
      build: BUILDS[build],
      boot: [
        driverConf("at_wini", { ipcTo: ["rs", "ds", "vfs", "client"], params: "dma=1" }),
        native("client", "blockclient", `driver=at_wini blocks=2 first=${FIRST} size=4096 seed=5`, { ipcTo: ["at_wini"] }),
      ],
      natives: { blockclient: blockClient },
    });
  }

  /** Overwrites the first instruction of `fn` in the running driver's memory; returns its address. */
  function patch(sys: System, fn: string, insn: number): number {
    const elf = parseElf(sys.images.at_wini);
    if (!elf.ok) throw new Error(elf.error);
    const sym = findSymbol(elf.elf, fn);
    if (!sym) throw new Error(`no symbol ${fn} in at_wini`);
    const base = sys.kernel.km.proc(procIndex(sys, "at_wini"), PROC.memBase) >>> 0;
    sys.machine.bus.ram.subarray(0).set([insn & 0xff, (insn >>> 8) & 0xff, (insn >>> 16) & 0xff, insn >>> 24], base - RAM_BASE + (sym.value - DRIVER_TEXT_BASE));
    return sym.value;
  }

  const FAULTS = [
    { name: "an illegal instruction (0)", insn: 0x0000_0000, detail: (pc: number) => `illegal instruction at pc ${hex(pc)}, tval 0x0` },
    { name: "a wild store (sw zero, 0(zero))", insn: 0x0000_2023, detail: (pc: number) => `store page fault at pc ${hex(pc)}, tval 0x0` },
  ];

  describe.each(FAULTS)("$name at the entry of at_transfer", ({ insn, detail }) => {
    it("minix3: the driver dies, the kernel lives, the client gets EDEADSRCDST", () => {
      const sys = bootDisk("minix3");
      const pc = patch(sys, "at_transfer", insn);
      const client = (): BlockClientState => sys.nativeState<BlockClientState>("client")!;
      expect(sys.runUntil(() => client().phase === "done", 50 * TICK)).toBe("done");
      expect(client()).toMatchObject({ errors: [], verified: 0, ipcErrors: [`write ${FIRST}: EDEADSRCDST`] });
      expect(events(sys, "crash").map((e) => [e.label, e.detail])).toEqual([["at_wini", detail(pc)]]);
      expect(sys.kernel.lookupLabel("at_wini")).toBeUndefined();
      expect(sys.kernel.state.panic).toBeNull();
      expect(sys.run(5 * TICK)).toBe("limit"); // the system runs on
      expect(checkAll(sys.kernel.km)).toBeUndefined();
    });

    it("monolithic: the same fault is a kernel panic", () => {
      const sys = bootDisk("monolithic");
      const pc = patch(sys, "at_transfer", insn);
      expect(sys.run(50 * TICK)).toBe("panic");
      expect(sys.kernel.state.panic?.reason).toBe(`at_wini: ${detail(pc)} in supervisor mode`);
      expect(events(sys, "crash")).toEqual([]);
      expect(sys.nativeState<BlockClientState>("client")).toMatchObject({ phase: "write", verified: 0 });
    });
  });
});

describe("a wild write into the kernel's process table", () => {
  function bootWild(build: string | Build): { sys: System; addr: number; victimSlot: number } {
    const victimSlot = endpointSlot(plannedEndpoints([stepper("victim", [])]).victim);
    const addr = RAM_BASE + PROC_TABLE_OFF + slotIndex(victimSlot) * PROC_SIZE + PROC.magic;
    const boot: ServiceConf[] = [stepper("victim", []), stepper("wild", [`poke:${hex(addr)}:0xdeadbeef`], { role: "driver", priority: DRIVER_Q })];
    return { sys: bootSystem({ build: typeof build === "string" ? BUILDS[build] : build, boot, images }), addr, victimSlot };
  }
  const withChecks = (kernelChecks: Build["kernelChecks"]): Build => ({ ...BUILDS.monolithic, name: "t", kernelChecks });

  it("monolithic: the store lands in the table (all RAM is mapped into drivers); a kernel that checks nothing runs on", () => {
    const { sys, addr } = bootWild("monolithic");
    expect(sys.run(5 * TICK)).toBe("limit");
    expect(sys.kernel.km.view.getUint32(addr - RAM_BASE, true)).toBe(0xdeadbeef);
    expect(sys.kernel.state.panic).toBeNull();
  });

  it("the same store under MINIX's queue asserts panics when the victim is next dequeued, under sanity checks at once", () => {
    const asserted = bootWild(withChecks({ queueAsserts: true, sanityChecks: false, stackGuard: true }));
    expect(asserted.sys.run(5 * TICK)).toBe("panic");
    expect(asserted.sys.kernel.state.panic?.reason).toBe(`assert failed in dequeue: proc_ptr_ok(process ${asserted.victimSlot})`);
    const sane = bootWild(withChecks({ queueAsserts: false, sanityChecks: true, stackGuard: true }));
    expect(sane.sys.run(5 * TICK)).toBe("panic");
    expect(sane.sys.kernel.state.panic?.reason).toBe(`process table entry ${sane.victimSlot}: bad magic 0xdeadbeef`);
  });

  it("minix3: the same program dies of a page fault; the table is intact and the kernel lives", () => {
    const { sys, addr } = bootWild("minix3");
    expect(sys.run(5 * TICK)).toBe("limit");
    expect(events(sys, "crash").map((e) => [e.label, e.detail.replace(/pc 0x[0-9a-f]+/, "pc _")])).toEqual([
      ["wild", `store page fault at pc _, tval ${hex(addr)}`],
    ]);
    expect(lines(sys, "wild")).toEqual([]);
    expect(sys.kernel.km.view.getUint32(addr - RAM_BASE, true)).toBe(PMAGIC);
    expect(sys.kernel.state.panic).toBeNull();
    expect(checkAll(sys.kernel.km)).toBeUndefined();
    expect(lines(sys, "victim")).toEqual(["done"]);
  });
});

describe("an infinite loop in a driver", () => {
  // The worker is booted first, so it runs first: it reads the clock, sleeps one tick, reads it again.
  const confs = (): ServiceConf[] => [
    stepper("worker", ["uptime", "sleep:1", "uptime"], { priority: USER_Q }),
    stepper("looper", ["spin"], { role: "driver", priority: USER_Q }),
  ];

  it("minix3: the driver runs in user mode and is preempted when its quantum ends; the worker makes progress", () => {
    const sys = bootSystem({ build: BUILDS.minix3, boot: confs(), images });
    expect(runUntilDone(sys, ["worker"], 2 * QUANTUM_TICKS)).toBe("done");
    expect(sys.kernel.km.proc(procIndex(sys, "looper"), PROC.mode)).toBe(0);
    expect(lines(sys, "looper")).toEqual(["#0 spin"]);
    const t0 = Number(step(sys, "worker", 0)?.t), t1 = Number(step(sys, "worker", 2)?.t);
    // The worker's alarm goes off after one tick, but it waits behind the looper for the rest of its quantum.
    expect(t1 - t0).toBeGreaterThanOrEqual(QUANTUM_TICKS - 1);
    expect(t1 - t0).toBeLessThanOrEqual(QUANTUM_TICKS + 1);
    expect(sys.kernel.state.panic).toBeNull();
  });

  // MINIX 3 sched(): "Processes using multiple quantums in a row get a lower priority to catch
  // infinite loops in high priority processes (system servers and drivers)." A looping driver
  // sinks one queue per quantum until it no longer starves user processes.
  it("minix3: a loop at driver priority sinks below user processes instead of starving them", () => {
    const sys = bootSystem({
      build: BUILDS.minix3,
      boot: [stepper("worker", ["uptime", "sleep:1", "uptime"], { priority: USER_Q }), stepper("looper", ["spin"], { role: "driver", priority: DRIVER_Q })],
      images,
    });
    runUntilDone(sys, ["worker"], (USER_Q - DRIVER_Q + 3) * QUANTUM_TICKS);
    expect(lines(sys, "looper")).toEqual(["#0 spin"]);
    const uptime = (i: number) => expect.stringMatching(new RegExp(`^#${i} uptime r=0 t=\\d+$`));
    expect(lines(sys, "worker")).toEqual([uptime(0), "#1 sleep r=0", uptime(2), "done"]);
    expect(sys.kernel.km.proc(procIndex(sys, "looper"), PROC.priority)).toBeGreaterThanOrEqual(USER_Q);
  });

  it("monolithic: the driver runs in supervisor mode and holds the CPU; the worker makes no progress", () => {
    // Linux's soft-lockup detector with a short threshold, so that it speaks within the test.
    const build = { ...BUILDS.monolithic, kernelMode: { ...BUILDS.monolithic.kernelMode, softLockup: { ticks: 2 * QUANTUM_TICKS, panic: false } } };
    const sys = bootSystem({ build, boot: confs(), images });
    // The clock ticks on, nobody else runs; the detector warns about the stuck CPU and the system stays hung.
    expect(runUntilDone(sys, ["worker"], 3 * QUANTUM_TICKS)).toBe("limit");
    expect(sys.kernel.km.proc(procIndex(sys, "looper"), PROC.mode)).toBe(1);
    expect(lines(sys, "looper")).toEqual(["#0 spin"]);
    expect(lines(sys, "worker")).toEqual(["#0 uptime r=0 t=0"]);
    expect(sys.kernel.state.lockup).toMatchObject({ label: "looper" });
    expect(sys.kernel.state.lockup!.ticks).toBe(2 * QUANTUM_TICKS);
    expect(sys.kernel.state.panic).toBeNull();
  });
});

// ---- wild writes the kernel's checks do not see ------------------------------------------------

/** Physical address of field `field` of the process-table entry of endpoint `ep`. */
const procField = (ep: number, field: number): number => RAM_BASE + PROC_TABLE_OFF + slotIndex(endpointSlot(ep)) * PROC_SIZE + field;

/** A 32-bit store into RAM from the host, as a stray store or a DMA gone astray would make it. */
function wildWrite(sys: System, pa: number, value: number): void {
  sys.machine.bus.ram.subarray(0).set([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24], pa - RAM_BASE);
}

describe("a wild write to an unchecked field of the process table (monolithic: a driver's store)", () => {
  // getFrom is checked by nobody: the kernel trusts it to say whose message a blocked receiver takes.
  it("getFrom of a process waiting for its SENDREC reply: it takes a stranger's message as the reply", () => {
    const confs = (wild: string[]): ServiceConf[] => [
      stepper("server", ["recv:any", "sleep:4", "reply:7"]),
      stepper("asker", ["sendrec:@server:1"]),
      stepper("stranger", ["sleep:2", "sendnb:@asker:42"]),
      stepper("wild", wild, { role: "driver", priority: DRIVER_Q }),
    ];
    const ep = plannedEndpoints(confs([]));
    const run = (wild: string[]): System => {
      const sys = bootSystem({ build: BUILDS.monolithic, boot: confs(wild), images });
      expect(sys.run(10 * TICK)).toBe("limit");
      expect(sys.kernel.state.panic).toBeNull();
      return sys;
    };
    // Without the write: the stranger finds nobody waiting for it, the asker gets the server's reply.
    const clean = run(["sleep:1"]);
    expect(lines(clean, "stranger")).toContain(`#1 sendnb r=-${ENOTREADY}`);
    expect(lines(clean, "asker")).toEqual([`#0 sendrec r=0 src=${ep.server} type=120 v=7`, "done"]);
    // With it (at tick 1, while the asker waits): the stranger's message (type 119, v=42) is taken
    // as the reply; the real reply arrives later as an unexpected message.
    const wild = run(["sleep:1", `poke:${hex(procField(ep.asker, PROC.getFrom))}:${ep.stranger}`]);
    expect(lines(wild, "wild")).toEqual(["#0 sleep r=0", "#1 poke r=0", "done"]);
    expect(lines(wild, "stranger")).toContain("#1 sendnb r=0");
    expect(lines(wild, "asker")).toEqual([`#0 sendrec r=0 src=${ep.stranger} type=119 v=42`, "done", `late r=0 src=${ep.server} type=120 v=7`]);
    expect(checkAll(wild.kernel.km)).toBeUndefined();
  });

  // quantumLeft is checked by nobody: a loop given a huge quantum is never preempted or demoted.
  it("quantumLeft of a looping user process: it holds the CPU and a process of its priority starves", () => {
    const confs = (wild: string[]): ServiceConf[] => [
      stepper("worker", ["uptime", "sleep:3", "uptime"], { priority: USER_Q }),
      stepper("looper", ["spin"], { priority: USER_Q }),
      stepper("wild", wild, { role: "driver", priority: DRIVER_Q }),
    ];
    const ep = plannedEndpoints(confs([]));
    const TICKS = 5 * QUANTUM_TICKS;
    // Without the write: the looper's quantum ends, it sinks a queue, the worker finishes.
    const clean = bootSystem({ build: BUILDS.monolithic, boot: confs(["sleep:1"]), images });
    expect(runUntilDone(clean, ["worker"], TICKS)).toBe("done");
    expect(Number(step(clean, "worker", 2)?.t)).toBeLessThanOrEqual(QUANTUM_TICKS + 1);
    // With it (the looper is on the CPU at tick 1): the worker never runs again in 5 quanta.
    const sys = bootSystem({ build: BUILDS.monolithic, boot: confs(["sleep:1", `poke:${hex(procField(ep.looper, PROC.quantumLeft))}:0x7fffffff`]), images });
    expect(runUntilDone(sys, ["worker"], TICKS)).toBe("limit");
    expect(lines(sys, "wild")).toEqual(["#0 sleep r=0", "#1 poke r=0", "done"]);
    expect(lines(sys, "worker")).toEqual(["#0 uptime r=0 t=0"]);
    expect(sys.kernel.km.proc(procIndex(sys, "looper"), PROC.priority)).toBe(USER_Q);
    expect(sys.kernel.state.panic).toBeNull();
    expect(checkAll(sys.kernel.km)).toBeUndefined();
  });
});

describe("a wild write to an unchecked field of the privilege table (minix3: a stray DMA, modelled by a host store)", () => {
  // The IPC mask and the flag word are checked only for unknown flag bits; a set bit is believed.
  const confs = (): ServiceConf[] => [
    stepper("target", ["recv:any"]),
    stepper("sender", ["sleep:1", "sendnb:@target:9"], { ipcTo: [] }),
  ];
  const ep = plannedEndpoints(confs());
  const privWord = (field: number): number => RAM_BASE + PRIV_TABLE_OFF + slotIndex(endpointSlot(ep.sender)) * PRIV_SIZE + field;
  const targetBit = slotIndex(endpointSlot(ep.target));

  function run(write?: (sys: System) => void): System {
    const sys = bootSystem({ build: BUILDS.minix3, boot: confs(), images });
    write?.(sys);
    expect(sys.run(5 * TICK)).toBe("limit");
    expect(sys.kernel.state.panic).toBeNull();
    expect(checkAll(sys.kernel.km)).toBeUndefined();
    return sys;
  }

  it("without a write, the IPC mask refuses the send", () => {
    const sys = run();
    expect(lines(sys, "sender")).toContain(`#1 sendnb r=-${ECALLDENIED}`);
    expect(lines(sys, "target")).toEqual([]);
    expect(sys.kernel.state.denials).toMatchObject([{ label: "sender", kind: "ipc" }]);
  });

  it.each([
    ["the IPC mask bit of the target set", (sys: System) => wildWrite(sys, privWord(PRIV.ipcTo + (targetBit >> 5) * 4), sys.kernel.km.priv(procIndex(sys, "sender"), PRIV.ipcTo + (targetBit >> 5) * 4) | (1 << (targetBit & 31)))],
    ["SF_CHECKED cleared in the flags", (sys: System) => wildWrite(sys, privWord(PRIV.flags), sys.kernel.km.priv(procIndex(sys, "sender"), PRIV.flags) & ~SF_CHECKED)],
  ])("with %s, the forbidden send goes through", (_, write) => {
    const sys = run(write);
    expect(lines(sys, "sender")).toContain("#1 sendnb r=0");
    expect(lines(sys, "target")).toEqual([`#0 recv r=0 src=${ep.sender} type=119 v=9`, "done"]);
    expect(sys.kernel.state.denials).toEqual([]);
  });
});

describe("a wild write into VFS's buffer cache (monolithic: all RAM is mapped into the disk driver)", () => {
  // VFS's memory is no kernel table: nothing checks it. A byte changed in a dirty cached block of
  // a file already written is written back by VFS, and the files oracle finds the file wrong on disk.
  it("a byte flipped in a dirty cached block reaches the disk; the oracle judges the run corrupt", () => {
    const clean = boot("monolithic", filesWorkload);
    const obs = runWorkload(clean.sys, filesWorkload, clean.params);
    expect(obs.oracle.verdict).toBe("pass");
    // Where each data block of each file lies (blocks do not move between identical runs).
    const files = clean.sys.nativeState<FilesState>("files")!.plan.files;
    const image = clean.sys.machine.ata.image;
    const owner = new Map<number, { path: string; index: number; at: number }>();
    files.forEach((f, index) => fileBlocks(image, f.path)!.forEach((b, i) => owner.set(b, { path: f.path, index, at: i * BLOCK_SIZE })));
    expect(owner.size).toBeGreaterThan(0);

    const { sys, params } = boot("monolithic", filesWorkload);
    const buffers = () => vfsView(sys).buffers;
    const work = (): FilesState => sys.nativeState<FilesState>("files")!;
    // A dirty buffer holding a block of a file the workload has finished writing.
    const writing = (): boolean => ["create", "write", "close"].includes(work().phase);
    const target = (): number =>
      writing() ? buffers().findIndex((b) => b.dirty && owner.get(b.block) !== undefined && owner.get(b.block)!.index < work().index) : -1;
    expect(sys.runUntil(() => target() >= 0, 2_000_000_000, 100_000)).toBe("done");
    const slot = target();
    const hit = owner.get(buffers()[slot].block)!;
    const pa = (sys.kernel.km.proc(procIndex(sys, "vfs"), PROC.memBase) >>> 0) + CACHE_BASE + slot * BLOCK_SIZE + 100;
    wildWrite(sys, pa, sys.kernel.km.view.getUint32(pa - RAM_BASE, true) ^ 0xff); // the byte at offset 100 of the block

    const faulty = runWorkload(sys, filesWorkload, params);
    expect(faulty.end).toBe("completed");
    expect(faulty.oracle.verdict).toBe("corrupt");
    const j = judgeFiles(params, work(), sys.machine.ata.image);
    expect(j.wrongFiles.map((f) => [f.path, f.firstDifference])).toEqual([[hit.path, hit.at + 100]]);
    expect(j.programMismatches).toEqual([hit.path]); // the read-back saw it too
    expect(j.fsckProblems).toEqual([]);
    expect(sys.kernel.state.panic).toBeNull();
    expect(checkAll(sys.kernel.km)).toBeUndefined();
  });
});
