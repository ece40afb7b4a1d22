/*
 * CSV export of a campaign: one row per experiment with every column of the experiments table,
 * in the table's order and under its names (booleans as 0/1, as stored), after a header row.
 * RFC 4180: CRLF line ends; a field with a comma, a double quote, CR or LF is quoted, quotes
 * doubled. Pure: the caller writes the text.
 */
import { EXPERIMENT_COLUMNS } from "../../campaigns/store.js";
import type { ExperimentResult } from "../../campaigns/types.js";
import type { ReportData } from "../data.js";

/** One CSV field, quoted when RFC 4180 requires it. */
export function csvField(v: string | number | boolean): string {
  const s = typeof v === "boolean" ? (v ? "1" : "0") : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV record of the given fields (without its line end). */
export const csvRecord = (fields: Array<string | number | boolean>): string => fields.map(csvField).join(",");

/** The experiments of `data` (or `results` when given) as CSV text, header first, each line ending in CRLF. */
export function toCsv(data: ReportData, results: ExperimentResult[] = data.results): string {
  const lines = [csvRecord(EXPERIMENT_COLUMNS.map(([col]) => col))];
  for (const r of results) lines.push(csvRecord(EXPERIMENT_COLUMNS.map(([, field]) => r[field])));
  return lines.map((l) => l + "\r\n").join("");
}

/**
 * Parses RFC 4180 CSV text into records of fields (for tests and round trips). Assumes
 * well-formed input: quotes only around whole fields.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "", record: string[] = [], i = 0, quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (ch === '"') (quoted = false), i++;
      else (field += ch), i++;
    } else if (ch === '"') (quoted = true), i++;
    else if (ch === ",") record.push(field), (field = ""), i++;
    else if (ch === "\r" && text[i + 1] === "\n") record.push(field), records.push(record), (field = ""), (record = []), (i += 2);
    else (field += ch), i++;
  }
  if (field !== "" || record.length > 0) record.push(field), records.push(record);
  return records;
}
