/*
 * A campaign worker thread: one system per configuration, booted on first use; runs the
 * experiments the main thread sends and posts each result back. Results do not depend on
 * which worker runs what: every experiment starts from the same post-boot snapshot.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ExperimentSource } from "./source.js";
import type { CampaignSpec, ExperimentPlan, GoldenRun } from "./types.js";

const { spec, goldens } = workerData as { spec: CampaignSpec; goldens: GoldenRun[] };
const source = new ExperimentSource(spec, goldens);

parentPort!.on("message", (plan: ExperimentPlan) => {
  try {
    parentPort!.postMessage({ ok: true, result: source.run(plan) });
  } catch (e) {
    parentPort!.postMessage({ ok: false, id: plan.id, error: (e as Error).message });
  }
});
