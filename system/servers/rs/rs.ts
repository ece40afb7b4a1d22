/*
 * RS, the reincarnation server (MINIX servers/rs): parent of the drivers. It starts them,
 * pings each with a NOTIFY every heartbeat period and kills one that stays silent for two
 * periods, learns of deaths from the kernel (it is the signal manager), and restarts failed
 * services from their pristine image — at once the first time, then with exponential backoff.
 *
 * main: receive → dispatch on the sender: CLOCK (periodic check), SYSTEM (deaths), DS
 * (announcements and replies), a managed service (heartbeat reply).
 */
import { CLOCK, DS_CHECK, DS_REPLY, DS_SUBSCRIBE, MSG, NONE, NOTIFY_MESSAGE, OK, SYSTEM } from "../../kernel/abi.js";
import { get32, getString, msgSource, msgType, type Message } from "../../kernel/message.js";
import { dsRequest } from "../dsclient.js";
import { serverService } from "../entry.js";
import type { NativeProgram } from "../../kernel/native.js";
import { HZ } from "../../kernel/params.js";
import { announced, failed, restart, start, type Api } from "./manager.js";
import { isHung, pingDue } from "./policy.js";
import type { ManagedService, RsState } from "./types.js";

/** RS's service entry (it starts the drivers; composition lists them in makeRs). */
export const rsService = serverService("rs");

/** The RS program for a set of services (copied into its state at init). */
export function makeRs(services: ManagedService[], checkTicks?: number): NativeProgram<RsState> {
  return {
    init: () => ({
      services: services.map((s) => ({
        ...structuredClone(s), label: s.conf.label, endpoint: NONE, status: "down", lastPing: 0, lastReply: 0,
        restarts: 0, restartAt: -1, failedAt: -1, recoveredAt: -1,
      })),
      checkTicks: checkTicks ?? Math.max(1, Math.min(HZ, ...services.filter((s) => s.period > 0).map((s) => s.period))),
      backoffUnit: HZ,
      events: [],
    }),

    start(k) {
      k.sys.becomeSignalManager();
      dsRequest(k, DS_SUBSCRIBE, "drv.");
      for (const s of k.state.services) start(k, s);
      k.setAlarm(k.state.checkTicks);
    },

    receive(k, m: Message) {
      const from = msgSource(m);
      if (msgType(m) === NOTIFY_MESSAGE) {
        if (from === CLOCK) return check(k);
        if (from === SYSTEM) return deaths(k);
        if (from === k.lookup("ds")) return dsRequest(k, DS_CHECK, "");
        const s = k.state.services.find((x) => x.endpoint === from);
        if (s) s.lastReply = k.ticks();
        return;
      }
      if (msgType(m) === DS_REPLY && get32(m, MSG.ds.flags) === OK) {
        const key = getString(m, MSG.ds.key, MSG.ds.keyLen);
        if (!key) return;
        const s = k.state.services.find((x) => key.endsWith(`.${x.label}`) && key.startsWith("drv."));
        if (s) announced(k, s);
        dsRequest(k, DS_CHECK, ""); // drain further changes
      }
    },
  };
}


/** The periodic check: hung services are killed; due restarts happen; pings go out. */
function check(k: Api): void {
  const now = k.ticks();
  for (const s of k.state.services) {
    if (s.status === "up" && isHung(s, now)) {
      const ep = s.endpoint;
      failed(k, s, "hang", `no heartbeat reply for ${now - s.lastReply} ticks (period ${s.period})`);
      k.sys.kill(ep, "RS: heartbeat timeout");
    } else if (s.status === "up" && pingDue(s, now)) {
      s.lastPing = now;
      k.notify(s.endpoint);
    }
    if (s.status === "down" && s.restartAt >= 0 && s.restartAt <= now) restart(k, s);
  }
  k.setAlarm(k.state.checkTicks);
}

/** Deaths reported by the kernel: crashes, exits and kills of our services. */
function deaths(k: Api): void {
  for (const d of k.sys.takeDeaths()) {
    const s = k.state.services.find((x) => x.endpoint === d.endpoint);
    if (!s) continue; // not ours, or already handled (a kill we ordered for a hang)
    failed(k, s, d.kind === "exit" ? "exit" : d.kind === "killed" ? "killed" : "crash", d.detail);
    if (s.restartAt >= 0 && s.restartAt <= k.ticks()) restart(k, s);
  }
}
