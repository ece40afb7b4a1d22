/*
 * Where a shard's host time goes: runs a campaign's experiments (or the first N) on one thread
 * and sums host time, experiments and emulated cycles per outcome. For the question "why under
 * 100 activated experiments per second": the answer is in which outcomes take the time. Usage:
 *   node dist/bench/where-time-goes.js <spec.yaml> [N]
 * Host time is measured here, in a benchmark, never inside the system (DESIGN.md principle 2).
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { planExperiments } from "../campaigns/plan.js";
import { ExperimentSource } from "../campaigns/source.js";
import { parseSpec } from "../campaigns/spec.js";

const [file, limit] = process.argv.slice(2);
const parsed = parseSpec(readFileSync(file, "utf8"));
if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
const spec = parsed.spec;
const plans = planExperiments(spec).slice(0, limit ? Number(limit) : undefined);
const source = new ExperimentSource(spec, []);
const t0 = performance.now();
for (const b of spec.builds) for (const w of spec.workloads) source.golden(b, w); // boots and golden runs, timed apart
const boot = performance.now() - t0;
const by = new Map<string, { n: number; ms: number; cycles: number }>();
const start = performance.now();
for (const p of plans) {
  const t = performance.now();
  const r = source.run(p);
  const e = by.get(r.outcome) ?? { n: 0, ms: 0, cycles: 0 };
  e.n++;
  e.ms += performance.now() - t;
  e.cycles += r.cycles;
  by.set(r.outcome, e);
}
const total = performance.now() - start;
const activated = plans.length - (by.get("not-activated")?.n ?? 0);
console.log(`${spec.name}: ${plans.length} experiments (${activated} activated) in ${(total / 1000).toFixed(1)} s on one thread: ${(activated / (total / 1000)).toFixed(1)} activated/s; boots and golden runs ${(boot / 1000).toFixed(1)} s`);
console.log("outcome            experiments   host s   share   ms each   emulated s each   emulated s per host s");
for (const [o, e] of [...by].sort((a, b) => b[1].ms - a[1].ms))
  console.log(`${o.padEnd(18)} ${String(e.n).padStart(11)} ${(e.ms / 1000).toFixed(1).padStart(8)} ${((100 * e.ms) / total).toFixed(1).padStart(6)}% ${(e.ms / e.n).toFixed(1).padStart(9)} ${(e.cycles / e.n / 1e8).toFixed(2).padStart(17)} ${(e.cycles / 1e8 / (e.ms / 1000)).toFixed(1).padStart(23)}`);
