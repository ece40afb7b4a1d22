/*
 * RS, the reincarnation server (MINIX servers/rs): parent of the drivers. It starts them,
 * pings each with a NOTIFY every heartbeat period and kills one that stays silent for two
 * periods, learns of deaths from the kernel (it is the signal manager), and restarts failed
 * services from their pristine image — at once the first time, then with exponential backoff.
 *
 * Its service table lives in its memory (table.ts): the list composition gives makeRs is RS's
 * boot image table (in MINIX, compiled into RS); at start RS copies it into its table, and from
 * then on every decision reads the table.
 *
 * main: receive → dispatch on the sender: CLOCK (periodic check), SYSTEM (deaths), DS
 * (announcements and replies), a managed service (heartbeat reply).
 */
import { CLOCK, DS_CHECK, DS_REPLY, DS_SUBSCRIBE, MSG, NOTIFY_MESSAGE, OK, SYSTEM } from "../../kernel/abi.js";
import { get32, getString, msgSource, msgType, type Message } from "../../kernel/message.js";
import { dsRequest } from "../dsclient.js";
import { serverService } from "../entry.js";
import type { NativeProgram } from "../../kernel/native.js";
import { HZ } from "../../kernel/params.js";
import { announced, failed, restart, start, table, type Api } from "./manager.js";
import { isHung, pingDue } from "./policy.js";
import { serviceRecordError } from "./service-record.js";
import { findByEndpoint, formatRs, NR_RS_SERVICES, RP, RP_DOWN, RP_UP, rp, RS_HDR, rsConfig, slotInUse, slotLabel } from "./table.js";
import type { ManagedService, RsState } from "./types.js";

/** RS's service entry (it starts the drivers; composition lists them in makeRs). */
export const rsService = serverService("rs");

/**
 * The RS program for a set of services. A service whose entry does not fit RS's table
 * (service-record.ts), or more services than it has slots, is a composition error: thrown here,
 * before anything runs.
 */
export function makeRs(services: ManagedService[], checkTicks?: number): NativeProgram<RsState> {
  if (services.length > NR_RS_SERVICES) throw new Error(`RS manages at most ${NR_RS_SERVICES} services (given ${services.length})`);
  for (const s of services) {
    const e = serviceRecordError(s.conf);
    if (e) throw new Error(`RS cannot hold the service entry of ${s.conf.label}: ${e}`);
  }
  const check = checkTicks ?? Math.max(1, Math.min(HZ, ...services.filter((s) => s.period > 0).map((s) => s.period)));
  return {
    init: () => ({ events: [] }),

    start(k) {
      const t = table(k);
      formatRs(t, services, check, HZ);
      k.sys.becomeSignalManager();
      dsRequest(k, DS_SUBSCRIBE, "drv.");
      for (let i = 0; i < NR_RS_SERVICES; i++) if (slotInUse(t, i)) start(k, t, i);
      k.setAlarm(rsConfig(t, RS_HDR.checkTicks));
    },

    receive(k, m: Message) {
      const from = msgSource(m);
      if (msgType(m) === NOTIFY_MESSAGE) {
        if (from === CLOCK) return checkAll(k);
        if (from === SYSTEM) return deaths(k);
        if (from === k.lookup("ds")) return dsRequest(k, DS_CHECK, "");
        const t = table(k);
        const i = findByEndpoint(t, from);
        if (i >= 0) rp.set(t, i, RP.lastReply, k.ticks());
        return;
      }
      if (msgType(m) === DS_REPLY && get32(m, MSG.ds.flags) === OK) {
        const key = getString(m, MSG.ds.key, MSG.ds.keyLen);
        if (!key) return;
        const t = table(k);
        if (key.startsWith("drv."))
          for (let i = 0; i < NR_RS_SERVICES; i++)
            if (slotInUse(t, i) && key.endsWith(`.${slotLabel(t, i)}`)) {
              announced(k, t, i);
              break;
            }
        dsRequest(k, DS_CHECK, ""); // drain further changes
      }
    },
  };
}

/** The periodic check: hung services are killed; due restarts happen; pings go out. */
function checkAll(k: Api): void {
  const t = table(k);
  const now = k.ticks();
  for (let i = 0; i < NR_RS_SERVICES; i++) {
    if (!slotInUse(t, i)) continue;
    const up = rp.getU(t, i, RP.status) === RP_UP;
    const period = rp.getU(t, i, RP.period);
    const lastReply = rp.get(t, i, RP.lastReply);
    if (up && isHung(period, lastReply, now)) {
      const ep = rp.get(t, i, RP.endpoint);
      failed(k, t, i, "hang", `no heartbeat reply for ${now - lastReply} ticks (period ${period})`);
      k.sys.kill(ep, "RS: heartbeat timeout");
      if (k.labelOf(k.endpoint) === undefined) return; // a corrupt endpoint was RS's own: it is dead and does no more
    } else if (up && pingDue(period, rp.get(t, i, RP.lastPing), now)) {
      rp.set(t, i, RP.lastPing, now);
      k.notify(rp.get(t, i, RP.endpoint));
    }
    const restartAt = rp.get(t, i, RP.restartAt);
    if (rp.getU(t, i, RP.status) === RP_DOWN && restartAt >= 0 && restartAt <= now) restart(k, t, i);
  }
  k.setAlarm(rsConfig(t, RS_HDR.checkTicks));
}

/** Deaths reported by the kernel: crashes, exits and kills of our services. */
function deaths(k: Api): void {
  const t = table(k);
  for (const d of k.sys.takeDeaths()) {
    const i = findByEndpoint(t, d.endpoint);
    if (i < 0) continue; // not ours, or already handled (a kill we ordered for a hang)
    failed(k, t, i, d.kind === "exit" ? "exit" : d.kind === "killed" ? "killed" : "crash", d.detail);
    const restartAt = rp.get(t, i, RP.restartAt);
    if (restartAt >= 0 && restartAt <= k.ticks()) restart(k, t, i);
  }
}
