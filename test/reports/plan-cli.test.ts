/*
 * `bulkhead plan`, run for real as a child process (through tsx): the sample sizes of Leveugle
 * et al. (DATE 2009) and one-line errors with exit status 2 for bad values; and its pure parts.
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatPlan, parsePlanOptions } from "../../bin/commands/plan.js";
import { ExitError } from "../../bin/errors.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

function bulkhead(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bin/bulkhead.ts"), ...args], {
    cwd: ROOT, encoding: "utf8", env: { ...process.env, BULKHEAD_DEBUG: "" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("bulkhead plan", () => {
  it("prints the number of experiments and the formula's inputs", () => {
    const r = bulkhead("plan", "--margin", "0.01", "--confidence", "0.95");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("9604 experiments");
    expect(r.stdout).toMatch(/±0\.01/);
    expect(r.stdout).toMatch(/t = 1\.959964/);
    expect(r.stdout).toMatch(/p = 0\.5/);
    expect(r.stdout).toMatch(/N = unbounded/);
  });

  it("uses the population when given, and other margins", () => {
    const r = bulkhead("plan", "--margin", "0.01", "--population", "100000");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("8763 experiments");
    expect(r.stdout).toMatch(/N = 100000/);
    expect(bulkhead("plan", "--margin", "0.05").stdout.split("\n")[0]).toBe("385 experiments");
    expect(bulkhead("plan", "--margin", "0.01", "--p", "0.1").stdout.split("\n")[0]).toBe("3458 experiments");
  });

  it.each([
    [["--margin", "0"], /--margin must be a number between 0 and 1/],
    [["--margin", "1"], /--margin must be/],
    [["--margin=-0.01"], /--margin must be/],
    [["--margin", "abc"], /--margin must be/],
    [[], /--margin is required/],
    [["--margin", "0.01", "--confidence", "1"], /--confidence must be/],
    [["--margin", "0.01", "--confidence", "0"], /--confidence must be/],
    [["--margin", "0.01", "--p", "0"], /--p must be/],
    [["--margin", "0.01", "--p", "1.5"], /--p must be/],
    [["--margin", "0.01", "--population", "0"], /--population must be an integer >= 1/],
    [["--margin", "0.01", "--population", "2.5"], /--population must be an integer >= 1/],
  ])("rejects %j with one line and exit status 2", (args, pattern) => {
    const r = bulkhead("plan", ...args);
    expect(r.code).toBe(2);
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bulkhead: /);
    expect(lines[0]).toMatch(pattern);
    expect(r.stdout).toBe("");
  });
});

describe("plan options", () => {
  it("parses and defaults", () => {
    expect(parsePlanOptions({ margin: "0.02" })).toEqual({ margin: 0.02, confidence: 0.95, p: 0.5 });
    expect(parsePlanOptions({ margin: "0.02", population: "500", p: "0.3", confidence: "0.99" })).toEqual({ margin: 0.02, confidence: 0.99, p: 0.3, population: 500 });
    expect(() => parsePlanOptions({ margin: "2" })).toThrow(ExitError);
    expect(formatPlan({ margin: 0.05, confidence: 0.95, p: 0.5 }).split("\n")[0]).toBe("385 experiments");
  });
});
