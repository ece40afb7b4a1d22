/*
 * VFS, the file server (MINIX servers/vfs with its file system folded in): serves the VFS
 * protocol (abi.ts, "VFS protocol") on BHFS (fsformat.ts) through a buffer cache in its own
 * memory, talking to the disk driver only by BDEV messages, and surviving the driver's death the
 * way MINIX's libbdev does (bdev.ts). Its state — buffer headers, inode table, open files,
 * superblock copy, the request in service, the pending I/O, the driver — lies in that memory too
 * (memory.ts), set up at its first run and read there at every decision; every handler run
 * starts from vfsMem(k), the accessor of its region.
 *
 * main: receive → dispatch on what arrived: the reply to our sendrec (BDEV_REPLY), CLOCK (the
 * wait for the driver), DS (announcements), or a request (queued). Then pump(): requests are
 * served one at a time, in order; a request runs against the cache until it completes, and
 * every time it misses a block VFS does that one I/O (one sendrec per handler run) and runs the
 * request again when the reply comes. One reply message per request, sent with k.send.
 *
 * Character devices (cdev.ts): /dev/<node> files served by character drivers, their requests
 * sent to the driver instead of run against the file system.
 *
 * How VFS meets a driver that failed and came back is the build's choice (../recovery-mode.ts):
 * MINIX's (bdev.ts, cdev.ts), Nooks' restart (bdev.ts fails the I/O in flight), or Nooks'
 * shadow drivers (block: bdev.ts as in MINIX; character: shadow.ts).
 *
 * Parameters: driver=<label> (at_wini) cdev=<node>:<label>,... (none) buffers=<n> (32, at least 16) wait=<ticks to wait for the driver> (250:
 * longer than RS's second restart backoff of 2 s, shorter than the standard 3-s watchdog window)
 * recovery=minix|restart|shadow (minix)
 */
import type { ServiceConf } from "../../kernel/service.js";
import {
  CLOCK, DS_CHECK, DS_DRIVER_UP, DS_REPLY, DS_SUBSCRIBE, EBADSRCDST, EDEADSRCDST, EIO, errorName, MSG, NONE,
  NOTIFY_MESSAGE, OK, VFS, VFS_MSG,
} from "../../kernel/abi.js";
import { get32, getString, messageArray, msgSource, msgType, messageOf, type Message } from "../../kernel/message.js";
import type { NativeApi, NativeProgram } from "../../kernel/native.js";
import { dsRequest } from "../dsclient.js";
import type { ServerEntry } from "../entry.js";
import { CHAR_ANNOUNCE, DRIVER_CLASSES } from "../../drivers/classes.js";
import { SERVER_Q } from "../../kernel/params.js";
import { cdevAnnounced, cdevLost, cdevReply, cdevRequest, initCdevs, type CdevResult } from "./cdev.js";
import { shadowArm, shadowExpired, shadowLost, shadowReply } from "./shadow.js";
import { recoveryMode } from "../recovery-mode.js";
import { announced, dropIo, fail, hasIo, initDriver, ioReply, issue, lost, note, openReply, setIo, startWait, waitExpired } from "./bdev.js";
import { initCache } from "./cache.js";
import { initInodes } from "./inodes.js";
import {
  clearFilp, DRV_FAILED, G, IN_CDEV, IN_HELD, IN_NONE, IN_OPEN, IN_SHADOW, MAX_BUFFERS, MIN_BUFFERS, MOUNT_PENDING, NR_FDS, VFS_MEM_SIZE, vfsMem, type VfsMem,
} from "./memory.js";
import { MOUNT, runRequest, takeUp } from "./requests.js";
import { MAX_DRIVER_TRIES, type VfsState } from "./types.js";

type Api = NativeApi<VfsState>;

const DRIVER_PREFIX = DRIVER_CLASSES.block.announce;
const CHAR_PREFIX = CHAR_ANNOUNCE;
/** The character-device classes VFS serves (each with its device file name). */
const CHAR_CLASSES = Object.keys(DRIVER_CLASSES).filter((c) => DRIVER_CLASSES[c].node !== undefined);

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

/** VFS's RAM at its first run: the parameters, an empty cache, inode table and file table, the driver not yet announced. */
function initMemory(m: VfsMem, params: string): void {
  const p = parseParams(params);
  initCache(m, Math.max(MIN_BUFFERS, Math.min(MAX_BUFFERS, Number(p.buffers ?? 32) || 32)));
  initInodes(m);
  for (let fd = 0; fd < NR_FDS; fd++) clearFilp(m, fd);
  m.setG(G.waitTicks, Math.max(1, Number(p.wait ?? 250) || 250));
  m.setG(G.mount, MOUNT_PENDING);
  m.setG(G.reqActive, 0);
  m.setG(G.recovery, recoveryMode(p.recovery)); // minix is 0: the word stays as it was
  initDriver(m, p.driver ?? "at_wini");
  initCdevs(m, p.cdev ?? "");
}

export const vfs: NativeProgram<VfsState> = {
  init() {
    return {
      queue: [],
      stats: {
        requests: 0, errors: {}, runs: 0, blockReads: 0, blockWrites: 0, evictions: 0, driverFailures: 0, retries: 0, recoveries: 0,
        recoveryTimeouts: 0, triesExhausted: 0, eio: 0, ioErrors: 0,
      },
      log: [],
    };
  },

  start(k) {
    const m = vfsMem(k);
    initMemory(m, k.params);
    dsRequest(k, DS_SUBSCRIBE, DRIVER_PREFIX);
    if (m.ncdev() > 0) dsRequest(k, DS_SUBSCRIBE, CHAR_PREFIX);
    startWait(k, m);
    takeUp(m, { from: NONE, type: MOUNT });
    pump(k, m);
  },

  receive(k, msg: Message) {
    const m = vfsMem(k);
    const from = msgSource(msg);
    const type = msgType(msg);
    const inFlight = m.g(G.inFlight);
    if (inFlight === IN_CDEV) {
      const r = cdevReply(k, m, msg);
      finish(k, m, r.status, r.value);
    } else if (inFlight === IN_SHADOW) charStep(k, m, shadowReply(k, m, msg));
    else if (inFlight !== IN_NONE && inFlight !== IN_HELD) {
      const r = inFlight === IN_OPEN ? openReply(k, m, msg) : ioReply(k, m, msg);
      if (r === "failed") finish(k, m, -EIO);
    } else if (type === NOTIFY_MESSAGE) {
      if (from === CLOCK) onAlarm(k, m);
      else if (from === k.lookup("ds")) dsRequest(k, DS_CHECK, "");
    } else if (type === DS_REPLY) onDsReply(k, m, msg);
    else if (type >= VFS.RQ_BASE && type < VFS.REPLY) k.state.queue.push({ from, type, msg: messageArray(msg) });
    else note(k, `ignored message ${type} from ${from}`);
    pump(k, m);
  },

  ipcError(k, partner, code) {
    const m = vfsMem(k);
    const inFlight = m.g(G.inFlight);
    if (inFlight === IN_CDEV || inFlight === IN_SHADOW) {
      const why = `${errorName(code)} (endpoint ${partner})`;
      charStep(k, m, inFlight === IN_CDEV ? cdevLost(k, m, why) : shadowLost(k, m, why));
      return pump(k, m);
    }
    const r = code === -EDEADSRCDST || code === -EBADSRCDST ? lost(k, m, `${errorName(code)} (endpoint ${partner})`) : fail(k, m, errorName(code));
    if (r === "failed") finish(k, m, -EIO);
    pump(k, m);
  },
};

/** Serves requests until one waits for an I/O (or none is left). At most one sendrec. */
function pump(k: Api, m: VfsMem): void {
  const s = k.state;
  while (m.g(G.inFlight) === IN_NONE) {
    if (hasIo(m)) {
      const r = issue(k, m);
      if (r !== "failed") return;
      finish(k, m, -EIO);
      continue;
    }
    if (!m.g(G.reqActive)) {
      const next = s.queue.shift();
      if (!next) return;
      takeUp(m, next);
      s.stats.requests++;
      const c = cdevRequest(k, m);
      if (c) {
        charStep(k, m, c);
        continue;
      }
    }
    const r = runRequest(k, m);
    if (r.done) finish(k, m, r.status, r.size, r.ftype);
    else if (!r.io) {
      note(k, `request ${m.g(G.reqType)} needs more blocks than the cache holds`);
      finish(k, m, -EIO);
    } else if (m.g(G.drvStatus) === DRV_FAILED) finish(k, m, -EIO);
    else {
      if (r.io.kind === "write" && m.g(G.reqType) !== VFS.SYNC) s.stats.evictions++;
      setIo(m, r.io);
    }
  }
}

/**
 * Moves a character request on after cdev.ts or its shadow spoke: a reply ends it; "sent" and
 * "held" leave it waiting; "reissue" (the shadow rebuilt the driver) sends it again, as often as
 * the shadow asks (each ask is a driver failure it counted: at most MAX_DRIVER_TRIES).
 */
function charStep(k: Api, m: VfsMem, step: CdevResult | undefined): void {
  let r = step;
  for (let i = 0; r === "reissue" && i <= MAX_DRIVER_TRIES; i++) r = cdevRequest(k, m) ?? { status: -EIO };
  if (r === "reissue") r = { status: -EIO };
  if (r === undefined || r === "sent" || r === "held") return;
  finish(k, m, r.status, r.value);
}

/** Ends the request in service: replies `status` (and STAT's fields) to its caller. */
function finish(k: Api, m: VfsMem, status: number, size = 0, ftype = 0): void {
  const s = k.state;
  const active = m.g(G.reqActive);
  const from = m.g(G.reqFrom);
  m.setG(G.reqActive, 0);
  dropIo(m);
  if (!active || from === NONE) return;
  if (status < 0) {
    const name = errorName(status);
    s.stats.errors[name] = (s.stats.errors[name] ?? 0) + 1;
    if (status === -EIO) s.stats.eio++;
  }
  reply(k, from, status, size, ftype);
}

function reply(k: Api, to: number, status: number, size = 0, ftype = 0): void {
  k.send(to, messageOf(VFS.REPLY, VFS_MSG.reply.status, status, VFS_MSG.reply.size, size, VFS_MSG.reply.ftype, ftype));
}

/** CLOCK: the wait for the driver may have expired; the request waiting for the disk then fails. */
function onAlarm(k: Api, m: VfsMem): void {
  const waiting = hasIo(m);
  if (waitExpired(k, m) && waiting) finish(k, m, -EIO);
  charStep(k, m, shadowExpired(k, m));
}

/** DS answered: a changed key (drain the rest; our driver's announcement matters), or nothing more. */
function onDsReply(k: Api, m: VfsMem, msg: Message): void {
  const key = getString(msg, MSG.ds.key, MSG.ds.keyLen);
  if (get32(msg, MSG.ds.flags) !== OK || key === DRIVER_PREFIX || key === CHAR_PREFIX) return;
  dsRequest(k, DS_CHECK, "");
  if (get32(msg, MSG.ds.value) !== DS_DRIVER_UP) return;
  if (key === DRIVER_PREFIX + m.label()) {
    announced(k, m);
    shadowArm(k, m); // announced() cancelled the alarm a character shadow may still be waiting on
  } else if (key.startsWith(CHAR_PREFIX)) charStep(k, m, cdevAnnounced(k, m, key.slice(CHAR_PREFIX.length)));
}

/** VFS as a server a workload can ask for: it uses a block driver, named in its parameters. */
export const vfsServer: ServerEntry = {
  service: vfsService(),
  program: vfs,
  drivers: ["block"],
  serves: CHAR_CLASSES,
  params: (drivers) => {
    const cdevs = CHAR_CLASSES.flatMap((c) => (drivers[c] ?? []).map((label) => `${DRIVER_CLASSES[c].node}:${label}`));
    return `driver=${drivers.block[0]}${cdevs.length ? ` cdev=${cdevs.join(",")}` : ""}`;
  },
};
