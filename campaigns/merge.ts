/*
 * Merging the databases of one campaign's shards (or of interrupted runs on several machines)
 * into one. All inputs must hold the same spec (same spec hash); the merged database then has
 * the union of their experiments, builds and golden runs, row for row what a single run would
 * have written. An experiment, build or golden run present in two inputs must be identical in
 * every column (the runs are deterministic, so a difference means different code or data).
 *
 * Rows are copied inside SQLite (ATTACH + INSERT ... SELECT), one transaction per input, so a
 * campaign of many thousands of experiments merges in moments. On failure the output file is
 * removed again: it never holds half a merge.
 */
import { existsSync, rmSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import type Database from "better-sqlite3";
import { planExperiments } from "./plan.js";
import { EXPERIMENT_COLUMNS, GOLDEN_COLUMNS, q, Store, type Result } from "./store.js";
import type { CampaignSpec, ExperimentResult } from "./types.js";

export interface MergeSummary {
  inputs: number;
  /** Experiments in the merged database, and how many the spec plans. */
  experiments: number;
  planned: number;
  /** Experiments found in more than one input (identical, so stored once). */
  duplicates: number;
  builds: number;
  golden: number;
}

/** What the merge needs to know about one input. */
interface InputInfo {
  path: string;
  name: string;
  specHash: string;
  specJson: string;
  specYaml: string;
  version?: string;
  startedAt?: string;
}

/**
 * Merges `inputs` into the new database `output` (a missing or empty file). Returns a summary,
 * or a one-line error: an input that cannot be opened, inputs of different specs, a conflicting
 * duplicate, an output that already holds data.
 */
export function mergeStores(inputs: string[], output: string): Result<{ summary: MergeSummary }> {
  if (inputs.length === 0) return { ok: false, error: "merge needs at least one input database" };
  if (inputs.some((p) => resolve(p) === resolve(output))) return { ok: false, error: `the output ${output} is also an input` };
  const infos: InputInfo[] = [];
  for (const path of inputs) {
    const info = readInput(path);
    if (!info.ok) return info;
    if (infos.length > 0 && info.info.specHash !== infos[0].specHash)
      return { ok: false, error: `${path} holds another spec than ${inputs[0]} (campaign ${info.info.name}, spec hash ${info.info.specHash.slice(0, 12)} vs ${infos[0].specHash.slice(0, 12)}); only databases of one campaign can be merged` };
    infos.push(info.info);
  }
  const empty = checkOutputEmpty(output);
  if (!empty.ok) return empty;
  const opened = Store.open(output, { create: true });
  if (!opened.ok) return opened;
  const store = opened.store;
  try {
    const spec = JSON.parse(infos[0].specJson) as CampaignSpec;
    const init = store.init(spec, infos[0].specYaml);
    if (!init.ok) throw new MergeError(init.error);
    writeMeta(store, infos);
    let duplicates = 0;
    for (let i = 0; i < infos.length; i++) duplicates += mergeOne(store.connection(), infos[i].path, inputs.slice(0, i));
    const summary: MergeSummary = {
      inputs: inputs.length, experiments: store.count(), planned: planExperiments(spec).length,
      duplicates, builds: store.builds().length, golden: store.goldens().length,
    };
    store.close();
    return { ok: true, summary };
  } catch (e) {
    store.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(output + suffix, { force: true });
    if (e instanceof MergeError) return { ok: false, error: e.message };
    throw e;
  }
}

/** An expected failure inside the merge transaction (carries the one-line message). */
class MergeError extends Error {}

function readInput(path: string): Result<{ info: InputInfo }> {
  const opened = Store.open(path, { create: false });
  if (!opened.ok) return opened;
  const s = opened.store;
  const info: InputInfo = {
    path,
    name: s.meta("name") ?? "?",
    specHash: s.meta("spec_hash") ?? "",
    specJson: s.meta("spec_json") ?? "",
    specYaml: s.meta("spec_yaml") ?? "",
    version: s.meta("version"),
    startedAt: s.meta("started_at"),
  };
  s.close();
  if (!info.specHash || !info.specJson) return { ok: false, error: `${path} holds no campaign yet (no spec recorded)` };
  return { ok: true, info };
}

/** The output must be new: missing, an empty file, or a store without spec or rows. */
function checkOutputEmpty(output: string): Result {
  if (!existsSync(output) || (statSync(output).isFile() && statSync(output).size === 0)) return { ok: true };
  const opened = Store.open(output, { create: true });
  if (!opened.ok) return opened;
  const s = opened.store;
  const used = s.meta("spec_hash") !== undefined || s.count() > 0 || s.builds().length > 0;
  s.close();
  return used ? { ok: false, error: `${output} already holds a campaign; merge into a new file` } : { ok: true };
}

/** Meta of the merged store: version of the first input, the earliest start, the inputs. */
function writeMeta(store: Store, infos: InputInfo[]): void {
  if (infos[0].version !== undefined) store.setMeta("version", infos[0].version);
  const starts = infos.map((i) => i.startedAt).filter((s): s is string => s !== undefined).sort();
  if (starts.length > 0) store.setMeta("started_at", starts[0]);
  store.setMeta("merged_from", JSON.stringify(infos.map((i) => basename(i.path))));
}

const EXP_COLS = EXPERIMENT_COLUMNS.map(([c]) => q(c));
const GOLDEN_COLS = GOLDEN_COLUMNS.map(q);

/** `a.c1 IS b.c1 AND ...`: rows equal in every column (IS also matches NULLs). */
const sameRow = (cols: string[]): string => cols.map((c) => `s.${c} IS m.${c}`).join(" AND ");

/**
 * Copies one input's rows into the output (attached as `src`), checking duplicates against what
 * is merged so far. Returns the number of duplicate experiments; throws MergeError on a conflict.
 */
function mergeOne(db: Database.Database, path: string, earlier: string[]): number {
  db.prepare("ATTACH DATABASE ? AS src").run(path);
  try {
    return db.transaction(() => {
      const build = db.prepare<[], string>(`SELECT s.name FROM src.builds s JOIN main.builds m ON m.name = s.name WHERE NOT (${sameRow(["fingerprint", "json"])}) LIMIT 1`).pluck().get();
      if (build !== undefined) throw new MergeError(`build ${build} differs between ${path} and ${earlierName(earlier)} (another fingerprint: the build changed between runs)`);
      const golden = db.prepare<[], { build: string; workload: string }>(`SELECT s.build, s.workload FROM src.golden s JOIN main.golden m ON m.build = s.build AND m.workload = s.workload WHERE NOT (${sameRow(GOLDEN_COLS)}) LIMIT 1`).get();
      if (golden !== undefined) throw new MergeError(`the golden run of ${golden.build} × ${golden.workload} differs between ${path} and ${earlierName(earlier)}`);
      const conflict = db.prepare<[], number>(`SELECT s.id FROM src.experiments s JOIN main.experiments m ON m.id = s.id WHERE NOT (${sameRow(EXP_COLS)}) ORDER BY s.id LIMIT 1`).pluck().get();
      if (conflict !== undefined) throw new MergeError(conflictMessage(db, conflict, path, earlier));
      const dups = db.prepare<[], number>("SELECT count(*) FROM src.experiments s JOIN main.experiments m ON m.id = s.id").pluck().get() ?? 0;
      db.exec(`INSERT INTO main.builds (name, fingerprint, json) SELECT name, fingerprint, json FROM src.builds WHERE name NOT IN (SELECT name FROM main.builds)`);
      db.exec(`INSERT INTO main.golden (${GOLDEN_COLS.join(", ")}) SELECT ${GOLDEN_COLS.join(", ")} FROM src.golden s WHERE NOT EXISTS (SELECT 1 FROM main.golden m WHERE m.build = s.build AND m.workload = s.workload)`);
      db.exec(`INSERT INTO main.experiments (${EXP_COLS.join(", ")}) SELECT ${EXP_COLS.join(", ")} FROM src.experiments WHERE id NOT IN (SELECT id FROM main.experiments)`);
      return dups;
    })();
  } finally {
    db.prepare("DETACH DATABASE src").run();
  }
}

const earlierName = (earlier: string[]): string => (earlier.length === 1 ? earlier[0] : "an earlier input");

/** "experiment 17 differs between b.db and a.db (outcome: recovered vs system-crash)". */
function conflictMessage(db: Database.Database, id: number, path: string, earlier: string[]): string {
  const row = (schema: string): Record<string, unknown> | undefined =>
    db.prepare<[number], Record<string, unknown>>(`SELECT * FROM ${schema}.experiments WHERE id = ?`).get(id);
  const mine = row("src");
  const theirs = row("main");
  const col = EXPERIMENT_COLUMNS.map(([c]) => c).find((c) => mine?.[c] !== theirs?.[c]);
  const what = col ? ` (${col}: ${show(theirs?.[col])} vs ${show(mine?.[col])})` : "";
  return `experiment ${id} differs between ${holderOf(earlier, id) ?? earlierName(earlier)} and ${path}${what}; these databases are not of one deterministic campaign`;
}

const show = (v: unknown): string => {
  const s = String(v);
  return s.length > 40 ? s.slice(0, 37) + "..." : s;
};

/** The first earlier input that holds experiment `id` (only asked on the error path). */
function holderOf(earlier: string[], id: number): string | undefined {
  for (const path of earlier) {
    const opened = Store.open(path, { create: false });
    if (!opened.ok) continue;
    const held: ExperimentResult | undefined = opened.store.result(id);
    opened.store.close();
    if (held) return path;
  }
  return undefined;
}
