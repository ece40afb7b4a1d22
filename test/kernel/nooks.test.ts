/*
 * The Nooks builds' kernel mechanisms, run for real: a driver's protection domain maps kernel
 * memory read-only, so a wild store into a kernel table faults (and the recovery manager reloads
 * the driver) where the monolithic build lets it land; and what Nooks does not stop, a driver in
 * supervisor mode loading satp with a page table of its own, does defeat it. Linux's oops
 * (monolithic-oops) and Nooks' livelock detector depend on the context a driver runs in. The
 * crossings cost what the model says (page-table switches, wrappers), in the Nooks builds only.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import { EFAULT } from "../../system/kernel/abi.js";
import { CTX_IRQ, PMAGIC, PROC } from "../../system/kernel/layout.js";
import { DRIVER_Q } from "../../system/kernel/params.js";
import { runWorkload } from "../../system/run.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { WORKLOADS } from "../../system/workloads/index.js";
import { boot, LOOP, patchRunning, procIndex } from "../support/system.js";
import { bootSystem, events, guestImages, hex, lines, magicOf, plannedEndpoints, stepper, TICK, word } from "./harness.js";

let images: Record<string, Uint8Array>;
beforeAll(async () => {
  images = await guestImages();
});


describe("a driver in a Nooks protection domain writing kernel memory", () => {
  /** A victim process and a driver (the stepper, in the build's driver mode) running `steps` against the victim's table entry. */
  function bootWild(build: string, steps: (addr: number) => string[]) {
    const victim = stepper("victim", []);
    const addr = magicOf(plannedEndpoints([victim]).victim);
    const sys = bootSystem({ build: BUILDS[build], boot: [victim, stepper("wild", steps(addr), { role: "driver", priority: DRIVER_Q })], images });
    expect(sys.run(5 * TICK)).toBe("limit");
    return { sys, addr };
  }

  it("nooks: a store into the process table faults on the read-only mapping; the table is intact and the kernel lives", () => {
    const { sys, addr } = bootWild("nooks", (a) => [`poke:${hex(a)}:0xdeadbeef`]);
    expect(events(sys, "crash").map((e) => [e.label, e.detail.replace(/pc 0x[0-9a-f]+/, "pc _")])).toEqual([["wild", `store page fault at pc _, tval ${hex(addr)}`]]);
    expect(word(sys, addr)).toBe(PMAGIC);
    expect(sys.kernel.state.panic).toBeNull();
  });

  it("monolithic: the same store lands in the table", () => {
    const { sys, addr } = bootWild("monolithic", (a) => [`poke:${hex(a)}:0xdeadbeef`]);
    expect(word(sys, addr)).toBe(0xdeadbeef);
    expect(events(sys, "crash")).toEqual([]);
  });

  it("nooks: a driver that loads satp with its own page table (a privileged instruction Nooks cannot stop) writes the table unnoticed", () => {
    const { sys, addr } = bootWild("nooks", (a) => [`satp:${hex(a)}:0xdeadbeef`]);
    expect(lines(sys, "wild")).toEqual(["#0 satp r=0", "done"]);
    expect(word(sys, addr)).toBe(0xdeadbeef);
    expect(events(sys, "crash")).toEqual([]);
    expect(sys.kernel.state.panic).toBeNull();
  });

  it("nooks: a receive into a buffer the driver may not write fails the wrapper's pointer check and the driver; minix3 returns EFAULT", () => {
    const { sys } = bootWild("nooks", () => ["badrecv:any"]);
    expect(events(sys, "crash").map((e) => [e.label, e.detail])).toEqual([["wild", "wrapper check failed: message buffer 0x1000 outside the driver's domain"]]);
    const isolated = bootWild("minix3", () => ["badrecv:any"]).sys;
    expect(lines(isolated, "wild")).toEqual([`#0 badrecv r=-${EFAULT}`, "done"]);
  });

  it("minix3: the same program cannot even read satp in user mode (illegal instruction); the table is intact", () => {
    const { sys, addr } = bootWild("minix3", (a) => [`satp:${hex(a)}:0xdeadbeef`]);
    expect(events(sys, "crash").map((e) => e.detail)).toEqual([expect.stringMatching(/^illegal instruction at pc /)]);
    expect(word(sys, addr)).toBe(PMAGIC);
  });
});

/** lui t0, addr(upper) ; sw zero, addr(lower)(t0): a store of 0 to the absolute address `addr`. */
function storeZeroAt(addr: number): number[] {
  const lo = ((addr << 20) >> 20) & 0xfff;
  const hi = ((addr - ((lo << 20) >> 20)) >>> 12) & 0xfffff;
  const lui = (hi << 12) | (5 << 7) | 0x37;
  const sw = ((lo >> 5) << 25) | (0 << 20) | (5 << 15) | (2 << 12) | ((lo & 0x1f) << 7) | 0x23;
  return [lui >>> 0, sw >>> 0];
}

describe("a wild store from the disk driver into VFS's process-table entry (files workload)", () => {
  function run(build: string) {
    const { sys, params } = boot(build, filesWorkload);
    const addr = magicOf(sys.kernel.lookupLabel("vfs")!);
    const before = sys.kernel.lookupLabel("at_wini");
    patchRunning(sys, "at_wini", "at_transfer", storeZeroAt(addr));
    const obs = runWorkload(sys, filesWorkload, params, { budgetCycles: 3_000_000_000, watchdogCycles: 300_000_000, watch: "at_wini" });
    return { sys, obs, addr, before };
  }

  it("nooks-shadow: the store faults in the domain, the recovery manager reloads the driver, the table is intact and the workload passes", () => {
    const { sys, obs, addr, before } = run("nooks-shadow");
    expect(obs.driver!.deaths.map((d) => d.detail.replace(/pc 0x[0-9a-f]+/, "pc _"))).toEqual([`store page fault at pc _, tval ${hex(addr)}`]);
    expect(word(sys, addr)).toBe(PMAGIC);
    expect(sys.kernel.lookupLabel("at_wini")).not.toBe(before); // a new incarnation
    expect(obs.driver!.rsEvents.filter((e) => e.at >= 0).map((e) => e.kind)).toEqual(expect.arrayContaining(["crash", "restart", "up"]));
    expect(obs.end).toBe("completed");
    expect(obs.oracle.verdict).toBe("pass");
  });

  it("monolithic: the store lands (VFS's entry loses its magic); no fault is taken for it", () => {
    const { sys, obs, addr } = run("monolithic");
    expect(word(sys, addr)).toBe(0);
    expect(obs.driver!.deaths).toEqual([]);
    // What then ends the run is the patch's other victim: at_transfer's prologue is gone.
    expect(obs.panic?.reason).not.toMatch(/store/);
  });
});

describe("context: Linux's oops and Nooks' livelock detector", () => {
  /** The files workload with at_wini's `fn` overwritten by `words` (its running copy only). */
  function run(build: string, fn: string, words: number[], watchdogCycles = 300_000_000) {
    const { sys, params } = boot(build, filesWorkload);
    patchRunning(sys, "at_wini", fn, words);
    const obs = runWorkload(sys, filesWorkload, params, { budgetCycles: 3_000_000_000, watchdogCycles, watch: "at_wini" });
    return { sys, obs };
  }

  it("monolithic-oops: an exception serving a request (process context) kills the driver and the kernel runs on; nothing restarts it", () => {
    const { obs } = run("monolithic-oops", "at_transfer", [0]);
    expect(obs.panic).toBeUndefined();
    expect(obs.driver!.deaths.map((d) => d.detail)).toEqual([expect.stringMatching(/^oops: illegal instruction at pc /)]);
    expect(obs.driver!.alive).toBe(false);
    expect(obs.end).toBe("completed");
    expect(obs.oracle.verdict).toBe("errors");
  });

  it("monolithic-oops: the same exception after the device's interrupt (interrupt context) panics, as monolithic always does", () => {
    const { obs } = run("monolithic-oops", "at_ack_intr", [0]);
    expect(obs.end).toBe("panic");
    expect(obs.panic!.reason).toMatch(/^at_wini: illegal instruction at pc 0x[0-9a-f]+, tval 0x0 in supervisor mode, in interrupt context \(Fatal exception in interrupt\)$/);
    const plain = run("monolithic", "at_ack_intr", [0]).obs;
    expect(plain.panic!.reason).toMatch(/in supervisor mode$/);
  });

  it("nooks: a loop serving a request is found by the livelock detector after 600 ticks and the driver reloaded", () => {
    const { obs } = run("nooks", "at_transfer", [LOOP], 1_000_000_000);
    const deaths = obs.driver!.deaths;
    expect(deaths.map((d) => [d.kind, d.detail])).toEqual([["killed", "livelock: held the CPU for 600 ticks"]]);
    expect(obs.driver!.alive).toBe(true);
    expect(obs.panic).toBeUndefined();
  });

  it("nooks: a loop after the device's interrupt (interrupts off) is never found: the driver holds the CPU past the threshold and the workload stalls", () => {
    const { sys, obs } = run("nooks", "at_ack_intr", [LOOP], 800_000_000);
    expect(obs.end).toBe("stalled");
    expect(obs.driver!.deaths).toEqual([]);
    expect(sys.kernel.state.current).toBe(procIndex(sys, "at_wini"));
    expect(sys.kernel.km.proc(sys.kernel.state.current, PROC.context)).toBe(CTX_IRQ);
    expect(sys.kernel.state.ticks - sys.kernel.state.runningSince).toBeGreaterThan(BUILDS.nooks.kernelMode.livelockTicks!);
  });
});

describe("every workload on the new builds, fault-free", () => {
  it.each(["nooks", "nooks-shadow", "monolithic-oops"])("%s: every workload completes and its oracle passes, no driver fails", (build) => {
    for (const w of Object.values(WORKLOADS)) {
      const { sys, params } = boot(build, w);
      const obs = runWorkload(sys, w, params);
      expect([w.name, obs.end, obs.oracle.verdict]).toEqual([w.name, "completed", "pass"]);
      expect(obs.kernelEvents.filter((e) => e.kind === "crash" || e.kind === "killed")).toEqual([]);
    }
  });
});

describe("what crossing a protection domain costs (fault-free files run)", () => {
  const counters = (build: string) => {
    const { sys, params } = boot(build, filesWorkload);
    const obs = runWorkload(sys, filesWorkload, params);
    expect(obs.oracle.verdict).toBe("pass");
    return obs.counters;
  };

  it("nooks pays a wrapper per crossing and page-table switches into and out of the driver; monolithic neither", () => {
    const mono = counters("monolithic"), nooks = counters("nooks");
    expect(mono.charged.wrapper).toBeUndefined();
    expect(mono.addressSpaceSwitches).toBe(0);
    expect(nooks.charged.wrapper).toBeGreaterThan(0);
    expect(nooks.charged.wrapper! % BUILDS.nooks.costs.wrapper!).toBe(0);
    expect(nooks.addressSpaceSwitches).toBeGreaterThan(0);
    expect(nooks.tlbMisses).toBeGreaterThan(mono.tlbMisses); // refills after every switch
    expect(nooks.cycles).toBeGreaterThan(mono.cycles);
  });
});
