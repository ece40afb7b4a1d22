/*
 * The run's counters (system/counters.ts) against a scenario counted by hand: a stepper that
 * runs `uptime` n times. Each step is two kernel calls — SYS_GETINFO (GET_UPTIME) and the
 * SYS_DIAGCTL of its console line — each a trap, the kernel call's fixed work, the request
 * message copied in and the reply copied out (calls/index.ts), and nothing else: no IPC to
 * another process, no switch (the stepper is the only runnable process, so it is dispatched
 * again). So going from 1 step to 4 adds exactly 6 traps, 6 kernel calls, 12 message copies,
 * no IPC primitive, no context or address-space switch — and the cycles the kernel charged for
 * them are the build's costs times those counts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import { countersBetween, readCounters, type RunCounters } from "../../system/counters.js";
import type { System } from "../../system/system.js";
import { bootSystem, guestImages, lines, stepper, TICK } from "./harness.js";

let images: Record<string, Uint8Array>;
beforeAll(async () => {
  images = await guestImages();
});

/** Counters from boot to the stepper's "done" line, for `n` uptime steps. */
function uptimes(n: number): { sys: System; c: RunCounters } {
  const sys = bootSystem({ build: BUILDS.minix3, boot: [stepper("stepper", Array(n).fill("uptime"))], images });
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

  it("split a run into busy and idle cycles: a system with nothing to do is idle but for its clock ticks", () => {
    const { sys, c } = uptimes(2);
    expect(c.busyCycles).toBeGreaterThan(0);
    expect(c.busyCycles).toBeLessThanOrEqual(c.cycles);
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
