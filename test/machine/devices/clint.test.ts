import { describe, expect, it } from "vitest";
import {
  Clint,
  CLINT_MSIP,
  CLINT_MTIME_HI,
  CLINT_MTIME_LO,
  CLINT_MTIMECMP_HI,
  CLINT_MTIMECMP_LO,
  MIP_MSIP_BIT,
  MIP_MTIP_BIT,
} from "../../../system/machine/devices/clint.js";
import { CLINT_BASE, MTIME_DIVIDER } from "../../../system/machine/memmap.js";
import { Harness } from "./harness.js";

function setup() {
  const h = new Harness();
  const clint = h.attach(new Clint(h.ctx));
  return { h, clint };
}

function setCmp(h: Harness, value: number) {
  h.write32(CLINT_BASE + CLINT_MTIMECMP_HI, 0xffffffff); // no spurious match while half-written
  h.write32(CLINT_BASE + CLINT_MTIMECMP_LO, value % 2 ** 32);
  h.write32(CLINT_BASE + CLINT_MTIMECMP_HI, Math.floor(value / 2 ** 32));
}

describe("CLINT", () => {
  it("msip drives MIP.MSIP", () => {
    const { h } = setup();
    h.write32(CLINT_BASE + CLINT_MSIP, 1);
    expect(h.mipLevel(MIP_MSIP_BIT)).toBe(true);
    expect(h.read32(CLINT_BASE + CLINT_MSIP)).toBe(1);
    h.write32(CLINT_BASE + CLINT_MSIP, 0xfffffffe); // only bit 0 counts
    expect(h.mipLevel(MIP_MSIP_BIT)).toBe(false);
    expect(h.read32(CLINT_BASE + CLINT_MSIP)).toBe(0);
  });

  it("derives mtime from the clock and lets a write set it", () => {
    const { h, clint } = setup();
    h.advanceTo(12_345);
    expect(clint.mtime()).toBe(Math.floor(12_345 / MTIME_DIVIDER));
    expect(h.read32(CLINT_BASE + CLINT_MTIME_LO)).toBe(1234);
    expect(h.read32(CLINT_BASE + CLINT_MTIME_HI)).toBe(0);
    h.write32(CLINT_BASE + CLINT_MTIME_HI, 2);
    h.write32(CLINT_BASE + CLINT_MTIME_LO, 7);
    expect(clint.mtime()).toBe(2 * 2 ** 32 + 7);
    h.advanceBy(10 * MTIME_DIVIDER);
    expect(h.read32(CLINT_BASE + CLINT_MTIME_LO)).toBe(17);
    expect(h.read32(CLINT_BASE + CLINT_MTIME_HI)).toBe(2);
  });

  it("raises MTIP at the first cycle where mtime >= mtimecmp, and a later mtimecmp write lowers it", () => {
    const { h } = setup();
    setCmp(h, 500);
    expect(h.mipLevel(MIP_MTIP_BIT)).toBe(false);
    h.advanceTo(500 * MTIME_DIVIDER - 1);
    expect(h.mipLevel(MIP_MTIP_BIT)).toBe(false);
    h.advanceTo(500 * MTIME_DIVIDER);
    expect(h.mipLevel(MIP_MTIP_BIT)).toBe(true);
    expect(h.mipLog.filter((c) => c.line === MIP_MTIP_BIT)).toEqual([
      { line: MIP_MTIP_BIT, level: true, at: 500 * MTIME_DIVIDER },
    ]);
    h.write32(CLINT_BASE + CLINT_MTIMECMP_LO, 800);
    expect(h.mipLevel(MIP_MTIP_BIT)).toBe(false);
    h.advanceTo(800 * MTIME_DIVIDER - 1);
    expect(h.mipLevel(MIP_MTIP_BIT)).toBe(false);
    h.advanceTo(800 * MTIME_DIVIDER);
    expect(h.mipLevel(MIP_MTIP_BIT)).toBe(true);
  });

  it("reschedules on an mtime write and cancels the stale event", () => {
    const { h, clint } = setup();
    clint.setTimecmp(1000);
    expect(h.clock.state.events.map((e) => e.at)).toEqual([1000 * MTIME_DIVIDER]);
    h.write32(CLINT_BASE + CLINT_MTIME_LO, 900); // 100 ticks to go
    expect(h.clock.state.events.map((e) => e.at)).toEqual([100 * MTIME_DIVIDER]);
    h.write32(CLINT_BASE + CLINT_MTIME_LO, 1000);
    expect(h.mipLevel(MIP_MTIP_BIT)).toBe(true);
    expect(h.clock.state.events).toEqual([]);
  });

  it("never fires with the reset mtimecmp, and schedules nothing", () => {
    const { h, clint } = setup();
    clint.reset();
    expect(clint.timecmp()).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    h.write32(CLINT_BASE + CLINT_MTIMECMP_LO, 0xffffffff);
    expect(h.clock.state.events).toEqual([]);
    h.advanceTo(1e9);
    expect(h.mipLevel(MIP_MTIP_BIT)).toBe(false);
  });

  it("supports sub-word accesses on the containing word", () => {
    const { h } = setup();
    h.bus.mmioWrite(CLINT_BASE + CLINT_MTIMECMP_HI, 0, 4);
    h.bus.mmioWrite(CLINT_BASE + CLINT_MTIMECMP_LO + 1, 0x12, 1);
    expect(h.read32(CLINT_BASE + CLINT_MTIMECMP_LO)).toBe(0xffff12ff);
    expect(h.bus.mmioRead(CLINT_BASE + CLINT_MTIMECMP_LO + 2, 2)).toBe(0xffff);
    expect(h.read32(CLINT_BASE + 0x100)).toBe(0); // unknown offset is harmless
  });

  it("snapshot -> change -> restore gives the identical state", () => {
    const { h, clint } = setup();
    clint.setTimecmp(77);
    h.write32(CLINT_BASE + CLINT_MSIP, 1);
    const snap = clint.snapshot();
    h.write32(CLINT_BASE + CLINT_MTIME_LO, 5000);
    clint.setTimecmp(3);
    h.write32(CLINT_BASE + CLINT_MSIP, 0);
    expect(clint.snapshot()).not.toEqual(snap);
    clint.restore(snap);
    expect(clint.snapshot()).toEqual(snap);
  });
});
