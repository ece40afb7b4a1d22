/*
 * Campaign specs: YAML in, a validated CampaignSpec out. Validation collects every problem as
 * one line naming the field ("faults[2].count: must be a positive integer, got -1"); unknown
 * fields are errors too (a typo must not silently change an experiment).
 *
 *   name: swifi-disk                 description: ...            seed: 42
 *   builds: [minix3, monolithic]     workloads: [files]
 *   driver: at_wini                  driver_params: dma=1        heartbeat: 33   (ticks)
 *   driver: { files: at_wini, net: rtl8139 }   (or one driver per workload: faults go into each
 *            workload's own; the same driver_params for each)
 *   drivers: [at_wini, { driver: x, label: x1, params: "..." }]   (optional: the system's drivers;
 *            default one per driver class the workloads need; `driver` must be one of them)
 *   rounds: 1
 *   faults:
 *     - { type: SRC, count: 100, targets: [at_transfer], trigger: first, persistence: transient }
 *     - { type: BAD_POINTER, variant: null, count: 10, trigger: { nth: 2 } }
 *   limits: { budget: 2000000000, watchdog: 300000000 }   (cycles)
 */
import { parse as parseYaml } from "yaml";
import { BUILDS, driverNames, WORKLOADS, type DriverInstance } from "../system/index.js";
import { FAULT_TYPES, VARIANTS, type FaultType } from "../injectors/types.js";
import type { CampaignSpec, FaultModelSpec, TriggerSpec } from "./types.js";

export type SpecResult = { ok: true; spec: CampaignSpec } | { ok: false; errors: string[] };


const TOP_KEYS = ["name", "description", "seed", "builds", "workloads", "driver", "driver_params", "drivers", "heartbeat", "rounds", "faults", "limits"];
const DRIVER_KEYS = ["driver", "label", "params"];
const FAULT_KEYS = ["type", "variant", "count", "targets", "trigger", "persistence"];
const LIMIT_KEYS = ["budget", "watchdog"];

export const DEFAULT_LIMITS = { budgetCycles: 2_000_000_000, watchdogCycles: 300_000_000 };

/** Parses and validates a YAML spec. */
export function parseSpec(yamlText: string): SpecResult {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (e) {
    return { ok: false, errors: [`not valid YAML: ${(e as Error).message.split("\n")[0].replace(/:\s*$/, "")}`] };
  }
  return validateSpec(doc);
}

/** Validates an already parsed spec document. */
export function validateSpec(doc: unknown): SpecResult {
  const errors: string[] = [];
  if (!isObject(doc)) return { ok: false, errors: ["the spec must be a YAML mapping (name, builds, workloads, faults, ...)"] };
  unknownKeys(doc, TOP_KEYS, "", errors);
  const name = str(doc, "name", "", errors, true) ?? "";
  if (name && !/^[A-Za-z0-9_.-]+$/.test(name)) errors.push(`name: use letters, digits, '.', '_' or '-', got "${name}"`);
  const spec: CampaignSpec = {
    name,
    description: str(doc, "description", "", errors, false) ?? "",
    seed: int(doc, "seed", "", errors, { min: 0, required: true }) ?? 0,
    builds: list(doc, "builds", "", errors, Object.keys(BUILDS), "build"),
    workloads: list(doc, "workloads", "", errors, Object.keys(WORKLOADS), "workload"),
    driver: isObject(doc.driver) ? "" : str(doc, "driver", "", errors, false) ?? "at_wini",
    driverParams: str(doc, "driver_params", "", errors, false) ?? "dma=1",
    heartbeatTicks: int(doc, "heartbeat", "", errors, { min: 1 }) ?? 33,
    rounds: int(doc, "rounds", "", errors, { min: 1 }) ?? 1,
    faults: [],
    limits: { ...DEFAULT_LIMITS },
  };
  const known = driverNames();
  if (isObject(doc.driver)) perWorkload(doc.driver, spec, known, errors);
  else if (!known.includes(spec.driver)) errors.push(`driver: unknown driver "${spec.driver}" (known: ${known.join(", ")})`);
  if (doc.drivers !== undefined) {
    const drivers = driverList(doc.drivers, known, errors);
    // Present only when given: a spec without it keeps its stored JSON (and hash) unchanged.
    if (drivers) {
      spec.drivers = drivers;
      for (const t of spec.targets ? Object.values(spec.targets) : [spec.driver])
        if (!drivers.some((d) => (d.label ?? d.driver) === t)) errors.push(`driver: "${t}" is not among drivers (${drivers.map((d) => d.label ?? d.driver).join(", ")})`);
    }
  }
  if (!Array.isArray(doc.faults) || doc.faults.length === 0) errors.push("faults: must be a non-empty list of fault models");
  else doc.faults.forEach((f, i) => {
    const m = faultModel(f, `faults[${i}]`, errors);
    if (m) spec.faults.push(m);
  });
  if (doc.limits !== undefined) {
    if (!isObject(doc.limits)) errors.push("limits: must be a mapping with budget and/or watchdog (cycles)");
    else {
      unknownKeys(doc.limits, LIMIT_KEYS, "limits.", errors);
      spec.limits.budgetCycles = int(doc.limits, "budget", "limits.", errors, { min: 1 }) ?? DEFAULT_LIMITS.budgetCycles;
      spec.limits.watchdogCycles = int(doc.limits, "watchdog", "limits.", errors, { min: 1 }) ?? DEFAULT_LIMITS.watchdogCycles;
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, spec };
}

/** `driver:` as a mapping workload → driver: one for each of the spec's workloads, each a known driver. */
function perWorkload(map: Record<string, unknown>, spec: CampaignSpec, known: string[], errors: string[]): void {
  const targets: Record<string, string> = {};
  for (const [w, d] of Object.entries(map)) {
    if (!spec.workloads.includes(w)) errors.push(`driver.${w}: "${w}" is not one of the spec's workloads (${spec.workloads.join(", ")})`);
    else if (typeof d !== "string" || !known.includes(d)) errors.push(`driver.${w}: unknown driver ${JSON.stringify(d)} (known: ${known.join(", ")})`);
    else targets[w] = d;
  }
  for (const w of spec.workloads) if (!(w in map)) errors.push(`driver: no driver named for workload "${w}"`);
  spec.targets = Object.fromEntries(spec.workloads.filter((w) => targets[w]).map((w) => [w, targets[w]]));
  spec.driver = spec.targets[spec.workloads[0]] ?? "";
}

/** `drivers:` — catalog names, or { driver, label?, params? } mappings. */
function driverList(v: unknown, known: string[], errors: string[]): DriverInstance[] | undefined {
  if (!Array.isArray(v) || v.length === 0) {
    errors.push("drivers: must be a non-empty list of drivers (names, or mappings with driver, label, params)");
    return undefined;
  }
  return v.map((d, i) => {
    const at = `drivers[${i}]`;
    const o = typeof d === "string" ? { driver: d } : d;
    if (!isObject(o)) {
      errors.push(`${at}: must be a driver name or a mapping with driver, label, params`);
      return { driver: "" };
    }
    unknownKeys(o, DRIVER_KEYS, `${at}.`, errors);
    const driver = str(o, "driver", `${at}.`, errors, true) ?? "";
    if (driver && !known.includes(driver)) errors.push(`${at}.driver: unknown driver "${driver}" (known: ${known.join(", ")})`);
    const label = str(o, "label", `${at}.`, errors, false);
    const params = str(o, "params", `${at}.`, errors, false);
    return { driver, ...(label !== undefined ? { label } : {}), ...(params !== undefined ? { params } : {}) };
  });
}

function faultModel(f: unknown, at: string, errors: string[]): FaultModelSpec | undefined {
  if (!isObject(f)) {
    errors.push(`${at}: must be a mapping with type, count, trigger, persistence`);
    return undefined;
  }
  unknownKeys(f, FAULT_KEYS, `${at}.`, errors);
  const type = str(f, "type", `${at}.`, errors, true);
  if (type !== undefined && !FAULT_TYPES.includes(type as FaultType)) errors.push(`${at}.type: unknown fault type "${type}" (known: ${FAULT_TYPES.join(", ")})`);
  const variants = VARIANTS[type as FaultType];
  if (f.variant !== undefined && !variants?.includes(String(f.variant)))
    errors.push(`${at}.variant: ${variants ? `must be one of ${variants.join(", ")}` : `${type} has no variants`}, got ${JSON.stringify(f.variant)}`);
  const persistence = str(f, "persistence", `${at}.`, errors, false) ?? "transient";
  if (persistence !== "transient" && persistence !== "persistent") errors.push(`${at}.persistence: must be transient or persistent, got "${persistence}"`);
  let targets: string[] | undefined;
  if (f.targets !== undefined) {
    if (!Array.isArray(f.targets) || f.targets.length === 0 || !f.targets.every((t) => typeof t === "string" && t))
      errors.push(`${at}.targets: must be a non-empty list of function names`);
    else targets = f.targets as string[];
  }
  return {
    type: type ?? "",
    ...(f.variant !== undefined ? { variant: String(f.variant) } : {}),
    count: int(f, "count", `${at}.`, errors, { min: 1, required: true }) ?? 0,
    ...(targets ? { targets } : {}),
    trigger: trigger(f.trigger, `${at}.trigger`, errors),
    persistence: persistence as FaultModelSpec["persistence"],
  };
}

function trigger(t: unknown, at: string, errors: string[]): TriggerSpec {
  if (t === undefined || t === "first") return { kind: "first" };
  if (isObject(t)) {
    const keys = Object.keys(t);
    if (keys.length === 1 && keys[0] === "nth" && Number.isSafeInteger(t.nth) && (t.nth as number) >= 1) return { kind: "nth", n: t.nth as number };
    if (keys.length === 1 && keys[0] === "cycle" && Number.isSafeInteger(t.cycle) && (t.cycle as number) >= 0) return { kind: "cycle", at: t.cycle as number };
  }
  errors.push(`${at}: must be "first", { nth: N } (N >= 1) or { cycle: T } (cycles after the experiment starts), got ${JSON.stringify(t)}`);
  return { kind: "first" };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function unknownKeys(o: Record<string, unknown>, known: string[], at: string, errors: string[]): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const near = known.find((n) => editDistance(n, k) <= 2);
    errors.push(`${at}${k}: unknown field${near ? ` (did you mean ${near}?)` : ` (known: ${known.join(", ")})`}`);
  }
}

function str(o: Record<string, unknown>, key: string, at: string, errors: string[], required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined) {
    if (required) errors.push(`${at}${key}: required`);
    return undefined;
  }
  if (typeof v !== "string" && typeof v !== "number") {
    errors.push(`${at}${key}: must be a string, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return String(v);
}

function int(o: Record<string, unknown>, key: string, at: string, errors: string[], opts: { min: number; required?: boolean }): number | undefined {
  const v = o[key];
  if (v === undefined) {
    if (opts.required) errors.push(`${at}${key}: required`);
    return undefined;
  }
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < opts.min) {
    errors.push(`${at}${key}: must be an integer >= ${opts.min}, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v;
}

function list(o: Record<string, unknown>, key: string, at: string, errors: string[], known: string[], what: string): string[] {
  const v = o[key];
  if (!Array.isArray(v) || v.length === 0) {
    errors.push(`${at}${key}: must be a non-empty list of ${what}s (known: ${known.join(", ")})`);
    return [];
  }
  const out: string[] = [];
  v.forEach((x, i) => {
    if (typeof x !== "string" || !known.includes(x)) errors.push(`${at}${key}[${i}]: unknown ${what} ${JSON.stringify(x)} (known: ${known.join(", ")})`);
    else if (out.includes(x)) errors.push(`${at}${key}[${i}]: ${what} "${x}" listed twice`);
    else out.push(x);
  });
  return out;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}
