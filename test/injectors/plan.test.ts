// The planner on the real disk driver image (system/drivers/images/at_wini.elf): every fault type
// makes exactly its intended change (decoded before and after), sites stay inside the target
// functions, descriptions say the right thing, RANDOM picks among its seven types, the same seed
// gives the same faults, and a model no site fits gives a clear error.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { planFault, planFaults } from "../../injectors/plan.js";
import { PORT_WRITERS } from "../../injectors/runtime.js";
import { NOP } from "../../injectors/rv32.js";
import { RANDOM_POOL, type CodeFault, type Fault, type FaultModel, type RuntimeFault } from "../../injectors/types.js";
import { loadImage } from "../../system/drivers/images.js";
import { PROC_TABLE_OFF, PRIV_TABLE_OFF } from "../../system/kernel/params.js";
import { decode, disassemble } from "../../system/machine/disasm.js";
import { findSymbol, parseElf, symbolize } from "../../system/machine/elf.js";
import { RAM_BASE } from "../../system/machine/memmap.js";

const loaded = loadImage("at_wini");
if (!loaded.ok) throw new Error(loaded.error);
const IMAGE = loaded.bytes;
const parsed = parseElf(IMAGE);
if (!parsed.ok) throw new Error(parsed.error);
const ELF = parsed.elf;

const base: FaultModel = { type: "NOP", driver: "at_wini", trigger: { kind: "first" }, persistence: "transient" };
const hex8 = (v: number) => "0x" + (v >>> 0).toString(16).padStart(8, "0");

/** The instruction word of the image at va. */
function wordAt(va: number): number {
  const seg = ELF.segments.find((s) => va >= s.vaddr && va < s.vaddr + s.filesz)!;
  return new DataView(seg.data.buffer, seg.data.byteOffset).getUint32(va - seg.vaddr, true);
}

/** `count` faults of `model` (asserted non-empty: the tests loop over them and must have something to check). */
function plan(model: Partial<FaultModel>, count = 150, seed = "plan"): Fault[] {
  const r = planFaults(IMAGE, { ...base, ...model }, count, seedrandom(seed));
  if (!r.ok) throw new Error(r.error);
  expect(r.faults.length, JSON.stringify(model)).toBeGreaterThan(0);
  return r.faults;
}
const code = (fs: Fault[]) => fs as CodeFault[];
const runtime = (fs: Fault[]) => fs as RuntimeFault[];

/** Decoded fields that differ between two words. */
function changed(a: number, b: number): string[] {
  const da = decode(a) as unknown as Record<string, unknown>;
  const db = decode(b) as unknown as Record<string, unknown>;
  return [...new Set([...Object.keys(da), ...Object.keys(db)])].filter((k) => da[k] !== db[k]).sort();
}
const popcount = (v: number) => (v >>> 0).toString(2).split("").filter((c) => c === "1").length;
const inFunc = (va: number, name: string) => {
  const s = findSymbol(ELF, name)!;
  return va >= s.value && va < s.value + s.size;
};

describe("code mutations on at_wini.elf", () => {
  it("record the image's own word as original", () => {
    for (const f of code(plan({ type: "RANDOM" }, 200))) expect(f.original).toBe(wordAt(f.site.va));
  });

  it("TEXT flips one bit; NOP writes addi x0, x0, 0", () => {
    for (const f of code(plan({ type: "TEXT" }))) expect(popcount(f.original ^ f.mutated)).toBe(1);
    for (const f of code(plan({ type: "NOP" }))) {
      expect(f.mutated).toBe(NOP);
      expect(f.original).not.toBe(NOP);
    }
  });

  it("SRC changes one source register field and nothing else", () => {
    for (const f of code(plan({ type: "SRC" }))) {
      const fields = changed(f.original, f.mutated);
      expect([["rs1"], ["rs2"]]).toContainEqual(fields);
      const shift = fields[0] === "rs1" ? 15 : 20;
      expect(((f.original ^ f.mutated) >>> 0) & ~(0x1f << shift)).toBe(0);
    }
  });

  it("DST changes rd of a register-writing instruction to another register, not x0", () => {
    for (const f of code(plan({ type: "DST" }))) {
      expect(changed(f.original, f.mutated)).toEqual(["rd"]);
      expect(decode(f.original).rd).not.toBe(0);
      expect(decode(f.mutated).rd).not.toBe(0);
    }
  });

  it("PTR changes the base of a load/store, or one bit of its offset", () => {
    const faults = code(plan({ type: "PTR" }, 300));
    expect(new Set(faults.map((f) => f.variant))).toEqual(new Set(["base", "offset"]));
    for (const f of faults) {
      const d = decode(f.original);
      expect(d.isLoad || d.isStore).toBe(true);
      if (f.variant === "base") expect(changed(f.original, f.mutated)).toEqual(["rs1"]);
      else {
        expect(changed(f.original, f.mutated)).toEqual(["imm"]);
        expect(popcount(f.original ^ f.mutated)).toBe(1);
      }
    }
  });

  it("INTERFACE drops or corrupts the nearest argument set-up before a call in its block", () => {
    const faults = code(plan({ type: "INTERFACE" }, 300));
    expect(new Set(faults.map((f) => f.variant))).toEqual(new Set(["drop", "corrupt"]));
    for (const f of faults) {
      const rd = decode(f.original).rd!;
      expect(rd).toBeGreaterThanOrEqual(10);
      expect(rd).toBeLessThanOrEqual(17);
      const call = f.callSite!;
      expect(decode(wordAt(call.va))).toMatchObject({ isJump: true, rd: 1 });
      expect(call.func).toBe(f.site.func);
      expect(call.va - f.site.va).toBeGreaterThan(0);
      expect(call.va - f.site.va).toBeLessThanOrEqual(6 * 4);
      for (let va = f.site.va + 4; va < call.va; va += 4) {
        const d = decode(wordAt(va));
        expect(d.isBranch || d.isJump).toBe(false);
        expect(d.rd !== undefined && d.rd >= 10 && d.rd <= 17).toBe(false); // the nearest writer
      }
      if (f.variant === "drop") expect(f.mutated).toBe(NOP);
      else expect([["imm"], ["rs1"], ["rs2"]]).toContainEqual(changed(f.original, f.mutated));
    }
  });

  it("LOOP inverts a backward conditional branch; BRANCH deletes a conditional branch", () => {
    for (const f of code(plan({ type: "LOOP" }))) {
      expect(decode(f.original).isBranch).toBe(true);
      expect(decode(f.original).imm).toBeLessThan(0);
      expect(changed(f.original, f.mutated)).toEqual(["op"]);
      expect((f.original ^ f.mutated) >>> 0).toBe(1 << 12);
    }
    for (const f of code(plan({ type: "BRANCH" }))) {
      expect(decode(f.original).isBranch).toBe(true);
      expect(f.mutated).toBe(NOP);
    }
  });

  it("INIT drops a store to a stack slot that no earlier load of its function reads", () => {
    for (const f of code(plan({ type: "INIT" }))) {
      const d = decode(f.original);
      expect(d.isStore).toBe(true);
      expect([2, 8]).toContain(d.rs1);
      expect(f.mutated).toBe(NOP);
      const start = f.site.va - f.site.offset;
      for (let va = start; va < f.site.va; va += 4) {
        const e = decode(wordAt(va));
        if ((e.isLoad || e.isStore) && e.rs1 === d.rs1) expect(e.imm).not.toBe(d.imm);
      }
    }
  });

  it("INFINITE_LOOP jumps to itself, or takes the only exit out of a loop", () => {
    for (const f of code(plan({ type: "INFINITE_LOOP", variant: "self-branch" }))) expect(disassemble(f.mutated)).toBe("jal zero, 0");
    for (const f of code(plan({ type: "INFINITE_LOOP", variant: "loop-never-ends" }))) {
      const { head, latch } = f.loop!;
      expect(head).toBeLessThanOrEqual(latch);
      if (f.site.va === latch) {
        expect(decode(f.original)).toMatchObject({ isBranch: true, imm: head - latch });
        expect(decode(f.mutated)).toMatchObject({ op: "jal", rd: 0, imm: head - latch });
      } else {
        expect(decode(wordAt(latch))).toMatchObject({ op: "jal", rd: 0, imm: head - latch });
        expect(f.mutated).toBe(NOP);
        expect(f.site.va + decode(f.original).imm!).toBeGreaterThan(latch);
      }
    }
  });
});

describe("directed and state faults on at_wini.elf", () => {
  it("BAD_POINTER overrides a pointer base register so the access goes where the variant says", () => {
    for (const f of runtime(plan({ type: "BAD_POINTER" }, 300))) {
      const d = decode(f.original);
      expect(d.isLoad || d.isStore).toBe(true);
      expect([0, 2, 3, 4]).not.toContain(d.rs1);
      const a = f.action;
      if (f.variant === "off-by-page") {
        expect(a).toEqual({ kind: "add-reg", reg: d.rs1, add: 4096 });
        continue;
      }
      if (f.variant === "kernel-pagetable" || f.variant === "servers") {
        // Resolved at the site among the live page tables or servers' tables (test/injectors/kernel-targets.test.ts, server-targets.test.ts).
        expect(a).toEqual({ kind: f.variant === "servers" ? "aim-server-tables" : "aim-page-table", reg: d.rs1, imm: d.imm ?? 0, draw: expect.any(Number) });
        const draw = (a as { draw: number }).draw;
        expect(Number.isInteger(draw) && draw >= 0 && draw < 2 ** 32).toBe(true);
        continue;
      }
      expect(a.kind === "set-reg" && a.reg === d.rs1).toBe(true);
      const target = ((a as { value: number }).value + d.imm!) >>> 0;
      if (f.variant === "null") expect(target).toBe(0);
      if (f.variant === "kernel") {
        expect(target).toBeGreaterThanOrEqual(RAM_BASE + PROC_TABLE_OFF);
        expect(target).toBeLessThan(RAM_BASE + PRIV_TABLE_OFF);
      }
      expect(target % (d.op.endsWith("w") ? 4 : 1)).toBe(0);
    }
  });

  it("BAD_PORT_WRITE overrides a0 at the entry of sys_outb/sys_outw/sys_outl", () => {
    for (const f of runtime(plan({ type: "BAD_PORT_WRITE" }, 200))) {
      expect(PORT_WRITERS).toContain(f.site.func);
      expect(f.site.offset).toBe(0);
      expect(f.action.kind === "set-reg" && f.action.reg === 10).toBe(true);
      const port = (f.action as { value: number }).value;
      if (f.variant === "other-device") expect(port >= 0x3f8 && port <= 0x3ff).toBe(true);
      if (f.variant === "sysctl") expect([0x92, 0xcf9]).toContain(port);
      expect(port >= 0 && port <= 0xffff).toBe(true);
    }
    const [fixed] = runtime(plan({ type: "BAD_PORT_WRITE", variant: "sysctl", port: 0xcf9, targets: ["sys_outb"] }, 1));
    expect(fixed.action).toEqual({ kind: "set-reg", reg: 10, value: 0xcf9 });
    expect(fixed.site.func).toBe("sys_outb");
  });

  it("REG_FLIP flips one bit of x1..x31; MEM_FLIP one bit of a word of .data/.bss", () => {
    const data = ELF.sections.filter((s) => s.name === ".data" || s.name === ".bss");
    for (const f of runtime(plan({ type: "REG_FLIP" }))) {
      const a = f.action as { kind: string; reg: number; xor: number };
      expect(a.kind).toBe("xor-reg");
      expect(a.reg >= 1 && a.reg <= 31).toBe(true);
      expect(popcount(a.xor)).toBe(1);
    }
    for (const f of runtime(plan({ type: "MEM_FLIP" }))) {
      const a = f.action as { kind: string; va: number; xor: number };
      expect(a.kind).toBe("xor-mem");
      expect(a.va % 4).toBe(0);
      expect(data.some((s) => a.va >= s.addr && a.va + 4 <= s.addr + s.size)).toBe(true);
      expect(popcount(a.xor)).toBe(1);
    }
  });

  it("restricts sites to executed instructions when given a coverage", () => {
    const executed = [0x400ce4, 0x400d60];
    const r = planFaults(IMAGE, { ...base, type: "REG_FLIP" }, 40, seedrandom("cov"), { executed });
    expect(r.ok && new Set(r.faults.map((f) => f.site.va))).toEqual(new Set(executed));
  });
});

describe("sites, descriptions, RANDOM and seeds", () => {
  it("sites lie in the target functions only", () => {
    const targets = ["at_transfer", "at_dma_io"];
    const faults = plan({ type: "RANDOM", targets }, 300);
    for (const f of faults) expect(targets.some((t) => inFunc(f.site.va, t))).toBe(true);
    expect(new Set(faults.map((f) => f.site.func))).toEqual(new Set(targets));
    for (const f of plan({ type: "BAD_POINTER", targets: ["at_intr_wait"] })) expect(inFunc(f.site.va, "at_intr_wait")).toBe(true);
  });

  it("describes each code fault by driver, function+offset, address and both instructions", () => {
    for (const f of code(plan({ type: "RANDOM" }, 200))) {
      const sym = symbolize(ELF, f.site.va)!;
      expect(f.site).toEqual({ va: f.site.va, func: sym.name, offset: sym.offset });
      const label = `${f.type}${f.variant ? " " + f.variant : ""} via RANDOM`;
      const head = `at_wini: ${sym.name}+0x${sym.offset.toString(16)} (${hex8(f.site.va)}): ` +
        `"${disassemble(f.original, f.site.va)}" → "${disassemble(f.mutated, f.site.va)}" [${label}`;
      expect(f.description.startsWith(head)).toBe(true);
      expect(f.description.endsWith("], first execution, transient")).toBe(true);
    }
  });

  it("describes literal cases exactly", () => {
    const one = (m: Partial<FaultModel>) => {
      const r = planFault(IMAGE, { ...base, ...m }, seedrandom("d"));
      if (!r.ok) throw new Error(r.error);
      return r.fault.description;
    };
    expect(one({ site: 0x400d60 })).toBe('at_wini: at_transfer+0x10c (0x00400d60): "sw a1, 0(a0)" → "addi zero, zero, 0" [NOP], first execution, transient');
    expect(one({ type: "LOOP", site: 0x400dec, trigger: { kind: "nth", n: 3 }, persistence: "persistent" })).toBe(
      'at_wini: at_transfer+0x198 (0x00400dec): "beq a0, zero, 0x400d88" → "bne a0, zero, 0x400d88" [LOOP], 3rd execution, persistent',
    );
    expect(one({ type: "INTERFACE", variant: "drop", site: 0x400dc4, trigger: { kind: "cycle", at: 5000 } })).toBe(
      'at_wini: at_transfer+0x170 (0x00400dc4): "addi a3, s3, 0" → "addi zero, zero, 0" [INTERFACE drop: argument a3 of the call at ' +
        "at_transfer+0x178 (0x00400dcc)], patched at cycle +5000, transient",
    );
    expect(one({ type: "BAD_POINTER", variant: "null", site: 0x400ce4 })).toBe(
      'at_wini: at_transfer+0x90 (0x00400ce4): at "lw a4, 32(a1)": base a1 := 0xffffffe0, so the load goes to 0x00000000 (null) [BAD_POINTER null], first execution, transient',
    );
    expect(one({ type: "BAD_PORT_WRITE", port: 0xcf9, variant: "sysctl", targets: ["sys_outb"], persistence: "persistent" })).toBe(
      'at_wini: sys_outb+0x0 (0x0040182c): at "addi a3, a0, 0": port argument a0 := 0x0cf9 (reset control register) [BAD_PORT_WRITE sysctl], first execution and every later one, persistent',
    );
    expect(one({ type: "MEM_FLIP", site: 0x400ce4 })).toMatch(/^at_wini: at_transfer\+0x90 \(0x00400ce4\): at "lw a4, 32\(a1\)": flip bit \d+ of the word at 0x004\w{5} \(\S+\) \[MEM_FLIP\], first execution, transient$/);
  });

  it("RANDOM picks among TEXT, NOP, SRC, DST, PTR, LOOP, INTERFACE, and records that it did", () => {
    const faults = plan({ type: "RANDOM" }, 500);
    expect(new Set(faults.map((f) => f.type))).toEqual(new Set(RANDOM_POOL));
    for (const f of faults) expect(f.requested).toBe("RANDOM");
    // In a function without backward branches LOOP has no site, so RANDOM picks among the others.
    const noLoop = plan({ type: "RANDOM", targets: ["sys_outb"] }, 200);
    expect(new Set(noLoop.map((f) => f.type))).toEqual(new Set(RANDOM_POOL.filter((t) => t !== "LOOP" && t !== "PTR" && t !== "INTERFACE")));
  });

  it("gives the same faults for the same seed, other faults for another, and plain JSON", () => {
    const a = plan({ type: "RANDOM" }, 50, "seed-1");
    expect(plan({ type: "RANDOM" }, 50, "seed-1")).toEqual(a);
    expect(plan({ type: "RANDOM" }, 50, "seed-2")).not.toEqual(a);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    const r = plan({ type: "MEM_FLIP", trigger: { kind: "nth", n: 2 } }, 5, "seed-1");
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("gives a clear error when no site fits or the model is wrong", () => {
    const err = (m: Partial<FaultModel>) => {
      const r = planFault(IMAGE, { ...base, ...m }, seedrandom("e"));
      return r.ok ? "planned" : r.error;
    };
    expect(err({ type: "LOOP", targets: ["sys_outb"] })).toBe("no LOOP site in at_wini (function sys_outb): no backward conditional branch");
    expect(err({ type: "BAD_PORT_WRITE", targets: ["at_transfer"] })).toMatch(/^no BAD_PORT_WRITE site in at_wini \(function at_transfer\): no port-writing libsys function/);
    expect(err({ type: "INFINITE_LOOP", variant: "loop-never-ends", targets: ["sys_outb"] })).toMatch(/^no INFINITE_LOOP loop-never-ends site/);
    expect(err({ type: "NOP", site: 0x400d62 })).toMatch(/^no NOP site in at_wini \(its text, at 0x00400d62\)/);
    expect(err({ type: "RANDOM", site: 0x400d62 })).toBe(
      "no RANDOM site in at_wini (its text, at 0x00400d62): none of TEXT, NOP, SRC, DST, PTR, LOOP, INTERFACE has a site",
    );
    expect(err({ targets: ["no_such_function"] })).toBe('at_wini has no function named "no_such_function"');
    expect(err({ type: "PTR", variant: "sideways" })).toBe('PTR has no variant "sideways" (one of base, offset)');
    expect(err({ type: "NOP", variant: "x" })).toBe("NOP has no variants");
    expect(err({ trigger: { kind: "nth", n: 0 } })).toMatch(/integer n >= 1/);
    expect(err({ type: "BOGUS" as never })).toMatch(/^unknown fault type "BOGUS"/);
    expect(planFault(new Uint8Array(8), base, seedrandom("e"))).toEqual({ ok: false, error: "not a driver image: not an ELF file (bad magic)" });
  });
});
