/*
 * `bulkhead overhead`, run for real as a child process: bad input (unknown build or workload,
 * builds named twice or empty, parameters that are not key=value, parameters the fault-free run
 * does not pass with, an --out that cannot be written) is one line on stderr and exit 2; a good
 * run prints the table and writes CSV, LaTeX, HTML and figures whose numbers are those of the
 * same runs done in this process (emulated time: the same anywhere).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkhead, type Run } from "../support/cli.js";
import { mergeParams, parseParams, runOverhead } from "../../campaigns/overhead.js";
import { parseCsv } from "../../reports/export/csv.js";
import { thousands } from "../../reports/overhead.js";
import { BUILDS, getWorkload, WORKLOADS } from "../../system/index.js";




function expectOneLineError(r: Run, pattern: RegExp): void {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^bulkhead: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.code).toBe(2);
}

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bulkhead-overhead-cli-"));
  writeFileSync(join(dir, "a-file"), "not a directory\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bulkhead overhead: bad input is one line and exit 2", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["no --builds", ["overhead"], /missing required argument: builds/],
    ["an unknown build", ["overhead", "--builds", "minix3,nosuch"], /unknown build "nosuch" \(known: minix3/],
    ["an empty build name", ["overhead", "--builds", "minix3,,monolithic"], /--builds must name builds as a,b,\.\.\., got 'minix3,,monolithic'/],
    ["a build named twice", ["overhead", "--builds", "minix3,minix3"], /--builds names minix3 twice/],
    ["an unknown workload", ["overhead", "--builds", "minix3", "--workload", "nosuch"], new RegExp(`unknown workload "nosuch" \\(known: ${Object.keys(WORKLOADS).join(", ")}\\)`)],
    ["a parameter that is not key=value", ["overhead", "--builds", "minix3", "--params", "dirs=1 files"], /--params: 'files' is not key=value/],
    ["an empty --out", ["overhead", "--builds", "minix3", "--out", ""], /--out must name a directory/],
  ];
  for (const [what, args, pattern] of cases) it(what, () => expectOneLineError(bulkhead(args), pattern));

  it("parameters the fault-free run does not pass with (a file larger than the disk)", () => {
    expectOneLineError(bulkhead(["overhead", "--builds", "minix3", "--params", "files=1 maxsize=8000000"]),
      /the fault-free run of minix3 × files \(seed=1 dirs=2 files=1 maxsize=8000000\) ended completed, oracle errors: .*ENOSPC/);
  });

  it("an --out that is a file", () => {
    expectOneLineError(bulkhead(["overhead", "--builds", "minix3", "--out", join(dir, "a-file")]), /cannot write to .*a-file: not a directory/);
  });
});

describe("bulkhead overhead: a good run", () => {
  it("prints the table and writes CSV, LaTeX, HTML and figures with the numbers of the same runs", () => {
    const out = join(dir, "out");
    const r = bulkhead(["overhead", "--builds", "minix3,minix3-nochecks", "--params", "files=2", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const w = getWorkload("files");
    if (!w.ok) throw new Error(w.error);
    const here = runOverhead({ builds: [BUILDS.minix3, BUILDS["minix3-nochecks"]], workload: w.workload, params: "files=2" });
    if (!here.ok) throw new Error(here.error);
    expect(here.result.params).toBe("seed=1 dirs=2 files=2 maxsize=65536");
    expect(r.stdout).toContain(`workload files (${here.result.params})`);
    for (const run of here.result.runs) expect(r.stdout).toContain(thousands(run.counters.busyCycles));
    expect(r.stdout).toMatch(/where the difference goes, in cycles, relative to minix3-nochecks/);
    for (const f of ["overhead.html", "overhead.csv", "breakdown.csv", "overhead.tex", "figures/isolation-files.svg", "figures/isolation-files.pdf"])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(existsSync(join(out, "sensitivity.csv"))).toBe(false);
    const csv = parseCsv(readFileSync(join(out, "overhead.csv"), "utf8"));
    const col = (name: string): number => csv[0].indexOf(name);
    expect(csv.slice(1).map((row) => [row[col("build")], Number(row[col("cycles")]), Number(row[col("instructions")])]))
      .toEqual(here.result.runs.map((x) => [x.build, x.counters.cycles, x.counters.instructions]));
    expect(readFileSync(join(out, "overhead.html"), "utf8")).toContain("Cost of isolation");
  });
});

describe("parameters", () => {
  it("key=value words over the defaults: a given key replaces its value in place, a new one is appended", () => {
    expect(parseParams("a=1  b=x")).toEqual({ ok: true, pairs: [["a", "1"], ["b", "x"]] });
    expect(parseParams("a=1 =2")).toEqual({ ok: false, error: "--params: '=2' is not key=value" });
    expect(mergeParams("seed=1 dirs=2 files=3", [["files", "5"], ["chunk", "512"]])).toBe("seed=1 dirs=2 files=5 chunk=512");
  });
});
