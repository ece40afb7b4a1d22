/*
 * DS, the data store (MINIX servers/ds): a key-value store of 32-bit values. Entries are owned
 * by the label of the process that published them, so a restarted driver (new endpoint, same
 * label) may update its own keys and nobody else may. Subscribers give a key prefix ("drv.blk.")
 * and are notified when a matching key changes; they then ask DS_CHECK for the changes.
 *
 * Requests (m_ds: key, value, flags) are answered with DS_REPLY, m_ds.flags = status.
 */
import { DS_CHECK, DS_PUBLISH, DS_REPLY, DS_RETRIEVE, DS_SUBSCRIBE, DSF_OVERWRITE, EEXIST, EINVAL, ENOENT, EPERM, MSG, OK } from "../kernel/abi.js";
import { get32, getString, msgSource, msgType, newMessage, setString, type Message } from "../kernel/message.js";
import type { NativeApi, NativeProgram } from "../kernel/native.js";
import { serverService } from "./entry.js";

export interface DsEntry {
  value: number;
  owner: string;
}

export interface DsState {
  entries: Record<string, DsEntry>;
  /** Per subscriber label: the key prefixes it watches and the keys changed since its last check. */
  subs: Record<string, { prefixes: string[]; changed: string[] }>;
}

type Api = NativeApi<DsState>;

/** DS's service entry: the first process of every system. */
export const dsService = serverService("ds");

function reply(k: Api, to: number, status: number, key = "", value = 0): void {
  const m = newMessage(DS_REPLY, { [MSG.ds.flags]: status, [MSG.ds.value]: value });
  setString(m, MSG.ds.key, MSG.ds.keyLen, key);
  k.send(to, m);
}

function publish(k: Api, who: string, key: string, value: number, flags: number): number {
  const e = k.state.entries[key];
  if (e && e.owner !== who) return -EPERM;
  if (e && !(flags & DSF_OVERWRITE)) return -EEXIST;
  k.state.entries[key] = { value, owner: who };
  for (const [label, sub] of Object.entries(k.state.subs)) {
    if (!sub.prefixes.some((p) => key.startsWith(p))) continue;
    if (!sub.changed.includes(key)) sub.changed.push(key);
    const ep = k.lookup(label);
    if (ep !== undefined) k.notify(ep);
  }
  return OK;
}

export const ds: NativeProgram<DsState> = {
  init: () => ({ entries: {}, subs: {} }),

  receive(k, m: Message) {
    const from = msgSource(m);
    const who = k.labelOf(from);
    if (!who) return;
    const key = getString(m, MSG.ds.key, MSG.ds.keyLen);
    switch (msgType(m)) {
      case DS_PUBLISH:
        return reply(k, from, key ? publish(k, who, key, get32(m, MSG.ds.value) >>> 0, get32(m, MSG.ds.flags)) : -EINVAL, key);
      case DS_RETRIEVE: {
        const e = k.state.entries[key];
        return reply(k, from, e ? OK : -ENOENT, key, e?.value ?? 0);
      }
      case DS_SUBSCRIBE: {
        const sub = (k.state.subs[who] ??= { prefixes: [], changed: [] });
        if (!sub.prefixes.includes(key)) sub.prefixes.push(key);
        // Existing matching entries count as changes, so a late subscriber sees them.
        for (const existing of Object.keys(k.state.entries)) if (existing.startsWith(key) && !sub.changed.includes(existing)) sub.changed.push(existing);
        reply(k, from, OK, key);
        if (sub.changed.length) k.notify(from);
        return;
      }
      case DS_CHECK: {
        const sub = k.state.subs[who];
        const changed = sub?.changed.shift();
        if (changed === undefined) return reply(k, from, -ENOENT);
        return reply(k, from, OK, changed, k.state.entries[changed]?.value ?? 0);
      }
      default:
        return reply(k, from, -EINVAL);
    }
  },
};
