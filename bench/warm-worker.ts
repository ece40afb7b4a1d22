/*
 * A worker of the campaign bench's warm measurement: it runs its shard of the campaign twice on
 * the same systems and reports the time of each pass. The first pass pays this thread's warm-up
 * (V8 compiling the host code and the translated guest blocks); the second shows the steady
 * rate a long campaign approaches. Nothing is stored: this measures, the runner runs campaigns.
 */
import { parentPort, workerData } from "node:worker_threads";
import { planExperiments } from "../campaigns/plan.js";
import { inShard, type Shard } from "../campaigns/shard.js";
import { ExperimentSource } from "../campaigns/source.js";
import type { CampaignSpec, GoldenRun } from "../campaigns/types.js";

const { spec, goldens, shard } = workerData as { spec: CampaignSpec; goldens: GoldenRun[]; shard: Shard };
const source = new ExperimentSource(spec, goldens);
const plans = planExperiments(spec).filter((p) => inShard(p.id, shard, spec.builds.length));
const passes: Array<{ secs: number; activated: number }> = [];
for (let pass = 0; pass < 2; pass++) {
  const t0 = process.hrtime.bigint();
  let activated = 0;
  for (const p of plans) if (source.run(p).outcome !== "not-activated") activated++;
  passes.push({ secs: Number(process.hrtime.bigint() - t0) / 1e9, activated });
}
parentPort!.postMessage(passes);
