/*
 * Containment, the claim bulkhead exists to test: the same real fault in a driver — an illegal
 * instruction or a wild store in at_wini's code, a wild write into the kernel's process table,
 * an infinite loop — is contained by the minix3 build (the driver dies or is preempted, the
 * kernel and the other processes live) and is not by the monolithic build (kernel panic, or a
 * CPU held forever). Faults are made for real: machine code is overwritten in the driver's
 * memory, stores go to real addresses the MMU does or does not map.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import { driverConf } from "../support/driver.js";
import type { ServiceConf } from "../../system/kernel/service.js";
import { DRIVER_TEXT_BASE } from "../../system/kernel/abi.js";
import { checkAll } from "../../system/kernel/check.js";
import { PROC, PMAGIC } from "../../system/kernel/layout.js";
import { DRIVER_Q, PROC_SIZE, PROC_TABLE_OFF, QUANTUM_TICKS, USER_Q, slotIndex } from "../../system/kernel/params.js";
import { endpointSlot } from "../../system/kernel/proc.js";
import { findSymbol, parseElf } from "../../system/machine/elf.js";
import { RAM_BASE } from "../../system/machine/memmap.js";
import type { System } from "../../system/system.js";
import { blockClient, type BlockClientState } from "../../system/workloads/blockclient.js";
import { bootSystem, events, guestImages, lines, native, plannedEndpoints, procIndex, runUntilDone, step, stepper, TICK } from "./harness.js";

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
  function bootWild(build: string): { sys: System; addr: number; victimSlot: number } {
    const victimSlot = endpointSlot(plannedEndpoints([stepper("victim", [])]).victim);
    const addr = RAM_BASE + PROC_TABLE_OFF + slotIndex(victimSlot) * PROC_SIZE + PROC.magic;
    const boot: ServiceConf[] = [stepper("victim", []), stepper("wild", [`poke:${hex(addr)}:0xdeadbeef`], { role: "driver", priority: DRIVER_Q })];
    return { sys: bootSystem({ build: BUILDS[build], boot, images }), addr, victimSlot };
  }

  it("monolithic: the store lands in the table (all RAM is mapped into drivers) and the kernel panics on its check", () => {
    const { sys, addr, victimSlot } = bootWild("monolithic");
    expect(sys.run(5 * TICK)).toBe("panic");
    expect(sys.kernel.km.view.getUint32(addr - RAM_BASE, true)).toBe(0xdeadbeef);
    expect(sys.kernel.state.panic?.reason).toBe(`process table entry ${victimSlot}: bad magic 0xdeadbeef`);
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
