/*
 * A small real campaign for report tests: campaigns/library/smoke.yaml with every fault count
 * scaled down, run into a database (not a checked-in fake), on one worker or several.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runCampaign } from "../../campaigns/runner.js";
import { parseSpec } from "../../campaigns/spec.js";
import { Store } from "../../campaigns/store.js";
import type { CampaignSpec } from "../../campaigns/types.js";

export const SMOKE_YAML = readFileSync(fileURLToPath(new URL("../../campaigns/library/smoke.yaml", import.meta.url)), "utf8");
export const STARTED_AT = "2026-01-02T03:04:05.000Z";

/** smoke.yaml with `count` faults per model. */
export function smokeSpec(count = 3): CampaignSpec {
  const r = parseSpec(SMOKE_YAML);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return { ...r.spec, faults: r.spec.faults.map((f) => ({ ...f, count })) };
}

/**
 * Runs `spec` (default: the scaled-down smoke campaign) into a new database at `path`, on
 * `workers` worker threads (1: in this thread).
 */
export async function runSmallCampaign(path: string, spec: CampaignSpec = smokeSpec(), workers = 1): Promise<void> {
  const o = Store.open(path, { create: true });
  if (!o.ok) throw new Error(o.error);
  const init = o.store.init(spec, SMOKE_YAML);
  if (!init.ok) throw new Error(init.error);
  o.store.setMeta("started_at", STARTED_AT); // as the CLI does
  await runCampaign(spec, o.store, { workers });
  o.store.close();
}
