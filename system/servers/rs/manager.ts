/*
 * RS lifecycle verbs on slot i of its table (table.ts, in its memory): start a service from its
 * pristine image with the entry the slot holds, handle a failure (log it, then schedule a
 * restart per the backoff policy or give up), restart, and record recovery. The kernel does the
 * mechanism (spawn, kill); RS decides.
 */
import { DS_DROP_OWNER, DS_PUBLISH, DSF_OVERWRITE, MSG, NONE } from "../../kernel/abi.js";
import { dsRequest } from "../dsclient.js";
import { newMessage, setString } from "../../kernel/message.js";
import type { NativeApi } from "../../kernel/native.js";
import { backoffTicks } from "./policy.js";
import { decodeService } from "./service-record.js";
import { entryAt, RP, RP_DEAD, RP_DOWN, RP_DROP_STATE, RP_RESTART, RP_UP, rp, RS_END, RS_HDR, rsConfig, slotLabel } from "./table.js";
import type { RsEvent, RsState } from "./types.js";

export type Api = NativeApi<RsState>;

/** RS's table: its region up to the table's end, in place. */
export const table = (k: Api): Uint8Array => k.view(0, RS_END);

export function logEvent(k: Api, label: string, kind: RsEvent["kind"], detail: string, extra: Partial<RsEvent> = {}): void {
  k.state.events.push({ at: k.now(), label, kind, detail, ...extra });
}

/** Starts (or restarts) the service of slot i from the entry in the slot; publishes its endpoint in DS as "label.<label>". */
export function start(k: Api, t: Uint8Array, i: number): boolean {
  const entry = decodeService(t, entryAt(i));
  const r = entry.ok ? k.sys.spawn(entry.conf) : entry;
  if (!r.ok) {
    logEvent(k, slotLabel(t, i), "restart-failed", r.error);
    rp.set(t, i, RP.status, RP_DEAD);
    return false;
  }
  const label = entry.ok ? entry.conf.label : "";
  rp.set(t, i, RP.endpoint, r.endpoint);
  rp.set(t, i, RP.status, RP_UP);
  rp.set(t, i, RP.lastPing, k.ticks());
  rp.set(t, i, RP.lastReply, k.ticks());
  rp.set(t, i, RP.restartAt, -1);
  const ds = k.lookup("ds");
  if (ds !== undefined) {
    const m = newMessage(DS_PUBLISH, { [MSG.ds.value]: r.endpoint, [MSG.ds.flags]: DSF_OVERWRITE });
    setString(m, MSG.ds.key, MSG.ds.keyLen, `label.${label}`);
    k.send(ds, m);
  }
  return true;
}

/** The service of slot i failed (crash, exit, hang): record it and schedule the restart, or give up. */
export function failed(k: Api, t: Uint8Array, i: number, kind: RsEvent["kind"], detail: string): void {
  const label = slotLabel(t, i);
  logEvent(k, label, kind, detail);
  rp.set(t, i, RP.endpoint, NONE);
  rp.set(t, i, RP.status, RP_DOWN);
  if (rp.get64(t, i, RP.failedAt) < 0) rp.set64(t, i, RP.failedAt, k.now());
  // Sent before any restart, so DS has dropped the old state before the new incarnation asks.
  if (rp.getU(t, i, RP.flags) & RP_DROP_STATE) dsRequest(k, DS_DROP_OWNER, label);
  if (!(rp.getU(t, i, RP.flags) & RP_RESTART)) {
    rp.set(t, i, RP.status, RP_DEAD);
    logEvent(k, label, "dead", "restart policy is off");
    return;
  }
  rp.set(t, i, RP.restartAt, k.ticks() + backoffTicks(rp.getU(t, i, RP.restarts), rsConfig(t, RS_HDR.backoffUnit)));
}

/** Restarts the service of slot i now (its backoff has passed). */
export function restart(k: Api, t: Uint8Array, i: number): void {
  const n = (rp.getU(t, i, RP.restarts) + 1) >>> 0;
  rp.set(t, i, RP.restarts, n);
  if (start(k, t, i)) logEvent(k, slotLabel(t, i), "restart", `restart ${n}, endpoint ${rp.get(t, i, RP.endpoint)}`);
}

/** The service of slot i announced itself (DS): if it was recovering, the recovery is complete. */
export function announced(k: Api, t: Uint8Array, i: number): void {
  const failedAt = rp.get64(t, i, RP.failedAt);
  if (failedAt < 0 || rp.getU(t, i, RP.status) !== RP_UP) return;
  const cycles = k.now() - failedAt;
  logEvent(k, slotLabel(t, i), "up", `recovered after ${cycles} cycles`, { recoveryCycles: cycles });
  rp.set64(t, i, RP.failedAt, -1);
  rp.set64(t, i, RP.recoveredAt, k.now());
}
