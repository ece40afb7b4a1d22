/*
 * The shadow driver of the character class (Swift et al., OSDI 2004 §3-4), for VFS in
 * recovery=shadow (../recovery-mode.ts). It stands between VFS's character requests (cdev.ts)
 * and a driver that may fail.
 *
 * Passive: per device it logs what rebuilds the driver's state — the configuration ioctls the
 * driver accepted, the last argument of each, in the order first set (SHLOG in memory.ts); the
 * open files are VFS's own table; the request in flight is the request in service.
 *
 * Active, when the driver is found dead during a request or before one (or a new incarnation
 * announced itself): the open files stay valid (no generation bump) and no EIO is answered. The
 * request in service is held (VFS serves one at a time: it stays in service, and later ones queue
 * behind it) while the shadow waits for the driver's announcement, at most `waitTicks`; then,
 * one sendrec at a time:
 *
 *   SH_WAITING --announced--> SH_OPENING: CDEV_OPEN for each open file of the device
 *                 --all open--> SH_CONFIG: each logged ioctl, argument by value
 *                 --all sent--> passive: the held request is sent again ("reissue"; a WRITE's
 *                               data still in STAGING, granted to the new endpoint)
 *
 * The caller then gets the new driver's reply as if nothing had happened. A driver that dies
 * again meanwhile starts the replay over on its successor, up to MAX_DRIVER_TRIES failures per
 * request; after that, after a wait that expires, or a reopen the new driver refuses, the shadow
 * gives up with MINIX's semantics: EIO, and the device's open files invalidated. A printer has
 * no configuration: its shadow reopens and sends the interrupted piece again, which prints that
 * piece's characters again (the request is not idempotent; the shadow cannot know how far the
 * dead driver got).
 *
 * Everything lies in VFS's RAM (G.sh*, CDEV.lost, SHADOW_TABLE); values read there are
 * range-checked before use.
 */
import {
  CDEV_IOCTL, CDEV_OPEN, CDEV_R_BIT, CDEV_W_BIT, DSPIOBITS, DSPIORATE, DSPIOSIZE, DSPIOSTEREO, EIO, errorName, MIXIOSETVOLUME, MSG, NONE,
} from "../../kernel/abi.js";
import { get32, newMessage, type Message } from "../../kernel/message.js";
import type { NativeApi } from "../../kernel/native.js";
import { holdsRequests, MODE_SHADOW } from "../recovery-mode.js";
import { note } from "./bdev.js";
import {
  CDEV, CFILP, FILP, G, IN_HELD, IN_NONE, IN_SHADOW, NR_FDS, SH_CONFIG, SH_OPENING, SH_PASSIVE, SH_WAITING, SHLOG, SHLOG_ENTRIES,
  type VfsMem,
} from "./memory.js";
import { MAX_DRIVER_TRIES, type VfsState } from "./types.js";

type Api = NativeApi<VfsState>;

/**
 * What the shadow made of the request in service: "held" (VFS waits, for the driver or a
 * replayed call), "reissue" (the driver is back: send the request again), or a reply (giving up).
 */
export type ShadowStep = "held" | "reissue" | { status: number; value?: number };

/** The configuration ioctls the log keeps (MIXIOGETVOLUME is a get: nothing to rebuild). */
const CONFIG_IOCTLS = [DSPIORATE, DSPIOSTEREO, DSPIOBITS, DSPIOSIZE, MIXIOSETVOLUME];

/** The shadow stands between VFS and the drivers: recovery=shadow, or a driver VM's recovery=reissue (which logs nothing). */
export const shadowOn = (m: VfsMem): boolean => holdsRequests(m.g(G.recovery));

const logCount = (m: VfsMem, d: number): number => Math.max(0, Math.min(SHLOG_ENTRIES, m.shlog(d, SHLOG.count)));
const entry = (i: number): number => SHLOG.entries + 8 * i;

/** Passive: the driver of device d accepted ioctl `request` with `arg`; configuration is logged (the last value of each). */
export function shadowLog(k: Api, m: VfsMem, d: number, request: number, arg: number): void {
  if (m.g(G.recovery) !== MODE_SHADOW || !CONFIG_IOCTLS.includes(request)) return;
  const n = logCount(m, d);
  for (let i = 0; i < n; i++) {
    if (m.shlog(d, entry(i)) !== request) continue;
    m.setShlog(d, entry(i) + 4, arg);
    return;
  }
  if (n === SHLOG_ENTRIES) return void note(k, `shadow log of ${m.cdevLabel(d)} full: ioctl ${request} not logged`, true);
  m.setShlog(d, entry(n), request);
  m.setShlog(d, entry(n) + 4, arg);
  m.setShlog(d, SHLOG.count, n + 1);
}

/** The held request got its driver's reply: the failures it met are forgiven. */
export function shadowDone(m: VfsMem): void {
  m.setG(G.shTries, 0);
}

/** Device d's driver failed (or another incarnation appeared): hold the request in service until it is rebuilt. */
export function hold(k: Api, m: VfsMem, d: number, why: string): ShadowStep {
  m.setCdev(d, CDEV.lost, 1);
  m.setG(G.shDev, d);
  const tries = (m.g(G.shTries) + 1) | 0;
  m.setG(G.shTries, tries);
  if (tries > MAX_DRIVER_TRIES || tries < 1) return giveUp(k, m, `${MAX_DRIVER_TRIES} driver failures`);
  note(k, `shadow of ${m.cdevLabel(d)}: holding request ${m.g(G.reqType)} (${why})`);
  return waitOrReplay(k, m);
}

/** Replays at once to a driver that is there (announced, alive), else waits for its announcement. */
function waitOrReplay(k: Api, m: VfsMem): ShadowStep {
  const d = m.g(G.shDev);
  const ep = m.cdev(d, CDEV.endpoint);
  if (ep !== NONE && k.lookup(m.cdevLabel(d)) === ep) {
    m.setG(G.shState, SH_OPENING);
    m.setG(G.shStep, -1);
    return next(k, m);
  }
  m.setCdev(d, CDEV.endpoint, NONE);
  m.setG(G.shState, SH_WAITING);
  m.setG(G.shDeadline, k.ticks() + m.g(G.waitTicks));
  m.setG(G.inFlight, IN_HELD);
  shadowArm(k, m);
  return "held";
}

/** Sets the alarm for the end of the wait (or the disk driver's wait, bdev.ts, when that ends first: one alarm serves both). */
export function shadowArm(k: Api, m: VfsMem): void {
  if (m.g(G.shState) !== SH_WAITING) return;
  let at = m.g(G.shDeadline);
  const disk = m.g(G.drvDeadline);
  if (disk >= 0 && disk - at < 0) at = disk;
  k.setAlarm(Math.max(1, at - k.ticks()));
}

/** The next replayed call (a reopen, then a logged ioctl), or, with nothing left, the held request again. */
function next(k: Api, m: VfsMem): ShadowStep {
  const d = m.g(G.shDev);
  const ep = m.cdev(d, CDEV.endpoint);
  if (m.g(G.shState) === SH_OPENING) {
    for (let fd = Math.max(0, m.g(G.shStep) + 1); fd < NR_FDS; fd++) {
      if (m.filp(fd, FILP.count) === 0 || m.cfilp(fd, CFILP.dev) !== d + 1 || m.cfilp(fd, CFILP.gen) !== m.cdev(d, CDEV.gen)) continue;
      m.setG(G.shStep, fd);
      return replay(k, m, ep, CDEV_OPEN, { [MSG.cdev.minor]: m.cfilp(fd, CFILP.minor), [MSG.cdev.access]: CDEV_R_BIT | CDEV_W_BIT });
    }
    m.setG(G.shState, SH_CONFIG);
    m.setG(G.shStep, -1);
  }
  const i = Math.max(0, m.g(G.shStep) + 1);
  if (i < logCount(m, d)) {
    m.setG(G.shStep, i);
    return replay(k, m, ep, CDEV_IOCTL, { [MSG.cdev.minor]: 0, [MSG.cdev.request]: m.shlog(d, entry(i)), [MSG.cdev.arg]: m.shlog(d, entry(i) + 4) });
  }
  passive(m);
  m.setCdev(d, CDEV.lost, 0);
  k.state.stats.shadowRecoveries = (k.state.stats.shadowRecoveries ?? 0) + 1;
  k.state.stats.shadowReissued = (k.state.stats.shadowReissued ?? 0) + 1;
  note(k, `shadow of ${m.cdevLabel(d)}: driver rebuilt at endpoint ${ep}; request ${m.g(G.reqType)} sent again`, true);
  return "reissue";
}

function replay(k: Api, m: VfsMem, ep: number, type: number, fields: Record<number, number>): "held" {
  const id = (m.g(G.cdevSeq) + 1) | 0;
  m.setG(G.cdevSeq, id);
  m.setG(G.shId, id);
  m.setG(G.inFlight, IN_SHADOW);
  k.state.stats.shadowReplayed = (k.state.stats.shadowReplayed ?? 0) + 1;
  k.sendrec(ep, newMessage(type, { ...fields, [MSG.cdev.id]: id }));
  return "held";
}

function passive(m: VfsMem): void {
  m.setG(G.shState, SH_PASSIVE);
  m.setG(G.shStep, -1);
  m.setG(G.inFlight, IN_NONE);
}

/** The new driver answered a replayed call: go on (a refused ioctl loses that setting; a refused reopen gives up). */
export function shadowReply(k: Api, m: VfsMem, msg: Message): ShadowStep {
  m.setG(G.inFlight, IN_HELD);
  const d = m.g(G.shDev);
  const status = get32(msg, MSG.cdevReply.status);
  if (d < 0 || d >= m.ncdev() || get32(msg, MSG.cdevReply.id) !== m.g(G.shId)) return giveUp(k, m, "a replayed call's reply does not match");
  const state = m.g(G.shState);
  if (state === SH_OPENING && status < 0) return giveUp(k, m, `the new driver refused the reopen: ${errorName(status)}`);
  if (state === SH_CONFIG && status < 0) note(k, `shadow of ${m.cdevLabel(d)}: replayed ioctl ${m.shlog(d, entry(m.g(G.shStep)))} refused: ${errorName(status)}`, true);
  if (state !== SH_OPENING && state !== SH_CONFIG) return giveUp(k, m, `shadow state ${state}`);
  return next(k, m);
}

/** The driver died under a replayed call: start over on its successor. */
export function shadowLost(k: Api, m: VfsMem, why: string): ShadowStep {
  const d = m.g(G.shDev);
  if (d < 0 || d >= m.ncdev()) return giveUp(k, m, "no device");
  k.state.stats.driverFailures++;
  m.setCdev(d, CDEV.endpoint, NONE);
  note(k, `${m.cdevLabel(d)} lost during the shadow's replay: ${why}`, true);
  return hold(k, m, d, why);
}

/** DS announced device d's driver at `ep` (a new endpoint): a restart seen now; a held request's wait ends. */
export function shadowAnnounced(k: Api, m: VfsMem, d: number, ep: number): ShadowStep | undefined {
  const old = m.cdev(d, CDEV.endpoint);
  m.setCdev(d, CDEV.endpoint, ep);
  if (old !== NONE) m.setCdev(d, CDEV.lost, 1); // restarted while VFS was not talking to it
  note(k, `${m.cdevLabel(d)} announced at endpoint ${ep}`);
  if (m.g(G.shState) !== SH_WAITING || m.g(G.shDev) !== d) return undefined;
  m.setG(G.inFlight, IN_HELD);
  return waitOrReplay(k, m);
}

/** The alarm rang: a wait for the driver that has expired gives up. */
export function shadowExpired(k: Api, m: VfsMem): ShadowStep | undefined {
  if (m.g(G.shState) !== SH_WAITING) return undefined;
  if (k.ticks() - m.g(G.shDeadline) < 0) {
    shadowArm(k, m); // the disk's wait rang first
    return undefined;
  }
  return giveUp(k, m, `no announcement within ${m.g(G.waitTicks)} ticks`);
}

/** MINIX's semantics after all: the held request gets EIO, the device's open files are invalid. */
function giveUp(k: Api, m: VfsMem, why: string): ShadowStep {
  const d = m.g(G.shDev);
  passive(m);
  m.setG(G.shTries, 0);
  k.state.stats.shadowFailures = (k.state.stats.shadowFailures ?? 0) + 1;
  if (d >= 0 && d < m.ncdev()) {
    m.setCdev(d, CDEV.lost, 0);
    m.setCdev(d, CDEV.gen, (m.cdev(d, CDEV.gen) + 1) | 0);
  }
  note(k, `shadow of ${d >= 0 && d < m.ncdev() ? m.cdevLabel(d) : `device ${d}`} gives up (${why}): EIO, its open files invalid`, true);
  return { status: -EIO };
}
