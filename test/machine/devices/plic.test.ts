import { describe, expect, it } from "vitest";
import { Plic, PLIC_CLAIM, PLIC_ENABLE, PLIC_PENDING, PLIC_THRESHOLD } from "../../../system/machine/devices/plic.js";
import { PLIC_BASE } from "../../../system/machine/memmap.js";
import { Harness } from "./harness.js";

const MEIP = 11;
const SEIP = 9;

function setup() {
  const h = new Harness();
  const plic = h.attach(new Plic(h.ctx));
  return { h, plic };
}

const prio = (h: Harness, src: number, p: number) => h.write32(PLIC_BASE + 4 * src, p);
const enable = (h: Harness, ctx: number, mask: number) => h.write32(PLIC_BASE + PLIC_ENABLE + 0x80 * ctx, mask);
const threshold = (h: Harness, ctx: number, t: number) => h.write32(PLIC_BASE + PLIC_THRESHOLD + 0x1000 * ctx, t);
const claim = (h: Harness, ctx: number) => h.read32(PLIC_BASE + PLIC_CLAIM + 0x1000 * ctx);
const complete = (h: Harness, ctx: number, id: number) => h.write32(PLIC_BASE + PLIC_CLAIM + 0x1000 * ctx, id);

describe("PLIC", () => {
  it("claims by priority, then by lowest id, and drops MEIP when nothing is left", () => {
    const { h, plic } = setup();
    prio(h, 4, 1);
    prio(h, 14, 3);
    prio(h, 20, 3);
    enable(h, 0, (1 << 4) | (1 << 14) | (1 << 20));
    plic.setLevel(4, true);
    expect(h.mipLevel(MEIP)).toBe(true);
    plic.setLevel(20, true);
    plic.setLevel(14, true);
    expect(h.read32(PLIC_BASE + PLIC_PENDING)).toBe((1 << 4) | (1 << 14) | (1 << 20));
    expect(claim(h, 0)).toBe(14);
    expect(claim(h, 0)).toBe(20);
    expect(claim(h, 0)).toBe(4);
    expect(h.mipLevel(MEIP)).toBe(false);
    expect(claim(h, 0)).toBe(0);
    expect(h.read32(PLIC_BASE + PLIC_PENDING)).toBe(0);
  });

  it("makes a still-high line pending again on complete, and not while in service", () => {
    const { h, plic } = setup();
    prio(h, 4, 2);
    enable(h, 0, 1 << 4);
    plic.setLevel(4, true);
    expect(claim(h, 0)).toBe(4);
    plic.setLevel(4, false);
    plic.setLevel(4, true); // still in service: no new pending
    expect(h.mipLevel(MEIP)).toBe(false);
    complete(h, 0, 4);
    expect(h.mipLevel(MEIP)).toBe(true);
    expect(claim(h, 0)).toBe(4);
    plic.setLevel(4, false);
    complete(h, 0, 4);
    expect(h.mipLevel(MEIP)).toBe(false);
    expect(claim(h, 0)).toBe(0);
  });

  it("masks sources at or below the threshold and with priority 0", () => {
    const { h, plic } = setup();
    prio(h, 4, 3);
    enable(h, 0, (1 << 4) | (1 << 5));
    threshold(h, 0, 3);
    plic.setLevel(4, true);
    plic.setLevel(5, true); // priority 0: never
    expect(h.mipLevel(MEIP)).toBe(false);
    expect(claim(h, 0)).toBe(0);
    threshold(h, 0, 2);
    expect(h.mipLevel(MEIP)).toBe(true);
    expect(h.read32(PLIC_BASE + PLIC_THRESHOLD)).toBe(2);
  });

  it("a line that drops before the claim is no longer pending", () => {
    const { h, plic } = setup();
    prio(h, 4, 1);
    enable(h, 0, 1 << 4);
    plic.setLevel(4, true);
    plic.setLevel(4, false);
    expect(h.mipLevel(MEIP)).toBe(false);
    expect(claim(h, 0)).toBe(0);
  });

  it("routes context 1 to SEIP, with its own enables, and offers a host API", () => {
    const { h, plic } = setup();
    prio(h, 14, 1);
    enable(h, 1, 1 << 14);
    plic.setLevel(14, true);
    expect(h.mipLevel(SEIP)).toBe(true);
    expect(h.mipLevel(MEIP)).toBe(false);
    expect(plic.claim(0)).toBe(0);
    expect(plic.claim(1)).toBe(14);
    expect(h.mipLevel(SEIP)).toBe(false);
    plic.setLevel(14, false);
    plic.complete(1, 14);
    expect(plic.state.inService).toBe(0);
  });

  it("ignores nonsense: bad sources, priority of source 0, bits beyond 7, unknown offsets", () => {
    const { h, plic } = setup();
    plic.setLevel(0, true);
    plic.setLevel(32, true);
    plic.setLevel(-1, true);
    prio(h, 0, 7);
    prio(h, 3, 0xff);
    expect(h.read32(PLIC_BASE)).toBe(0);
    expect(h.read32(PLIC_BASE + 12)).toBe(7);
    h.write32(PLIC_BASE + 0x3000, 1);
    expect(h.read32(PLIC_BASE + 0x3000)).toBe(0);
    complete(h, 0, 99);
    expect(plic.claim(5)).toBe(0);
    expect(h.read32(PLIC_BASE + PLIC_PENDING)).toBe(0);
  });

  it("snapshot -> change -> restore gives the identical state", () => {
    const { h, plic } = setup();
    prio(h, 4, 5);
    enable(h, 0, 1 << 4);
    plic.setLevel(4, true);
    const snap = plic.snapshot();
    const priority = plic.state.priority;
    expect(claim(h, 0)).toBe(4);
    prio(h, 4, 1);
    threshold(h, 1, 6);
    expect(plic.snapshot()).not.toEqual(snap);
    plic.restore(snap);
    expect(plic.snapshot()).toEqual(snap);
    expect(plic.state.priority).toBe(priority); // copied into, not replaced
    expect(claim(h, 0)).toBe(4);
  });
});
