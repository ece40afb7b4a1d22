// BAD_POINTER's kernel variants aim at the structure they name and nowhere else: every drawn
// address is checked against the kernel's layout (system/kernel/layout.ts, params.ts) computed
// here independently — a word of a field of an existing entry, never the padding after a table's
// entries or after an entry's fields — and the description names the same slot and field. The
// page-table variant resolves its word among the live processes' page tables when the site is
// reached: on the real system the access really goes there (minix3: a page fault at that address).
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { activation, arm, onBreakpoint } from "../../injectors/inject.js";
import { livePageTableFrames, STRUCTURES, wordAt, wordCount } from "../../injectors/kernel-targets.js";
import { planFault, planFaults } from "../../injectors/plan.js";
import { VARIANTS, type FaultModel, type RuntimeFault } from "../../injectors/types.js";
import { loadImage } from "../../system/drivers/images.js";
import { PRIV, PROC, RTS_SLOT_FREE } from "../../system/kernel/layout.js";
import {
  NR_IRQ_HOOKS, NR_SCHED_QUEUES, NR_SLOTS, NR_TASKS, PRIV_SIZE, PRIV_TABLE_OFF, PROC_SIZE, PROC_TABLE_OFF, PT_POOL_END, PT_POOL_OFF, SCHED_OFF,
} from "../../system/kernel/params.js";
import { decode } from "../../system/machine/disasm.js";
import { RAM_BASE } from "../../system/machine/memmap.js";
import { PTE_R, PTE_V, PTE_X } from "../../system/machine/mmu.js";
import { runWorkload } from "../../system/run.js";
import type { System } from "../../system/system.js";
import { blocksWorkload } from "../../system/workloads/blockclient.js";
import { boot } from "../support/system.js";

const loaded = loadImage("at_wini");
if (!loaded.ok) throw new Error(loaded.error);
const IMAGE = loaded.bytes;
const base: FaultModel = { type: "BAD_POINTER", driver: "at_wini", trigger: { kind: "first" }, persistence: "transient" };

/** Bytes of an entry holding fields, from the layouts' last fields (stackBase; the IRQ hooks). */
const PROC_BYTES = PROC.stackBase + 4;
const PRIV_BYTES = PRIV.hooks + NR_IRQ_HOOKS * 16;

/** Where RAM offset `off` lies in table [start, start + NR_SLOTS * size): the slot and the offset in its entry. */
function inTable(off: number, start: number, size: number): { slot: number; field: number } | undefined {
  if (off < start || off >= start + NR_SLOTS * size) return undefined;
  return { slot: Math.floor((off - start) / size) - NR_TASKS, field: (off - start) % size };
}
const inProcs = (off: number) => inTable(off, PROC_TABLE_OFF, PROC_SIZE);
const inPrivs = (off: number) => inTable(off, PRIV_TABLE_OFF, PRIV_SIZE);

/** Whether RAM offset `off` is a word of the structure variant `v` names. */
const MEMBER: Record<string, (off: number) => boolean> = {
  kernel: (off) => (inProcs(off)?.field ?? PROC_SIZE) < PROC_BYTES,
  "kernel-priv": (off) => (inPrivs(off)?.field ?? PRIV_SIZE) < PRIV_BYTES,
  "kernel-queues": (off) => (off >= SCHED_OFF && off < SCHED_OFF + NR_SCHED_QUEUES * 8) || inProcs(off)?.field === PROC.nextReady,
  "kernel-ipc": (off) =>
    ([PROC.sendTo, PROC.getFrom, PROC.msgVir, PROC.callerQ, PROC.qLink] as number[]).includes(inProcs(off)?.field ?? -1) ||
    ([PRIV.notifyPending, PRIV.notifyPending + 4, PRIV.intPending] as number[]).includes(inPrivs(off)?.field ?? -1),
};

/** RAM offsets the planned faults' accesses go to. */
function targets(variant: string, count: number, seed: string): Array<{ off: number; fault: RuntimeFault }> {
  const r = planFaults(IMAGE, { ...base, variant }, count, seedrandom(seed));
  if (!r.ok) throw new Error(r.error);
  return (r.faults as RuntimeFault[]).map((fault) => {
    const a = fault.action as { kind: string; reg: number; value: number };
    expect(a.kind).toBe("set-reg");
    expect(a.reg).toBe(decode(fault.original).rs1);
    return { off: ((a.value + (decode(fault.original).imm ?? 0)) >>> 0) - RAM_BASE, fault };
  });
}

describe("BAD_POINTER kernel variants at fixed places", () => {
  it("offers the structures as variants, in the spec's vocabulary", () => {
    expect(VARIANTS.BAD_POINTER).toEqual(expect.arrayContaining(["kernel", "kernel-priv", "kernel-pagetable", "kernel-queues", "kernel-ipc"]));
    expect(Object.keys(STRUCTURES).sort()).toEqual(["kernel", "kernel-ipc", "kernel-priv", "kernel-queues"]);
  });

  it.each(Object.keys(MEMBER))("%s: every drawn address is a word of the named structure", (variant) => {
    const drawn = targets(variant, 400, `kernel-targets-${variant}`);
    for (const { off } of drawn) {
      expect(off % 4, `0x${off.toString(16)}`).toBe(0);
      expect(MEMBER[variant](off), `0x${off.toString(16)} is not in ${variant}`).toBe(true);
    }
    // Drawn across the structure, not from one corner of it.
    expect(new Set(drawn.map(({ off }) => off)).size).toBeGreaterThan(Math.min(drawn.length, wordCount(STRUCTURES[variant])) / 4);
  });

  it("kernel: no draw lands in the padding after the entries' fields or after the last entry (a quarter did before)", () => {
    const offs = targets("kernel", 1000, "padding").map((t) => t.off);
    expect(offs.every((off) => off < PROC_TABLE_OFF + NR_SLOTS * PROC_SIZE)).toBe(true);
    expect(offs.every((off) => (off - PROC_TABLE_OFF) % PROC_SIZE < PROC_BYTES)).toBe(true);
    const slots = new Set(offs.map((off) => inProcs(off)!.slot));
    expect(slots.size).toBe(NR_SLOTS); // every entry is drawn from, tasks included
  });

  it.each(Object.keys(STRUCTURES))("%s: the word list is exactly the structure's words, each once", (variant) => {
    const s = STRUCTURES[variant];
    const words = Array.from({ length: wordCount(s) }, (_, k) => wordAt(s, k));
    expect(new Set(words).size).toBe(words.length);
    expect(words.every(MEMBER[variant])).toBe(true);
    const expected = { kernel: NR_SLOTS * (PROC_BYTES / 4), "kernel-priv": NR_SLOTS * (PRIV_BYTES / 4), "kernel-queues": 2 * NR_SCHED_QUEUES + NR_SLOTS, "kernel-ipc": 8 * NR_SLOTS };
    expect(words.length).toBe(expected[variant as keyof typeof expected]);
  });

  it("the description names the structure, slot and field the access goes to", () => {
    const [{ off, fault }] = targets("kernel-ipc", 1, "describe");
    const at = inProcs(off) ?? inPrivs(off)!;
    const names = Object.entries(inProcs(off) ? PROC : PRIV).filter(([, o]) => o === at.field || o + 4 === at.field).map(([n]) => n);
    expect(fault.description).toMatch(new RegExp(`\\(the kernel's IPC state: (process|privilege) table, slot ${at.slot}: (${names.join("|")})(\\[\\d\\])?\\)`));
    const [k] = targets("kernel", 1, "describe");
    expect(k.fault.description).toContain(`(the kernel's process table, slot ${inProcs(k.off)!.slot}: `);
  });
});

/** Page-table frames of the live processes, found here from the process table and the roots' entries. */
function pageTableFrames(sys: System): Set<number> {
  const km = sys.kernel.km;
  const frames = new Set<number>();
  for (let idx = 0; idx < NR_SLOTS; idx++) {
    const root = km.proc(idx, PROC.ptRoot) >>> 0;
    if (km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE || root === 0) continue;
    frames.add(root);
    for (let i = 0; i < 1024; i++) {
      const e = km.view.getUint32(root - RAM_BASE + 4 * i, true);
      if (e & PTE_V && !(e & (PTE_R | PTE_X))) frames.add((e >>> 10) * 4096);
    }
  }
  return frames;
}

describe("BAD_POINTER kernel-pagetable", () => {
  const model: FaultModel = { ...base, variant: "kernel-pagetable", targets: ["at_transfer"] };

  /** Boots `build`, arms the fault planned with `seed`, runs the blocks workload; the injection and what it aimed at. */
  function runFault(build: string, seed: string) {
    const { sys, params } = boot(build, blocksWorkload);
    const frames = pageTableFrames(sys);
    const planned = planFault(sys.images.at_wini, model, seedrandom(seed));
    if (!planned.ok) throw new Error(planned.error);
    const armed = arm(sys, planned.fault);
    if (!armed.ok) throw new Error(armed.error);
    const inj = armed.injection;
    runWorkload(sys, blocksWorkload, params, { budgetCycles: 1_000_000_000, watchdogCycles: 200_000_000, onBreakpoint: () => void onBreakpoint(sys, inj) });
    return { sys, inj, frames, fault: planned.fault as RuntimeFault };
  }

  it("plans a draw, not an address: the word is chosen among the live page tables at the site", () => {
    const { fault } = runFault("minix3", "pt");
    expect(fault.action).toMatchObject({ kind: "aim-page-table", reg: decode(fault.original).rs1, imm: decode(fault.original).imm ?? 0 });
    expect(fault.description).toMatch(/a word of the live processes' page tables/);
  });

  it.each(["pt", "pt-2", "pt-3"])("minix3 (seed %s): the access goes to a word of a live process's page tables, which the driver cannot reach: a page fault there", (seed) => {
    const { sys, inj, frames } = runFault("minix3", seed);
    expect(activation(sys, inj).activated).toBe(true);
    expect(inj.aimedAt % 4).toBe(0);
    expect(frames.has((inj.aimedAt & ~0xfff) >>> 0)).toBe(true);
    expect(inj.aimedAt).toBeGreaterThanOrEqual(RAM_BASE + PT_POOL_OFF);
    expect(inj.aimedAt).toBeLessThan(RAM_BASE + PT_POOL_END);
    const crash = sys.kernel.state.events.find((e) => e.kind === "crash" && e.label === "at_wini");
    expect(crash?.detail).toMatch(new RegExp(`page fault at pc 0x[0-9a-f]+, tval 0x${inj.aimedAt.toString(16)}$`));
  });

  it("the same fault on the same system aims at the same word; livePageTableFrames lists the frames found here", () => {
    const a = runFault("monolithic", "pt");
    const b = runFault("monolithic", "pt");
    expect(a.inj.aimedAt).toBeGreaterThan(0);
    expect(b.inj.aimedAt).toBe(a.inj.aimedAt);
    const { sys } = boot("monolithic", blocksWorkload);
    expect(new Set(livePageTableFrames(sys.kernel.km))).toEqual(pageTableFrames(sys));
  });
});
