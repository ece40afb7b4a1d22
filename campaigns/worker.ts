/*
 * A campaign worker thread: one system per configuration, booted on first use. It answers the
 * requests of campaigns/protocol.ts: run the golden run of a configuration (the runner spreads
 * them over the workers while the others boot), learn every golden run, and run an experiment.
 * Results do not depend on which worker runs what: every experiment starts from the same
 * post-boot snapshot.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { WorkerReply, WorkerRequest } from "./protocol.js";
import { ExperimentSource } from "./source.js";
import type { CampaignSpec } from "./types.js";

const { spec } = workerData as { spec: CampaignSpec };
const source = new ExperimentSource(spec, []);

/** The reply to one request (none to "goldens"). */
function answer(req: WorkerRequest): WorkerReply | undefined {
  switch (req.kind) {
    case "golden":
      return { ok: true, kind: "golden", golden: source.golden(req.build, req.workload) };
    case "goldens":
      source.setGoldens(req.goldens);
      return undefined;
    case "run":
      return { ok: true, kind: "run", result: source.run(req.plan) };
  }
}

/** The failure reply to a request that threw. */
function failure(req: WorkerRequest, e: unknown): WorkerReply {
  const what = req.kind === "run" ? `experiment ${req.plan.id}` : req.kind === "golden" ? `golden run of ${req.build} × ${req.workload}` : "golden runs";
  return { ok: false, kind: req.kind === "run" ? "run" : "golden", what, error: (e as Error).message };
}

parentPort!.on("message", (req: WorkerRequest) => {
  const post = (r: WorkerReply) => parentPort!.postMessage(r);
  try {
    const reply = answer(req);
    if (reply) post(reply);
  } catch (e) {
    post(failure(req, e));
  }
});
