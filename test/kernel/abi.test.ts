/*
 * The guest ABI has two spellings, system/drivers/include/abi.h (C, for drivers) and
 * system/kernel/abi.ts (TypeScript, for the kernel and servers); this test keeps them equal.
 * Every `#define NAME <integer expression>` of the header must be exported by abi.ts with the
 * same value (except HEADER_ONLY), every numeric export of abi.ts must be in the header (except
 * TS_ONLY, which are layout facts checked below), and the message layout in MSG must be the C
 * layout: the same union members and fields, and (with clang) the same offsets and sizes,
 * checked by compiling _Static_asserts against the header.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as abi from "../../system/kernel/abi.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const HEADER = join(ROOT, "system/drivers/include/abi.h");
const header = readFileSync(HEADER, "utf8");

/** Numeric defines of abi.h that abi.ts need not export, with the reason. */
const HEADER_ONLY: Record<string, string> = {};

/** Numeric exports of abi.ts that abi.h does not define: C spells them as struct layout. */
const TS_ONLY: Record<string, string> = {
  M_SOURCE: "offsetof(message, m_source)",
  M_TYPE: "offsetof(message, m_type)",
  M_PAYLOAD: "offsetof(message, m_u32)",
  GRANT_ENTRY_SIZE: "sizeof(cp_grant_t)",
  WHOAMI_SIZE: "sizeof(whoami_info)",
};

// ---- a small evaluator for the integer constant expressions of #define lines -------------------

type Token = { num: number } | { op: string };

/** Tokens of `text` with known names replaced by their values; undefined if not an integer expression. */
function tokenize(text: string, known: Map<string, number>): Token[] | undefined {
  const tokens: Token[] = [];
  const re = /\s*(?:(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|([A-Za-z_]\w*)|(<<|>>|[-+*/%|&^~()]))/y;
  let at = 0;
  for (text = text.trim(); at < text.length; ) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    at = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ num: Number(m[1]) });
    else if (m[2] !== undefined) {
      const v = known.get(m[2]);
      if (v === undefined) return undefined;
      tokens.push({ num: v });
    } else tokens.push({ op: m[3] });
  }
  return tokens.length > 0 ? tokens : undefined;
}

/** Binary operators by C precedence, loosest first. */
const LEVELS: string[][] = [["|"], ["^"], ["&"], ["<<", ">>"], ["+", "-"], ["*", "/", "%"]];

function apply(op: string, a: number, b: number): number {
  switch (op) {
    case "|": return a | b;
    case "^": return a ^ b;
    case "&": return a & b;
    case "<<": return a << b;
    case ">>": return a >> b;
    case "+": return a + b;
    case "-": return a - b;
    case "*": return a * b;
    case "/": return Math.trunc(a / b);
    default: return a % b;
  }
}

/** Evaluates an integer constant expression (C operators, int arithmetic); undefined if malformed. */
function evaluate(text: string, known: Map<string, number>): number | undefined {
  const tokens = tokenize(text, known);
  if (!tokens) return undefined;
  let pos = 0;
  const isOp = (op: string) => pos < tokens.length && "op" in tokens[pos] && (tokens[pos] as { op: string }).op === op;
  const unary = (): number | undefined => {
    const t = tokens[pos++];
    if (!t) return undefined;
    if ("num" in t) return t.num;
    if (t.op === "(") {
      const v = binary(0);
      if (!isOp(")")) return undefined;
      pos++;
      return v;
    }
    const v = unary();
    if (v === undefined) return undefined;
    return t.op === "-" ? -v : t.op === "+" ? v : t.op === "~" ? ~v : undefined;
  };
  const binary = (level: number): number | undefined => {
    if (level === LEVELS.length) return unary();
    let v = binary(level + 1);
    for (let op = LEVELS[level].find(isOp); v !== undefined && op; op = LEVELS[level].find(isOp)) {
      pos++;
      const rhs = binary(level + 1);
      v = rhs === undefined ? undefined : apply(op, v, rhs);
    }
    return v;
  };
  const v = binary(0);
  return pos === tokens.length ? v : undefined;
}

/** The header's numeric defines in order, each evaluated with the ones before it. */
function numericDefines(text: string): Map<string, number> {
  const known = new Map<string, number>();
  const body = text.replace(/\/\*[\s\S]*?\*\//g, " ");
  for (const m of body.matchAll(/^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+([^\n]*)$/gm)) {
    const v = evaluate(m[2], known);
    if (v !== undefined) known.set(m[1], v);
  }
  return known;
}

const defines = numericDefines(header);

describe("the define evaluator", () => {
  const known = new Map([["A", 0x600], ["B", 3]]);
  it.each([
    ["(A + 4)", 0x604],
    ["(-4)", -4],
    ["B", 3],
    ["(0x001 | 0x030)", 0x31],
    ["1 << 15", 32768],
    ["A + B * 2", 0x606],
    ["~0 & 0xff", 0xff],
    ["10u", 10],
  ])("%s = %d", (text, value) => expect(evaluate(text, known)).toBe(value));
  it.each(["", "C + 1", "(1", "1 +", "\"text\"", "1.5"])("%j is not an integer expression", (text) =>
    expect(evaluate(text, known)).toBeUndefined());
});

describe("abi.h and abi.ts", () => {
  const exported = abi as unknown as Record<string, unknown>;

  it("the header has the defines this test expects to find", () => {
    expect(defines.size).toBeGreaterThan(100);
    expect(defines.get("SYS_SAFECOPYTO")).toBe(0x600 + 32);
    expect(defines.get("HARDWARE")).toBe(-1);
  });

  it("every numeric define of abi.h is exported by abi.ts with the same value", () => {
    const problems: string[] = [];
    for (const [name, value] of defines) {
      if (name in HEADER_ONLY) continue;
      if (!(name in exported)) problems.push(`${name} = ${value} is in abi.h but not exported by abi.ts`);
      else if (exported[name] !== value) problems.push(`${name}: abi.h says ${value}, abi.ts says ${String(exported[name])}`);
    }
    expect(problems).toEqual([]);
  });

  it("every numeric export of abi.ts is in abi.h, or listed as TypeScript-only", () => {
    const extra = Object.entries(exported)
      .filter(([name, v]) => typeof v === "number" && !defines.has(name) && !(name in TS_ONLY))
      .map(([name]) => `${name} is exported by abi.ts but not defined in abi.h (add it there, or to TS_ONLY here)`);
    expect(extra).toEqual([]);
  });

  it("the header-only and TypeScript-only lists name nothing stale", () => {
    expect(Object.keys(HEADER_ONLY).filter((n) => !defines.has(n))).toEqual([]);
    expect(Object.keys(TS_ONLY).filter((n) => typeof exported[n] !== "number")).toEqual([]);
  });
});

// ---- message layout ------------------------------------------------------------------------------

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** MSG entries that are not fields: the size of the DS key array. */
const NOT_FIELDS = new Set(["ds.keyLen"]);

/** Union members of `message` in abi.h: name -> field names, from `struct { ... } m_x;` lines. */
function headerMembers(): Map<string, string[]> {
  const members = new Map<string, string[]>();
  const body = header.replace(/\/\*[\s\S]*?\*\//g, " ");
  for (const m of body.matchAll(/struct\s*\{([^{}]*)\}\s*(m_\w+)\s*;/g)) {
    const fields = m[1]
      .split(";")
      .map((d) => d.trim())
      .filter((d) => d !== "")
      .flatMap((d) => d.replace(/^\w+\s+/, "").split(","))
      .map((f) => f.trim().replace(/\[.*\]$/, ""));
    members.set(m[2], fields);
  }
  return members;
}

/** MSG as C: [member, field, offset] for every field. */
function mfFields(): Array<[string, string, number]> {
  return Object.entries(abi.MSG).flatMap(([kind, fields]) =>
    Object.entries(fields as Record<string, number>)
      .filter(([f]) => !NOT_FIELDS.has(`${kind}.${f}`))
      .map(([f, off]): [string, string, number] => [`m_${snake(kind)}`, snake(f), off]));
}

describe("the message layout", () => {
  it("MSG has exactly the union members and fields of abi.h's message", () => {
    const fromHeader = [...headerMembers()].flatMap(([member, fields]) => fields.map((f) => `${member}.${f}`)).sort();
    const fromTs = mfFields().map(([member, f]) => `${member}.${f}`).sort();
    expect(fromHeader.length).toBeGreaterThan(10); // the header parsed: two empty lists would agree too
    expect(fromTs).toEqual(fromHeader);
  });

  it("MSG offsets lie in the payload and fit the 64-byte message", () => {
    expect(mfFields().length).toBeGreaterThan(10);
    for (const [member, field, off] of mfFields()) {
      expect(off, `${member}.${field}`).toBeGreaterThanOrEqual(abi.M_PAYLOAD);
      expect(off + 4, `${member}.${field}`).toBeLessThanOrEqual(abi.MESSAGE_SIZE);
    }
  });

  const clang = spawnSync("clang", ["--version"]);
  it.skipIf(clang.error !== undefined || clang.status !== 0)("C agrees: sizes and every MSG offset (clang _Static_assert)", () => {
    const check = (cond: string) => `_Static_assert(${cond}, "${cond}");`;
    const lines = [
      "#include <stddef.h>",
      '#include "abi.h"',
      check(`sizeof(message) == ${abi.MESSAGE_SIZE}`),
      check(`sizeof(message) == MESSAGE_SIZE`),
      check(`offsetof(message, m_source) == ${abi.M_SOURCE}`),
      check(`offsetof(message, m_type) == ${abi.M_TYPE}`),
      check(`offsetof(message, m_u32) == ${abi.M_PAYLOAD}`),
      check(`sizeof(((message *)0)->m_u32) == 4 * ${abi.MESS_WORDS}`),
      check(`sizeof(((message *)0)->m_ds.key) == ${abi.MSG.ds.keyLen}`),
      check(`sizeof(cp_grant_t) == ${abi.GRANT_ENTRY_SIZE}`),
      check(`sizeof(whoami_info) == ${abi.WHOAMI_SIZE}`),
      check(`sizeof(pvb_pair_t) == 8`),
      ...mfFields().map(([member, field, off]) => check(`offsetof(message, ${member}.${field}) == ${off}`)),
    ];
    const r = spawnSync(
      "clang",
      ["--target=riscv32-unknown-elf", "-march=rv32im", "-mabi=ilp32", "-ffreestanding", "-fsyntax-only", "-Wall", "-Werror",
        "-I", dirname(HEADER), "-x", "c", "-"],
      { input: lines.join("\n") + "\n", encoding: "utf8" },
    );
    const failures = (r.stderr.match(/static_assert failed[^\n]*/g) ?? []).join("\n");
    expect(r.status, failures || r.stderr).toBe(0);
  });
});
