/*
 * DS's tables as they lie in its memory region (guest RAM), and typed accessors over them. DS
 * keeps no other copy: every answer it gives is read from here, so a wild write into the region
 * has the consequence it would have in MINIX (a changed value is what the next retrieve gets, a
 * changed owner refuses the real owner's update, a lost change bit is a missed notification).
 *
 *   region address
 *   0x0000 +--------------------------------+
 *          | native runtime: inbox, call    |  native.ts
 *          | buffer, grant table            |
 *   0x2000 +--------------------------------+ DS_TABLE (= NATIVE_HEAP)
 *          | header                         |  DS_HDR, 64 bytes
 *   0x2040 +--------------------------------+ DS_ENTRIES
 *          | entries                        |  NR_DS_KEYS × DS_ENTRY_SIZE (64 × 64): MINIX struct data_store
 *   0x3040 +--------------------------------+ DS_SUBS
 *          | subscriptions                  |  NR_DS_SUBS × DS_SUB_SIZE (32 × 512): one per subscriber label
 *   0x7040 +--------------------------------+ DS_END
 *          |   (free)                       |
 *
 * An entry: flags (DSF_IN_USE), a 32-bit value, its key (32 bytes, as in a message's m_ds.key)
 * and its owner's label (16 bytes). An entry is freed only by its owner's DS_DELETE or RS's
 * DS_DROP_OWNER (a build that keeps no driver state across restarts); a new entry takes the
 * first free slot.
 *
 * A subscription: flags (DSS_IN_USE), the subscriber's label, up to DS_MAX_PREFIXES key prefixes
 * and, per entry, the stamp of its change not yet checked (0 = none). MINIX keeps a bitmap over
 * the entries and DS_CHECK answers the lowest set bit; here the stamp (from a counter in the
 * header) keeps the order in which keys changed, so DS_CHECK answers the oldest change first, and
 * a key changed again before it was checked keeps its place.
 *
 * Capacities (MINIX NR_DS_KEYS is 2 × NR_SYS_PROCS): 64 entries, 32 subscribers (one per process
 * slot), 4 prefixes each. A full table answers EAGAIN, as MINIX's DS does.
 */
import { LABEL_MAX } from "../kernel/layout.js";
import { NR_PROCS } from "../kernel/params.js";
import { NATIVE_HEAP } from "../kernel/native.js";
import { rdStr, rdU32, strEq, wr32 } from "./mem.js";

export const DS_KEY_LEN = 32;
/** A label field: as the kernel's (a process's name, LABEL_MAX characters and a NUL). */
export const DS_LABEL_LEN = LABEL_MAX + 1;

export const DS_TABLE = NATIVE_HEAP;
/** Header fields. */
export const DS_HDR = {
  stamp: 0, // the last change stamp handed out
} as const;

export const NR_DS_KEYS = 2 * NR_PROCS;
export const DS_ENTRIES = DS_TABLE + 0x40;
export const DS_ENTRY_SIZE = 64;
/** Field offsets of an entry. */
export const DSE = {
  flags: 0, // DSF_IN_USE
  value: 4, // u32
  key: 8, // DS_KEY_LEN bytes
  owner: 40, // DS_LABEL_LEN bytes: the publisher's label
} as const;
export const DSF_IN_USE = 1;

export const NR_DS_SUBS = NR_PROCS;
export const DS_MAX_PREFIXES = 4;
export const DS_SUBS = DS_ENTRIES + NR_DS_KEYS * DS_ENTRY_SIZE;
export const DS_SUB_SIZE = 512;
/** Field offsets of a subscription. */
export const DSS = {
  flags: 0, // DSS_IN_USE
  label: 4, // DS_LABEL_LEN bytes: the subscriber
  nPrefixes: 20, // prefixes in use (read clamped to DS_MAX_PREFIXES)
  prefixes: 24, // DS_MAX_PREFIXES × DS_KEY_LEN bytes
  changed: 256, // NR_DS_KEYS × u32: stamp of entry i's unchecked change, 0 = none
} as const;
export const DSS_IN_USE = 1;

export const DS_END = DS_SUBS + NR_DS_SUBS * DS_SUB_SIZE;

export const entryOff = (i: number): number => DS_ENTRIES + i * DS_ENTRY_SIZE;
export const subOff = (i: number): number => DS_SUBS + i * DS_SUB_SIZE;
export const entryInUse = (t: Uint8Array, i: number): boolean => (rdU32(t, entryOff(i) + DSE.flags) & DSF_IN_USE) !== 0;
export const subInUse = (t: Uint8Array, i: number): boolean => (rdU32(t, subOff(i) + DSS.flags) & DSS_IN_USE) !== 0;
/** Prefixes in use of subscription `s`, clamped to the table's capacity. */
export const subPrefixes = (t: Uint8Array, s: number): number => Math.min(rdU32(t, subOff(s) + DSS.nPrefixes), DS_MAX_PREFIXES);

/** An empty store (DS's first act). */
export function formatDs(t: Uint8Array): void {
  t.fill(0, DS_TABLE, DS_END);
}

/** The next change stamp (never 0). */
export function nextStamp(t: Uint8Array): number {
  const s = (rdU32(t, DS_TABLE + DS_HDR.stamp) + 1) >>> 0 || 1;
  wr32(t, DS_TABLE + DS_HDR.stamp, s);
  return s;
}

/** The subscription of `label`, or -1. */
export function findSub(t: Uint8Array, label: string): number {
  for (let s = 0; s < NR_DS_SUBS; s++) if (subInUse(t, s) && strEq(t, subOff(s) + DSS.label, DS_LABEL_LEN, label)) return s;
  return -1;
}

/** Marks entry `e` changed for subscription `s`, unless a change is already pending. */
export function markChanged(t: Uint8Array, s: number, e: number): void {
  const at = subOff(s) + DSS.changed + 4 * e;
  if (rdU32(t, at) === 0) wr32(t, at, nextStamp(t));
}

/** Takes the oldest unchecked change of subscription `s`: its entry, or -1 when none. */
export function takeChanged(t: Uint8Array, s: number): number {
  const base = subOff(s) + DSS.changed;
  let best = -1;
  let bestStamp = 0;
  for (let e = 0; e < NR_DS_KEYS; e++) {
    const stamp = rdU32(t, base + 4 * e);
    if (stamp === 0) continue;
    if (!entryInUse(t, e)) {
      wr32(t, base + 4 * e, 0); // a change of an entry that is not there: nothing to report
      continue;
    }
    if (best < 0 || stamp < bestStamp) {
      best = e;
      bestStamp = stamp;
    }
  }
  if (best >= 0) wr32(t, base + 4 * best, 0);
  return best;
}

/** Frees entry `e` and forgets its pending changes (a later entry in its slot starts clean). */
export function freeEntry(t: Uint8Array, e: number): void {
  t.fill(0, entryOff(e), entryOff(e + 1));
  for (let s = 0; s < NR_DS_SUBS; s++) wr32(t, subOff(s) + DSS.changed + 4 * e, 0);
}

/** What the harness sees of an entry. */
export interface DsEntryView {
  key: string;
  value: number;
  owner: string;
}

/** The entries in use, in table order (a region too small to hold the table has none). */
export function dsEntries(t: Uint8Array): DsEntryView[] {
  const out: DsEntryView[] = [];
  if (t.length < DS_END) return out;
  for (let e = 0; e < NR_DS_KEYS; e++) {
    if (!entryInUse(t, e)) continue;
    const o = entryOff(e);
    out.push({ key: rdStr(t, o + DSE.key, DS_KEY_LEN), value: rdU32(t, o + DSE.value), owner: rdStr(t, o + DSE.owner, DS_LABEL_LEN) });
  }
  return out;
}

/** The index of the entry in use whose key is `key`, or -1. */
export function dsFind(t: Uint8Array, key: string): number {
  if (t.length < DS_END) return -1;
  for (let e = 0; e < NR_DS_KEYS; e++) if (entryInUse(t, e) && strEq(t, entryOff(e) + DSE.key, DS_KEY_LEN, key)) return e;
  return -1;
}

/** The entry `key` as DS would answer a retrieve, or undefined. */
export function dsLookup(t: Uint8Array, key: string): DsEntryView | undefined {
  const e = dsFind(t, key);
  if (e < 0) return undefined;
  const o = entryOff(e);
  return { key, value: rdU32(t, o + DSE.value), owner: rdStr(t, o + DSE.owner, DS_LABEL_LEN) };
}

/** What the harness sees of a subscription: its label, prefixes, and the keys changed and not yet checked (oldest first). */
export function dsSubscriptions(t: Uint8Array): Array<{ label: string; prefixes: string[]; changed: string[] }> {
  const out: Array<{ label: string; prefixes: string[]; changed: string[] }> = [];
  if (t.length < DS_END) return out;
  for (let s = 0; s < NR_DS_SUBS; s++) {
    if (!subInUse(t, s)) continue;
    const o = subOff(s);
    const prefixes: string[] = [];
    for (let p = 0; p < subPrefixes(t, s); p++) prefixes.push(rdStr(t, o + DSS.prefixes + p * DS_KEY_LEN, DS_KEY_LEN));
    const pending: Array<[number, string]> = [];
    for (let e = 0; e < NR_DS_KEYS; e++) {
      const stamp = rdU32(t, o + DSS.changed + 4 * e);
      if (stamp !== 0 && entryInUse(t, e)) pending.push([stamp, rdStr(t, entryOff(e) + DSE.key, DS_KEY_LEN)]);
    }
    out.push({ label: rdStr(t, o + DSS.label, DS_LABEL_LEN), prefixes, changed: pending.sort((a, b) => a[0] - b[0]).map(([, k]) => k) });
  }
  return out;
}
