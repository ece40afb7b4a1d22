/*
 * The liveness probe: an ordinary process of the standard system that depends on no driver. Every
 * clock tick (10 ms) it asks DS for a key and counts the answers, so its progress means "the
 * kernel schedules and delivers, the clock ticks, and a server answers" — the system is alive,
 * whatever the workload is doing. The run's monitors watch it beside the workload: a stalled
 * workload with a live probe is a workload hang, not a system hang.
 *
 * It is native, like the servers it talks to: it is scheduled by the same kernel entries that
 * run DS, RS and VFS, so it starves exactly when they would (a non-preemptible driver holding the
 * CPU, a kernel that no longer ticks) and lives whenever they can answer.
 */
import { CLOCK, DS_REPLY, DS_RETRIEVE, MSG, NOTIFY_MESSAGE } from "./kernel/abi.js";
import { msgSource, msgType, newMessage, setString } from "./kernel/message.js";
import type { NativeProgram } from "./kernel/native.js";
import { USER_Q } from "./kernel/params.js";
import type { ServiceConf } from "./kernel/service.js";

export interface ProbeState {
  /** Requests sent to DS, and answers received (the progress the monitors watch). */
  asked: number;
  answered: number;
  /** A request is waiting for its answer (no new one is sent until it comes). */
  waiting: boolean;
  /** Ticks at which a request was due but the previous one was still unanswered. */
  late: number;
}

/** The key it asks for: any answer (ENOENT included) shows DS alive. */
const KEY = "probe.alive";

export const probeService: ServiceConf = {
  label: "probe", program: { native: "probe" }, role: "user", priority: USER_Q, ipcTo: ["ds"], kernelCalls: [], io: [], irqs: [],
};

export const probe: NativeProgram<ProbeState> = {
  init: () => ({ asked: 0, answered: 0, waiting: false, late: 0 }),

  start(k) {
    k.setAlarm(1);
  },

  receive(k, m) {
    const s = k.state;
    if (msgType(m) === NOTIFY_MESSAGE && msgSource(m) === CLOCK) {
      k.setAlarm(1);
      if (s.waiting) return void s.late++;
      const ds = k.lookup("ds");
      if (ds === undefined) return;
      const req = newMessage(DS_RETRIEVE);
      setString(req, MSG.ds.key, MSG.ds.keyLen, KEY);
      s.asked++;
      s.waiting = true;
      k.send(ds, req);
    } else if (msgType(m) === DS_REPLY) {
      s.answered++;
      s.waiting = false;
    }
  },
};
