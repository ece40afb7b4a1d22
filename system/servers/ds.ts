/*
 * DS, the data store (MINIX servers/ds): a key-value store of 32-bit values. Entries are owned
 * by the label of the process that published them, so a restarted driver (new endpoint, same
 * label) may update its own keys and nobody else may; the owner may delete them. A build that
 * keeps no driver state across restarts has RS drop every entry of a failed driver before the
 * restart (DS_DROP_OWNER; RS alone may ask). Subscribers give a key prefix ("drv.blk.")
 * and are notified when a matching key changes; they then ask DS_CHECK for the changes.
 *
 * Requests (m_ds: key, value, flags) are answered with DS_REPLY, m_ds.flags = status.
 *
 * The store is DS's memory (ds-table.ts): each request reads and updates the tables in its
 * region; its host-side state is empty.
 */
import { DS_CHECK, DS_DELETE, DS_DROP_OWNER, DS_PUBLISH, DS_REPLY, DS_RETRIEVE, DS_SUBSCRIBE, DSF_OVERWRITE, EAGAIN, EEXIST, EINVAL, ENOENT, EPERM, MSG, OK } from "../kernel/abi.js";
import { get32, getString, msgSource, msgType, newMessage, type Message } from "../kernel/message.js";
import type { NativeApi, NativeProgram } from "../kernel/native.js";
import {
  DS_END, DS_KEY_LEN, DS_LABEL_LEN, DS_MAX_PREFIXES, DSE, DSF_IN_USE, DSS, DSS_IN_USE, entryInUse, entryOff, findSub, formatDs, freeEntry,
  markChanged, NR_DS_KEYS, NR_DS_SUBS, subInUse, subOff, subPrefixes, takeChanged,
} from "./ds-table.js";
import { copyField, fieldEq, fieldStartsWith, rdStr, rdU32, strEq, wr32, wrStr } from "./mem.js";
import { serverService } from "./entry.js";

/** DS's host-side state: none (the store is in its region). */
export type DsState = Record<never, never>;

type Api = NativeApi<DsState>;

/** DS's service entry: the first process of every system. */
export const dsService = serverService("ds");

const KEY = MSG.ds.key;

/** Answers with `status`, the key in field `src[at]` (at most 31 characters, as setString sends) and `value`. */
function reply(k: Api, to: number, status: number, src?: Uint8Array, at = 0, value = 0): void {
  const m = newMessage(DS_REPLY, { [MSG.ds.flags]: status, [MSG.ds.value]: value });
  if (src) copyField(m, KEY, src, at, MSG.ds.keyLen - 1);
  k.send(to, m);
}

/** The entry whose key is the one in message `m`, or -1. */
function findEntry(t: Uint8Array, m: Message): number {
  for (let e = 0; e < NR_DS_KEYS; e++) if (entryInUse(t, e) && fieldEq(t, entryOff(e) + DSE.key, m, KEY, DS_KEY_LEN)) return e;
  return -1;
}

function publish(k: Api, t: Uint8Array, who: string, m: Message): number {
  const flags = get32(m, MSG.ds.flags);
  let e = findEntry(t, m);
  if (e >= 0 && !strEq(t, entryOff(e) + DSE.owner, DS_LABEL_LEN, who)) return -EPERM;
  if (e >= 0 && !(flags & DSF_OVERWRITE)) return -EEXIST;
  if (e < 0) {
    for (e = 0; e < NR_DS_KEYS && entryInUse(t, e); e++);
    if (e === NR_DS_KEYS) return -EAGAIN;
    const o = entryOff(e);
    copyField(t, o + DSE.key, m, KEY, DS_KEY_LEN);
    wrStr(t, o + DSE.owner, DS_LABEL_LEN, who);
    wr32(t, o + DSE.flags, DSF_IN_USE);
  }
  wr32(t, entryOff(e) + DSE.value, get32(m, MSG.ds.value));
  const key = entryOff(e) + DSE.key;
  for (let s = 0; s < NR_DS_SUBS; s++) {
    if (!subInUse(t, s) || !matches(t, s, t, key)) continue;
    markChanged(t, s, e);
    const ep = k.lookup(rdStr(t, subOff(s) + DSS.label, DS_LABEL_LEN));
    if (ep !== undefined) k.notify(ep);
  }
  return OK;
}

/** DS_DELETE: the owner frees its key. */
function remove(t: Uint8Array, who: string, m: Message): number {
  const e = findEntry(t, m);
  if (e < 0) return -ENOENT;
  if (!strEq(t, entryOff(e) + DSE.owner, DS_LABEL_LEN, who)) return -EPERM;
  freeEntry(t, e);
  return OK;
}

/** DS_DROP_OWNER (RS only): frees every entry the label in the key field owns; OK even if none. */
function dropOwner(t: Uint8Array, who: string, m: Message): number {
  if (who !== "rs") return -EPERM;
  const label = getString(m, KEY, DS_LABEL_LEN);
  for (let e = 0; e < NR_DS_KEYS; e++) if (entryInUse(t, e) && strEq(t, entryOff(e) + DSE.owner, DS_LABEL_LEN, label)) freeEntry(t, e);
  return OK;
}

/** Does the key in field `src[at]` start with one of subscription `s`'s prefixes? */
function matches(t: Uint8Array, s: number, src: Uint8Array, at: number): boolean {
  const o = subOff(s) + DSS.prefixes;
  for (let p = 0; p < subPrefixes(t, s); p++) if (fieldStartsWith(src, at, t, o + p * DS_KEY_LEN, DS_KEY_LEN)) return true;
  return false;
}

function subscribe(k: Api, t: Uint8Array, who: string, m: Message, from: number): void {
  let s = findSub(t, who);
  if (s < 0) {
    for (s = 0; s < NR_DS_SUBS && subInUse(t, s); s++);
    if (s === NR_DS_SUBS) return reply(k, from, -EAGAIN, m, KEY);
    t.fill(0, subOff(s), subOff(s + 1));
    wrStr(t, subOff(s) + DSS.label, DS_LABEL_LEN, who);
    wr32(t, subOff(s) + DSS.flags, DSS_IN_USE);
  }
  const o = subOff(s);
  const n = subPrefixes(t, s);
  let known = false;
  for (let p = 0; p < n && !known; p++) known = fieldEq(t, o + DSS.prefixes + p * DS_KEY_LEN, m, KEY, DS_KEY_LEN);
  if (!known) {
    if (n === DS_MAX_PREFIXES) return reply(k, from, -EAGAIN, m, KEY);
    copyField(t, o + DSS.prefixes + n * DS_KEY_LEN, m, KEY, DS_KEY_LEN);
    wr32(t, o + DSS.nPrefixes, n + 1);
  }
  // Existing matching entries count as changes, so a late subscriber sees them.
  let pending = false;
  for (let e = 0; e < NR_DS_KEYS; e++) {
    if (!entryInUse(t, e)) continue;
    if (fieldStartsWith(t, entryOff(e) + DSE.key, m, KEY, DS_KEY_LEN)) markChanged(t, s, e);
    pending ||= rdU32(t, o + DSS.changed + 4 * e) !== 0;
  }
  reply(k, from, OK, m, KEY);
  if (pending) k.notify(from);
}

function check(k: Api, t: Uint8Array, who: string, from: number): void {
  const s = findSub(t, who);
  const e = s < 0 ? -1 : takeChanged(t, s);
  if (e < 0) return reply(k, from, -ENOENT);
  reply(k, from, OK, t, entryOff(e) + DSE.key, rdU32(t, entryOff(e) + DSE.value));
}

export const ds: NativeProgram<DsState> = {
  init: () => ({}),

  start(k) {
    formatDs(k.view(0, DS_END));
  },

  receive(k, m: Message) {
    const from = msgSource(m);
    const who = k.labelOf(from);
    if (!who) return;
    const t = k.view(0, DS_END);
    switch (msgType(m)) {
      case DS_PUBLISH:
        return reply(k, from, m[KEY] ? publish(k, t, who, m) : -EINVAL, m, KEY);
      case DS_RETRIEVE: {
        const e = findEntry(t, m);
        return reply(k, from, e >= 0 ? OK : -ENOENT, m, KEY, e >= 0 ? rdU32(t, entryOff(e) + DSE.value) : 0);
      }
      case DS_SUBSCRIBE:
        return subscribe(k, t, who, m, from);
      case DS_CHECK:
        return check(k, t, who, from);
      case DS_DELETE:
        return reply(k, from, remove(t, who, m), m, KEY);
      case DS_DROP_OWNER:
        return reply(k, from, dropOwner(t, who, m), m, KEY);
      default:
        return reply(k, from, -EINVAL);
    }
  },
};
