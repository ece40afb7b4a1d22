/*
 * Disassembler tests. The oracle is llvm-objdump 14 (`-d -M no-aliases --no-show-raw-insn
 * --mattr=+m`; without --mattr=+m it prints the M instructions as <unknown>): first on a fixture
 * that covers every mnemonic and every CSR number, then on seeded random words. Then decode() on
 * literal encodings (from llvm-mc --show-encoding).
 *
 * Normalisation of objdump's output (and nothing else): tabs -> spaces, trailing " <symbol>"
 * after branch targets dropped, "<unknown>" -> "unknown" (we append the word in hex), CSR numbers
 * without a name printed in decimal by objdump -> hex as we print them, and CSRs LLVM names but
 * bulkhead does not (F, V, H, debug, stateen, ...) accepted as our hex. Where LLVM 14 and the
 * RISC-V spec disagree the spec wins; those cases are listed in `knownLlvmDifference`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import seedrandom from "seedrandom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decode, disassemble } from "../../system/machine/disasm.js";
import { parseElf } from "../../system/machine/elf.js";

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "elf", "all-insns.S");
const CLANG = ["--target=riscv32-unknown-elf", "-march=rv32im", "-mabi=ilp32", "-nostdlib", "-ffreestanding"];
const OBJDUMP = ["-d", "-M", "no-aliases", "--no-show-raw-insn", "--mattr=+m"];

const ALL_MNEMONICS = [
  "lui", "auipc", "jal", "jalr", "beq", "bne", "blt", "bge", "bltu", "bgeu", "lb", "lh", "lw", "lbu", "lhu",
  "sb", "sh", "sw", "addi", "slti", "sltiu", "xori", "ori", "andi", "slli", "srli", "srai", "add", "sub", "sll",
  "slt", "sltu", "xor", "srl", "sra", "or", "and", "fence", "fence.tso", "fence.i", "ecall", "ebreak", "mul",
  "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu", "csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci",
  "mret", "sret", "wfi", "sfence.vma",
];

let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), "bulkhead-disasm-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** objdump's listing of `file` as address -> instruction text (raw, unnormalised). */
function objdump(file: string): Map<number, string> {
  const out = execFileSync("llvm-objdump", [...OBJDUMP, file], { encoding: "utf8", maxBuffer: 64 << 20 });
  const lines = new Map<number, string>();
  for (const m of out.matchAll(/^\s*([0-9a-f]+):\s+(.*)$/gm)) lines.set(parseInt(m[1], 16), m[2]);
  return lines;
}

/** objdump text made comparable with ours (see the header comment); `ours` picks the CSR spelling. */
function normalise(text: string, ours: string): string {
  const t = text.replace(/\s+/g, " ").replace(/ <[^>]*>$/, "").trim();
  if (t === "<unknown>") return "unknown";
  const csr = /^(csrr\w+ \w+, )(\w+)(, \w+)$/.exec(t);
  if (!csr) return t;
  const ourCsr = /^csrr\w+ \w+, (\w+),/.exec(ours)?.[1] ?? "";
  const name = /^\d+$/.test(csr[2]) ? "0x" + Number(csr[2]).toString(16) : ourCsr.startsWith("0x") ? ourCsr : csr[2];
  return csr[1] + name + csr[3];
}

/** Our disassembly, with the "unknown 0x..." suffix dropped to match objdump's "<unknown>". */
const ours = (word: number, pc: number) => disassemble(word, pc).replace(/^unknown 0x[0-9a-f]{8}$/, "unknown");

/**
 * Where LLVM 14 departs from the RISC-V spec, or decodes extensions bulkhead does not implement:
 * - RV32 shifts with shamt[5] = 1 are illegal; LLVM prints "srai a0, a0, 40".
 * - FENCE/FENCE.I must ignore their reserved fields (rd, rs1, fm, imm); LLVM prints <unknown>.
 * - FENCE with an empty pred or succ set: LLVM prints "unknown", we print "0".
 * - Mnemonics outside RV32IM+Zicsr+privileged (uret, dret, ...): illegal here.
 */
function knownLlvmDifference(mine: string, llvm: string): boolean {
  const llvmOp = llvm.split(" ")[0];
  if (mine === "unknown" && /^s(ll|rl|ra)i /.test(llvm)) return Number(llvm.split(", ")[2]) >= 32;
  if (llvm === "unknown" && /^fence(\.i|\.tso)?( |$)/.test(mine)) return true;
  if (llvmOp === "fence" && mine.startsWith("fence ")) return llvm.replace(/unknown/g, "0") === mine;
  return mine === "unknown" && !ALL_MNEMONICS.includes(llvmOp);
}

/** Every (address, ours, objdump) triple where the two disagree beyond the known differences. */
function mismatches(words: Map<number, number>, listing: Map<number, string>): string[] {
  const bad: string[] = [];
  for (const [pc, word] of words) {
    const mine = ours(word, pc);
    const llvm = normalise(listing.get(pc) ?? "(missing)", mine);
    if (mine === llvm || knownLlvmDifference(mine, llvm)) continue;
    bad.push(`${pc.toString(16)}: ${word.toString(16).padStart(8, "0")} ours "${mine}" objdump "${llvm}"`);
  }
  return bad;
}

/** The words of the executable segment of an ELF file, keyed by address. */
function textWords(file: string): Map<number, number> {
  const r = parseElf(readFileSync(file));
  if (!r.ok) throw new Error(r.error);
  const text = r.elf.segments.find((s) => s.flags & 1)!;
  const view = new DataView(text.data.buffer, text.data.byteOffset, text.data.byteLength);
  const words = new Map<number, number>();
  for (let off = 0; off + 4 <= text.filesz; off += 4) words.set(text.vaddr + off, view.getUint32(off, true));
  return words;
}

describe("disassemble against llvm-objdump", () => {
  it("agrees on every instruction of the all-mnemonics fixture (and every CSR number)", () => {
    const elf = join(dir, "all-insns.elf");
    execFileSync("clang", [...CLANG, "-fuse-ld=lld", "-Wl,-Ttext=0x80000000", "-o", elf, FIXTURE]);
    const words = textWords(elf);
    expect(words.size).toBeGreaterThan(4096 + ALL_MNEMONICS.length);
    const covered = new Set([...words.values()].map((w) => decode(w).op));
    expect(ALL_MNEMONICS.filter((op) => !covered.has(op))).toEqual([]);
    expect(mismatches(words, objdump(elf))).toEqual([]);
  });

  it("agrees on 20,000 seeded random words (biased towards real opcodes)", () => {
    const rng = seedrandom("disasm-vs-objdump");
    const opcodes = [0x37, 0x17, 0x6f, 0x67, 0x63, 0x03, 0x23, 0x13, 0x33, 0x0f, 0x73];
    const words = new Map<number, number>();
    for (let i = 0; i < 20000; i++) {
      let w = rng.int32() | 3; // low bits 11: a 32-bit-length encoding, so objdump stays in step
      if (rng() < 0.8) w = (w & ~0x7f) | opcodes[Math.floor(rng() * opcodes.length)];
      if ((w & 0x5f) === 0x13 && rng() < 0.7) w = (w & 0x01ffffff) | ([0, 0x20, 1][Math.floor(rng() * 3)] << 25);
      words.set(i * 4, w >>> 0);
    }
    const src = join(dir, "random.S");
    writeFileSync(src, [...words.values()].map((w) => `.word 0x${w.toString(16)}\n`).join(""));
    execFileSync("clang", [...CLANG, "-c", "-o", join(dir, "random.o"), src]);
    expect(mismatches(words, objdump(join(dir, "random.o")))).toEqual([]);
  });
});

describe("disassemble on any word", () => {
  it("returns a string for every word of a seeded random sequence, 'unknown' exactly when illegal", () => {
    const rng = seedrandom("disasm-total");
    const bad: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      const w = rng.int32();
      const text = disassemble(w, rng.int32() >>> 0);
      if (typeof text !== "string" || text.startsWith("unknown 0x") !== (decode(w).format === "ILLEGAL")) bad.push(w);
    }
    expect(bad).toEqual([]);
    expect(disassemble(0)).toBe("unknown 0x00000000");
    expect(disassemble(0xffffffff)).toBe("unknown 0xffffffff");
    expect(disassemble(Number.NaN)).toBe("unknown 0x00000000");
  });

  it("prints branch targets absolute with a pc, as signed offsets without", () => {
    expect(disassemble(0xfeb50ce3, 0x80000010)).toBe("beq a0, a1, 0x80000008");
    expect(disassemble(0xfeb50ce3)).toBe("beq a0, a1, -8");
    expect(disassemble(0x8000006f, 0x80000000)).toBe("jal zero, 0x7ff00000");
    expect(disassemble(0x8000006f, 0)).toBe("jal zero, 0xfff00000"); // wraps around 2^32
    expect(disassemble(0x7c0fbf73)).toBe("csrrc t5, 0x7c0, t6");
  });
});

describe("decode on literal encodings", () => {
  const flags = { isLoad: false, isStore: false, isBranch: false, isJump: false };

  it("decodes I-type with x0 and negative immediates", () => {
    expect(decode(0x00000013)).toEqual({ op: "addi", format: "I", rd: 0, rs1: 0, imm: 0, ...flags });
    expect(decode(0xfff00513)).toEqual({ op: "addi", format: "I", rd: 10, rs1: 0, imm: -1, ...flags });
    expect(decode(0x00002003)).toEqual({ op: "lw", format: "I", rd: 0, rs1: 0, imm: 0, ...flags, isLoad: true });
    expect(decode(0x80044783)).toEqual({ op: "lbu", format: "I", rd: 15, rs1: 8, imm: -2048, ...flags, isLoad: true });
  });

  it("tells srai from srli and rejects RV64 shift amounts", () => {
    expect(decode(0x40d55513)).toEqual({ op: "srai", format: "I", rd: 10, rs1: 10, imm: 13, ...flags });
    expect(decode(0x00d55513)).toEqual({ op: "srli", format: "I", rd: 10, rs1: 10, imm: 13, ...flags });
    expect(decode(0x01f49f93)).toEqual({ op: "slli", format: "I", rd: 31, rs1: 9, imm: 31, ...flags });
    expect(decode(0x42d55513).format).toBe("ILLEGAL"); // srai by 45
    expect(decode(0x02049f93).format).toBe("ILLEGAL"); // slli by 32
  });

  it("decodes S, B and J immediates at their extremes", () => {
    expect(decode(0xfe112e23)).toEqual({ op: "sw", format: "S", rs1: 2, rs2: 1, imm: -4, ...flags, isStore: true });
    expect(decode(0xfeb50ce3)).toEqual({ op: "beq", format: "B", rs1: 10, rs2: 11, imm: -8, ...flags, isBranch: true });
    expect(decode(0x7ff01fe3)).toMatchObject({ op: "bne", rs1: 0, rs2: 31, imm: 4094 });
    expect(decode(0x80b55063)).toMatchObject({ op: "bge", imm: -4096 });
    expect(decode(0x8000006f)).toEqual({ op: "jal", format: "J", rd: 0, imm: -1048576, ...flags, isJump: true });
    expect(decode(0x7ffff0ef)).toMatchObject({ op: "jal", rd: 1, imm: 1048574 });
    expect(decode(0x001002ef)).toMatchObject({ op: "jal", rd: 5, imm: 2048 });
    expect(decode(0x00008067)).toEqual({ op: "jalr", format: "I", rd: 0, rs1: 1, imm: 0, ...flags, isJump: true });
  });

  it("decodes U-type immediates as the value added (low 12 bits zero)", () => {
    expect(decode(0xfffff537)).toEqual({ op: "lui", format: "U", rd: 10, imm: -4096, ...flags });
    expect(decode(0x00001317)).toEqual({ op: "auipc", format: "U", rd: 6, imm: 4096, ...flags });
  });

  it("decodes R-type, CSR and system instructions", () => {
    expect(decode(0x02c5a533)).toEqual({ op: "mulhsu", format: "R", rd: 10, rs1: 11, rs2: 12, ...flags });
    expect(decode(0x40000033)).toEqual({ op: "sub", format: "R", rd: 0, rs1: 0, rs2: 0, ...flags });
    expect(decode(0x305fd573)).toEqual({ op: "csrrwi", format: "SYS", rd: 10, imm: 31, csr: 0x305, ...flags });
    expect(decode(0x34102073)).toEqual({ op: "csrrs", format: "SYS", rd: 0, rs1: 0, csr: 0x341, ...flags });
    expect(decode(0x12050073)).toEqual({ op: "sfence.vma", format: "SYS", rs1: 10, rs2: 0, ...flags });
    expect(decode(0x00000073)).toEqual({ op: "ecall", format: "SYS", ...flags });
    expect(decode(0x30200073)).toEqual({ op: "mret", format: "SYS", ...flags });
  });

  it("marks illegal words with every flag false", () => {
    for (const w of [0, 0xffffffff, 0x00001067, 0x00002063, 0x00003003, 0x04000033, 0x00004073, 0x00100573]) {
      expect(decode(w)).toEqual({ op: "unknown", format: "ILLEGAL", ...flags });
    }
  });
});
