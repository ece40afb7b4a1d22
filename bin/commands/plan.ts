/*
 * `bulkhead plan --margin E [--confidence C] [--population N] [--p P]`: how many experiments a
 * campaign needs to estimate one rate (say, a build's share of system crashes) within ±E at
 * confidence C, after Leveugle et al., "Statistical fault injection: quantified error and
 * confidence", DATE 2009: n = N t² p(1−p) / (e² (N − 1) + t² p(1−p)), or t² p(1−p) / e² for an
 * unbounded population of faults; p = 0.5 is the worst case. Prints n and the formula's inputs.
 * Exit status: 0; 2 bad input (one line on stderr).
 */
import type { Argv, CommandModule } from "yargs";
import { sampleSize, zOf } from "../../reports/stats.js";
import { EXIT_USAGE, ExitError } from "../errors.js";
import { parseIntOption } from "./run.js";

interface PlanArgs {
  margin?: string;
  confidence?: string;
  population?: string;
  p?: string;
}

export interface SamplePlan {
  margin: number;
  confidence: number;
  p: number;
  population?: number;
}

/** A number strictly between 0 and 1 given as option `name`; a one-line error otherwise. */
function fraction(name: string, raw: unknown, fallback?: number): number {
  if (raw === undefined && fallback !== undefined) return fallback;
  if (raw === undefined) throw new ExitError(EXIT_USAGE, `--${name} is required (a number between 0 and 1, e.g. 0.01)`);
  if (Array.isArray(raw)) throw new ExitError(EXIT_USAGE, `--${name} given more than once`);
  const text = String(raw).trim();
  const v = /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
  if (!(v > 0 && v < 1)) throw new ExitError(EXIT_USAGE, `--${name} must be a number between 0 and 1 (exclusive), got '${String(raw)}'`);
  return v;
}

/** Checks the options; throws ExitError(2) with one line on bad input. */
export function parsePlanOptions(args: PlanArgs): SamplePlan {
  const margin = fraction("margin", args.margin);
  const confidence = fraction("confidence", args.confidence, 0.95);
  const p = fraction("p", args.p, 0.5);
  const population = parseIntOption("population", args.population, 1);
  if (!population.ok) throw new ExitError(EXIT_USAGE, population.error);
  return { margin, confidence, p, ...(population.value !== undefined ? { population: population.value } : {}) };
}

/** The command's output: n, then the inputs and the formula used. */
export function formatPlan(plan: SamplePlan): string {
  const n = sampleSize(plan);
  const t = zOf(plan.confidence);
  const formula = plan.population === undefined ? "n = t² p(1−p) / e²" : "n = N t² p(1−p) / (e² (N − 1) + t² p(1−p))";
  return [
    `${n} experiments`,
    `to estimate a rate within ±${plan.margin} (margin e) at ${plan.confidence} confidence (t = ${t.toFixed(6)}), assuming p = ${plan.p}, ` +
      `population N = ${plan.population ?? "unbounded"}`,
    `${formula}, rounded up (Leveugle et al., DATE 2009)`,
  ].join("\n");
}

export const planCommand: CommandModule<object, PlanArgs> = {
  command: "plan",
  describe: "How many experiments a campaign needs for a margin of error at a confidence level (Leveugle et al.)",
  builder: (y: Argv<object>) =>
    y
      .option("margin", { type: "string", describe: "margin of error e, e.g. 0.01 for ±1 percentage point (required)" })
      .option("confidence", { type: "string", describe: "confidence level (default 0.95)" })
      .option("population", { type: "string", describe: "number of possible faults N (default: unbounded)" })
      .option("p", { type: "string", describe: "expected rate (default 0.5, the worst case)" })
      .epilogue("Exit status: 0; 2 bad input.") as unknown as Argv<PlanArgs>,
  handler: (argv) => {
    process.stdout.write(formatPlan(parsePlanOptions(argv)) + "\n");
  },
};
