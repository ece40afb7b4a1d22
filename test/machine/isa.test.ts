/*
 * ISA conformance of the machine, in the style of riscv-tests (rv32ui, rv32um, rv32mi, rv32si,
 * "p" environment): every program under test/machine/isa/{ui,um,mi,si} is built (cached; see
 * isa/build.ts), run bare-metal by execElf, and must report PASS through tohost.
 *
 * Official riscv-tests binaries built elsewhere can be run too: set RISCV_TESTS_DIR to their
 * directory, and every file in it named rv32{ui,um,mi,si}-p-<name> (no extension) must pass.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execElf, type ExecResult } from "../../system/machine/exec.js";
import { buildIsaPrograms, ISA_GROUPS } from "./isa/build.js";

/** Our programs take under 20,000 cycles each; the cap only stops a runaway, quickly. */
const OWN_MAX_CYCLES = 2_000_000;
/** riscv-tests programs take well under a million. */
const OFFICIAL_MAX_CYCLES = 10_000_000;
const OFFICIAL_NAME = /^rv32(ui|um|mi|si)-p-[A-Za-z0-9_.]+$/;
/** On failure the program is run again traced, for at most this many cycles... */
const TRACE_MAX_CYCLES = 100_000;
/** ...and the message shows its last instructions. */
const TRACE_TAIL = 24;

/** Runs one ELF file; returns undefined when it passed, else a message saying why not. */
function runElf(path: string, maxCycles: number): string | undefined {
  const bytes = new Uint8Array(readFileSync(path));
  const out = execElf(bytes, { maxCycles });
  if (!out.ok) return `cannot run ${path}: ${out.error}`;
  if (out.result.status === "pass") return undefined;
  // Our programs report their own failures on the console (case, got/want or the trap);
  // anything else gets the tail of a traced re-run.
  const reported = out.result.status === "fail" && out.result.console.includes("bh: FAIL");
  return reported ? explain(out.result) : `${explain(out.result)}\n${tracedRerun(bytes, out.result)}`;
}

function explain(r: ExecResult): string {
  const what =
    r.status === "fail"
      ? `FAIL in case ${r.exitCode} (tohost = 0x${(r.tohost >>> 0).toString(16)})`
      : r.status === "timeout"
        ? `no result within ${r.cycles} cycles (stuck: a trap loop, or execution went astray)`
        : `the machine halted (${r.halt?.kind ?? "?"}: ${r.halt?.reason ?? "?"})`;
  const console = r.console.trim();
  return console ? `${what}\nconsole: ${console}` : what;
}

/** Runs the program again with a trace; describes how that run ended and its last steps. */
function tracedRerun(bytes: Uint8Array, first: ExecResult): string {
  const tail: string[] = [];
  const trace = (line: string): void => {
    tail.push(line);
    if (tail.length > TRACE_TAIL) tail.shift();
  };
  const out = execElf(bytes, { maxCycles: Math.min(Math.max(first.cycles, 1), TRACE_MAX_CYCLES), trace });
  if (!out.ok) return "";
  if (out.result.status === "pass")
    return "note: run traced (one instruction per step) the same program PASSES: the emulator's fast and traced paths disagree";
  return `last ${tail.length} instructions of a traced re-run (${out.result.status}):\n${tail.join("\n")}`;
}

const build = await buildIsaPrograms();

describe("ISA conformance (own programs)", () => {
  if (!build.ok) {
    it("builds", () => expect.fail(`building the ISA programs failed:\n${build.error}`));
    return;
  }
  for (const group of ISA_GROUPS) {
    const programs = build.programs.filter((p) => p.group === group);
    describe(`rv32${group}`, () => {
      for (const p of programs) it(p.name, () => expect(runElf(p.elf, OWN_MAX_CYCLES)).toBeUndefined());
    });
  }
});

const officialDir = process.env.RISCV_TESTS_DIR;
describe.runIf(officialDir !== undefined && officialDir !== "")("ISA conformance (RISCV_TESTS_DIR)", () => {
  const dir = officialDir ?? "";
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => OFFICIAL_NAME.test(f) && !f.endsWith(".dump")) : [];
  it("the directory holds rv32{ui,um,mi,si}-p-* binaries", () =>
    expect(files.length, `RISCV_TESTS_DIR=${dir}: no rv32{ui,um,mi,si}-p-* files there`).toBeGreaterThan(0));
  for (const f of files.sort()) it(f, () => expect(runElf(join(dir, f), OFFICIAL_MAX_CYCLES)).toBeUndefined());
});
