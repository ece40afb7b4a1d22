/*
 * RS lifecycle verbs: start a service from its pristine image, handle a failure (log it, then
 * schedule a restart per the backoff policy or give up), restart, and record recovery. The
 * kernel does the mechanism (spawn, kill); RS decides.
 */
import { DS_PUBLISH, DSF_OVERWRITE, MSG, NONE } from "../../kernel/abi.js";
import { newMessage, setString } from "../../kernel/message.js";
import type { NativeApi } from "../../kernel/native.js";
import { backoffTicks } from "./policy.js";
import type { RsEvent, RsService, RsState } from "./types.js";

export type Api = NativeApi<RsState>;

export function logEvent(k: Api, label: string, kind: RsEvent["kind"], detail: string, extra: Partial<RsEvent> = {}): void {
  k.state.events.push({ at: k.now(), label, kind, detail, ...extra });
}

/** Starts (or restarts) service s; publishes its endpoint in DS as "label.<label>". */
export function start(k: Api, s: RsService): boolean {
  const r = k.sys.spawn(s.conf);
  if (!r.ok) {
    logEvent(k, s.label, "restart-failed", r.error);
    s.status = "dead";
    return false;
  }
  s.endpoint = r.endpoint;
  s.status = "up";
  s.lastPing = s.lastReply = k.ticks();
  s.restartAt = -1;
  const ds = k.lookup("ds");
  if (ds !== undefined) {
    const m = newMessage(DS_PUBLISH, { [MSG.ds.value]: r.endpoint, [MSG.ds.flags]: DSF_OVERWRITE });
    setString(m, MSG.ds.key, MSG.ds.keyLen, `label.${s.label}`);
    k.send(ds, m);
  }
  return true;
}

/** Service s failed (crash, exit, hang): record it and schedule the restart, or give up. */
export function failed(k: Api, s: RsService, kind: RsEvent["kind"], detail: string): void {
  logEvent(k, s.label, kind, detail);
  s.endpoint = NONE;
  s.status = "down";
  if (s.failedAt < 0) s.failedAt = k.now();
  if (!s.restart) {
    s.status = "dead";
    logEvent(k, s.label, "dead", "restart policy is off");
    return;
  }
  s.restartAt = k.ticks() + backoffTicks(s.restarts, k.state.backoffUnit);
}

/** Restarts s now (its backoff has passed). */
export function restart(k: Api, s: RsService): void {
  s.restarts++;
  if (start(k, s)) logEvent(k, s.label, "restart", `restart ${s.restarts}, endpoint ${s.endpoint}`);
}

/** Service s announced itself (DS): if it was recovering, the recovery is complete. */
export function announced(k: Api, s: RsService): void {
  if (s.failedAt < 0 || s.status !== "up") return;
  const cycles = k.now() - s.failedAt;
  logEvent(k, s.label, "up", `recovered after ${cycles} cycles`, { recoveryCycles: cycles });
  s.failedAt = -1;
  s.recoveredAt = k.now();
}
