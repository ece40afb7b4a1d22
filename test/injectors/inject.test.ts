// Injection into the real system: the disk driver at_wini (real C on the emulated RV32) serves the
// raw block workload while a planned fault is armed. The mutated instruction really executes (or
// not), an nth trigger patches at exactly that execution, a persistent fault survives an RS restart
// and a transient one does not, and the directed and state faults do to minix3 and monolithic what
// their mechanisms make of them.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { activation, arm, atCycle, disarm, onBreakpoint, refresh, type Injection } from "../../injectors/inject.js";
import { planFault } from "../../injectors/plan.js";
import { ALLOC } from "../../system/kernel/layout.js";
import { ALLOC_OFF } from "../../system/kernel/params.js";
import { NOP } from "../../injectors/rv32.js";
import type { Fault, FaultModel } from "../../injectors/types.js";
import { EPERM } from "../../system/kernel/abi.js";
import { decode } from "../../system/machine/disasm.js";
import { fileOffsetOf, findSymbol, parseElf, type ElfImage } from "../../system/machine/elf.js";
import { runWorkload, type RunLimits } from "../../system/run.js";
import type { System } from "../../system/system.js";
import { blocksWorkload } from "../../system/workloads/blockclient.js";
import { boot, procIndex } from "../support/system.js";

const LIMITS: RunLimits = { budgetCycles: 1_000_000_000, watchdogCycles: 200_000_000 };
const base: FaultModel = { type: "NOP", driver: "at_wini", trigger: { kind: "first" }, persistence: "transient" };

function elfOf(sys: System): ElfImage {
  const r = parseElf(sys.images.at_wini);
  if (!r.ok) throw new Error(r.error);
  return r.elf;
}

/** The first store in `func` whose base is not sp: a counter update (stats.x++), harmless to drop. */
function counterStore(elf: ElfImage, func: string): number {
  const s = findSymbol(elf, func)!;
  const seg = elf.segments.find((g) => s.value >= g.vaddr && s.value < g.vaddr + g.filesz)!;
  const view = new DataView(seg.data.buffer, seg.data.byteOffset);
  for (let va = s.value; va < s.value + s.size; va += 4) {
    const d = decode(view.getUint32(va - seg.vaddr, true));
    if (d.isStore && d.rs1 !== 2) return va;
  }
  throw new Error(`no counter store in ${func}`);
}

function plan(sys: System, model: Partial<FaultModel>, seed = "inject"): Fault {
  const r = planFault(sys.images.at_wini, { ...base, ...model }, seedrandom(seed));
  if (!r.ok) throw new Error(r.error);
  return r.fault;
}

function armed(sys: System, fault: Fault): Injection {
  const r = arm(sys, fault);
  if (!r.ok) throw new Error(r.error);
  return r.injection;
}

/** Runs the workload with the injection's breakpoint handler, plus `spy` before/after each stop. */
function run(sys: System, params: string, inj: Injection, spy?: { before?: () => void; after?: () => void }) {
  return runWorkload(sys, blocksWorkload, params, {
    ...LIMITS,
    onBreakpoint: () => {
      spy?.before?.();
      onBreakpoint(sys, inj);
      spy?.after?.();
    },
  });
}

const word = (sys: System, va: number) => {
  const pa = sys.translate("at_wini", va)!;
  return sys.machine.bus.ram32[(pa - sys.machine.bus.ramBase) >>> 2] >>> 0;
};
const imageWord = (sys: System, va: number) => {
  const img = sys.images.at_wini;
  return new DataView(img.buffer, img.byteOffset).getUint32(fileOffsetOf(elfOf(sys), va)!, true);
};

describe("code faults in the running driver (minix3)", () => {
  it("a NOP of a store in at_transfer is activated on the first request; dropping a counter update changes nothing", () => {
    const { sys, params } = boot("minix3", blocksWorkload);
    const fault = plan(sys, { site: counterStore(elfOf(sys), "at_transfer") });
    const inj = armed(sys, fault);
    expect(word(sys, fault.site.va)).toBe(NOP); // patched at arm time (trigger "first")
    expect(activation(sys, inj)).toEqual({ activated: false, at: -1, executions: 0 });
    const obs = run(sys, params, inj);
    const a = activation(sys, inj);
    expect(a.activated).toBe(true);
    expect(a.at).toBeGreaterThan(inj.armedAt);
    expect(a.executions).toBe(32); // one per request: 16 writes, 16 reads
    expect(obs.oracle.verdict).toBe("pass");
  });

  it("a fault in a function the workload never calls is not activated", () => {
    const { sys, params } = boot("minix3", blocksWorkload); // dma=1: PIO output is never used
    const inj = armed(sys, plan(sys, { type: "RANDOM", targets: ["at_pio_out"] }));
    const obs = run(sys, params, inj);
    expect(activation(sys, inj)).toEqual({ activated: false, at: -1, executions: 0 });
    expect(obs.oracle.verdict).toBe("pass");
  });

  it("an nth trigger patches the running copy before exactly the n-th execution", () => {
    const { sys, params } = boot("minix3", blocksWorkload);
    const snap = sys.snapshot();
    const site = counterStore(elfOf(sys), "at_transfer");
    // Golden run: how often does the site execute?
    const [golden] = sys.machine.cpu.setBreakpoints([{ pa: sys.translate("at_wini", site)!, stopAt: 0 }]);
    runWorkload(sys, blocksWorkload, params, LIMITS);
    const total = golden.hits;
    expect(total).toBe(32);
    sys.restore(snap);
    const fault = plan(sys, { site, trigger: { kind: "nth", n: 5 } });
    const inj = armed(sys, fault);
    const stops: Array<{ hits: number; before: number; after: number }> = [];
    let before = 0;
    let hits = 0;
    run(sys, params, inj, {
      before: () => {
        before = word(sys, site);
        hits = sys.machine.cpu.breakpoints[0].hits;
      },
      after: () => stops.push({ hits, before, after: word(sys, site) }),
    });
    expect(stops).toEqual([{ hits: 5, before: fault.original, after: NOP }]);
    const a = activation(sys, inj);
    expect(a.executions).toBe(total - 5 + 1);
    expect(a.at).toBeGreaterThanOrEqual(inj.patchedAt);
    expect(inj.triggerHits).toBe(5);
  });

  it("arm refuses a fault that does not match the running driver; disarm clears the breakpoint", () => {
    const { sys } = boot("minix3", blocksWorkload);
    const fault = plan(sys, { site: counterStore(elfOf(sys), "at_transfer") });
    const wrong = { ...fault, original: (fault.original ^ 1) >>> 0 };
    const r = arm(sys, wrong);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^at_wini holds 0x[0-9a-f]{8} at 0x00400d60, not the fault's 0x[0-9a-f]{8}: it was planned on another image$/);
    expect(arm(sys, { ...fault, driver: "nosuch" })).toEqual({ ok: false, error: "nosuch is not running" });
    const inj = armed(sys, { ...fault, trigger: { kind: "nth", n: 3 } });
    expect(sys.machine.cpu.breakpoints).toHaveLength(1);
    disarm(sys, inj);
    expect(sys.machine.cpu.breakpoints).toEqual([]);
    expect(inj.phase).toBe("over");
  });

  it("a cycle trigger patches at that cycle: only later executions run the mutation", () => {
    const { sys, params } = boot("minix3", blocksWorkload);
    const fault = plan(sys, { site: counterStore(elfOf(sys), "at_transfer"), trigger: { kind: "cycle", at: 1_500_000 } });
    const r = arm(sys, fault);
    if (!r.ok) throw new Error(r.error);
    const inj = r.injection;
    expect(r.stopAtCycle).toBe(inj.armedAt + 1_500_000);
    while (sys.machine.clock.now < r.stopAtCycle!) sys.run(r.stopAtCycle! - sys.machine.clock.now);
    expect(word(sys, fault.site.va)).toBe(fault.original);
    atCycle(sys, inj);
    expect(word(sys, fault.site.va)).toBe(NOP);
    expect(inj.patchedAt).toBeGreaterThanOrEqual(r.stopAtCycle!);
    run(sys, params, inj);
    const a = activation(sys, inj);
    expect(a.executions).toBeGreaterThan(0);
    expect(a.executions).toBeLessThan(32);
    expect(a.at).toBeGreaterThanOrEqual(inj.patchedAt);
  });
});

describe("persistence across an RS restart (minix3)", () => {
  // at_reset runs once per driver start (its soft reset at init) and counts resets: a benign site
  // that a restarted driver executes again.
  function restartWith(persistence: "transient" | "persistent") {
    const { sys } = boot("minix3", blocksWorkload);
    const fault = plan(sys, { site: counterStore(elfOf(sys), "at_reset"), persistence });
    const original = fault.original;
    const snap = sys.snapshot();
    const inj = armed(sys, fault);
    const imageAfterArm = imageWord(sys, fault.site.va);
    const paBefore = sys.translate("at_wini", fault.site.va);
    const epBefore = sys.kernel.lookupLabel("at_wini");
    sys.kernel.terminate(procIndex(sys, "at_wini"), "killed", "test: restart from the image");
    sys.run(30_000_000);
    const ep = sys.kernel.lookupLabel("at_wini");
    expect(ep).toBeDefined();
    expect(ep).not.toBe(epBefore);
    expect(sys.translate("at_wini", fault.site.va)).toBe(paBefore); // the kernel reuses the freed memory
    return { sys, fault, inj, original, snap, imageAfterArm };
  }

  it("a persistent fault is in the image after arm and comes back in the restarted driver", () => {
    const { sys, fault, inj, original, snap, imageAfterArm } = restartWith("persistent");
    expect(imageAfterArm).toBe(NOP);
    expect(word(sys, fault.site.va)).toBe(NOP); // the new copy was loaded from the mutated image
    expect(activation(sys, inj)).toMatchObject({ activated: true, executions: 1 }); // its init ran the NOP
    expect(inj.phase).toBe("active");
    sys.restore(snap); // snapshots copy the images: restoring one undoes the persistent fault
    expect(imageWord(sys, fault.site.va)).toBe(original);
  });

  it("refresh() follows a persistent fault to a restarted driver in other memory", () => {
    const { sys } = boot("minix3", blocksWorkload);
    const fault = plan(sys, { site: counterStore(elfOf(sys), "at_reset"), persistence: "persistent" });
    const inj = armed(sys, fault);
    const paBefore = inj.pa;
    // Offer the allocator a free block ahead of the one the dying driver releases.
    const km = sys.kernel.km;
    const at = (f: number) => ALLOC_OFF + f;
    const n = km.word(at(ALLOC.memFreeCount));
    km.moveWords(at(ALLOC.memFree), at(ALLOC.memFree) + 8, n * 2);
    km.setWord(at(ALLOC.memFree), km.word(at(ALLOC.memNext)));
    km.setWord(at(ALLOC.memFree) + 4, 0x40000);
    km.setWord(at(ALLOC.memFreeCount), n + 1);
    km.setWord(at(ALLOC.memNext), km.word(at(ALLOC.memNext)) + 0x40000);
    sys.kernel.terminate(procIndex(sys, "at_wini"), "killed", "test: restart elsewhere");
    const end = sys.machine.clock.now + 30_000_000;
    while (sys.machine.clock.now < end) {
      sys.run(10_000);
      refresh(sys, inj); // right after the restart, before the new copy reaches the site
    }
    expect(inj.pa).not.toBe(paBefore);
    expect(inj.pa).toBe(sys.translate("at_wini", fault.site.va));
    expect(word(sys, fault.site.va)).toBe(NOP);
    expect(activation(sys, inj)).toMatchObject({ activated: true, executions: 1 });
  });

  it("a transient fault changes the running copy only: the restarted driver is clean", () => {
    const { sys, fault, inj, original, imageAfterArm } = restartWith("transient");
    expect(imageAfterArm).toBe(original);
    expect(word(sys, fault.site.va)).toBe(original);
    expect(activation(sys, inj)).toEqual({ activated: false, at: -1, executions: 0 });
    expect(inj.phase).toBe("over");
  });
});

describe("directed faults: the build decides what they do", () => {
  const nullPointer = (sys: System) => plan(sys, { type: "BAD_POINTER", variant: "null", targets: ["at_transfer"] });

  it("BAD_POINTER null kills the driver in minix3 (page fault), and RS restarts it", () => {
    const { sys, params } = boot("minix3", blocksWorkload);
    const fault = nullPointer(sys);
    const inj = armed(sys, fault);
    const obs = run(sys, params, inj);
    sys.run(50_000_000);
    expect(activation(sys, inj).activated).toBe(true);
    expect(obs.end).toBe("completed");
    const crash = sys.kernel.state.events.find((e) => e.kind === "crash" && e.label === "at_wini");
    expect(crash?.detail).toMatch(new RegExp(`page fault at pc 0x${fault.site.va.toString(16)}, tval 0x0\\b`));
    expect(obs.rsEvents.map((e) => e.kind)).toEqual(["crash", "restart", "up"]);
    expect(sys.kernel.state.panic).toBeNull();
  });

  it("the same BAD_POINTER panics the monolithic kernel", () => {
    const { sys, params } = boot("monolithic", blocksWorkload);
    const inj = armed(sys, nullPointer(sys));
    const obs = run(sys, params, inj);
    expect(activation(sys, inj).activated).toBe(true);
    expect(obs.end).toBe("panic");
    expect(obs.panic?.reason).toMatch(/at_wini: (load|store) page fault .* tval 0x0 in supervisor mode/);
  });

  const resetPort: Partial<FaultModel> = { type: "BAD_PORT_WRITE", variant: "sysctl", port: 0xcf9, targets: ["sys_outb"] };

  it("BAD_PORT_WRITE to 0xCF9 resets the monolithic machine", () => {
    const { sys, params } = boot("monolithic", blocksWorkload);
    const inj = armed(sys, plan(sys, { ...resetPort, persistence: "persistent" }));
    const obs = run(sys, params, inj);
    expect(obs.end).toBe("reset");
    expect(sys.machine.halted?.reason).toMatch(/port 0xcf9 .*reset/);
    // The first sys_outb of a DMA transfer writes 0 (harmless there); the second writes 0x06: reset.
    expect(activation(sys, inj).executions).toBe(2);
  });

  it("in minix3 the kernel refuses it: EPERM reaches the driver and the machine runs on", () => {
    const { sys, params } = boot("minix3", blocksWorkload);
    const inj = armed(sys, plan(sys, resetPort));
    const devio = findSymbol(elfOf(sys), "devio")!;
    const ret = devio.value + devio.size - 4; // devio's `ret`: sys_outb tail-calls devio
    expect(decode(sys.machine.bus.ram32[(sys.translate("at_wini", ret)! - sys.machine.bus.ramBase) >>> 2])).toMatchObject({ op: "jalr", rd: 0 });
    let returned: number | undefined;
    const obs = runWorkload(sys, blocksWorkload, params, {
      ...LIMITS,
      onBreakpoint: () => {
        if (inj.phase !== "over") {
          onBreakpoint(sys, inj);
          // The action was applied once and the injection ended: watch the return of this call.
          sys.machine.cpu.setBreakpoints([{ pa: sys.translate("at_wini", ret)!, stopAt: 1 }]);
        } else if (returned === undefined) {
          returned = sys.machine.cpu.x[10];
          sys.machine.cpu.setBreakpoints([]);
        }
      },
    });
    expect(activation(sys, inj).executions).toBe(1);
    expect(returned).toBe(-EPERM);
    expect(sys.machine.halted).toBeNull();
    expect(sys.machine.sysctl.state.resetCtrl).toBe(0);
    expect(obs.end).not.toBe("reset");
  });
});

describe("state faults", () => {
  it("REG_FLIP flips exactly one bit of one register when an executed site is reached", () => {
    const { sys, params } = boot("minix3", blocksWorkload);
    const snap = sys.snapshot();
    // Coverage of at_transfer from a golden run: only executed instructions make good trigger sites.
    const fn = findSymbol(elfOf(sys), "at_transfer")!;
    const vas = Array.from({ length: fn.size / 4 }, (_, k) => fn.value + 4 * k);
    const bps = sys.machine.cpu.setBreakpoints(vas.map((va) => ({ pa: sys.translate("at_wini", va)!, stopAt: 0 })));
    runWorkload(sys, blocksWorkload, params, LIMITS);
    const executed = vas.filter((_, k) => bps[k].hits > 0);
    expect(executed.length).toBeGreaterThan(20);
    sys.restore(snap);
    const r = planFault(sys.images.at_wini, { ...base, type: "REG_FLIP", targets: ["at_transfer"] }, seedrandom("flip"), { executed });
    if (!r.ok) throw new Error(r.error);
    const fault = r.fault as Fault & { kind: "runtime" };
    const inj = armed(sys, fault);
    let before = new Int32Array(32);
    const diffs: Array<Array<[number, number]>> = [];
    run(sys, params, inj, {
      before: () => void (before = sys.machine.cpu.x.slice()),
      after: () => diffs.push([...sys.machine.cpu.x].flatMap((v, i): Array<[number, number]> => (v !== before[i] ? [[i, (v ^ before[i]) >>> 0]] : []))),
    });
    expect(fault.action.kind).toBe("xor-reg");
    const { reg, xor } = fault.action as { reg: number; xor: number };
    expect(diffs).toEqual([[[reg, xor]]]);
    expect(activation(sys, inj)).toMatchObject({ activated: true, executions: 1 });
  });

  it("MEM_FLIP flips exactly one bit of the chosen data word", () => {
    const { sys, params } = boot("minix3", blocksWorkload);
    const fault = plan(sys, { type: "MEM_FLIP", site: counterStore(elfOf(sys), "at_transfer") }) as Fault & { kind: "runtime" };
    const { va, xor } = fault.action as { va: number; xor: number };
    const inj = armed(sys, fault);
    let before = 0;
    const flips: number[] = [];
    run(sys, params, inj, { before: () => void (before = word(sys, va)), after: () => flips.push((word(sys, va) ^ before) >>> 0) });
    expect(flips).toEqual([xor]);
    expect(activation(sys, inj).executions).toBe(1);
  });
});
