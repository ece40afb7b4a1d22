// `bulkhead slurm`: the scripts it writes (read by a researcher before submitting), and one line
// for bad input, including a machine without Slurm.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bulkhead } from "../support/cli.js";

describe("bulkhead slurm", () => {
  it("writes a job array of N shards and a merge-and-report job, and prints how to submit them", () => {
    const out = join(mkdtempSync(join(tmpdir(), "bulkhead-slurm-cli-")), "o");
    const r = bulkhead(["slurm", "campaigns/library/smoke.yaml", "--shards", "4", "--out", out, "--partition", "short", "--time", "0:30:00", "--cpus-per-task", "2"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}/smoke.array.sbatch (4 tasks, 2 CPUs each) and ${out}/smoke.merge.sbatch`);
    expect(r.stdout).toContain(`submit: A=$(sbatch --parsable ${out}/smoke.array.sbatch) && sbatch --dependency=afterok:$A ${out}/smoke.merge.sbatch`);
    const array = readFileSync(join(out, "smoke.array.sbatch"), "utf8");
    for (const line of ["#SBATCH --array=0-3", "#SBATCH --cpus-per-task=2", `#SBATCH --output=${out}/logs/%A_%a.out`, "#SBATCH --partition=short", "#SBATCH --time=0:30:00", `cd ${out}/shards`])
      expect(array.split("\n")).toContain(line);
    expect(array).toMatch(/bin\/bulkhead\.ts run \S+\/campaigns\/library\/smoke\.yaml --shard auto --workers "\$\{SLURM_CPUS_PER_TASK:-2\}"\n$/);
    const merge = readFileSync(join(out, "smoke.merge.sbatch"), "utf8");
    expect(merge).toContain(" merge shards/smoke.shard0of4.db shards/smoke.shard1of4.db shards/smoke.shard2of4.db shards/smoke.shard3of4.db -o smoke.db\n");
    expect(merge).toContain(" report smoke.db --out report\n");
  });

  it("bad input is one line and status 2: no --shards, a bad spec, no sbatch on the machine", () => {
    const noShards = bulkhead(["slurm", "campaigns/library/smoke.yaml"]);
    expect([noShards.code, noShards.stderr.trim()]).toEqual([2, "bulkhead: --shards N is required (the number of array tasks)"]);
    const missing = bulkhead(["slurm", "nosuch.yaml", "--shards", "2"]);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, "bulkhead: cannot read nosuch.yaml: no such file"]);
    const out = join(mkdtempSync(join(tmpdir(), "bulkhead-slurm-cli-")), "o");
    const saved = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      const r = bulkhead(["slurm", "campaigns/library/smoke.yaml", "--shards", "2", "--out", out, "--submit"]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe("bulkhead: cannot run sbatch: not found (is Slurm installed here?)");
    } finally {
      process.env.PATH = saved;
    }
  });
});
