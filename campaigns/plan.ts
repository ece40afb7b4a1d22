/*
 * The planner: a pure function from a spec to the list of experiments. Faults are enumerated
 * per workload × fault model × round × index, and each is run on every build, so experiment
 * ids of one fault are adjacent and the builds can be compared fault by fault. Every random
 * choice of an experiment comes from its own seed, derived from the campaign seed and the
 * fault's coordinates (not from the build, not from the worker or shard that runs it).
 */
import { createHash } from "node:crypto";
import type { CampaignSpec, ExperimentPlan } from "./types.js";

/** A 32-bit seed derived from the campaign seed and a key. */
export function deriveSeed(campaignSeed: number, key: string): number {
  return createHash("sha256").update(`${campaignSeed}:${key}`).digest().readUInt32LE(0);
}

/** Every experiment of the campaign, ids 0..n-1 in a fixed order. */
export function planExperiments(spec: CampaignSpec): ExperimentPlan[] {
  const out: ExperimentPlan[] = [];
  for (const workload of spec.workloads)
    spec.faults.forEach((m, model) => {
      for (let round = 0; round < spec.rounds; round++)
        for (let index = 0; index < m.count; index++) {
          const faultKey = `${workload}/${model}/${round}/${index}`;
          const seed = deriveSeed(spec.seed, faultKey);
          for (const build of spec.builds) out.push({ id: out.length, build, workload, model, round, index, seed, faultKey });
        }
    });
  return out;
}

/** The (build, workload) pairs the campaign needs a post-boot snapshot and a golden run for. */
export const configurations = (spec: CampaignSpec): Array<[string, string]> =>
  spec.builds.flatMap((b) => spec.workloads.map((w) => [b, w] as [string, string]));
