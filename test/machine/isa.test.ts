/*
 * ISA conformance of the machine, in the style of riscv-tests (rv32ui, rv32um, rv32mi, rv32si,
 * "p" environment): every program under test/machine/isa/{ui,um,mi,si} is built (cached; see
 * isa/build.ts), run bare-metal by execElf, and must report PASS through tohost.
 *
 * Official riscv-tests binaries built elsewhere can be run too: set RISCV_TESTS_DIR to their
 * directory, and every file in it named rv32{ui,um,mi,si}-p-<name> (not .dump) must pass; the
 * first test's name says how many were found (each then runs as a test of its own).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execElf, type ExecResult, type ExecTrap } from "../../system/machine/exec.js";
import { buildIsaPrograms, ISA_GROUPS } from "./isa/build.js";

/** Our programs take under 20,000 cycles each; the cap only stops a runaway, quickly. */
const OWN_MAX_CYCLES = 2_000_000;
/** riscv-tests programs take well under a million. */
const OFFICIAL_MAX_CYCLES = 10_000_000;
/** riscv-tests names: rv32ui-p-add, rv32mi-p-lh-misaligned, rv32si-p-scall (not the .dump files). */
const OFFICIAL_NAME = /^rv32(ui|um|mi|si)-p-[A-Za-z0-9_.-]+$/;
/** On failure the program is run again traced, for at most this many cycles... */
const TRACE_MAX_CYCLES = 100_000;
/** ...and the message shows its last instructions. */
const TRACE_TAIL = 24;

/** The file names among `names` that are official rv32{ui,um,mi,si}-p-* binaries, sorted. */
export function officialBinaries(names: string[]): string[] {
  return names.filter((f) => OFFICIAL_NAME.test(f) && !f.endsWith(".dump")).sort();
}

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
        ? `no result within ${r.cycles} cycles (stuck: execution went astray)`
        : r.status === "trap-loop"
          ? `a trap loop: ${trapText(r.trapLoop?.first)}, then ${trapText(r.trapLoop?.repeated)} over and over`
          : `the machine halted (${r.halt?.kind ?? "?"}: ${r.halt?.reason ?? "?"})`;
  const console = r.console.trim();
  return console ? `${what}\nconsole: ${console}` : what;
}

const trapText = (t: ExecTrap | undefined): string =>
  t ? `${t.name} at pc 0x${t.pc.toString(16)} (tval 0x${t.tval.toString(16)})` : "?";

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

describe("the RISCV_TESTS_DIR name filter", () => {
  it("takes every rv32{ui,um,mi,si}-p-* binary, names with '-' included", () => {
    const names = [
      "rv32ui-p-add", "rv32ui-p-fence_i", "rv32um-p-mulhsu", "rv32si-p-scall", "rv32mi-p-breakpoint",
      "rv32mi-p-lh-misaligned", "rv32mi-p-lw-misaligned", "rv32mi-p-sh-misaligned", "rv32mi-p-sw-misaligned",
    ];
    expect(officialBinaries(names)).toEqual([...names].sort());
  });

  it("leaves out dumps, other environments and extensions, and other files", () => {
    const names = ["rv32ui-p-add.dump", "rv32mi-p-lh-misaligned.dump", "rv32ui-v-add", "rv64ui-p-add", "rv32uf-p-fadd", "rv32ua-p-amoadd_w", "Makefile", "rv32ui-p-", "rv32ui-p-a b"];
    expect(officialBinaries(names)).toEqual([]);
  });
});

const officialDir = process.env.RISCV_TESTS_DIR;
describe.runIf(officialDir !== undefined && officialDir !== "")("ISA conformance (RISCV_TESTS_DIR)", () => {
  const dir = officialDir ?? "";
  const all = existsSync(dir) ? readdirSync(dir) : [];
  const files = officialBinaries(all);
  const found = `${dir} holds ${files.length} rv32{ui,um,mi,si}-p-* binaries, all run below (${all.length - files.length} other files ignored)`;
  it(found, () => {
    console.log(`RISCV_TESTS_DIR: ${found}`); // shown by the default reporter too
    expect(files.length, `RISCV_TESTS_DIR=${dir}: no rv32{ui,um,mi,si}-p-* files there`).toBeGreaterThan(0);
  });
  for (const f of files) it(f, () => expect(runElf(join(dir, f), OFFICIAL_MAX_CYCLES)).toBeUndefined());
});
