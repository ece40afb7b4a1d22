/*
 * The campaign store: one SQLite file per campaign (better-sqlite3, WAL mode). It holds the spec,
 * the builds' fingerprints, the golden runs and one row per finished experiment, so that reports
 * can be rendered from it alone and any SQLite client can query it. Schema (version 1):
 *
 *   meta(key TEXT PRIMARY KEY, value TEXT)
 *       schema       "1"
 *       name         campaign name
 *       spec_yaml    the spec as the user wrote it
 *       spec_json    the validated spec (CampaignSpec) as canonical JSON, after CLI overrides
 *       spec_hash    sha256 (hex) of spec_json: two databases of one campaign have the same hash
 *       version, started_at, ...   written by the CLI (no wall clock in campaigns/)
 *   builds(name TEXT PRIMARY KEY, fingerprint TEXT, json TEXT)
 *   golden(build, workload, "end", verdict, cycles, covered (JSON list of addresses), state_hash,
 *          counters (JSON of the run's RunCounters; '' when not recorded), PRIMARY KEY (build, workload))
 *   experiments(id INTEGER PRIMARY KEY, build, workload, fault_type, fault, fault_json, fault_key,
 *          seed, activated (0/1), activation_cycle, outcome, detection, restarts, recovery_cycles,
 *          propagated (0/1), cycles, "end", verdict, detail, state_hash)
 *       indices on (build, outcome) and (fault_key)
 *
 * `end` is an SQL keyword: quote it ("end") in queries. Every result is committed as it is
 * written (autocommit): a killed process loses no finished experiment, and WAL with
 * synchronous=NORMAL keeps a commit cheap (only a power loss can drop the last few).
 *
 * Ordinary failures (missing file, not a database, another campaign) are returned as
 * `{ ok: false, error }` with one line of text; a throw means a bug.
 *
 * The golden table's `counters` column came after schema 1's first databases: opening one
 * without it adds it (empty: not recorded), so old databases still open, resume and merge.
 */
import { CPU_HZ, type RunCounters } from "../system/index.js";
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import type { CampaignSpec, ExperimentResult, GoldenRun, Outcome } from "./types.js";

export const SCHEMA_VERSION = "1";

/** The experiments table's columns, in order, and the ExperimentResult field each holds. */
export const EXPERIMENT_COLUMNS = [
  ["id", "id"], ["build", "build"], ["workload", "workload"], ["fault_type", "faultType"],
  ["fault", "fault"], ["fault_json", "faultJson"], ["fault_key", "faultKey"], ["seed", "seed"],
  ["activated", "activated"], ["activation_cycle", "activationCycle"], ["outcome", "outcome"],
  ["detection", "detection"], ["restarts", "restarts"], ["recovery_cycles", "recoveryCycles"],
  ["propagated", "propagated"], ["cycles", "cycles"], ["end", "end"], ["verdict", "verdict"],
  ["detail", "detail"], ["state_hash", "stateHash"],
] as const satisfies ReadonlyArray<readonly [string, keyof ExperimentResult]>;

export const GOLDEN_COLUMNS = ["build", "workload", "end", "verdict", "cycles", "covered", "state_hash", "counters"] as const;

/** A column name quoted for SQL (`end` is a keyword). */
export const q = (column: string): string => `"${column}"`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS builds (name TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS golden (
  build TEXT NOT NULL, workload TEXT NOT NULL, "end" TEXT NOT NULL, verdict TEXT NOT NULL,
  cycles INTEGER NOT NULL, covered TEXT NOT NULL, state_hash TEXT NOT NULL, counters TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (build, workload));
CREATE TABLE IF NOT EXISTS experiments (
  id INTEGER PRIMARY KEY, build TEXT NOT NULL, workload TEXT NOT NULL, fault_type TEXT NOT NULL,
  fault TEXT NOT NULL, fault_json TEXT NOT NULL, fault_key TEXT NOT NULL, seed INTEGER NOT NULL,
  activated INTEGER NOT NULL CHECK (activated IN (0, 1)), activation_cycle INTEGER NOT NULL,
  outcome TEXT NOT NULL, detection TEXT NOT NULL, restarts INTEGER NOT NULL,
  recovery_cycles INTEGER NOT NULL, propagated INTEGER NOT NULL CHECK (propagated IN (0, 1)),
  cycles INTEGER NOT NULL, "end" TEXT NOT NULL, verdict TEXT NOT NULL, detail TEXT NOT NULL,
  state_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS experiments_build_outcome ON experiments (build, outcome);
CREATE INDEX IF NOT EXISTS experiments_fault_key ON experiments (fault_key);
`;

const TABLES = ["meta", "builds", "golden", "experiments"];

export type Result<T = object> = ({ ok: true } & T) | { ok: false; error: string };

/** A build as stored: its name, fingerprint and its data as JSON. */
export interface StoredBuild {
  name: string;
  fingerprint: string;
  json: string;
}

/** Which results to list (all given fields must match). */
export interface ResultFilter {
  build?: string;
  workload?: string;
  outcome?: Outcome;
  faultType?: string;
  faultKey?: string;
}

/** JSON with object keys sorted, so equal specs give equal text whatever the key order. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, (x as Record<string, unknown>)[k]]))
      : x,
  );
}

/** sha256 (hex) of the spec's canonical JSON: the identity of a campaign. */
export function specHash(spec: CampaignSpec): string {
  return createHash("sha256").update(canonicalJson(spec)).digest("hex");
}

type Row = Record<string, unknown>;

/** An ExperimentResult as a row of named parameters (snake_case, booleans as 0/1). */
function toRow(r: ExperimentResult): Row {
  const row: Row = {};
  for (const [col, field] of EXPERIMENT_COLUMNS) {
    const v = r[field];
    row[col] = typeof v === "boolean" ? (v ? 1 : 0) : v;
  }
  return row;
}

function fromRow(row: Row): ExperimentResult {
  const r: Record<string, unknown> = {};
  for (const [col, field] of EXPERIMENT_COLUMNS) r[field] = row[col];
  r.activated = row.activated === 1;
  r.propagated = row.propagated === 1;
  return r as unknown as ExperimentResult;
}

/**
 * A golden run from its row. Its counters are left out when not recorded, and also when the
 * stored text is not valid counters: resuming, merging and replaying do not need them, and the
 * report, which does, asks countersProblem() first and refuses the database with its message.
 */
function goldenFromRow(row: Row): GoldenRun {
  const counters = parseCounters(row.counters);
  return {
    build: row.build as string,
    workload: row.workload as string,
    end: row.end as string,
    verdict: row.verdict as string,
    cycles: row.cycles as number,
    covered: JSON.parse(row.covered as string) as number[],
    stateHash: row.state_hash as string,
    ...(counters.ok && counters.counters ? { counters: counters.counters } : {}),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * The stored text of a golden run's counters, checked: '' (or NULL) is "not recorded"; anything
 * else must be a JSON object whose fields are finite numbers — cycles and busyCycles among them —
 * and whose `charged` is an object of finite numbers. Other counters are not required, so
 * counters added later (or dropped) do not make older rows unreadable.
 */
export function parseCounters(text: unknown): { ok: true; counters?: RunCounters } | { ok: false; error: string } {
  if (text === null || text === undefined || text === "") return { ok: true };
  if (typeof text !== "string") return { ok: false, error: `counters are a ${typeof text}, not JSON text` };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, error: `counters are not JSON (${text.length > 30 ? text.slice(0, 27) + "..." : text})` };
  }
  if (!isObject(v)) return { ok: false, error: "counters are not a JSON object" };
  for (const key of ["cycles", "busyCycles"]) if (!(key in v)) return { ok: false, error: `counters lack ${key}` };
  for (const [key, x] of Object.entries(v)) {
    if (key === "charged") {
      if (!isObject(x)) return { ok: false, error: "counters' charged is not an object" };
      const bad = Object.entries(x).find(([, c]) => !isCount(c));
      if (bad) return { ok: false, error: `counters' charged.${bad[0]} is not a number` };
    } else if (!isCount(x)) return { ok: false, error: `counter ${key} is not a number` };
  }
  if (!isObject(v.charged)) return { ok: false, error: "counters lack charged" };
  return { ok: true, counters: v as unknown as RunCounters };
}

/** The first line of an error's message. */
const firstLine = (e: unknown): string => String(e instanceof Error ? e.message : e).split("\n")[0];

export class Store {
  private readonly stmts;
  /** Prepared statements of results(), by WHERE clause. */
  private readonly filtered = new Map<string, Database.Statement<[Row], Row>>();

  private constructor(
    private readonly db: Database.Database,
    /** The file this store was opened from (for messages). */
    readonly path: string,
  ) {
    const cols = EXPERIMENT_COLUMNS.map(([c]) => c);
    this.stmts = {
      getMeta: db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE key = ?"),
      setMeta: db.prepare<[string, string]>("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
      getBuild: db.prepare<[string], StoredBuild>("SELECT name, fingerprint, json FROM builds WHERE name = ?"),
      putBuild: db.prepare<[string, string, string]>("INSERT INTO builds (name, fingerprint, json) VALUES (?, ?, ?)"),
      builds: db.prepare<[], StoredBuild>("SELECT name, fingerprint, json FROM builds ORDER BY name"),
      getGolden: db.prepare<[string, string], Row>("SELECT * FROM golden WHERE build = ? AND workload = ?"),
      goldens: db.prepare<[], Row>("SELECT * FROM golden ORDER BY build, workload"),
      putGolden: db.prepare(`INSERT OR REPLACE INTO golden (${GOLDEN_COLUMNS.map(q).join(", ")}) VALUES (${GOLDEN_COLUMNS.map((c) => "@" + c).join(", ")})`),
      doneIds: db.prepare<[], number>("SELECT id FROM experiments ORDER BY id").pluck(),
      count: db.prepare<[], number>("SELECT count(*) FROM experiments").pluck(),
      putResult: db.prepare(`INSERT INTO experiments (${cols.map(q).join(", ")}) VALUES (${cols.map((c) => "@" + c).join(", ")})`),
      result: db.prepare<[number], Row>("SELECT * FROM experiments WHERE id = ?"),
      outcomeCounts: db.prepare<[], { build: string; outcome: Outcome; n: number }>(
        "SELECT build, outcome, count(*) AS n FROM experiments GROUP BY build, outcome ORDER BY build, outcome"),
    };
  }

  /**
   * Opens the store at `path`. With `create`, a missing (or empty) file becomes a new store;
   * without it the file must hold a campaign. Errors: missing file, a directory, a file that is
   * not SQLite, a database without bulkhead's tables, a schema of another version.
   */
  static open(path: string, opts: { create: boolean }): Result<{ store: Store }> {
    const exists = existsSync(path);
    if (!exists && !opts.create) return { ok: false, error: `cannot open ${path}: no such file` };
    if (exists && statSync(path).isDirectory()) return { ok: false, error: `cannot open ${path}: is a directory` };
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: !opts.create });
    } catch (e) {
      return { ok: false, error: `cannot open ${path}: ${firstLine(e)}` };
    }
    const checked = Store.prepare(db, path, opts.create);
    if (!checked.ok) {
      db.close();
      return checked;
    }
    return { ok: true, store: new Store(db, path) };
  }

  /** Checks the file is a bulkhead store (creating the tables in an empty one when allowed). */
  private static prepare(db: Database.Database, path: string, create: boolean): Result {
    let tables: string[];
    try {
      tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    } catch (e) {
      const notDb = (e as { code?: string }).code === "SQLITE_NOTADB";
      return { ok: false, error: notDb ? `${path} is not a SQLite database` : `cannot read ${path}: ${firstLine(e)}` };
    }
    const missing = TABLES.filter((t) => !tables.includes(t));
    if (missing.length > 0 && !(create && tables.length === 0))
      return { ok: false, error: tables.length === 0 ? `${path} is an empty database, not a bulkhead campaign` : `${path} is not a bulkhead campaign database (no ${missing.join(", ")} table)` };
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.exec(SCHEMA);
      Store.migrate(db);
    } catch (e) {
      return { ok: false, error: `cannot write ${path}: ${firstLine(e)}` };
    }
    const schema = db.prepare<[], string>("SELECT value FROM meta WHERE key = 'schema'").pluck().get();
    if (schema !== undefined && schema !== SCHEMA_VERSION)
      return { ok: false, error: `${path} has store schema ${schema}; this bulkhead reads schema ${SCHEMA_VERSION}` };
    if (!create && schema === undefined) return { ok: false, error: `${path} holds no campaign yet (no spec recorded)` };
    return { ok: true };
  }

  /** Adds what later versions of schema 1 added to a store that lacks it (the golden runs' counters). */
  private static migrate(db: Database.Database): void {
    const columns = db.prepare<[], string>("SELECT name FROM pragma_table_info('golden')").pluck().all();
    if (!columns.includes("counters")) db.exec("ALTER TABLE golden ADD COLUMN counters TEXT NOT NULL DEFAULT ''");
  }

  /**
   * Records the campaign's spec in a new store, or, in one that has one, checks it is the same
   * campaign (same spec hash). Error: the database holds another campaign or another spec.
   */
  init(spec: CampaignSpec, specYaml: string): Result {
    const hash = specHash(spec);
    const held = this.meta("spec_hash");
    if (held === undefined) {
      this.db.transaction(() => {
        this.setMeta("schema", SCHEMA_VERSION);
        this.setMeta("name", spec.name);
        this.setMeta("spec_yaml", specYaml);
        this.setMeta("spec_json", canonicalJson(spec));
        this.setMeta("spec_hash", hash);
        this.setMeta("clock_hz", String(CPU_HZ));
      })();
      return { ok: true };
    }
    if (held === hash) return { ok: true };
    return { ok: false, error: `${this.path}: this database holds campaign ${this.meta("name")} with another spec; use a new --db` };
  }

  /** The campaign's spec. Assumes init() ran (open() without create guarantees it). */
  spec(): CampaignSpec {
    const json = this.meta("spec_json");
    if (json === undefined) throw new Error(`${this.path}: no spec recorded (init not called)`);
    return JSON.parse(json) as CampaignSpec;
  }

  /** The value stored under `key` in meta, or undefined. */
  meta(key: string): string | undefined {
    return this.stmts.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }

  /**
   * Records a build's fingerprint and its data (`json`: the build as JSON text). A build already
   * stored must have the same fingerprint: results of two different builds must not mix.
   */
  putBuild(name: string, fingerprint: string, json: string): Result {
    const held = this.stmts.getBuild.get(name);
    if (held === undefined) {
      this.stmts.putBuild.run(name, fingerprint, json);
      return { ok: true };
    }
    if (held.fingerprint === fingerprint) return { ok: true };
    return { ok: false, error: `${this.path}: build ${name} has fingerprint ${held.fingerprint} here but ${fingerprint} now (the build changed); use a new --db` };
  }

  builds(): StoredBuild[] {
    return this.stmts.builds.all();
  }

  /** Stores (or replaces) the golden run of a build × workload. */
  putGolden(g: GoldenRun): void {
    this.stmts.putGolden.run({
      build: g.build, workload: g.workload, end: g.end, verdict: g.verdict, cycles: g.cycles,
      covered: JSON.stringify(g.covered), state_hash: g.stateHash, counters: g.counters ? JSON.stringify(g.counters) : "",
    });
  }

  /**
   * The first golden run whose stored counters cannot be read, as one line ("the golden run of
   * minix3 × files: counters are not JSON (...)"), or undefined when all are recorded or absent.
   */
  countersProblem(): string | undefined {
    for (const row of this.stmts.goldens.all()) {
      const c = parseCounters(row.counters);
      if (!c.ok) return `the golden run of ${String(row.build)} × ${String(row.workload)}: ${c.error}`;
    }
    return undefined;
  }

  getGolden(build: string, workload: string): GoldenRun | undefined {
    const row = this.stmts.getGolden.get(build, workload);
    return row && goldenFromRow(row);
  }

  goldens(): GoldenRun[] {
    return this.stmts.goldens.all().map(goldenFromRow);
  }

  /** Ids of the experiments that have a result. */
  doneIds(): Set<number> {
    return new Set(this.stmts.doneIds.all());
  }

  /** Number of stored results. */
  count(): number {
    return this.stmts.count.get() ?? 0;
  }

  /** Stores one result, committed at once. Assumes no result with its id is stored yet. */
  putResult(r: ExperimentResult): void {
    this.stmts.putResult.run(toRow(r));
  }

  /** The result of experiment `id`, or undefined. */
  result(id: number): ExperimentResult | undefined {
    const row = this.stmts.result.get(id);
    return row && fromRow(row);
  }

  /** Stored results matching `filter`, by id. */
  results(filter: ResultFilter = {}): ExperimentResult[] {
    const cols: Record<keyof ResultFilter, string> = { build: "build", workload: "workload", outcome: "outcome", faultType: "fault_type", faultKey: "fault_key" };
    const keys = (Object.keys(filter) as Array<keyof ResultFilter>).filter((k) => filter[k] !== undefined);
    const where = keys.length ? ` WHERE ${keys.map((k) => `${cols[k]} = @${k}`).join(" AND ")}` : "";
    const params = Object.fromEntries(keys.map((k) => [k, filter[k]]));
    let stmt = this.filtered.get(where);
    if (!stmt) this.filtered.set(where, (stmt = this.db.prepare<[Row], Row>(`SELECT * FROM experiments${where} ORDER BY id`)));
    return stmt.all(params).map(fromRow);
  }

  /** Number of results per build and outcome. */
  outcomeCounts(): Array<{ build: string; outcome: Outcome; n: number }> {
    return this.stmts.outcomeCounts.all();
  }

  /** The underlying connection, for merge (ATTACH) and ad-hoc queries. */
  connection(): Database.Database {
    return this.db;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
