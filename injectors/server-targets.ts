/*
 * The servers' tables in guest memory as targets of BAD_POINTER's `servers` variant: the spans of
 * each server's region that hold its tables (layouts in the servers' own modules), listed for
 * the servers alive when the site is reached (their regions are wherever the kernel put them).
 *
 *   ds   its store: header, entries, subscriptions         (servers/ds-table.ts)
 *   rs   its service table: header, one slot per service    (servers/rs/table.ts)
 *   vfs  globals, open files, buffer headers, inode table   (servers/vfs/memory.ts)
 */
import { PROC } from "../system/kernel/layout.js";
import { lookupEndpoint } from "../system/kernel/proc.js";
import { DS_END, DS_TABLE } from "../system/servers/ds-table.js";
import { RS_END, RS_TABLE } from "../system/servers/rs/table.js";
import { GLOBALS, INODE_ENTRY_SIZE, INODE_TABLE, NR_INODES } from "../system/servers/vfs/memory.js";
import type { System } from "../system/system.js";

/** Per server label, the [from, to) byte offsets of its region that hold its tables, in this order. */
export const SERVER_TABLES: ReadonlyArray<{ label: string; title: string; from: number; to: number }> = [
  { label: "ds", title: "DS's store", from: DS_TABLE, to: DS_END },
  { label: "rs", title: "RS's service table", from: RS_TABLE, to: RS_END },
  { label: "vfs", title: "VFS's globals, open files, buffer headers and inode table", from: GLOBALS, to: INODE_TABLE + NR_INODES * INODE_ENTRY_SIZE },
];

/**
 * Physical address of word (draw mod N) of the N words of the live servers' tables (in
 * SERVER_TABLES order), with the table's title; undefined when no such server is alive.
 */
export function serverTableWord(sys: System, draw: number): { pa: number; title: string } | undefined {
  const km = sys.kernel.km;
  const live: Array<{ base: number; title: string; from: number; words: number }> = [];
  for (const t of SERVER_TABLES) {
    const ep = sys.kernel.lookupLabel(t.label);
    const idx = ep === undefined ? -1 : lookupEndpoint(km, ep);
    if (idx < 0 || (km.proc(idx, PROC.memSize) >>> 0) < t.to) continue;
    live.push({ base: km.proc(idx, PROC.memBase) >>> 0, title: t.title, from: t.from, words: (t.to - t.from) >> 2 });
  }
  const total = live.reduce((n, t) => n + t.words, 0);
  if (total === 0) return undefined;
  let k = draw % total;
  for (const t of live) {
    if (k < t.words) return { pa: t.base + t.from + 4 * k, title: t.title };
    k -= t.words;
  }
  return undefined;
}
