/*
 * A careful user of a character device, shared by the `print` and `audio` workloads: it opens
 * /dev/<node> through VFS, does the one-time settings (a user's mixer setting), configures the
 * open file (ioctls it repeats after every open: a player's rate and format), writes a stream in
 * fixed-size pieces, and closes. When its device file goes bad under it — EIO, as MINIX's VFS
 * answers after the driver died — it closes the file, opens the device again (waiting while it
 * is not there: ENXIO), configures it again and writes the piece that failed again, as a player
 * or a print spooler that survives a driver restart would. The one-time settings are not
 * repeated: they are the user's, and the program does not own them (whether they survive the
 * restart is the system's business: stateful recovery). A device that fails again at the same
 * point after REOPENS_WITHOUT_PROGRESS reopens is given up on (a printer that stays offline), as
 * a spooler gives up a job.
 *
 * Its state is plain data for the watchdog (ops) and the oracle (the EIOs it saw, where, and
 * every error).
 */
import { errorName, VFS, VFS_MSG, EAGAIN, EIO, ENXIO, CLOCK, NOTIFY_MESSAGE } from "../kernel/abi.js";
import { get32, msgSource, msgType, newMessage, type Message } from "../kernel/message.js";
import { NATIVE_HEAP, type NativeApi, type NativeProgram } from "../kernel/native.js";
import { dataRequest, noteReply, pathRequest, vfsEndpoint, type VfsClientState } from "./vfs-client.js";
import { USER_Q } from "../kernel/params.js";
import { mkfs } from "../servers/vfs/mkfs.js";
import type { OracleVerdict, Workload } from "./workload.js";

/** An ioctl: request and inline argument (abi.ts CDEV ioctls). */
export interface Ioctl {
  request: number;
  arg: number;
  name: string;
}

/** What a character-device program does. */
export interface CharJob {
  /** Device file name: /dev/<node>. */
  node: string;
  /** Settings made once, on the first open (the user's). */
  once: Ioctl[];
  /** Settings made after every open (the program's own). */
  config: Ioctl[];
  /** Stream length in bytes, and the size of each write (the last may be shorter). */
  total: number;
  piece: number;
  /** Bytes [from, to) of the stream. */
  bytes(from: number, to: number): Uint8Array;
  /** Clock ticks to wait before trying an open again, and how many opens to try in a row. */
  retryTicks: number;
  retries: number;
  /** Clock ticks to wait after the last close before the program ends (a player lets the sound it queued play out). */
  drainTicks: number;
}

type Phase = "open" | "once" | "config" | "write" | "reclose" | "close" | "done";

export interface CharState extends VfsClientState {
  phase: Phase;
  /** Index into once/config. */
  index: number;
  /** Bytes of the stream the device took (acknowledged writes). */
  offset: number;
  /** Opens that succeeded, and opens refused in a row now. */
  opens: number;
  refused: number;
  onceDone: boolean;
  /** Stream offsets at which a request got EIO (the piece there was written again after a reopen). */
  eios: number[];
  /** Values the ioctls asked for answered (by name), e.g. the volume read back. */
  answers: Record<string, number>;
}

/** Reopens in a row that got no further before the program gives up. */
export const REOPENS_WITHOUT_PROGRESS = 5;

/**
 * Every error `s` saw is one a driver restart explains — EIO on the file the dead driver had
 * opened (or from an open that reached it dying), ENXIO while reopening before the new one
 * announced itself — and how many times the program had to reopen because its open file went
 * bad (a restart it lived through).
 */
export function restartErrors(s: CharState): { only: boolean; restarts: number } {
  return { only: s.errors.every((e) => e.error === "EIO" || e.error === "ENXIO"), restarts: s.eios.length };
}

/**
 * An oracle's judgement of a character-device run as a workload verdict: corrupt before all,
 * then incomplete when the program did not finish, then errors or pass, with the summary given
 * for each.
 */
export function charVerdict(
  state: CharState | undefined, j: { verdict: "pass" | "errors" | "corrupt" }, summary: { corrupt: string; errors: string; pass: string },
): OracleVerdict {
  const details = { ...j };
  if (j.verdict === "corrupt") return { verdict: "corrupt", summary: summary.corrupt, details };
  if (!state || !state.done) return { verdict: "incomplete", summary: state ? `stopped in ${state.phase} after ${state.ops} operations` : "the workload is gone", details };
  if (j.verdict === "errors") return { verdict: "errors", summary: summary.errors, details };
  return { verdict: "pass", summary: summary.pass, details };
}

const PATH_BUF = NATIVE_HEAP;
const DATA_BUF = NATIVE_HEAP + 0x1000;

/**
 * The program for `job(params)`. The job (with its stream generator) is a pure function of the
 * boot parameters, so it is kept host-side by parameter string, not in the program's state.
 */
export function charProgram(job: (params: string) => CharJob): NativeProgram<CharState> {
  type S = CharState;
  type Api = NativeApi<S>;
  const jobs = new Map<string, CharJob>();
  const jobOf = (k: Api): CharJob => {
    let j = jobs.get(k.params);
    if (!j) jobs.set(k.params, (j = job(k.params)));
    return j;
  };

  const fail = (s: S, what: string, err: string): void => void s.errors.push({ request: what, error: err });


  function next(k: Api): void {
    const s = k.state;
    const j = jobOf(k);
    const vfs = vfsEndpoint(k);
    switch (s.phase) {
      case "open":
        return pathRequest(k, s.grants, PATH_BUF, VFS.OPEN, `/dev/${j.node}`);
      case "once":
      case "config": {
        const list = s.phase === "once" ? j.once : j.config;
        if (s.index >= list.length) {
          s.phase = s.phase === "once" ? "config" : "write";
          s.index = 0;
          return next(k);
        }
        const c = list[s.index];
        return void k.sendrec(vfs, newMessage(VFS.IOCTL, { [VFS_MSG.request.fd]: s.fd, [VFS_MSG.request.ioctl]: c.request, [VFS_MSG.request.arg]: c.arg }));
      }
      case "write": {
        if (s.offset >= j.total) {
          s.phase = "close";
          return next(k);
        }
        const n = Math.min(j.piece, j.total - s.offset);
        k.write(DATA_BUF, j.bytes(s.offset, s.offset + n));
        return dataRequest(k, s.grants, VFS.WRITE, s.fd, DATA_BUF, n);
      }
      case "reclose":
      case "close":
        return void k.sendrec(vfs, newMessage(VFS.CLOSE, { [VFS_MSG.request.fd]: s.fd }));
      case "done":
        s.done = true;
    }
  }

  /** Waits `ticks` before the next request. */
  function pause(k: Api, ticks: number): void {
    k.state.sleeping = true;
    k.setAlarm(ticks);
  }

  /**
   * The device file went bad (EIO): close it and open the device again — unless it went bad
   * REOPENS_WITHOUT_PROGRESS times already at this point of the stream; then close it and stop.
   */
  function lostFile(s: S): void {
    s.eios.push(s.offset);
    const again = s.eios.filter((at) => at === s.offset).length;
    s.phase = again > REOPENS_WITHOUT_PROGRESS ? "close" : "reclose";
  }

  /** Handles the reply `status` (and ioctl `value`); returns ticks to pause first (0: go on). */
  function step(k: Api, status: number, value: number): number {
    const s = k.state;
    const j = jobOf(k);
    const what = describeStep(s, j);
    noteReply(k, what, status);
    const err = status < 0 ? errorName(status) : "";
    switch (s.phase) {
      case "open":
        if (status >= 0) {
          s.fd = status;
          s.opens++;
          s.refused = 0;
          s.phase = s.onceDone ? "config" : "once";
          s.index = 0;
          return 0;
        }
        fail(s, what, err);
        if ((status === -ENXIO || status === -EIO) && ++s.refused < j.retries) return j.retryTicks;
        s.phase = "done";
        return 0;
      case "once":
      case "config": {
        const list = s.phase === "once" ? j.once : j.config;
        if (status === -EIO) {
          fail(s, what, err);
          lostFile(s);
          return 0;
        }
        if (err) fail(s, what, err);
        else s.answers[list[s.index].name] = value;
        if (++s.index >= list.length && s.phase === "once") s.onceDone = true;
        return 0;
      }
      case "write":
        if (status > 0) s.offset += status;
        else if (status === -EIO) {
          fail(s, what, err);
          lostFile(s);
        } else if (status === -EAGAIN) {
          fail(s, what, err); // the device cannot take it now (a printer out of paper): try again later
          return j.retryTicks;
        } else {
          fail(s, what, err || "no progress");
          s.phase = "close";
        }
        return 0;
      case "reclose":
        s.phase = "open";
        return 0;
      case "close":
        if (err) fail(s, what, err);
        if (status === -EIO) s.eios.push(s.offset); // the file went bad at the end: nothing left to send again
        s.phase = "done";
        if (j.drainTicks > 0) return j.drainTicks;
        s.done = true;
        return 0;
      default:
        return 0;
    }
  }

  function describeStep(s: S, j: CharJob): string {
    if (s.phase === "once" || s.phase === "config") {
      const c = (s.phase === "once" ? j.once : j.config)[s.index];
      return `IOCTL ${c?.name ?? "?"}`;
    }
    if (s.phase === "write") return `WRITE @${s.offset}`;
    return `${s.phase === "reclose" ? "CLOSE" : s.phase.toUpperCase()} /dev/${j.node}`;
  }

  return {
    init() {
      return {
        phase: "open", index: 0, offset: 0, fd: -1, grants: [], ops: 0, sleeping: false, events: [], errors: [],
        mismatches: [], done: false, opens: 0, refused: 0, onceDone: false, eios: [], answers: {},
      };
    },

    start(k) {
      next(k);
    },

    receive(k, m: Message) {
      const s = k.state;
      if (msgType(m) === NOTIFY_MESSAGE) {
        if (msgSource(m) === CLOCK && s.sleeping) {
          s.sleeping = false;
          next(k);
        }
        return;
      }
      if (msgType(m) !== VFS.REPLY || s.done) return;
      for (const g of s.grants.splice(0)) k.revoke(g);
      const wait = step(k, get32(m, VFS_MSG.reply.status), get32(m, VFS_MSG.reply.size));
      if (s.done) return;
      if (wait > 0) pause(k, wait);
      else next(k);
    },

    ipcError(k, _partner, code) {
      const s = k.state;
      for (const g of s.grants.splice(0)) k.revoke(g);
      fail(s, describeStep(s, jobOf(k)), `IPC ${errorName(code)}`);
      s.phase = "done";
      s.done = true;
    },
  };
}

/**
 * A character-device workload: a user process named `name` running `job` against its driver
 * class's device through VFS (on a freshly made file system), watched by its operations, judged
 * by `judge`. The parts print and audio share.
 */
export function charWorkload(name: string, description: string, driverClass: string, job: (params: string) => CharJob, judge: Workload<CharState>["judge"]): Workload<CharState> {
  return {
    name,
    description,
    program: charProgram(job),
    service: { label: name, program: { native: name }, role: "user", priority: USER_Q, ipcTo: ["vfs", "ds"], kernelCalls: [], io: [], irqs: [] },
    servers: ["vfs"],
    drivers: [driverClass],
    params: (seed) => `seed=${seed}`,
    prepareDisk: (image) => void mkfs(image),
    progress: (s) => s.ops,
    done: (s) => s.done,
    judge,
  };
}

