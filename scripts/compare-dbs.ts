/*
 * Row-for-row comparison of two campaign databases: every column of every experiment and every
 * golden run, state hashes included. Proves a change to the system left results alone (or says
 * which rows and fields moved). Usage: tsx scripts/compare-dbs.ts before.db after.db
 * Exit 0 when identical, 1 when rows differ, 2 on bad input.
 */
import { existsSync } from "node:fs";
import Database from "better-sqlite3";

type Row = Record<string, unknown>;

function rows(path: string, table: string, key: string): Map<string, Row> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const out = new Map<string, Row>();
    for (const r of db.prepare(`SELECT * FROM ${table}`).all() as Row[]) out.set(String(key.split(",").map((k) => r[k]).join("/")), r);
    return out;
  } finally {
    db.close();
  }
}

/** Compares one table; returns the number of differing or missing rows and prints a summary. */
function compareTable(a: string, b: string, table: string, key: string): number {
  const ra = rows(a, table, key);
  const rb = rows(b, table, key);
  const fields = new Map<string, number>();
  let differ = 0;
  let first = "";
  for (const k of new Set([...ra.keys(), ...rb.keys()])) {
    const x = ra.get(k);
    const y = rb.get(k);
    if (!x || !y) {
      differ++;
      fields.set("(missing)", (fields.get("(missing)") ?? 0) + 1);
      continue;
    }
    const bad = Object.keys(x).filter((f) => x[f] !== y[f]);
    if (bad.length === 0) continue;
    differ++;
    for (const f of bad) fields.set(f, (fields.get(f) ?? 0) + 1);
    first ||= `${table} ${k}: ${bad.map((f) => `${f} ${JSON.stringify(x[f]).slice(0, 80)} → ${JSON.stringify(y[f]).slice(0, 80)}`).join("; ")}`;
  }
  const what = [...fields].map(([f, n]) => `${f} ${n}`).join(", ");
  console.log(`${table}: ${ra.size} vs ${rb.size} rows, ${differ} differ${what ? ` (${what})` : ""}`);
  if (first) console.log(`  first: ${first}`);
  return differ;
}

const [a, b] = process.argv.slice(2);
if (!a || !b || !existsSync(a) || !existsSync(b)) {
  console.error("compare-dbs: usage: tsx scripts/compare-dbs.ts before.db after.db (both must exist)");
  process.exit(2);
}
const differ = compareTable(a, b, "golden", "build,workload") + compareTable(a, b, "experiments", "id");
process.exit(differ === 0 ? 0 : 1);
