// Sv32 walk on literal page tables: permissions per mode, SUM, MXR, superpages, A/D policy.
import { describe, expect, it } from "vitest";
import { Access, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, walk, walkFaultCause, type WalkEnv } from "../../system/machine/mmu.js";
import { Cause, Mode } from "../../system/machine/trap.js";

const ROOT = 0x8000_0000;
const L0 = 0x8000_1000;

function env(mem: Map<number, number>, priv: number, sum = false, mxr = false): WalkEnv {
  return { satp: (1 << 31) | (ROOT >>> 12), priv, sum, mxr, readPhys: (pa) => mem.get(pa) ?? (pa >= ROOT && pa < ROOT + 0x10000 ? 0 : undefined) };
}

/** Maps VA 0x0040_0000 + page 0 → PA 0x8001_0000 with `flags` (two-level); VA 0x0080_0000 as superpage. */
function tables(flags: number, superFlags = 0, superPpn = 0x80400): Map<number, number> {
  const m = new Map<number, number>();
  m.set(ROOT + 1 * 4, ((L0 >>> 12) << 10) | PTE_V);
  m.set(L0 + 0, ((0x8001_0000 >>> 12) << 10) | flags);
  if (superFlags) m.set(ROOT + 2 * 4, (superPpn << 10) | superFlags);
  return m;
}

const levels = () => ({ n: 0 });
const fault = (r: number) => (r < 0 ? walkFaultCause(r) : `ok 0x${r.toString(16)}`);

describe("Sv32 walk", () => {
  const rwxuad = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D;

  it("translates a 4 KiB page and counts two levels", () => {
    const l = levels();
    expect(walk(env(tables(rwxuad), Mode.U), 0x0040_0123, Access.Read, l)).toBe(0x8001_0123);
    expect(l.n).toBe(2);
  });

  it("U-mode may not touch supervisor pages; S-mode needs SUM for user data and never executes user code", () => {
    const sPage = tables(PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
    expect(fault(walk(env(sPage, Mode.U), 0x0040_0000, Access.Read, levels()))).toBe(Cause.LoadPageFault);
    const uPage = tables(rwxuad);
    expect(fault(walk(env(uPage, Mode.S), 0x0040_0000, Access.Read, levels()))).toBe(Cause.LoadPageFault);
    expect(fault(walk(env(uPage, Mode.S), 0x0040_0000, Access.Write, levels()))).toBe(Cause.StorePageFault);
    expect(walk(env(uPage, Mode.S, true), 0x0040_0000, Access.Write, levels())).toBe(0x8001_0000);
    expect(fault(walk(env(uPage, Mode.S, true), 0x0040_0000, Access.Exec, levels()))).toBe(Cause.InsnPageFault);
  });

  it("MXR makes execute-only pages readable", () => {
    const xOnly = tables(PTE_V | PTE_X | PTE_U | PTE_A);
    expect(fault(walk(env(xOnly, Mode.U), 0x0040_0000, Access.Read, levels()))).toBe(Cause.LoadPageFault);
    expect(walk(env(xOnly, Mode.U, false, true), 0x0040_0000, Access.Read, levels())).toBe(0x8001_0000);
  });

  it("faults on A=0, and on a store with D=0 (Svade: hardware never sets A/D)", () => {
    expect(fault(walk(env(tables(PTE_V | PTE_R | PTE_U), Mode.U), 0x0040_0000, Access.Read, levels()))).toBe(Cause.LoadPageFault);
    const clean = tables(PTE_V | PTE_R | PTE_W | PTE_U | PTE_A);
    expect(walk(env(clean, Mode.U), 0x0040_0000, Access.Read, levels())).toBe(0x8001_0000);
    expect(fault(walk(env(clean, Mode.U), 0x0040_0000, Access.Write, levels()))).toBe(Cause.StorePageFault);
  });

  it("rejects W without R, invalid PTEs, and a pointer PTE at level 0", () => {
    expect(fault(walk(env(tables(PTE_V | PTE_W | PTE_U | PTE_A | PTE_D), Mode.U), 0x0040_0000, Access.Write, levels()))).toBe(Cause.StorePageFault);
    expect(fault(walk(env(tables(0), Mode.U), 0x0040_0000, Access.Exec, levels()))).toBe(Cause.InsnPageFault);
    expect(fault(walk(env(tables(PTE_V), Mode.U), 0x0040_0000, Access.Read, levels()))).toBe(Cause.LoadPageFault);
  });

  it("maps 4 MiB superpages and refuses misaligned ones", () => {
    const sp = tables(rwxuad, rwxuad, 0x80400);
    expect(walk(env(sp, Mode.U), 0x0080_1234, Access.Read, levels())).toBe(0x8040_1234);
    expect(walk(env(sp, Mode.U), 0x00bf_fffc, Access.Read, levels())).toBe(0x807f_fffc);
    const bad = tables(rwxuad, rwxuad, 0x80401);
    expect(fault(walk(env(bad, Mode.U), 0x0080_0000, Access.Read, levels()))).toBe(Cause.LoadPageFault);
  });

  it("gives an access fault when a page-table entry is outside RAM", () => {
    const e = env(new Map(), Mode.U);
    e.satp = (1 << 31) | 0x10; // root at physical 0x10000: no RAM there
    expect(fault(walk(e, 0x0040_0000, Access.Read, levels()))).toBe(Cause.LoadAccessFault);
  });
});
