/*
 * The campaign commands of the CLI (run, merge, replay), run for real as child processes: every
 * bad input is one line on stderr and a non-zero exit, never a stack trace. Stores for merge
 * and replay are built directly with synthetic results. Also the pure pieces: the progress
 * reporter (with a fake clock and stream), the outcome table, option parsing. And one campaign
 * end to end: run, resume, replay.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkhead, ROOT, type Run } from "../support/cli.js";
import { defaultDb, formatOutcomeTable, parseIntOption } from "../../bin/commands/run.js";
import { createProgress, formatCounts, formatDuration, progressLine } from "../../bin/progress.js";
import { Store } from "../../campaigns/store.js";
import type { CampaignSpec, ExperimentResult } from "../../campaigns/types.js";
import { BUILDS } from "../../system/builds/index.js";




const errLines = (r: Run): string[] => r.stderr.split("\n").filter((l) => l !== "");

function expectOneLineError(r: Run, code: number, pattern: RegExp): void {
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(errLines(r)).toEqual([expect.stringMatching(/^bulkhead: /)]);
  expect(errLines(r)[0]).toMatch(pattern);
  expect(r.code).toBe(code);
}

const TINY_YAML = `name: tiny
description: one build, three NOP faults
seed: 1
builds: [minix3]
workloads: [blocks]
faults:
  - { type: NOP, count: 3, trigger: first, persistence: transient }
`;

const SPEC: CampaignSpec = {
  name: "synthetic", description: "", seed: 3, builds: ["minix3"], workloads: ["blocks"], driver: "at_wini",
  driverParams: "dma=1", heartbeatTicks: 33, rounds: 1, faults: [{ type: "NOP", count: 3, trigger: { kind: "first" }, persistence: "transient" }],
  limits: { budgetCycles: 1000, watchdogCycles: 100 },
};

const result = (id: number, outcome: ExperimentResult["outcome"] = "no-effect"): ExperimentResult => ({
  id, build: "minix3", workload: "blocks", faultType: "NOP", fault: `f${id}`, faultJson: "{}", faultKey: `blocks/0/0/${id}`,
  seed: id, activated: true, activationCycle: 10, outcome, detection: "none", restarts: 0, recoveryCycles: -1,
  propagated: false, cycles: 100, end: "completed", verdict: "pass", detail: "", stateHash: `h${id}`,
});

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bulkhead-campaign-cli-"));
  writeFileSync(join(dir, "tiny.yaml"), TINY_YAML);
  writeFileSync(join(dir, "junk.db"), "not a database at all\n".repeat(100));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store holding results `ids` of the synthetic spec (with `spec` overrides). */
function syntheticStore(name: string, ids: number[], over: Partial<CampaignSpec> = {}, outcome?: ExperimentResult["outcome"]): string {
  const path = join(dir, name);
  const o = Store.open(path, { create: true });
  if (!o.ok) throw new Error(o.error);
  const i = o.store.init({ ...SPEC, ...over }, "name: synthetic\n");
  if (!i.ok) throw new Error(i.error);
  for (const id of ids) o.store.putResult(result(id, outcome));
  o.store.close();
  return path;
}

describe("bulkhead run: bad input", () => {
  it("a bad spec is exit 2 with one line per error, each naming the file and the field", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "name: x\nseed: -1\nbuilds: [minix3, nosuch]\nworkloads: [blocks]\nfaults:\n  - { type: NOP, cuont: 3 }\n");
    const r = bulkhead(["run", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(errLines(r)).toEqual([
      `bulkhead: ${bad}: seed: must be an integer >= 0, got -1`,
      `bulkhead: ${bad}: builds[1]: unknown build "nosuch" (known: ${Object.keys(BUILDS).join(", ")})`,
      `bulkhead: ${bad}: faults[0].cuont: unknown field (did you mean count?)`,
      `bulkhead: ${bad}: faults[0].count: required`,
    ]);
    expect(existsSync(join(ROOT, "x.db"))).toBe(false);
  });

  it("a spec that is not YAML is one line", () => {
    const bad = join(dir, "notyaml.yaml");
    writeFileSync(bad, "name: [unclosed\n");
    expectOneLineError(bulkhead(["run", bad]), 2, /notyaml\.yaml: not valid YAML/);
  });

  it("a missing spec file is exit 2", () => {
    expectOneLineError(bulkhead(["run", join(dir, "none.yaml")]), 2, /cannot read .*none\.yaml: no such file/);
  });

  it("a --db that is not a SQLite database is exit 2, and the file is left alone", () => {
    expectOneLineError(bulkhead(["run", join(dir, "tiny.yaml"), "--db", join(dir, "junk.db")]), 2, /junk\.db is not a SQLite database/);
  });

  it("a --db holding another campaign's spec is exit 2", () => {
    const other = syntheticStore("other.db", [0]);
    expectOneLineError(bulkhead(["run", join(dir, "tiny.yaml"), "--db", other]), 2, /holds campaign synthetic with another spec; use a new --db/);
  });

  it.each([
    [["--shard", "3/2"], /--shard must be i\/n with 0 <= i < n, got 3\/2/],
    [["--shard", "x"], /--shard must be i\/n/],
    [["--workers", "0"], /--workers must be an integer >= 1, got '0'/],
    [["--workers", "two"], /--workers must be an integer >= 1, got 'two'/],
    [["--seed", "-3"], /--seed must be an integer >= 0/],
    [["--experiments", "1.5"], /--experiments must be an integer >= 1/],
  ])("%j is exit 2", (opts, pattern) => {
    expectOneLineError(bulkhead(["run", join(dir, "tiny.yaml"), "--db", join(dir, "never.db"), ...opts]), 2, pattern);
    expect(existsSync(join(dir, "never.db"))).toBe(false);
  });
});

describe("bulkhead merge", () => {
  it("merges stores and reports what is still missing", () => {
    const a = syntheticStore("ma.db", [0, 2]);
    const b = syntheticStore("mb.db", [1]);
    const out = join(dir, "merged.db");
    const r = bulkhead(["merge", a, b, "-o", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^merged 2 databases into .*merged\.db: 3 of 3 planned experiments\n$/);
    const partial = bulkhead(["merge", a, "-o", join(dir, "partial.db")]);
    expect(partial.stdout).toMatch(/2 of 3 planned experiments; 1 still to run/);
  });

  it("a missing input is exit 2 naming it", () => {
    const a = syntheticStore("ma2.db", [0]);
    expectOneLineError(bulkhead(["merge", a, join(dir, "none.db"), "-o", join(dir, "m2.db")]), 2, /cannot open .*none\.db: no such file/);
    expect(existsSync(join(dir, "m2.db"))).toBe(false);
  });

  it("a corrupt input, another spec, a conflict, a used output: exit 2", () => {
    const a = syntheticStore("ca.db", [0]);
    expectOneLineError(bulkhead(["merge", a, join(dir, "junk.db"), "-o", join(dir, "m3.db")]), 2, /junk\.db is not a SQLite database/);
    const other = syntheticStore("cb.db", [1], { seed: 4 });
    expectOneLineError(bulkhead(["merge", a, other, "-o", join(dir, "m3.db")]), 2, /cb\.db holds another spec than .*ca\.db/);
    const conflict = syntheticStore("cc.db", [0], {}, "system-crash");
    expectOneLineError(bulkhead(["merge", a, conflict, "-o", join(dir, "m3.db")]), 2, /experiment 0 differs between .*ca\.db and .*cc\.db \(outcome: no-effect vs system-crash\)/);
    expectOneLineError(bulkhead(["merge", a, "-o", conflict]), 2, /cc\.db already holds a campaign/);
  });

  it("without -o is exit 2", () => {
    expectOneLineError(bulkhead(["merge", "a.db"]), 2, /missing required argument: output/);
  });
});

describe("bulkhead replay: bad input", () => {
  it("an unknown id is exit 2 naming the ids there are", () => {
    const db = syntheticStore("r.db", [0, 1, 2]);
    expectOneLineError(bulkhead(["replay", db, "99"]), 2, /no experiment 99 in .*r\.db \(it holds 3 experiments, ids 0\.\.2\)/);
  });

  it.each(["x", "-1", "1.5"])("id %s is exit 2", (id) => {
    expectOneLineError(bulkhead(["replay", join(dir, "r.db"), id]), 2, /the experiment id must be an integer >= 0/);
  });

  it("a missing or corrupt database is exit 2", () => {
    expectOneLineError(bulkhead(["replay", join(dir, "none.db"), "0"]), 2, /cannot open .*none\.db: no such file/);
    expectOneLineError(bulkhead(["replay", join(dir, "junk.db"), "0"]), 2, /junk\.db is not a SQLite database/);
    expectOneLineError(bulkhead(["replay", dir, "0"]), 2, /is a directory/);
  });
});

describe("run: pure pieces", () => {
  it("parses integer options", () => {
    expect(parseIntOption("workers", undefined, 1)).toEqual({ ok: true, value: undefined });
    expect(parseIntOption("workers", "4", 1)).toEqual({ ok: true, value: 4 });
    expect(parseIntOption("seed", "0", 0)).toEqual({ ok: true, value: 0 });
    expect(parseIntOption("workers", ["1", "2"], 1)).toEqual({ ok: false, error: "--workers given more than once" });
    for (const bad of ["", "0", "1e3", "0x10", " ", "99999999999999999999"]) expect(parseIntOption("workers", bad, 1).ok).toBe(false);
  });

  it("names the default database after the campaign and shard", () => {
    expect(defaultDb("smoke")).toBe("smoke.db");
    expect(defaultDb("smoke", { index: 1, count: 4 })).toBe("smoke.shard1of4.db");
  });

  it("tabulates outcomes per build, most severe first, only those that occurred", () => {
    const t = formatOutcomeTable(
      [
        { build: "minix3", outcome: "recovered", n: 40 },
        { build: "minix3", outcome: "no-effect", n: 5 },
        { build: "monolithic", outcome: "system-crash", n: 3 },
        { build: "monolithic", outcome: "no-effect", n: 42 },
      ],
      ["minix3", "monolithic"],
    );
    expect(t).toBe(
      ["build       system-crash  recovered  no-effect  total", "minix3                 0         40          5     45", "monolithic             3          0         42     45"].join("\n"),
    );
  });
});

describe("progress", () => {
  const sink = (): { stream: { write: (s: string) => void; columns: number }; out: () => string } => {
    let text = "";
    return { stream: { write: (s: string) => void (text += s), columns: 200 }, out: () => text };
  };

  it("formats counts, durations and the line", () => {
    expect(formatCounts({ recovered: 40, "system-hang": 1, "system-crash": 3, "no-effect": 0, weird: 2 })).toBe("crash 3 · hang 1 · recovered 40 · weird 2");
    expect(formatDuration(42)).toBe("42s");
    expect(formatDuration(185)).toBe("3m05s");
    expect(formatDuration(3720)).toBe("1h02m");
    expect(formatDuration(Infinity)).toBe("?");
    expect(progressLine({ done: 50, total: 200, rate: 12.5, counts: { recovered: 50 } })).toBe("50/200 (25.0%) · 12.5 exp/s · ETA 12s · recovered 50");
    expect(progressLine({ done: 0, total: 0, counts: {} })).toBe("0/0 (100.0%)");
  });

  it("on a TTY redraws one line at most every 100 ms, counting only this session's rate", () => {
    let t = 0;
    const s = sink();
    const p = createProgress({ total: 100, stream: s.stream, isTTY: true, now: () => t });
    p.update(20, {}); // resumed: 20 done before this session
    t = 50;
    p.update(21, { recovered: 1 }); // too soon: not drawn
    t = 1000;
    p.update(30, { recovered: 10 });
    p.finish();
    expect(s.out()).toBe("\r20/100 (20.0%)" + "\r30/100 (30.0%) · 10.0 exp/s · ETA 7s · recovered 10" + "\r30/100 (30.0%) · 10.0 exp/s · ETA 7s · recovered 10" + "\n");
    expect(s.out()).not.toMatch(/\n.*\n/);
  });

  it("elsewhere prints a plain line every N experiments or every few seconds", () => {
    let t = 0;
    const s = sink();
    const p = createProgress({ total: 10, stream: s.stream, isTTY: false, now: () => t, everyExperiments: 4, everyMs: 5000 });
    for (let done = 0; done <= 6; done++) {
      t = done * 100;
      p.update(done, {});
    }
    t = 6000;
    p.update(7, { "system-crash": 1 });
    p.update(8, { "system-crash": 1 });
    p.finish();
    const lines = s.out().split("\n").filter((l) => l);
    expect(lines.map((l) => l.split(" ")[0])).toEqual(["0/10", "4/10", "7/10", "8/10"]);
    expect(s.out()).not.toMatch(/\r/);
    expect(lines[2]).toMatch(/crash 1$/);
  });
});

describe("a campaign end to end", () => {
  it("runs a tiny spec, resumes it, and replays an experiment identically", () => {
    const db = join(dir, "tiny.db");
    const run = bulkhead(["run", join(dir, "tiny.yaml"), "--workers", "1", "--db", db]);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^build\s+.*total\nminix3\s.*\s3\n/);
    expect(run.stdout).toMatch(/tiny: ran 3, resumed 0; 3 of 3 experiments in .*tiny\.db/);
    const o = Store.open(db, { create: false });
    if (!o.ok) throw new Error(o.error);
    expect(o.store.count()).toBe(3);
    expect(o.store.meta("version")).toMatch(/^\d+\.\d+\.\d+/);
    expect(o.store.meta("started_at")).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(o.store.goldens()).toHaveLength(1);
    o.store.close();

    const again = bulkhead(["run", join(dir, "tiny.yaml"), "--workers", "1", "--db", db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/ran 0, resumed 3; 3 of 3/);

    const replay = bulkhead(["replay", db, "1"]);
    expect(replay.stderr).toBe("");
    expect(replay.stdout).toMatch(/== experiment 1 ==/);
    expect(replay.stdout).toMatch(/== timeline/);
    expect(replay.stdout).toMatch(/\nidentical/);
    expect(replay.code).toBe(0);
  });

  it("two shards, with default database names, merge into what the single run above wrote", () => {
    const shardDir = mkdtempSync(join(dir, "shards-"));
    for (const s of ["0/2", "1/2"]) expect(bulkhead(["run", join(dir, "tiny.yaml"), "--workers", "1", "--shard", s], shardDir).code).toBe(0);
    const shards = ["tiny.shard0of2.db", "tiny.shard1of2.db"].map((f) => join(shardDir, f));
    for (const f of shards) expect(existsSync(f)).toBe(true);
    const out = join(shardDir, "all.db");
    const m = bulkhead(["merge", ...shards, "-o", out]);
    expect(m.code).toBe(0);
    const rows = (path: string): unknown => {
      const o = Store.open(path, { create: false });
      if (!o.ok) throw new Error(o.error);
      const rs = { results: o.store.results(), goldens: o.store.goldens(), builds: o.store.builds(), spec: o.store.spec() };
      o.store.close();
      return rs;
    };
    expect(rows(out)).toEqual(rows(join(dir, "tiny.db")));
  });
});
