// `--shard auto`: the shard from the engine that started the process (Slurm job arrays,
// Kubernetes Indexed Jobs), and one clear line for every environment that does not name one.
import { describe, expect, it } from "vitest";
import { shardFromEnv } from "../../campaigns/shard.js";
import { bulkhead } from "../support/cli.js";

const slurm = (id: number, count: number, min = 0, step = 1, max = min + (count - 1) * step) => ({
  SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_COUNT: String(count), SLURM_ARRAY_TASK_MIN: String(min),
  SLURM_ARRAY_TASK_MAX: String(max), SLURM_ARRAY_TASK_STEP: String(step),
});

describe("shard from the environment", () => {
  it("Slurm: (id − min) / step of the task count, for 0-based, offset and stepped arrays", () => {
    expect(shardFromEnv(slurm(0, 4))).toMatchObject({ ok: true, shard: { index: 0, count: 4 } });
    expect(shardFromEnv(slurm(3, 4))).toMatchObject({ ok: true, shard: { index: 3, count: 4 } });
    expect(shardFromEnv(slurm(12, 4, 10))).toMatchObject({ ok: true, shard: { index: 2, count: 4 } });
    expect(shardFromEnv(slurm(7, 3, 1, 3))).toMatchObject({ ok: true, shard: { index: 2, count: 3 } }); // --array=1-7:3
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_COUNT: "5" })).toMatchObject({ ok: true, shard: { index: 2, count: 5 } });
    expect(shardFromEnv(slurm(1, 4), 4)).toMatchObject({ ok: true, shard: { index: 1, count: 4 } });
  });

  it("Slurm: a sparse index list, a task off the grid, a count that disagrees, garbage: one line each", () => {
    expect(shardFromEnv(slurm(5, 3, 1, 1, 9))).toEqual({ ok: false, error: "--shard auto: the array is a sparse index list (3 tasks between 1 and 9 by 1); use a range, e.g. --array=0-2" });
    expect(shardFromEnv(slurm(2, 3, 1, 3))).toEqual({ ok: false, error: "--shard auto: task 2 is not on the array's grid (min 1, step 3)" });
    expect(shardFromEnv(slurm(1, 4), 8)).toEqual({ ok: false, error: "--shard auto: --shard-count 8 but the Slurm array has 4 tasks" });
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: "3" })).toEqual({ ok: false, error: "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not (not a job array task?)" });
    expect(shardFromEnv({ ...slurm(1, 4), SLURM_ARRAY_TASK_STEP: "x" })).toEqual({ ok: false, error: "--shard auto: SLURM_ARRAY_TASK_STEP not a non-negative integer" });
  });

  it("Kubernetes: JOB_COMPLETION_INDEX of the count given; without a count, or past it, one line", () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: "3" }, 8)).toMatchObject({ ok: true, shard: { index: 3, count: 8 } });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: "3" })).toEqual({ ok: false, error: "--shard auto: a Kubernetes Indexed Job gives JOB_COMPLETION_INDEX only: pass the job's completions as --shard-count N" });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: "8" }, 8)).toEqual({ ok: false, error: "--shard auto: JOB_COMPLETION_INDEX 8 is not below --shard-count 8" });
  });

  it("no engine: one line naming both", () => {
    expect(shardFromEnv({ HOME: "/root" })).toEqual({
      ok: false, error: "--shard auto: neither a Slurm array task (SLURM_ARRAY_TASK_ID) nor a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) started this process",
    });
  });

  it("the CLI: a missing engine is one line and status 2, nothing run", () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SLURM_") && k !== "JOB_COMPLETION_INDEX"));
    const saved = process.env;
    process.env = env;
    try {
      const r = bulkhead(["run", "campaigns/library/smoke.yaml", "--shard", "auto", "--db", "/nonexistent/x.db"]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe("bulkhead: --shard auto: neither a Slurm array task (SLURM_ARRAY_TASK_ID) nor a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) started this process");
    } finally {
      process.env = saved;
    }
  });
});
