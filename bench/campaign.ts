/*
 * `npm run bench:campaign`: experiments per second on the swifi-disk campaign, counting only
 * activated experiments (those decided not-activated from the golden run's coverage cost
 * almost nothing and are not counted). One run with 1 worker (the per-worker rate) and one
 * with 2 workers (the total), each into a fresh temporary database. Wall time includes booting
 * the configurations and their golden runs, as a user would see it.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCampaign } from "../campaigns/runner.js";
import { parseSpec } from "../campaigns/spec.js";
import { Store } from "../campaigns/store.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const yaml = readFileSync(join(root, "campaigns", "library", "swifi-disk.yaml"), "utf8");
const parsed = parseSpec(yaml);
if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
const spec = parsed.spec;
const dir = mkdtempSync(join(tmpdir(), "bulkhead-bench-"));

async function measure(workers: number, maxExperiments?: number): Promise<void> {
  const o = Store.open(join(dir, `w${workers}.db`), { create: true });
  if (!o.ok) throw new Error(o.error);
  o.store.init(spec, yaml);
  const t0 = process.hrtime.bigint();
  const s = await runCampaign(spec, o.store, { workers, ...(maxExperiments ? { maxExperiments } : {}) });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const activated = s.total - s.counts["not-activated"];
  const rate = activated / secs;
  console.log(
    `${workers} worker${workers > 1 ? "s" : " "}: ${s.total} experiments (${activated} activated) in ${secs.toFixed(1)} s` +
      ` -> ${rate.toFixed(1)} activated exp/s total, ${(rate / workers).toFixed(1)} per worker`,
  );
  o.store.close();
}

await measure(1, Number(process.env.BENCH_EXPERIMENTS ?? 600));
await measure(2);
