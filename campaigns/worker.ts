/*
 * A campaign worker thread: one system per configuration, booted on first use. It answers two
 * requests: run the golden run of a configuration (the runner spreads them over the workers
 * while the others boot), and run an experiment — once it knows every golden run. Results do
 * not depend on which worker runs what: every experiment starts from the same post-boot snapshot.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ExperimentSource } from "./source.js";
import type { CampaignSpec, ExperimentPlan, ExperimentResult, GoldenRun } from "./types.js";

/** What the runner asks of a worker. */
export type WorkerRequest =
  | { kind: "golden"; build: string; workload: string }
  | { kind: "goldens"; goldens: GoldenRun[] }
  | { kind: "run"; plan: ExperimentPlan };

/** What a worker answers (nothing to "goldens"). */
export type WorkerReply =
  | { ok: true; kind: "golden"; golden: GoldenRun }
  | { ok: true; kind: "run"; result: ExperimentResult }
  | { ok: false; kind: "golden" | "run"; what: string; error: string };

const { spec } = workerData as { spec: CampaignSpec };
const source = new ExperimentSource(spec, []);

parentPort!.on("message", (req: WorkerRequest) => {
  const reply = (r: WorkerReply) => parentPort!.postMessage(r);
  try {
    if (req.kind === "goldens") source.setGoldens(req.goldens);
    else if (req.kind === "golden") reply({ ok: true, kind: "golden", golden: source.golden(req.build, req.workload) });
    else reply({ ok: true, kind: "run", result: source.run(req.plan) });
  } catch (e) {
    const what = req.kind === "run" ? `experiment ${req.plan.id}` : req.kind === "golden" ? `golden run of ${req.build} × ${req.workload}` : "golden runs";
    reply({ ok: false, kind: req.kind === "run" ? "run" : "golden", what, error: (e as Error).message });
  }
});
