/*
 * Configurations on demand: boots each (build, workload) the first time an experiment needs
 * it, attaches its golden run, and runs experiments on it. Used by the in-process runner, by
 * each worker thread, and by replay.
 */
import { CampaignError } from "./errors.js";
import { commonCoverage, prepareConfig, runExperiment, attachGolden, type BootedConfig } from "./execute.js";
import type { CampaignSpec, ExperimentPlan, ExperimentResult, GoldenRun } from "./types.js";

export class ExperimentSource {
  private readonly configs = new Map<string, BootedConfig>();
  private readonly executed = new Map<string, Set<number>>();

  constructor(
    private readonly spec: CampaignSpec,
    private goldens: GoldenRun[],
  ) {}

  /** The booted configuration of build × workload (its golden run attached: given, or run now). */
  config(build: string, workload: string): BootedConfig {
    const key = `${build}\u0000${workload}`;
    let cfg = this.configs.get(key);
    if (!cfg) {
      const r = prepareConfig(this.spec, build, workload);
      if (!r.ok) throw new CampaignError(r.error);
      cfg = r.config;
      attachGolden(this.spec, cfg, this.goldens.find((g) => g.build === build && g.workload === workload));
      this.configs.set(key, cfg);
    }
    return cfg;
  }

  /** The golden run of build × workload (run now if not given), keeping the booted configuration. */
  golden(build: string, workload: string): GoldenRun {
    return this.config(build, workload).golden!;
  }

  /** Sets the golden runs of every configuration (a worker learns them after they were run). */
  setGoldens(goldens: GoldenRun[]): void {
    this.goldens = goldens;
    this.executed.clear();
  }

  /** Driver instructions executed in every build's golden run of `workload`. */
  executedIn(workload: string): Set<number> {
    let e = this.executed.get(workload);
    if (!e) {
      e = commonCoverage(this.goldens, workload);
      this.executed.set(workload, e);
    }
    return e;
  }

  run(plan: ExperimentPlan): ExperimentResult {
    return runExperiment(this.spec, this.config(plan.build, plan.workload), plan, this.executedIn(plan.workload));
  }
}
