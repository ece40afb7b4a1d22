/*
 * RV32IM + Zicsr instruction decoder and disassembler.
 *
 * decode() turns a 32-bit instruction word into its fields (mnemonic, format, registers,
 * sign-extended immediate, CSR number, and whether it loads, stores, branches or jumps); the fault
 * injectors use it to find and describe their targets. disassemble() prints a word the way
 * `llvm-objdump -d -M no-aliases` prints it. Any word that is not a legal RV32IM+Zicsr
 * instruction (including 16-bit-length encodings, since there is no C extension) is "unknown":
 * the machine raises an illegal-instruction trap on it. Neither function ever throws.
 *
 * Legality follows the RISC-V specification: RV32 shifts with shamt[5] set are illegal (LLVM 14
 * prints them as shifts by 32..63); FENCE and FENCE.I ignore their reserved fields (rd, rs1, fm,
 * imm), so they decode as fences where LLVM 14 prints <unknown>.
 */

export type Format = "R" | "I" | "S" | "B" | "U" | "J" | "SYS" | "ILLEGAL";

export interface Decoded {
  /** Mnemonic, e.g. "addi", "csrrw", "fence.tso"; "unknown" for an illegal word. */
  op: string;
  format: Format;
  rd?: number;
  rs1?: number;
  rs2?: number;
  /**
   * Sign-extended immediate: the offset for loads, stores, branches and jumps; the value added for
   * lui/auipc (low 12 bits zero); the shift amount (0..31) for slli/srli/srai; the 5-bit zero-
   * extended uimm for csrr?i. Absent for R-type, fences and the other SYS instructions.
   */
  imm?: number;
  /** CSR number (0..4095) for csrrw/csrrs/csrrc and their immediate forms. */
  csr?: number;
  isLoad: boolean;
  isStore: boolean;
  /** Conditional branch (beq..bgeu). */
  isBranch: boolean;
  /** Unconditional jump (jal, jalr). */
  isJump: boolean;
}

export const REG_NAMES: readonly string[] = [
  "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
  "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
];

/* Mnemonics indexed by funct3 ("" = illegal). */
const LOADS = ["lb", "lh", "lw", "", "lbu", "lhu", "", ""];
const STORES = ["sb", "sh", "sw", "", "", "", "", ""];
const BRANCHES = ["beq", "bne", "", "", "blt", "bge", "bltu", "bgeu"];
const OP_IMM = ["addi", "slli", "slti", "sltiu", "xori", "srli", "ori", "andi"];
const OP = ["add", "sll", "slt", "sltu", "xor", "srl", "or", "and"];
const OP_ALT = ["sub", "", "", "", "", "sra", "", ""]; // funct7 = 0100000
const OP_MUL = ["mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"]; // funct7 = 0000001
const CSR_OPS = ["", "csrrw", "csrrs", "csrrc", "", "csrrwi", "csrrsi", "csrrci"];

/* Whole-word SYSTEM instructions with no operands (funct3 = 0, rd = rs1 = 0), keyed by imm[11:0]. */
const SYSTEM_OPS: Record<number, string> = { 0x000: "ecall", 0x001: "ebreak", 0x102: "sret", 0x302: "mret", 0x105: "wfi" };

const ILLEGAL: Decoded = { op: "unknown", format: "ILLEGAL", isLoad: false, isStore: false, isBranch: false, isJump: false };

/** Builds a Decoded with all flags false unless given (or ILLEGAL if op is ""). */
function mk(op: string, format: Format, fields: Partial<Decoded>): Decoded {
  if (op === "") return ILLEGAL;
  return { op, format, isLoad: false, isStore: false, isBranch: false, isJump: false, ...fields };
}

/* Immediate extraction, per format; `w` is the word as a signed int32. */
const immI = (w: number) => w >> 20;
const immS = (w: number) => ((w >> 25) << 5) | ((w >>> 7) & 0x1f);
const immB = (w: number) => ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3f) << 5) | (((w >>> 8) & 0xf) << 1);
const immU = (w: number) => w & 0xfffff000;
const immJ = (w: number) => ((w >> 31) << 20) | (w & 0xff000) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1);

/**
 * Decodes one instruction word (any number; only its low 32 bits count). Returns the fields of a
 * legal RV32IM+Zicsr instruction, or { op: "unknown", format: "ILLEGAL" } for anything else.
 */
export function decode(word: number): Decoded {
  const w = word | 0;
  const rd = (w >>> 7) & 0x1f;
  const f3 = (w >>> 12) & 7;
  const rs1 = (w >>> 15) & 0x1f;
  const rs2 = (w >>> 20) & 0x1f;
  const f7 = w >>> 25;
  switch (w & 0x7f) {
    case 0x37: return mk("lui", "U", { rd, imm: immU(w) });
    case 0x17: return mk("auipc", "U", { rd, imm: immU(w) });
    case 0x6f: return mk("jal", "J", { rd, imm: immJ(w), isJump: true });
    case 0x67: return f3 === 0 ? mk("jalr", "I", { rd, rs1, imm: immI(w), isJump: true }) : ILLEGAL;
    case 0x63: return mk(BRANCHES[f3], "B", { rs1, rs2, imm: immB(w), isBranch: true });
    case 0x03: return mk(LOADS[f3], "I", { rd, rs1, imm: immI(w), isLoad: true });
    case 0x23: return mk(STORES[f3], "S", { rs1, rs2, imm: immS(w), isStore: true });
    case 0x13:
      if (f3 === 1) return f7 === 0 ? mk("slli", "I", { rd, rs1, imm: rs2 }) : ILLEGAL;
      if (f3 === 5) return f7 === 0 || f7 === 0x20 ? mk(f7 ? "srai" : "srli", "I", { rd, rs1, imm: rs2 }) : ILLEGAL;
      return mk(OP_IMM[f3], "I", { rd, rs1, imm: immI(w) });
    case 0x33: {
      const table = f7 === 0 ? OP : f7 === 0x20 ? OP_ALT : f7 === 1 ? OP_MUL : undefined;
      return table ? mk(table[f3], "R", { rd, rs1, rs2 }) : ILLEGAL;
    }
    case 0x0f:
      if (f3 === 1) return mk("fence.i", "SYS", {});
      if (f3 !== 0) return ILLEGAL;
      return mk((w >>> 20) === 0x833 ? "fence.tso" : "fence", "SYS", {});
    case 0x73:
      if (f3 === 0) return decodeSystemZero(w, rd, rs1, rs2, f7);
      return mk(CSR_OPS[f3], "SYS", f3 < 4 ? { rd, rs1, csr: w >>> 20 } : { rd, imm: rs1, csr: w >>> 20 });
    default:
      return ILLEGAL;
  }
}

/** SYSTEM with funct3 = 0: ecall, ebreak, sret, mret, wfi, sfence.vma. */
function decodeSystemZero(w: number, rd: number, rs1: number, rs2: number, f7: number): Decoded {
  if (rd !== 0) return ILLEGAL;
  if (f7 === 0x09) return mk("sfence.vma", "SYS", { rs1, rs2 });
  const op = rs1 === 0 ? SYSTEM_OPS[w >>> 20] : undefined;
  return op ? mk(op, "SYS", {}) : ILLEGAL;
}

/* Standard CSR names (privileged spec 1.12, the M/S/U subset plus counters and PMP). */
const CSR_NAMES = buildCsrNames();

function buildCsrNames(): Map<number, string> {
  const m = new Map<number, string>(Object.entries({
    sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a, sscratch: 0x140, sepc: 0x141,
    scause: 0x142, stval: 0x143, sip: 0x144, satp: 0x180, mstatus: 0x300, misa: 0x301, medeleg: 0x302,
    mideleg: 0x303, mie: 0x304, mtvec: 0x305, mcounteren: 0x306, menvcfg: 0x30a, mstatush: 0x310, menvcfgh: 0x31a,
    mcountinhibit: 0x320, mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344, mtinst: 0x34a,
    mtval2: 0x34b, mcycle: 0xb00, minstret: 0xb02, mcycleh: 0xb80, minstreth: 0xb82, cycle: 0xc00, time: 0xc01,
    instret: 0xc02, cycleh: 0xc80, timeh: 0xc81, instreth: 0xc82, mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13,
    mhartid: 0xf14, mconfigptr: 0xf15, tselect: 0x7a0, tdata1: 0x7a1, tdata2: 0x7a2, tdata3: 0x7a3,
  }).map(([name, num]) => [num, name]));
  for (let i = 0; i < 16; i++) m.set(0x3a0 + i, `pmpcfg${i}`);
  for (let i = 0; i < 64; i++) m.set(0x3b0 + i, `pmpaddr${i}`);
  for (let i = 3; i < 32; i++) {
    m.set(0xc00 + i, `hpmcounter${i}`).set(0xc80 + i, `hpmcounter${i}h`);
    m.set(0xb00 + i, `mhpmcounter${i}`).set(0xb80 + i, `mhpmcounter${i}h`).set(0x320 + i, `mhpmevent${i}`);
  }
  return m;
}

/** The standard name of CSR `csr`, or its number in hex ("0x7c0") if it has none. */
export function csrName(csr: number): string {
  return CSR_NAMES.get(csr) ?? "0x" + csr.toString(16);
}

/** FENCE predecessor/successor set as llvm-objdump writes it ("iorw", "rw", ...); "0" if empty. */
function fenceSet(bits: number): string {
  const s = ["i", "o", "r", "w"].filter((_, k) => bits & (8 >> k)).join("");
  return s === "" ? "0" : s;
}

/**
 * Disassembles one word in llvm-objdump `-M no-aliases` syntax: "mnemonic op1, op2", register ABI
 * names, decimal immediates (lui/auipc: the 20-bit field, unsigned), "imm(reg)" for memory.
 * Branch and jal targets: with `pc`, the absolute target in lowercase hex ("0x80000010", as objdump
 * prints it before the "<symbol>"); without `pc`, the signed decimal byte offset ("-8").
 * CSRs by standard name, else in hex. Illegal words: "unknown 0x0000707f".
 */
export function disassemble(word: number, pc?: number): string {
  const d = decode(word);
  const r = (n: number | undefined) => REG_NAMES[n ?? 0];
  const imm = d.imm ?? 0;
  const target = () => (pc === undefined ? String(imm) : "0x" + ((pc + imm) >>> 0).toString(16));
  switch (d.format) {
    case "ILLEGAL": return "unknown 0x" + (word >>> 0).toString(16).padStart(8, "0");
    case "U": return `${d.op} ${r(d.rd)}, ${imm >>> 12}`;
    case "J": return `${d.op} ${r(d.rd)}, ${target()}`;
    case "B": return `${d.op} ${r(d.rs1)}, ${r(d.rs2)}, ${target()}`;
    case "S": return `${d.op} ${r(d.rs2)}, ${imm}(${r(d.rs1)})`;
    case "R": return `${d.op} ${r(d.rd)}, ${r(d.rs1)}, ${r(d.rs2)}`;
    case "I": return d.isLoad || d.isJump ? `${d.op} ${r(d.rd)}, ${imm}(${r(d.rs1)})` : `${d.op} ${r(d.rd)}, ${r(d.rs1)}, ${imm}`;
    case "SYS": return formatSystem(d, word);
  }
}

/** Operands of the SYS-format instructions: CSR ops, sfence.vma, fence; the rest have none. */
function formatSystem(d: Decoded, word: number): string {
  if (d.csr !== undefined) {
    const src = d.rs1 !== undefined ? REG_NAMES[d.rs1] : String(d.imm);
    return `${d.op} ${REG_NAMES[d.rd ?? 0]}, ${csrName(d.csr)}, ${src}`;
  }
  if (d.op === "sfence.vma") return `sfence.vma ${REG_NAMES[d.rs1 ?? 0]}, ${REG_NAMES[d.rs2 ?? 0]}`;
  if (d.op === "fence") return `fence ${fenceSet((word >>> 24) & 0xf)}, ${fenceSet((word >>> 20) & 0xf)}`;
  return d.op;
}
