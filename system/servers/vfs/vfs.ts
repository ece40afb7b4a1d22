/*
 * VFS, the file server (MINIX servers/vfs with its file system folded in): serves the VFS
 * protocol (abi.ts, "VFS protocol") on BHFS (fsformat.ts) through a buffer cache in its own
 * memory, talking to the disk driver only by BDEV messages, and surviving the driver's death the
 * way MINIX's libbdev does (bdev.ts).
 *
 * main: receive → dispatch on what arrived: the reply to our sendrec (BDEV_REPLY), CLOCK (the
 * wait for the driver), DS (announcements), or a request (queued). Then pump(): requests are
 * served one at a time, in order; a request runs against the cache until it completes, and
 * every time it misses a block VFS does that one I/O (one sendrec per handler run) and runs the
 * request again when the reply comes. One reply message per request, sent with k.send.
 *
 * Parameters: driver=<label> (at_wini) buffers=<n> (32, at least 16) wait=<ticks to wait for the driver> (250:
 * longer than RS's second restart backoff of 2 s, shorter than the standard 3-s watchdog window)
 */
import type { ServiceConf } from "../../kernel/service.js";
import {
  CLOCK, DS_CHECK, DS_DRIVER_UP, DS_REPLY, DS_SUBSCRIBE, EBADSRCDST, EDEADSRCDST, EIO, errorName, MSG, NONE,
  NOTIFY_MESSAGE, OK, VFS, VFS_MSG,
} from "../../kernel/abi.js";
import { get32, getString, messageArray, msgSource, msgType, newMessage, type Message } from "../../kernel/message.js";
import type { NativeApi, NativeProgram } from "../../kernel/native.js";
import { dsRequest } from "../dsclient.js";
import type { ServerEntry } from "../entry.js";
import { DRIVER_CLASSES } from "../../drivers/classes.js";
import { SERVER_Q } from "../../kernel/params.js";
import { announced, ioReply, issue, lost, newDriver, note, openReply, startWait, waitExpired } from "./bdev.js";
import { newCache } from "./cache.js";
import { MOUNT, runRequest } from "./requests.js";
import { MAX_BUFFERS, MIN_BUFFERS, VFS_MEM_SIZE, type VfsState } from "./types.js";

type Api = NativeApi<VfsState>;

const DRIVER_PREFIX = DRIVER_CLASSES.block.announce;

function parseParams(params: string): Record<string, string> {
  return Object.fromEntries(params.split(/\s+/).filter(Boolean).map((kv) => kv.split("=", 2) as [string, string]));
}

/**
 * The service-table entry for VFS (a native server with room for its buffer cache). Its kernel
 * calls (SAFECOPYFROM/TO, SETALARM) go through the native API, which checks grants but not the
 * kernel-call mask, so the mask is left empty as in every campaign so far (it is part of the
 * privilege table in RAM, hence of the state hash).
 */
export function vfsService(params = ""): ServiceConf {
  return {
    label: "vfs", program: { native: "vfs" }, role: "server", priority: SERVER_Q, ipcTo: ["*"], kernelCalls: [], io: [], irqs: [],
    memSize: VFS_MEM_SIZE, params,
  };
}

export const vfs: NativeProgram<VfsState> = {
  init(_label, params) {
    const p = parseParams(params);
    const nbuf = Math.max(MIN_BUFFERS, Math.min(MAX_BUFFERS, Number(p.buffers ?? 32) || 32));
    return {
      nbuf, waitTicks: Math.max(1, Number(p.wait ?? 250) || 250), mount: "pending", sb: null, cache: newCache(nbuf), fds: [],
      queue: [], current: null, io: null, inFlight: null, driver: newDriver(p.driver ?? "at_wini"), ioSeq: 0,
      stats: {
        requests: 0, errors: {}, runs: 0, blockReads: 0, blockWrites: 0, evictions: 0, driverFailures: 0, retries: 0, recoveries: 0,
        recoveryTimeouts: 0, triesExhausted: 0, eio: 0, ioErrors: 0,
      },
      log: [],
    };
  },

  start(k) {
    dsRequest(k, DS_SUBSCRIBE, DRIVER_PREFIX);
    startWait(k);
    k.state.current = { from: NONE, type: MOUNT, msg: [], staged: false, runs: 0 };
    pump(k);
  },

  receive(k, m: Message) {
    const s = k.state;
    const from = msgSource(m);
    const type = msgType(m);
    if (s.inFlight) {
      const r = s.inFlight === "open" ? openReply(k, m) : ioReply(k, m);
      if (r === "failed") finish(k, -EIO);
    } else if (type === NOTIFY_MESSAGE) {
      if (from === CLOCK) onAlarm(k);
      else if (from === k.lookup("ds")) dsRequest(k, DS_CHECK, "");
    } else if (type === DS_REPLY) onDsReply(k, m);
    else if (type >= VFS.RQ_BASE && type < VFS.REPLY) s.queue.push({ from, type, msg: messageArray(m), staged: false, runs: 0 });
    else note(k, `ignored message ${type} from ${from}`);
    pump(k);
  },

  ipcError(k, partner, code) {
    const r = code === -EDEADSRCDST || code === -EBADSRCDST ? lost(k, `${errorName(code)} (endpoint ${partner})`) : fail(k, code);
    if (r === "failed") finish(k, -EIO);
    pump(k);
  },
};

/** A sendrec to the driver failed for another reason than its death: the I/O fails. */
function fail(k: Api, code: number): "failed" {
  k.state.inFlight = null;
  k.state.io = null;
  note(k, `sendrec to the driver failed: ${errorName(code)}`, true);
  return "failed";
}

/** Serves requests until one waits for an I/O (or none is left). At most one sendrec. */
function pump(k: Api): void {
  const s = k.state;
  while (!s.inFlight) {
    if (s.io) {
      const r = issue(k);
      if (r !== "failed") return;
      finish(k, -EIO);
      continue;
    }
    if (!s.current) {
      s.current = s.queue.shift() ?? null;
      if (!s.current) return;
      s.stats.requests++;
    }
    const r = runRequest(k, s.current);
    if (r.done) finish(k, r.status, r.size, r.ftype);
    else if (!r.io) {
      note(k, `request ${s.current.type} needs more blocks than the cache holds`);
      finish(k, -EIO);
    } else if (s.driver.status === "failed") finish(k, -EIO);
    else {
      if (r.io.kind === "write" && s.current.type !== VFS.SYNC) s.stats.evictions++;
      // Spelled out: a spread with more properties is a slow path in V8 (~2 µs).
      s.io = { kind: r.io.kind, block: r.io.block, slot: r.io.slot, tries: 0, grant: -1, id: 0 };
    }
  }
}

/** Ends the current request: replies `status` (and STAT's fields) to its caller. */
function finish(k: Api, status: number, size = 0, ftype = 0): void {
  const s = k.state;
  const req = s.current;
  s.current = null;
  s.io = null;
  if (!req || req.from === NONE) return;
  if (status < 0) {
    const name = errorName(status);
    s.stats.errors[name] = (s.stats.errors[name] ?? 0) + 1;
    if (status === -EIO) s.stats.eio++;
  }
  reply(k, req.from, status, size, ftype);
}

function reply(k: Api, to: number, status: number, size = 0, ftype = 0): void {
  k.send(to, newMessage(VFS.REPLY, { [VFS_MSG.reply.status]: status, [VFS_MSG.reply.size]: size, [VFS_MSG.reply.ftype]: ftype }));
}

/** CLOCK: the wait for the driver may have expired; the request waiting for the disk then fails. */
function onAlarm(k: Api): void {
  const waiting = k.state.io !== null;
  if (waitExpired(k) && waiting) finish(k, -EIO);
}


/** DS answered: a changed key (drain the rest; our driver's announcement matters), or nothing more. */
function onDsReply(k: Api, m: Message): void {
  const key = getString(m, MSG.ds.key, MSG.ds.keyLen);
  if (get32(m, MSG.ds.flags) !== OK || key === DRIVER_PREFIX) return;
  dsRequest(k, DS_CHECK, "");
  if (key === DRIVER_PREFIX + k.state.driver.label && get32(m, MSG.ds.value) === DS_DRIVER_UP) announced(k);
}

/** VFS as a server a workload can ask for: it uses a block driver, named in its parameters. */
export const vfsServer: ServerEntry = {
  service: vfsService(),
  program: vfs,
  drivers: ["block"],
  params: (drivers) => `driver=${drivers.block[0]}`,
};
