/*
 * Shards: `--shard i/n` runs the faults whose number ≡ i (mod n) — every build's experiment of
 * each (their ids are adjacent: plan.ts) — so n machines can share one campaign and their
 * databases be merged afterwards (campaigns/merge.ts). Round-robin by fault spreads every
 * workload and fault model evenly over the shards, and every build too: round-robin by
 * experiment id put all of one build's experiments in every other shard when the number of
 * builds and of shards shared a factor (a 2-build campaign in 4 shards: one build's shards took 3
 * times as long as the other's, its hangs running to the watchdog), and kept a fault's pair apart.
 *
 * `--shard auto` takes the shard from the engine that started the process (shardFromEnv): a
 * Slurm job array task, or a Kubernetes Indexed Job's pod (with the count given).
 */

export interface Shard {
  index: number;
  count: number;
}

/** Parses "i/n" (0 <= i < n); returns a one-line error naming the option otherwise. */
export function parseShard(text: string): { ok: true; shard: Shard } | { ok: false; error: string } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index >= count)
    return { ok: false, error: `--shard must be i/n with 0 <= i < n, got ${text}` };
  return { ok: true, shard: { index, count } };
}

/** True when experiment `id` belongs to `shard`, in a campaign of `builds` builds (one experiment per build and fault). */
export const inShard = (id: number, shard: Shard, builds = 1): boolean => Math.floor(id / builds) % shard.count === shard.index;

/** The environment variables shardFromEnv reads (a subset of process.env). */
export type ShardEnv = Record<string, string | undefined>;

/** A non-negative integer environment value, or undefined when absent; NaN when present but not one. */
function envInt(env: ShardEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === "") return undefined;
  return /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
}

/**
 * The shard of this process, from its engine's environment:
 * - a Slurm job array task: shard (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP
 *   of SLURM_ARRAY_TASK_COUNT; an array given as a sparse index list (count ≠ (max − min) / step + 1)
 *   is refused, since its tasks would not cover every shard;
 * - a Kubernetes Indexed Job's pod: JOB_COMPLETION_INDEX of `count` (the job's completions).
 * `count`, when given beside a Slurm array, must equal its task count. One-line errors otherwise.
 */
export function shardFromEnv(env: ShardEnv, count?: number): { ok: true; shard: Shard; engine: string } | { ok: false; error: string } {
  const id = envInt(env, "SLURM_ARRAY_TASK_ID");
  if (id !== undefined) {
    const n = envInt(env, "SLURM_ARRAY_TASK_COUNT"), min = envInt(env, "SLURM_ARRAY_TASK_MIN") ?? 0;
    const max = envInt(env, "SLURM_ARRAY_TASK_MAX"), step = envInt(env, "SLURM_ARRAY_TASK_STEP") ?? 1;
    const bad = [["SLURM_ARRAY_TASK_ID", id], ["SLURM_ARRAY_TASK_COUNT", n], ["SLURM_ARRAY_TASK_MIN", min], ["SLURM_ARRAY_TASK_MAX", max], ["SLURM_ARRAY_TASK_STEP", step]]
      .filter(([, v]) => Number.isNaN(v)).map(([name]) => name);
    if (bad.length) return { ok: false, error: `--shard auto: ${bad.join(", ")} not a non-negative integer` };
    if (n === undefined || n < 1) return { ok: false, error: "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not (not a job array task?)" };
    if (step < 1 || id < min || (id - min) % step !== 0) return { ok: false, error: `--shard auto: task ${id} is not on the array's grid (min ${min}, step ${step})` };
    if (max !== undefined && (max - min) / step + 1 !== n)
      return { ok: false, error: `--shard auto: the array is a sparse index list (${n} tasks between ${min} and ${max} by ${step}); use a range, e.g. --array=0-${n - 1}` };
    const index = (id - min) / step;
    if (index >= n) return { ok: false, error: `--shard auto: task ${id} is past the array's ${n} tasks` };
    if (count !== undefined && count !== n) return { ok: false, error: `--shard auto: --shard-count ${count} but the Slurm array has ${n} tasks` };
    return { ok: true, shard: { index, count: n }, engine: `Slurm array task ${id}` };
  }
  const k8s = envInt(env, "JOB_COMPLETION_INDEX");
  if (k8s !== undefined) {
    if (Number.isNaN(k8s)) return { ok: false, error: "--shard auto: JOB_COMPLETION_INDEX is not a non-negative integer" };
    if (count === undefined) return { ok: false, error: "--shard auto: a Kubernetes Indexed Job gives JOB_COMPLETION_INDEX only: pass the job's completions as --shard-count N" };
    if (k8s >= count) return { ok: false, error: `--shard auto: JOB_COMPLETION_INDEX ${k8s} is not below --shard-count ${count}` };
    return { ok: true, shard: { index: k8s, count }, engine: `Kubernetes job index ${k8s}` };
  }
  return { ok: false, error: "--shard auto: neither a Slurm array task (SLURM_ARRAY_TASK_ID) nor a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) started this process" };
}
