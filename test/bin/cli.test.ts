/*
 * The `bulkhead` CLI, run for real as a child process (through tsx, so no build is needed):
 * version and help, usage errors, and `exec` on small guest programs compiled here with clang.
 * Also the pure pieces of the exec command (option parsing, result → summary and exit status)
 * and the top-level error report.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_CYCLES_DEFAULT, parseMaxCycles, summarize } from "../../bin/commands/exec.js";
import { EXIT_INTERNAL, ExitError, reportError } from "../../bin/errors.js";
import type { ExecResult } from "../../system/machine/exec.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const HELLO = join(ROOT, "examples/hello");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bulkhead <args>` from the repository root. */
function bulkhead(...args: string[]): Run {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bin/bulkhead.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, BULKHEAD_DEBUG: "" },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** stderr as lines, without the trailing empty one. */
function errLines(r: Run): string[] {
  return r.stderr.split("\n").filter((l) => l !== "");
}

function expectOneLineError(r: Run, code: number, pattern: RegExp): void {
  expect(r.code).toBe(code);
  const lines = errLines(r);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^bulkhead: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe("bulkhead CLI: usage", () => {
  it("--version prints the package version", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = bulkhead("--version");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("--help lists the exec command", () => {
    const r = bulkhead("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bulkhead exec <elf>/);
  });

  it("exec --help documents its options and exit statuses", () => {
    const r = bulkhead("exec", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--max-cycles/);
    expect(r.stdout).toMatch(/--trace/);
    expect(r.stdout).toMatch(/124/);
    expect(r.stdout).toMatch(/125/);
    expect(r.stdout).toMatch(/126 trap loop/);
  });

  it("an unknown command is one line on stderr and exit 2", () => {
    expectOneLineError(bulkhead("frobnicate"), 2, /unknown command 'frobnicate'/);
  });

  it("an unknown option is one line on stderr and exit 2", () => {
    expectOneLineError(bulkhead("exec", "x.elf", "--frob"), 2, /unknown argument: frob/);
  });

  it("no command is exit 2", () => {
    expectOneLineError(bulkhead(), 2, /no command/);
  });

  it("a missing file is exit 2 naming the file", () => {
    expectOneLineError(bulkhead("exec", "no/such/guest.elf"), 2, /no\/such\/guest\.elf.*no such file/);
  });

  it("a file that is not an ELF is exit 2", () => {
    expectOneLineError(bulkhead("exec", "package.json"), 2, /package\.json/);
  });

  it.each(["0", "abc", "-5", "1.5"])("--max-cycles %s is exit 2", (v) => {
    expectOneLineError(bulkhead("exec", join(HELLO, "hello.elf"), "--max-cycles", v), 2, /--max-cycles must be a positive integer/);
  });
});

/*
 * Guest programs for exec. Each is a C file linked with the sample's start.S and link.ld, so
 * main's return value reaches tohost as (code << 1) | 1; programs that want another ending write
 * tohost or a port themselves.
 */
const GUESTS: Record<string, string> = {
  pass: `
    #define PORT(p) (*(volatile unsigned char *)(0x03000000u + (p)))
    volatile unsigned tohost __attribute__((section(".tohost"), aligned(8)));
    static void put(char c) { while (!(PORT(0x3FD) & 0x20)) {} PORT(0x3F8) = (unsigned char)c; }
    int main(void) { for (const char *s = "guest says hi\\n"; *s; s++) put(*s); return 0; }`,
  fail5: `
    volatile unsigned tohost __attribute__((section(".tohost"), aligned(8)));
    int main(void) { tohost = (5u << 1) | 1; for (;;) {} }`,
  loop: `
    volatile unsigned tohost __attribute__((section(".tohost"), aligned(8)));
    int main(void) { for (;;) { __asm__ volatile(""); } }`,
  reset: `
    volatile unsigned tohost __attribute__((section(".tohost"), aligned(8)));
    int main(void) { *(volatile unsigned char *)(0x03000000u + 0xCF9) = 0x06; for (;;) {} }`,
  wild: `
    volatile unsigned tohost __attribute__((section(".tohost"), aligned(8)));
    int main(void) { return *(volatile int *)0x100; }`,
};

function haveClang(): boolean {
  return spawnSync("clang", ["--version"]).status === 0 && spawnSync("ld.lld", ["--version"]).status === 0;
}

// Without clang the guest tests cannot run; scripts/setup.sh installs it, and in CI it must be there.
const skipGuests = !haveClang() && !process.env.CI;

describe.skipIf(skipGuests)("bulkhead exec: guest programs", () => {
  let dir = "";
  const elf = (name: string): string => join(dir, `${name}.elf`);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "bulkhead-cli-"));
    for (const [name, src] of Object.entries(GUESTS)) {
      const c = join(dir, `${name}.c`);
      writeFileSync(c, src);
      const r = spawnSync(
        "clang",
        ["--target=riscv32-unknown-elf", "-march=rv32im", "-mabi=ilp32", "-O2", "-nostdlib", "-ffreestanding",
          "-fuse-ld=lld", "-T", join(HELLO, "link.ld"), "-o", elf(name), join(HELLO, "start.S"), c],
        { encoding: "utf8" },
      );
      if (r.status !== 0) throw new Error(`clang failed for ${name}: ${r.stderr || r.error?.message}`);
    }
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a passing guest exits 0 with its console output on stdout", () => {
    const r = bulkhead("exec", elf("pass"));
    expect(r.stderr).toMatch(/^bulkhead: PASS after \d+ instructions \(\d+ cycles\)\n$/);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("guest says hi\n");
  });

  it("a failing guest exits with its code (tohost >> 1)", () => {
    const r = bulkhead("exec", elf("fail5"));
    expect(r.stderr).toMatch(/^bulkhead: FAIL with code 5\b/);
    expect(r.code).toBe(5);
  });

  it("a guest that never exits runs out of cycles: exit 124", () => {
    const r = bulkhead("exec", elf("loop"), "--max-cycles", "100000");
    expect(r.stderr).toMatch(/^bulkhead: out of cycles .*--max-cycles/);
    expect(r.code).toBe(124);
  });

  it("a guest that resets the machine through port 0xCF9: exit 125 naming the reset", () => {
    const r = bulkhead("exec", elf("reset"));
    expect(r.stderr).toMatch(/^bulkhead: machine reset: .+/);
    expect(errLines(r)).toHaveLength(1);
    expect(r.code).toBe(125);
  });

  it("a guest that faults with no trap handler (mtvec = 0): exit 126 at once, one line naming the fault", () => {
    const r = bulkhead("exec", elf("wild"));
    expect(errLines(r)).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^bulkhead: trap loop: load access fault at pc 0x8[0-9a-f]{7}, tval 0x00000100; then the trap handler never ran an instruction: instruction access fault at pc 0x00000000, tval 0x00000000, 1001 times in a row; after \d+ instructions \(\d+ cycles\)\n$/,
    );
    expect(r.code).toBe(126);
  });

  it("--trace prints one line per instruction before the console output", () => {
    const r = bulkhead("exec", elf("pass"), "--trace");
    expect(r.code).toBe(0);
    const instret = Number(/PASS after (\d+) instructions/.exec(r.stderr)?.[1]);
    const lines = r.stdout.split("\n").filter((l) => l !== "");
    expect(lines.at(-1)).toBe("guest says hi");
    expect(lines.length - 1).toBe(instret);
  });
});

describe("bulkhead exec: the sample program", () => {
  it.runIf(existsSync(join(HELLO, "hello.elf")))("examples/hello/hello.elf greets and passes", () => {
    const r = bulkhead("exec", "examples/hello/hello.elf");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Hello from a bare-metal RV32IM guest/);
    expect(r.stdout).toMatch(/ 2 {4}3 {4}5 {4}7 {3}11\n/);
    expect(r.stdout).toMatch(/checksum: 0x[0-9a-f]{8}\n/);
    expect(r.stderr).toMatch(/^bulkhead: PASS/);
  });
});

describe("top-level error report", () => {
  it("an ExitError is its message and code", () => {
    expect(reportError(new ExitError(2, "bad input"), false)).toEqual({ line: "bulkhead: bad input", code: 2 });
  });

  it("anything else is an internal error, exit 70, one line, no stack", () => {
    const r = reportError(new TypeError("x is undefined\nmore"), false);
    expect(r.code).toBe(EXIT_INTERNAL);
    expect(r.code).toBe(70);
    expect(r.line).toBe("bulkhead: internal error: x is undefined; more (this is a bug in bulkhead)");
    expect(r.detail).toBeUndefined();
  });

  it("with debugging on, the stack comes along", () => {
    expect(reportError(new Error("boom"), true).detail).toMatch(/Error: boom/);
  });
});

describe("exec: option parsing and summaries", () => {
  const base: ExecResult = { status: "pass", exitCode: 0, tohost: 1, cycles: 200, instret: 100, console: "" };

  it("--max-cycles defaults to 1e9 and accepts positive integers in any Number() form", () => {
    expect(parseMaxCycles(undefined)).toEqual({ ok: true, value: MAX_CYCLES_DEFAULT });
    expect(parseMaxCycles("100000")).toEqual({ ok: true, value: 100000 });
    expect(parseMaxCycles("1e6")).toEqual({ ok: true, value: 1_000_000 });
    for (const bad of ["0", "-1", "abc", "", "2.5", "1e300"]) expect(parseMaxCycles(bad).ok).toBe(false);
    expect(parseMaxCycles(["1", "2"]).ok).toBe(false);
  });

  it("maps each status to its exit code", () => {
    expect(summarize(base)).toEqual({ summary: "PASS after 100 instructions (200 cycles)", exitCode: 0 });
    expect(summarize({ ...base, status: "fail", exitCode: 5, tohost: 11 }).exitCode).toBe(5);
    expect(summarize({ ...base, status: "timeout" }).exitCode).toBe(124);
    const halted = summarize({ ...base, status: "halted", halt: { kind: "reset", reason: "port 0xcf9 <- 0x06", at: 200 } });
    expect(halted).toEqual({ summary: "machine reset: port 0xcf9 <- 0x06 after 100 instructions (200 cycles)", exitCode: 125 });
    expect(summarize({ ...base, status: "halted", halt: { kind: "poweroff", reason: "x", at: 1 } }).summary).toMatch(/^machine powered off: x/);
  });

  it("a trap loop names its first trap, and the repeated one when it is another: exit 126", () => {
    const trap = (cause: number, name: string, pc: number, tval: number) => ({ cause, interrupt: false, pc, tval, name });
    const store = trap(7, "store access fault", 0x8000_0000, 0xffff_fffc);
    const fetch = trap(1, "instruction access fault", 0, 0);
    expect(summarize({ ...base, status: "trap-loop", trapLoop: { first: store, repeated: fetch, repeats: 1000 } })).toEqual({
      summary:
        "trap loop: store access fault at pc 0x80000000, tval 0xfffffffc; then the trap handler never ran an instruction: " +
        "instruction access fault at pc 0x00000000, tval 0x00000000, 1001 times in a row; after 100 instructions (200 cycles)",
      exitCode: 126,
    });
    expect(summarize({ ...base, status: "trap-loop", trapLoop: { first: fetch, repeated: fetch, repeats: 1000 } }).summary).toBe(
      "trap loop: instruction access fault at pc 0x00000000, tval 0x00000000, 1001 times in a row with no instruction retired; after 100 instructions (200 cycles)",
    );
  });

  it("fail codes are masked to 8 bits and never 0", () => {
    expect(summarize({ ...base, status: "fail", exitCode: 0x105, tohost: 0x20b })).toMatchObject({ exitCode: 5 });
    const r = summarize({ ...base, status: "fail", exitCode: 256, tohost: 513 });
    expect(r.exitCode).toBe(1);
    expect(r.summary).toMatch(/^FAIL with code 256 \(exit status 1\)/);
  });
});
