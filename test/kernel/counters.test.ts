/*
 * The run's counters (system/counters.ts) against a scenario counted by hand: a stepper that
 * runs `uptime` n times. Each step is two kernel calls — SYS_GETINFO (GET_UPTIME) and the
 * SYS_DIAGCTL of its console line — each a trap, the kernel call's fixed work, the request
 * message copied in and the reply copied out (calls/index.ts), and nothing else: no IPC to
 * another process, no switch (the stepper is the only runnable process, so it is dispatched
 * again). So going from 1 step to 4 adds exactly 6 traps, 6 kernel calls, 12 message copies,
 * no IPC primitive, no context or address-space switch — and the cycles the kernel charged for
 * them are the build's costs times those counts. In monolithic the same driver runs inside the
 * kernel, and each of those kernel calls is a function call: no trap, no decode, no copies.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import { countersBetween, readCounters, type RunCounters } from "../../system/counters.js";
import type { System } from "../../system/system.js";
import { DRIVER_Q } from "../../system/kernel/params.js";
import { bootSystem, guestImages, lines, stepper, TICK } from "./harness.js";

let images: Record<string, Uint8Array>;
beforeAll(async () => {
  images = await guestImages();
});

/** Counters from boot to the stepper's "done" line, for `n` uptime steps (as a driver: role and priority of one). */
function uptimes(n: number, build = "minix3"): { sys: System; c: RunCounters } {
  const sys = bootSystem({ build: BUILDS[build], boot: [stepper("stepper", Array(n).fill("uptime"), { role: "driver", priority: DRIVER_Q })], images });
  const before = readCounters(sys);
  for (let i = 0; i < 100 && !lines(sys, "stepper").includes("done"); i++) sys.run(TICK / 10);
  expect(lines(sys, "stepper")).toContain("done");
  return { sys, c: countersBetween(before, readCounters(sys)) };
}

describe("a run's counters", () => {
  it("count a hand-counted scenario exactly: each uptime step is two kernel calls and nothing else", () => {
    const one = uptimes(1).c, four = uptimes(4).c;
    const d = countersBetween(one, four);
    expect(d.traps).toBe(6);
    expect(d.kernelCalls).toBe(6);
    expect(d.messagesCopied).toBe(12);
    expect(d.ipcOps).toBe(0);
    expect(d.contextSwitches).toBe(0);
    expect(d.addressSpaceSwitches).toBe(0);
    const costs = BUILDS.minix3.costs;
    expect(d.charged.kernelEntry).toBe(6 * costs.kernelEntry);
    expect(d.charged.kernelCall).toBe(6 * costs.kernelCall);
    expect(d.charged.messageCopy).toBe(12 * costs.messageCopy);
    expect(d.instructions).toBeGreaterThan(0);
  });

  it("monolithic: the same driver's kernel calls are function calls: no trap, no decode, no message copies", () => {
    const d = countersBetween(uptimes(1, "monolithic").c, uptimes(4, "monolithic").c);
    expect(d.functionCalls).toBe(6);
    expect(d.traps).toBe(0);
    expect(d.kernelCalls).toBe(6);
    expect(d.messagesCopied).toBe(0);
    const costs = BUILDS.monolithic.costs;
    expect(d.charged.functionCall).toBe(6 * costs.functionCall);
    expect(d.charged.kernelEntry).toBe(0);
    expect(d.charged.kernelCall).toBe(0);
    expect(d.charged.messageCopy).toBe(0);
    // and the whole difference in the kernel's charges is those six function calls
    expect(Object.values(d.charged).reduce((a, b) => a + b, 0)).toBe(6 * costs.functionCall);
  });

  it("split a run into busy and idle cycles: a system with nothing to do is idle but for its clock ticks", () => {
    const { sys, c } = uptimes(2);
    expect(c.busyCycles).toBeGreaterThan(0);
    expect(c.busyCycles).toBeLessThanOrEqual(c.cycles);
    // Sv32: every TLB miss walks one or two levels (a superpage, or a 4-KiB page).
    expect(c.tlbMisses).toBeGreaterThan(0);
    expect(c.pageWalkReads).toBeGreaterThanOrEqual(c.tlbMisses);
    expect(c.pageWalkReads).toBeLessThanOrEqual(2 * c.tlbMisses);
    expect(Object.values(c.charged).reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(c.busyCycles);
    const from = readCounters(sys);
    sys.run(10 * TICK); // the stepper now waits forever
    const idle = countersBetween(from, readCounters(sys));
    expect(idle.cycles).toBeGreaterThanOrEqual(10 * TICK);
    expect(idle.interrupts).toBeGreaterThanOrEqual(9); // the clock ticks
    expect(idle.kernelCalls).toBe(0);
    expect(idle.busyCycles).toBeLessThan(idle.cycles / 100);
  });
});
