/*
 * `npm run bench:campaign`: experiments per second on the swifi-disk campaign, counting only
 * activated experiments (those decided not-activated from the golden run's coverage cost
 * almost nothing and are not counted). One run with 1 worker (the per-worker rate) and one
 * with 2 workers (the total), each into a fresh temporary database. Wall time includes booting
 * the configurations and their golden runs, as a user would see it.
 *
 * Then where the two-worker time goes: time to the first result (worker start, boot, golden
 * runs), and two workers running their halves of the campaign twice on the same systems. The
 * first pass includes each thread's warm-up (V8 compiling host code and translated guest
 * blocks, per thread); the second is the steady rate that longer campaigns approach.
 *
 * Then the same two rates on swifi-net (its 0.33-s-heartbeat ablation, for the same reason as
 * the disk's), and the host time of one fault-free experiment of each workload (files, net, print, audio):
 * restore the post-boot snapshot, run to completion, as a campaign does for every experiment.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureGoldens, runCampaign } from "../campaigns/runner.js";
import { parseSpec } from "../campaigns/spec.js";
import { Store } from "../campaigns/store.js";
import type { CampaignSpec, GoldenRun } from "../campaigns/types.js";
import { BUILDS } from "../system/builds/index.js";
import { composeSystem } from "../system/compose.js";
import { DEFAULT_LIMITS, runWorkload } from "../system/run.js";
import { WORKLOADS } from "../system/workloads/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A campaign of the library, parsed. */
function campaign(name: string): { yaml: string; spec: CampaignSpec } {
  const yaml = readFileSync(join(root, "campaigns", "library", `${name}.yaml`), "utf8");
  const parsed = parseSpec(yaml);
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return { yaml, spec: parsed.spec };
}

// The 0.33-s-heartbeat ablation: the same 1,400 faults as swifi-disk with the spin lengths of
// earlier measurements, so the figures measure the system's speed and stay comparable over time
// (swifi-disk itself, with MINIX's 3-s heartbeat, spends most of its time in hangs 10 times longer).
const { yaml, spec } = campaign("swifi-disk-fast-heartbeat");
const dir = mkdtempSync(join(tmpdir(), "bulkhead-bench-"));

async function measure(workers: number, maxExperiments?: number, c = { yaml, spec }): Promise<void> {
  const { yaml, spec } = c;
  const o = Store.open(join(dir, `${spec.name}-w${workers}.db`), { create: true });
  if (!o.ok) throw new Error(o.error);
  o.store.init(spec, yaml);
  const t0 = process.hrtime.bigint();
  let first = 0;
  const s = await runCampaign(spec, o.store, {
    workers,
    ...(maxExperiments ? { maxExperiments } : {}),
    onProgress: (p) => void (first ||= p.done > 0 ? Number(process.hrtime.bigint() - t0) / 1e9 : 0),
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const activated = s.total - s.counts["not-activated"];
  const rate = activated / secs;
  console.log(
    `${workers} worker${workers > 1 ? "s" : " "}: ${s.total} experiments (${activated} activated) in ${secs.toFixed(1)} s` +
      ` -> ${rate.toFixed(1)} activated exp/s total, ${(rate / workers).toFixed(1)} per worker`,
  );
  if (workers > 1) console.log(`           first result after ${first.toFixed(1)} s (worker start, boot, golden runs)`);
  o.store.close();
}

/** Two workers, each running its half of the campaign twice (see the header). */
async function warm(goldens: GoldenRun[]): Promise<void> {
  type Pass = { secs: number; activated: number };
  const url = new URL("./warm-worker.js", import.meta.url);
  const runs = await Promise.all(
    [0, 1].map(
      (index) =>
        new Promise<Pass[]>((resolve, reject) => {
          const w = new Worker(url, { workerData: { spec, goldens, shard: { index, count: 2 } } });
          w.once("message", resolve);
          w.once("error", reject);
        }),
    ),
  );
  for (const [pass, name] of ["first pass (cold threads)", "second pass (warm threads)"].entries()) {
    const activated = runs.reduce((n, r) => n + r[pass].activated, 0);
    const secs = Math.max(...runs.map((r) => r[pass].secs));
    console.log(`2 workers, ${name}: ${activated} activated in ${secs.toFixed(1)} s -> ${(activated / secs).toFixed(1)} activated exp/s total`);
  }
}

await measure(1, Number(process.env.BENCH_EXPERIMENTS ?? 600));
await measure(2);
const o = Store.open(join(dir, `${spec.name}-w2.db`), { create: false });
if (!o.ok) throw new Error(o.error);
const goldens = ensureGoldens(spec, o.store);
o.store.close();
await warm(goldens);

console.log("swifi-net (0.33-s heartbeat):");
const net = campaign("swifi-net-fast-heartbeat");
await measure(1, undefined, net);
await measure(2, undefined, net);

/** Host milliseconds of one fault-free experiment of `workload` on minix3 (median of `n`). */
function faultFree(workload: string, n = 30): number {
  const w = WORKLOADS[workload];
  const c = composeSystem(BUILDS.minix3, w);
  if (!c.ok) throw new Error(c.error);
  const snap = c.system.snapshot();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    c.system.restore(snap);
    const t0 = process.hrtime.bigint();
    const obs = runWorkload(c.system, w, c.params, DEFAULT_LIMITS);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (obs.oracle.verdict !== "pass") throw new Error(`${workload}: a fault-free run ended ${obs.oracle.verdict}`);
  }
  return times.sort((a, b) => a - b)[n >> 1];
}
for (const w of ["files", "net", "print", "audio"]) console.log(`fault-free ${w} experiment on minix3: ${faultFree(w).toFixed(1)} ms of host time (median of 30)`);
