/*
 * The driver-VM builds run for real (kernel/hypervisor.ts, kernel/ddos.ts): a driver's wild store
 * at the address of a kernel table lands in its own DD/OS's table, in the VM's memory, and that
 * DD/OS panics on its next entry — the VM dies, the host kernel's table is untouched, and the
 * rebooted VM carries the workload to a pass. What the VM boundary stops that Nooks does not:
 * privileged instructions, ports that are not the VM's device's, stores outside the VM. The VM
 * costs what the model says: exits on port I/O and injected interrupts, and a boot per reboot.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mechanismOf } from "../../campaigns/classify.js";
import { BUILDS } from "../../system/builds/index.js";
import { EPERM } from "../../system/kernel/abi.js";
import { PARAVIRT_COSTS } from "../../system/kernel/costs.js";
import { DDOS_DRIVER, DDOS_SIZE, ddosCheck } from "../../system/kernel/ddos.js";
import { vmTables } from "../../system/kernel/hypervisor.js";
import { PMAGIC, PROC } from "../../system/kernel/layout.js";
import { DRIVER_Q, PROC_SIZE, PROC_TABLE_OFF } from "../../system/kernel/params.js";
import { RAM_BASE, PORT_SYSCTL_A } from "../../system/machine/memmap.js";
import { DEFAULT_LIMITS, runWorkload } from "../../system/run.js";
import type { System } from "../../system/system.js";
import { audioWorkload, judgeAudio, masterFor, type AudioState } from "../../system/workloads/audio.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { WORKLOADS } from "../../system/workloads/index.js";
import { boot, patchRunning, procIndex } from "../support/system.js";
import { bootSystem, events, guestImages, hex, lines, stepper, TICK, word } from "./harness.js";

let images: Record<string, Uint8Array>;
beforeAll(async () => {
  images = await guestImages();
});

/** The address of the magic word of process-table entry DDOS_DRIVER: in the host's RAM (and the monolithic map of it), and in a VM's DD/OS. */
const ENTRY_MAGIC = RAM_BASE + PROC_TABLE_OFF + DDOS_DRIVER * PROC_SIZE + PROC.magic;
/** VM idx's memory base (host physical). */
const vmBase = (sys: System, idx: number): number => sys.kernel.km.proc(idx, PROC.memBase) >>> 0;

describe("a stepper driver in a VM", () => {
  function bootWild(build: string, steps: string[], io: Array<[number, number]> = []) {
    const sys = bootSystem({ build: BUILDS[build], boot: [stepper("wild", steps, { role: "driver", priority: DRIVER_Q, kernelCalls: ["*"], io })], images });
    const idx = procIndex(sys, "wild");
    const base = vmBase(sys, idx);
    expect(sys.run(5 * TICK)).toBe("limit");
    return { sys, idx, base };
  }

  it("boots a DD/OS whose tables pass its own checks, in the VM's memory, laid out as the host kernel's", () => {
    const sys = bootSystem({ build: BUILDS.paravirt, boot: [stepper("vmdrv", ["sleep:100"], { role: "driver", priority: DRIVER_Q })], images });
    const idx = procIndex(sys, "vmdrv");
    const d = vmTables(sys.kernel, idx);
    expect(ddosCheck(d)).toBeUndefined();
    expect(d.procName(DDOS_DRIVER)).toBe("vmdrv");
    expect(d.proc(DDOS_DRIVER, PROC.mode)).toBe(1); // the driver runs in its DD/OS's kernel mode
    expect(word(sys, vmBase(sys, idx) + PROC_TABLE_OFF + DDOS_DRIVER * PROC_SIZE)).toBe(PMAGIC);
    expect(sys.kernel.km.proc(idx, PROC.mode)).toBe(0); // and the VM deprivileged on the host
  });

  it("a store at the process table's address lands in the DD/OS's table: the DD/OS panics on its next entry, the host's table is intact", () => {
    const { sys, base } = bootWild("paravirt", [`poke:${hex(ENTRY_MAGIC)}:0xdeadbeef`, "uptime"]);
    expect(word(sys, base + PROC_TABLE_OFF + DDOS_DRIVER * PROC_SIZE)).toBe(0xdeadbeef);
    expect(word(sys, ENTRY_MAGIC)).toBe(PMAGIC);
    const deaths = events(sys, "crash", "wild").map((e) => e.detail);
    expect(deaths).toEqual(["driver-domain kernel panic: process table entry 0: bad magic 0xdeadbeef"]);
    expect(mechanismOf(deaths[0])).toBe("vm-check"); // what the campaigns' classifier calls it
    expect(sys.kernel.state.panic).toBeNull();
  });

  it("monolithic: the same store lands in the host kernel's own table", () => {
    const { sys } = bootWild("monolithic", [`poke:${hex(ENTRY_MAGIC)}:0xdeadbeef`]);
    expect(word(sys, ENTRY_MAGIC)).toBe(0xdeadbeef);
  });

  it("a store outside the VM's memory faults: the DD/OS panics with the page fault", () => {
    const outside = RAM_BASE + 0x40_0000; // host memory the monolithic map reaches
    const { sys } = bootWild("paravirt", [`poke:${hex(outside)}:0xdeadbeef`]);
    expect(events(sys, "crash", "wild").map((e) => e.detail.replace(/pc 0x[0-9a-f]+/, "pc _"))).toEqual([
      `driver-domain kernel panic: store page fault at pc _, tval ${hex(outside)} in kernel mode`,
    ]);
    expect(sys.kernel.state.panic).toBeNull();
  });

  it("a privileged instruction (Nooks' undefeated satp write) traps in the deprivileged VM: the DD/OS panics", () => {
    const { sys } = bootWild("paravirt", [`satp:${hex(ENTRY_MAGIC)}:0xdeadbeef`]);
    expect(events(sys, "crash", "wild").map((e) => e.detail)).toEqual([expect.stringMatching(/^driver-domain kernel panic: illegal instruction at pc .* in kernel mode$/)]);
    expect(word(sys, ENTRY_MAGIC)).toBe(PMAGIC);
  });

  it("a write to a port not the VM's device's (the machine's reset port) is a protection fault in the DD/OS: it panics, the machine is not reset; minix3 refuses it with EPERM", () => {
    const { sys } = bootWild("paravirt", [`outb:${PORT_SYSCTL_A}:1`, "uptime"]);
    const deaths = events(sys, "crash", "wild").map((e) => e.detail);
    expect(deaths).toEqual([`driver-domain kernel panic: general protection fault: port 0x92 is not the VM's device's`]);
    expect(mechanismOf(deaths[0])).toBe("vm-port");
    expect(sys.machine.halted).toBeNull();
    expect(lines(sys, "wild")).toEqual([]); // nothing after the outb: the VM is gone
    const isolated = bootWild("minix3", [`outb:${PORT_SYSCTL_A}:1`]).sys;
    expect(lines(isolated, "wild")).toEqual([`#0 outb r=-${EPERM}`, "done"]);
  });

  it("its own device's ports pass through, each access a VM exit", () => {
    const { sys } = bootWild("paravirt", ["outb:0x300:7", "inb:0x300", "outb:0x301:7"], [[0x300, 0x300]]);
    expect(lines(sys, "wild")[0]).toBe("#0 outb r=0");
    expect(events(sys, "crash", "wild").map((e) => e.detail)).toEqual([`driver-domain kernel panic: general protection fault: port 0x301 is not the VM's device's`]);
    expect(sys.kernel.state.counts.vmExit).toBeGreaterThanOrEqual(3); // the boot's entry and the two accesses
  });
});

describe("the disk driver's VM under the files workload", () => {
  /** lui t0, addr(upper) ; sw zero, addr(lower)(t0): a store of 0 to the absolute address `addr`. */
  function storeZeroAt(addr: number): number[] {
    const lo = ((addr << 20) >> 20) & 0xfff;
    const hi = ((addr - ((lo << 20) >> 20)) >>> 12) & 0xfffff;
    return [((hi << 12) | (5 << 7) | 0x37) >>> 0, (((lo >> 5) << 25) | (5 << 15) | (2 << 12) | ((lo & 0x1f) << 7) | 0x23) >>> 0];
  }

  it("a wild store into the DD/OS's process table panics that VM only; it is rebooted and the workload passes", () => {
    const { sys, params } = boot("paravirt", filesWorkload);
    const first = sys.kernel.lookupLabel("at_wini");
    patchRunning(sys, "at_wini", "at_transfer", storeZeroAt(ENTRY_MAGIC));
    const obs = runWorkload(sys, filesWorkload, params, { budgetCycles: 3_000_000_000, watchdogCycles: 300_000_000, watch: "at_wini" });
    expect(obs.driver!.deaths.map((d) => d.detail)[0]).toBe("driver-domain kernel panic: process table entry 0: bad magic 0x0");
    expect(word(sys, ENTRY_MAGIC)).toBe(PMAGIC); // the host's entry at that address
    expect(sys.kernel.lookupLabel("at_wini")).not.toBe(first); // a new VM
    expect(obs.driver!.rsEvents.filter((e) => e.at >= 0).map((e) => e.kind)).toEqual(expect.arrayContaining(["crash", "restart", "up"]));
    expect(obs.panic).toBeUndefined();
    expect(obs.end).toBe("completed");
    expect(obs.oracle.verdict).toBe("pass");
    // The rebooted VM's DD/OS is whole again.
    expect(ddosCheck(vmTables(sys.kernel, procIndex(sys, "at_wini")))).toBeUndefined();
  });

  it("a loop in the driver holds only its VM: the monitor's heartbeat finds it, the VM is rebooted, the workload passes", () => {
    const { sys, params } = boot("paravirt", filesWorkload);
    patchRunning(sys, "at_wini", "at_transfer", [0x0000_006f]); // j .
    const obs = runWorkload(sys, filesWorkload, params, { budgetCycles: 3_000_000_000, watchdogCycles: 1_000_000_000, watch: "at_wini" });
    expect(obs.driver!.rsEvents.map((e) => e.kind)).toEqual(expect.arrayContaining(["hang", "restart", "up"]));
    expect(obs.end).toBe("completed");
    expect(obs.oracle.verdict).toBe("pass");
  });
});

describe("what a rebooted VM's driver remembers (audio: the volume the user set)", () => {
  const PARAMS = "seed=2 rate=22050 fragment=4096 fragments=16 volume=20";
  const audio = (sys: System) => sys.nativeState<AudioState>("audio")!;

  function crash(build: string) {
    const { sys } = boot(build, audioWorkload, { params: PARAMS });
    expect(sys.runUntil(() => audio(sys).offset >= 6 * 4096, 1_000_000_000)).toBe("done");
    patchRunning(sys, "es1371", "es_played", [0]);
    const o = runWorkload(sys, audioWorkload, PARAMS, { ...DEFAULT_LIMITS, budgetCycles: 3_000_000_000, watchdogCycles: 1_000_000_000 });
    return { sys, o, j: judgeAudio(PARAMS, audio(sys), sys.machine.records()) };
  }

  it("paravirt: the translation module reissues the request to the rebooted VM (no EIO, no reopen by the player), but the driver plays at its default rate and volume", () => {
    const { sys, j } = crash("paravirt");
    expect(events(sys, "crash", "es1371").length).toBe(1);
    expect(audio(sys).eios).toEqual([]);
    expect(audio(sys).opens).toBe(1);
    expect(j.offSettings).toEqual(["44100 Hz, master 0x101"]); // the driver's defaults, rate and volume: not the user's 22050 Hz and 20
  });

  it("paravirt-replay: the configuration is replayed too: the rebooted driver plays at the user's volume", () => {
    const { sys, j } = crash("paravirt-replay");
    expect(events(sys, "crash", "es1371").length).toBe(1);
    expect(audio(sys).eios).toEqual([]);
    expect(j.off).toBe(0);
    const r = Object.values(sys.machine.records()).find((d) => d.kind === "audio");
    if (!r || r.kind !== "audio") throw new Error("no sound card");
    expect(r.segments.at(-1)!.master).toBe(masterFor(20));
  });
});

describe("what the VM costs", () => {
  it("every workload passes fault-free in paravirt, paravirt-iommu and paravirt-replay; exits are charged at the model's price, only there", () => {
    for (const build of ["paravirt", "paravirt-iommu", "paravirt-replay"])
      for (const name of ["files", "net", "audio", "print"]) {
        const { sys, params } = boot(build, WORKLOADS[name]);
        const obs = runWorkload(sys, WORKLOADS[name], params, DEFAULT_LIMITS);
        expect(`${build}/${name}: ${obs.end} ${obs.oracle.verdict}`).toBe(`${build}/${name}: completed pass`);
        const { counts, charged } = sys.kernel.state;
        expect(counts.vmExit).toBeGreaterThan(0);
        expect(charged.vmExit).toBe(counts.vmExit! * PARAVIRT_COSTS.vmExit!);
      }
    const { sys, params } = boot("minix3", WORKLOADS.files);
    runWorkload(sys, WORKLOADS.files, params, DEFAULT_LIMITS);
    expect(sys.kernel.state.counts.vmExit).toBeUndefined();
  });

  it("paravirt-iobitmap: the VM's own ports are in its I/O bitmap: the same accesses, none of them a VM exit", () => {
    const run = (build: string) => {
      const { sys, params } = boot(build, filesWorkload);
      const obs = runWorkload(sys, filesWorkload, params, DEFAULT_LIMITS);
      expect(obs.oracle.verdict).toBe("pass");
      return sys.kernel.state.counts;
    };
    const trap = run("paravirt"), bitmap = run("paravirt-iobitmap");
    expect(trap.portAccess).toBeGreaterThan(1000);
    expect(bitmap.portAccess).toBe(0);
    expect(bitmap.portInstruction).toBe(trap.portAccess);
    expect(trap.vmExit! - bitmap.vmExit!).toBeGreaterThanOrEqual(trap.portAccess);
  });

  it("a port access is a function call into the DD/OS: one trap and one exit when the port traps, none through the I/O bitmap", () => {
    /** kernelEntry and vmExit counts of a stepper VM that reads its port `n` times (each step also prints a line: a hypercall). */
    const counts = (build: string, n: number) => {
      const sys = bootSystem({ build: BUILDS[build], boot: [stepper("vmdrv", Array(n).fill("inb:0x300"), { role: "driver", priority: DRIVER_Q, kernelCalls: ["*"], io: [[0x300, 0x300]] })], images });
      expect(sys.run(5 * TICK)).toBe("limit");
      expect(lines(sys, "vmdrv")).toEqual([...Array(n).keys()].map((i) => `#${i} inb r=0 v=0xff`).concat("done"));
      return [sys.kernel.state.counts.kernelEntry, sys.kernel.state.counts.vmExit!];
    };
    const delta = (build: string) => counts(build, 2).map((c, i) => c - counts(build, 1)[i]);
    expect(delta("paravirt")).toEqual([2, 1]); // the print's hypercall, and the inb's trap with its exit
    expect(delta("paravirt-iobitmap")).toEqual([1, 0]); // the print's hypercall only
  });

  it("a VM's memory is its DD/OS's 64 KiB, its image and its stack", () => {
    const { sys } = boot("paravirt", filesWorkload);
    const idx = procIndex(sys, "at_wini");
    const mono = boot("minix3", filesWorkload).sys;
    const size = (s: System, i: number) => s.kernel.km.proc(i, PROC.memSize) >>> 0;
    expect(size(sys, idx) - size(mono, procIndex(mono, "at_wini"))).toBe(DDOS_SIZE);
  });
});
