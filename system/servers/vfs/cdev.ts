/*
 * VFS's character devices, after MINIX's VFS (dmap, cdev.c): a device file /dev/<node> is served
 * by a character driver (CDEV protocol, abi.h), found through DS ("drv.chr.<label>"). OPEN, READ,
 * WRITE, IOCTL and CLOSE of such a file are not file-system requests: VFS sends them to the
 * driver (one sendrec, as for block I/O) and answers the caller with the driver's reply.
 *
 * MINIX's semantics when a character driver dies: the request in flight gets EIO; the open files
 * of the device are invalidated, so every later request on them but CLOSE gets EIO (the driver
 * that served the open is gone, and its state with it); the program may open the device again,
 * which reaches the new driver once it has announced itself. Invalidation is a generation count
 * per device (CDEV.gen), bumped whenever its driver is found dead or announces a new endpoint; an
 * open file keeps the generation it was opened in (CFILP.gen).
 *
 * Data goes through VFS: a WRITE is copied into STAGING and STAGING is granted to the driver (a
 * READ the other way). MINIX's VFS hands the driver a grant on the caller's buffer instead (a
 * "magic" grant), so this costs a copy MINIX does not make. And VFS serves one request at a time:
 * a driver that keeps a request waiting (a full audio buffer) holds up VFS's other callers, where
 * MINIX's VFS suspends the caller and goes on.
 *
 * In recovery=shadow (../recovery-mode.ts) a driver's death is not the program's business: the
 * shadow (shadow.ts) holds the request, rebuilds the driver and sends the request again; the
 * generation is bumped only if the shadow gives up.
 *
 * Everything lies in VFS's RAM (memory.ts: CDEV_TABLE, CFILP_TABLE, G.cdev*): values read there
 * are range-checked before use.
 */
import {
  CDEV_CLOSE, CDEV_IOCTL, CDEV_OPEN, CDEV_R_BIT, CDEV_READ, CDEV_W_BIT, CDEV_WRITE, CPF_READ, CPF_WRITE, EAGAIN, EINVAL, EIO, ENOTTY,
  ENXIO, MSG, NONE, OK, VFS, VFS_MSG,
} from "../../kernel/abi.js";
import { get32, newMessage, type Message } from "../../kernel/message.js";
import type { NativeApi } from "../../kernel/native.js";
import { note } from "./bdev.js";
import { claimFd, freeFd, pathOf } from "./requests.js";
import {
  CDEV, CDEV_NODE_MAX, clearFilp, CDEV_SIZE, CDEV_TABLE, CFILP, FILP, G, GLOBALS, IN_CDEV, IN_NONE, isGrant, LABEL_MAX, NR_CDEVS, NR_FDS, STAGING,
  type VfsMem,
} from "./memory.js";
import { hold, shadowAnnounced, shadowDone, shadowLog, shadowOn, type ShadowStep } from "./shadow.js";
import type { VfsState } from "./types.js";

type Api = NativeApi<VfsState>;

/** What a character-device request came to: a reply now, a sendrec to the driver in flight, or the shadow's doing. */
export type CdevResult = { status: number; value?: number } | "sent" | ShadowStep;

const DEV_PREFIX = "/dev/";

/** Sets up the device table from the cdev= parameter ("audio:es1371,lp:printer"); bad entries are skipped. */
export function initCdevs(m: VfsMem, spec: string): void {
  let n = 0;
  for (const item of spec.split(",").filter(Boolean)) {
    const [node, label] = item.split(":", 2);
    if (n === NR_CDEVS || !node || !label || node.length >= CDEV_NODE_MAX || label.length >= LABEL_MAX) continue;
    const at = CDEV_TABLE + n * CDEV_SIZE;
    m.setText(at + CDEV.node, CDEV_NODE_MAX, node);
    m.setText(at + CDEV.label, LABEL_MAX, label);
    m.setCdev(n, CDEV.endpoint, NONE);
    m.setCdev(n, CDEV.gen, 1);
    n++;
  }
  m.setG(G.cdevCount, n);
  if (n > 0) m.setG(G.cdevGrant, -1); // (a system without devices keeps these words as they were: zero)
}

/** The device whose driver is `label`, or -1. */
function byLabel(m: VfsMem, label: string): number {
  for (let d = 0; d < m.ncdev(); d++) if (m.cdevLabel(d) === label) return d;
  return -1;
}

/**
 * DS announced "drv.chr.<label>": a new endpoint is a new incarnation (open files of the old one
 * are invalid; in shadow mode the shadow rebuilds it instead, and may resume a held request).
 */
export function cdevAnnounced(k: Api, m: VfsMem, label: string): ShadowStep | undefined {
  const d = byLabel(m, label);
  const ep = k.lookup(label);
  if (d < 0 || ep === undefined || m.cdev(d, CDEV.endpoint) === ep) return undefined;
  if (shadowOn(m)) return shadowAnnounced(k, m, d, ep);
  m.setCdev(d, CDEV.endpoint, ep);
  m.setCdev(d, CDEV.gen, (m.cdev(d, CDEV.gen) + 1) | 0);
  note(k, `${label} announced at endpoint ${ep}`);
  return undefined;
}

/** Device `d`'s driver is dead: its open files are invalid from now on (shadow mode: to be rebuilt, CDEV.lost). */
function down(k: Api, m: VfsMem, d: number, why: string): void {
  if (m.cdev(d, CDEV.endpoint) === NONE) return;
  m.setCdev(d, CDEV.endpoint, NONE);
  if (shadowOn(m)) m.setCdev(d, CDEV.lost, 1);
  else m.setCdev(d, CDEV.gen, (m.cdev(d, CDEV.gen) + 1) | 0);
  k.state.stats.driverFailures++;
  note(k, `${m.cdevLabel(d)} lost: ${why}`, true);
}

/** The driver of device `d` if it is there (not one that died since its announcement), else undefined. */
function driverOf(k: Api, m: VfsMem, d: number): number | undefined {
  const ep = m.cdev(d, CDEV.endpoint);
  if (ep === NONE) return undefined;
  if (k.lookup(m.cdevLabel(d)) === ep) return ep;
  down(k, m, d, "driver not there");
  return undefined;
}

const field = (m: VfsMem, off: number): number => get32(m.u8, GLOBALS + G.reqMsg + off);

/** The device named by an OPEN's path, or -1 when the path is no device file (or cannot be read: the file system reports that). */
function deviceOfPath(k: Api, m: VfsMem): number {
  const path = pathOf(k, m);
  if (typeof path === "number" || !path.startsWith(DEV_PREFIX)) return -1;
  const node = path.slice(DEV_PREFIX.length);
  for (let d = 0; d < m.ncdev(); d++) if (m.text(CDEV_TABLE + d * CDEV_SIZE + CDEV.node, CDEV_NODE_MAX) === node) return d;
  return -1;
}

/** The caller's open device file of the request in service: its fd and device, or undefined (not a device file). */
function deviceFile(m: VfsMem): { fd: number; dev: number } | undefined {
  const fd = field(m, VFS_MSG.request.fd);
  if (fd < 0 || fd >= NR_FDS || m.filp(fd, FILP.count) === 0 || m.filp(fd, FILP.owner) !== m.g(G.reqFrom)) return undefined;
  const dev = m.cfilp(fd, CFILP.dev) - 1;
  return dev >= 0 && dev < m.ncdev() ? { fd, dev } : undefined;
}

/**
 * The request in service, if it is a character-device request: its result, or "sent" (VFS now
 * waits for the driver). undefined: a file-system request (IOCTL on a file gets ENOTTY here).
 */
export function cdevRequest(k: Api, m: VfsMem): CdevResult | undefined {
  const type = m.g(G.reqType);
  if (type === VFS.OPEN) {
    if (m.ncdev() === 0) return undefined;
    const d = deviceOfPath(k, m);
    return d < 0 ? undefined : open(k, m, d);
  }
  if (type !== VFS.READ && type !== VFS.WRITE && type !== VFS.CLOSE && type !== VFS.IOCTL) return undefined;
  const f = deviceFile(m);
  if (!f) return type === VFS.IOCTL ? { status: -ENOTTY } : undefined;
  const valid = m.cfilp(f.fd, CFILP.gen) === m.cdev(f.dev, CDEV.gen);
  if (type === VFS.CLOSE && !valid) {
    clearFilp(m, f.fd);
    return { status: OK }; // the driver that knew this open is gone: nothing to tell it
  }
  const ep = valid ? driverOf(k, m, f.dev) : undefined;
  if (valid && shadowOn(m) && (ep === undefined || m.cdev(f.dev, CDEV.lost))) return hold(k, m, f.dev, "driver not there");
  if (ep === undefined) return { status: -EIO };
  const minor = m.cfilp(f.fd, CFILP.minor);
  if (type === VFS.CLOSE) return send(k, m, f.fd, f.dev, ep, CDEV_CLOSE, { [MSG.cdev.minor]: minor });
  if (type === VFS.IOCTL) {
    return send(k, m, f.fd, f.dev, ep, CDEV_IOCTL, {
      [MSG.cdev.minor]: minor, [MSG.cdev.request]: field(m, VFS_MSG.request.ioctl), [MSG.cdev.arg]: field(m, VFS_MSG.request.arg),
    });
  }
  const n = Math.min(Math.max(field(m, VFS_MSG.request.bytes), 0), VFS.IO_MAX);
  if (n === 0) return { status: 0 };
  const write = type === VFS.WRITE;
  if (write && !m.g(G.reqStaged)) {
    const r = k.safecopyFrom(m.g(G.reqFrom), field(m, VFS_MSG.request.grant), 0, STAGING, n);
    if (r < 0) return { status: r };
    if (shadowOn(m)) m.setG(G.reqStaged, 1); // the shadow's reissue sends STAGING as it is (other modes keep today's RAM)
  }
  m.setG(G.cdevGrant, k.grant(ep, STAGING, n, write ? CPF_READ : CPF_WRITE));
  return send(k, m, f.fd, f.dev, ep, write ? CDEV_WRITE : CDEV_READ, { [MSG.cdev.minor]: minor, [MSG.cdev.grant]: m.g(G.cdevGrant), [MSG.cdev.count]: n });
}

/** OPEN of device `d` (minor 0): EAGAIN with the open-file table full (as for a file), ENXIO while its driver is not there. */
function open(k: Api, m: VfsMem, d: number): CdevResult {
  if (freeFd(m) < 0) return { status: -EAGAIN };
  const ep = driverOf(k, m, d);
  if (shadowOn(m) && m.cdev(d, CDEV.lost)) return hold(k, m, d, "driver not rebuilt yet");
  if (ep === undefined) return { status: -ENXIO };
  return send(k, m, -1, d, ep, CDEV_OPEN, { [MSG.cdev.minor]: 0, [MSG.cdev.access]: CDEV_R_BIT | CDEV_W_BIT });
}

/** Sends CDEV request `type` to driver `ep` of device `dev` for open file `fd` (-1 for an open). */
function send(k: Api, m: VfsMem, fd: number, dev: number, ep: number, type: number, fields: Record<number, number>): "sent" {
  const id = (m.g(G.cdevSeq) + 1) | 0;
  m.setG(G.cdevSeq, id);
  m.setG(G.cdevId, id);
  m.setG(G.cdevFd, fd);
  m.setG(G.cdevDev, dev);
  m.setG(G.inFlight, IN_CDEV);
  k.sendrec(ep, newMessage(type, { ...fields, [MSG.cdev.id]: id }));
  return "sent";
}

/** Takes back the driver's grant on STAGING. */
function revoke(k: Api, m: VfsMem): void {
  const g = m.g(G.cdevGrant);
  if (isGrant(g)) k.revoke(g);
  m.setG(G.cdevGrant, -1);
}

/** The driver answered: completes the request in service (its status, and for IOCTL the value). */
export function cdevReply(k: Api, m: VfsMem, msg: Message): { status: number; value: number } {
  m.setG(G.inFlight, IN_NONE);
  revoke(k, m);
  const status = get32(msg, MSG.cdevReply.status);
  const value = get32(msg, MSG.cdevReply.value);
  const dev = m.g(G.cdevDev);
  const fd = m.g(G.cdevFd);
  if (get32(msg, MSG.cdevReply.id) !== m.g(G.cdevId) || dev < 0 || dev >= m.ncdev()) {
    note(k, `a character driver's reply does not match the request (id ${get32(msg, MSG.cdevReply.id)})`, true);
    return { status: -EIO, value: 0 };
  }
  const type = m.g(G.reqType);
  if (shadowOn(m)) {
    shadowDone(m);
    if (type === VFS.IOCTL && status === OK) shadowLog(k, m, dev, field(m, VFS_MSG.request.ioctl), field(m, VFS_MSG.request.arg));
  }
  if (type === VFS.OPEN) return { status: status < 0 ? status : opened(m, dev), value: 0 };
  if (fd < 0 || fd >= NR_FDS) return { status: -EIO, value: 0 };
  if (type === VFS.CLOSE) {
    clearFilp(m, fd);
    return { status: OK, value: 0 };
  }
  if (type === VFS.READ && status > 0) {
    const n = Math.min(status, VFS.IO_MAX, Math.max(field(m, VFS_MSG.request.bytes), 0));
    const r = k.safecopyTo(m.g(G.reqFrom), field(m, VFS_MSG.request.grant), 0, STAGING, n);
    return { status: r < 0 ? r : n, value: 0 };
  }
  if (type === VFS.WRITE && status > Math.max(field(m, VFS_MSG.request.bytes), 0)) return { status: -EINVAL, value: 0 };
  return { status, value };
}

/** A new open file on device `dev`, minor 0, of the driver's current incarnation: the fd (open() saw a free one). */
function opened(m: VfsMem, dev: number): number {
  const fd = claimFd(m, 0);
  if (fd < 0) return fd;
  m.setCfilp(fd, CFILP.dev, dev + 1);
  m.setCfilp(fd, CFILP.minor, 0);
  m.setCfilp(fd, CFILP.gen, m.cdev(dev, CDEV.gen));
  return fd;
}

/** The sendrec to the driver failed: the driver is dead (or unreachable); the request gets EIO, or the shadow holds it. */
export function cdevLost(k: Api, m: VfsMem, why: string): CdevResult {
  m.setG(G.inFlight, IN_NONE);
  revoke(k, m);
  const dev = m.g(G.cdevDev);
  if (dev < 0 || dev >= m.ncdev()) return { status: -EIO };
  down(k, m, dev, why);
  return shadowOn(m) ? hold(k, m, dev, why) : { status: -EIO };
}
