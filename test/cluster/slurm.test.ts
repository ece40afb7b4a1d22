// A campaign on a real Slurm cluster: `bulkhead slurm … --submit` runs it as a job array of 4
// shards and a dependent merge-and-report job, and the merged database equals a single run's,
// row for row (every column, state hashes included); submitted again, the tasks resume (nothing
// left to run) and the merge runs again. Needs a cluster: scripts/slurm-local.sh start
// brings up one on this machine (CI does; .ci/run). Without one (no `sinfo`, or no node up) the
// test is skipped, and says so.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bulkhead, ROOT } from "../support/cli.js";

const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" });
const up = (() => {
  const r = sh("sinfo", ["-h", "-o", "%t"]);
  return r.status === 0 && /idle|mix|alloc/.test(r.stdout);
})();
if (!up) console.warn("test/cluster/slurm.test.ts: no Slurm cluster here (scripts/slurm-local.sh start brings one up); skipped");

const SPEC = `
name: cluster
seed: 31
builds: [minix3, monolithic]
workloads: [files]
faults:
  - { type: NOP, count: 6 }
  - { type: BAD_POINTER, variant: "null", count: 4 }
limits: { budget: 400000000, watchdog: 60000000 }
`;

/** Waits until none of `ids` is in the queue any more (bounded); what they did, the files they wrote tell. */
async function drained(ids: string[], ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 1000))) {
    const q = sh("squeue", ["-h", "-o", "%A", "-j", ids.join(",")]);
    if (q.status !== 0 || q.stdout.trim() === "") return true;
  }
  return false;
}

describe.skipIf(!up)("a campaign on a Slurm cluster", () => {
  it("runs as an array of 4 shards and a dependent merge; the merged database equals a single run's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bulkhead-slurm-"));
    const spec = join(dir, "cluster.yaml");
    writeFileSync(spec, SPEC);
    const out = join(dir, "out");
    const sub = bulkhead(["slurm", spec, "--shards", "4", "--out", out, "--submit"]);
    expect(sub.stderr).toBe("");
    expect(sub.code).toBe(0);
    const ids = /submitted array job (\d+) and merge job (\d+)/.exec(sub.stdout);
    expect(ids).not.toBeNull();
    expect(await drained([ids![1], ids![2]], 280_000)).toBe(true);
    for (let i = 0; i < 4; i++) expect(existsSync(join(out, "shards", `cluster.shard${i}of4.db`))).toBe(true);
    expect(existsSync(join(out, "report", "report.html"))).toBe(true);
    const single = bulkhead(["run", spec, "--db", join(dir, "single.db"), "--workers", "2"]);
    expect(single.code).toBe(0);
    const cmp = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts/compare-dbs.ts"), join(dir, "single.db"), join(out, "cluster.db")], { cwd: ROOT, encoding: "utf8" });
    expect(cmp.stdout).toBe("golden: 2 vs 2 rows, 0 differ\nexperiments: 20 vs 20 rows, 0 differ\n");
    expect(cmp.status).toBe(0);

    // Submitted again, every task finds its shard done and runs nothing; the merge runs again.
    const again = bulkhead(["slurm", spec, "--shards", "4", "--out", out, "--submit"]);
    const ids2 = /submitted array job (\d+) and merge job (\d+)/.exec(again.stdout);
    expect(ids2).not.toBeNull();
    expect(await drained([ids2![1], ids2![2]], 120_000)).toBe(true);
    for (let i = 0; i < 4; i++) {
      const log = readFileSync(join(out, "logs", `${ids2![1]}_${i}.out`), "utf8");
      expect(log).toMatch(new RegExp(`cluster \\(shard ${i}/4\\): ran 0, resumed [1-9]\\d*; `));
    }
    expect(readFileSync(join(out, "logs", `${ids2![2]}-merge.out`), "utf8")).toContain("20 of 20 planned experiments");
  }, 300_000);
});
