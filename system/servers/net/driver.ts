/*
 * The network server's side of the network-driver protocol (abi.h "Network-driver protocol",
 * after MINIX 3.4's libnetdriver) and its recovery, as MINIX's inet does it. Requests go to the
 * driver asynchronously (k.send), each with an id the reply echoes; the server never blocks on
 * the driver. It keeps NR_RX receive buffers posted (NDEV_RECV) and up to NR_TX frames at the
 * driver (NDEV_SEND), each through a grant on a frame buffer in its region (memory.ts FBUF).
 *
 * Recovery: the driver is found through DS ("drv.net.<label>" = DS_DRIVER_UP, published at boot
 * and after every restart by RS). On an announcement of a new endpoint the server forgets what
 * was outstanding at the old driver (frames being sent are lost: stream retransmission covers
 * them, datagrams are gone), sends NDEV_INIT and then NDEV_CONF (replaying the interface
 * configuration: the receive mode) and posts its receives again. A send that fails
 * (EDEADSRCDST: the driver died) marks the driver down until the next announcement.
 *
 * recovery=shadow (Nooks' shadow driver for the network class, ../recovery-mode.ts): the frames
 * outstanding at the failed driver are not forgotten but held in their buffers (FB_REPLAY), and
 * sent to the new driver (new grants, new ids) once it has answered NDEV_CONF, before any new
 * traffic. Receive buffers are posted again as in minix. restart behaves as minix.
 */
import {
  CPF_READ, CPF_WRITE, EBADSRCDST, EDEADSRCDST, errorName, MSG, NDEV_CONF, NDEV_INIT, NDEV_RECV, NDEV_REPLY_BIT, NDEV_SEND, NONE, OK,
} from "../../kernel/abi.js";
import { get32, messageOf, type Message } from "../../kernel/message.js";
import {
  DRV_CONF, DRV_DOWN, DRV_INIT, DRV_UP, FB_REPLAY, FBUF, FRAME_BUF, frameAddr, G, isGrant, NR_FBUFS, NR_RX, type NetMem,
} from "./memory.js";
import { holdsRequests } from "../recovery-mode.js";
import { note, type Api } from "./types.js";

/** The driver `label`, not announced yet; no buffer outstanding. */
export function initDriver(m: NetMem, label: string): void {
  m.setLabel(label);
  m.setG(G.drvEndpoint, NONE);
  m.setG(G.drvStatus, DRV_DOWN);
  m.setG(G.drvReqId, 0);
  m.setG(G.reqSeq, 0);
  m.setG(G.inits, 0);
  for (let i = 0; i < NR_FBUFS; i++) {
    m.setFbuf(i, FBUF.busy, 0);
    m.setFbuf(i, FBUF.id, 0);
    m.setFbuf(i, FBUF.grant, -1);
    m.setFbuf(i, FBUF.len, 0);
  }
}

export const driverUp = (m: NetMem): boolean => m.g(G.drvStatus) === DRV_UP;

/** A new request id. */
function nextId(m: NetMem): number {
  const id = (m.g(G.reqSeq) + 1) | 0;
  m.setG(G.reqSeq, id);
  return id;
}

/**
 * Sends NDEV request `type` to the driver: OK or the error. A dead or vanished driver
 * (EDEADSRCDST, EBADSRCDST) is lost; another error (the kernel's queue full) fails this request only.
 */
function request(k: Api, m: NetMem, type: number, ...fields: number[]): number {
  const r = k.send(m.g(G.drvEndpoint), messageOf(type, ...fields));
  if (r === -EDEADSRCDST || r === -EBADSRCDST) lost(k, m, `${errorName(r)} sending request 0x${type.toString(16)}`);
  else if (r !== OK) note(k, `request 0x${type.toString(16)} to the driver failed: ${errorName(r)}`);
  return r;
}

/** Frees buffer i: revokes its grant (if the id read from RAM is one), not outstanding any more. */
function release(k: Api, m: NetMem, i: number): void {
  const g = m.fbuf(i, FBUF.grant);
  if (isGrant(g)) k.revoke(g);
  m.setFbuf(i, FBUF.grant, -1);
  m.setFbuf(i, FBUF.busy, 0);
}

/** Forgets every request outstanding at the driver (it is gone or replaced); counts them. The shadow keeps the sends for the next driver. */
function dropOutstanding(k: Api, m: NetMem): void {
  const shadow = holdsRequests(m.g(G.recovery));
  for (let i = 0; i < NR_FBUFS; i++) {
    const busy = m.fbuf(i, FBUF.busy);
    if (!busy) continue;
    if (shadow && i >= NR_RX) {
      if (busy === FB_REPLAY) continue;
      const g = m.fbuf(i, FBUF.grant);
      if (isGrant(g)) k.revoke(g);
      m.setFbuf(i, FBUF.grant, -1);
      m.setFbuf(i, FBUF.id, 0);
      m.setFbuf(i, FBUF.busy, FB_REPLAY); // the frame stays in its buffer, the buffer stays taken
      continue;
    }
    k.state.stats.outstandingDropped++;
    release(k, m, i);
  }
}

/** Sends the frames held for replay to the (new) driver, oldest buffer first; counts them. */
function replaySends(k: Api, m: NetMem): void {
  for (let i = NR_RX; i < NR_FBUFS && driverUp(m); i++) {
    if (m.fbuf(i, FBUF.busy) !== FB_REPLAY) continue;
    const len = m.fbuf(i, FBUF.len);
    if (len <= 0 || len > FRAME_BUF) {
      release(k, m, i); // a length no frame has (a wild write): nothing to resend
      continue;
    }
    m.setFbuf(i, FBUF.busy, 0);
    if (send(k, m, i, len)) k.state.stats.replayedSends = (k.state.stats.replayedSends ?? 0) + 1;
  }
}

/** The driver failed (a send to it did not go through): down until its next announcement. */
export function lost(k: Api, m: NetMem, why: string): void {
  if (m.g(G.drvStatus) === DRV_DOWN && m.g(G.drvEndpoint) === NONE) return;
  k.state.stats.driverLosses++;
  note(k, `driver ${m.label()} lost: ${why}`);
  dropOutstanding(k, m);
  m.setG(G.drvEndpoint, NONE);
  m.setG(G.drvStatus, DRV_DOWN);
}

/** DS announced the driver up: a new endpoint (or the old one while down) is initialised from scratch. */
export function announced(k: Api, m: NetMem): void {
  const ep = k.lookup(m.label());
  if (ep === undefined) return;
  if (ep === m.g(G.drvEndpoint) && m.g(G.drvStatus) !== DRV_DOWN) return;
  const inits = m.g(G.inits);
  if (inits > 0) {
    k.state.stats.recoveries++;
    note(k, `driver ${m.label()} announced at endpoint ${ep}: replaying the configuration`);
  } else note(k, `driver ${m.label()} announced at endpoint ${ep}`);
  dropOutstanding(k, m);
  m.setG(G.drvEndpoint, ep);
  m.setG(G.inits, (inits + 1) | 0);
  k.state.stats.driverInits++;
  const id = nextId(m);
  m.setG(G.drvReqId, id);
  m.setG(G.drvStatus, DRV_INIT);
  if (request(k, m, NDEV_INIT, MSG.ndev.id, id) !== OK) m.setG(G.drvStatus, DRV_DOWN);
}

/** What a driver reply meant for the layers above (a frame: a view of its buffer, valid during this handler run). */
export type DriverEvent = { kind: "up" } | { kind: "frame"; frame: Uint8Array } | { kind: "sent" } | { kind: "none" };

/** Whether `type` is an NDEV reply. */
export const isNdevReply = (type: number): boolean => (type & NDEV_REPLY_BIT) !== 0 && ((type & ~NDEV_REPLY_BIT) >> 8) === NDEV_INIT >> 8;

/** A reply from `from`; anything not from the current driver or naming no outstanding request is ignored. */
export function driverReply(k: Api, m: NetMem, from: number, msg: Message): DriverEvent {
  if (from !== m.g(G.drvEndpoint) || m.g(G.drvStatus) === DRV_DOWN) return { kind: "none" };
  const type = get32(msg, 4) & ~NDEV_REPLY_BIT;
  const status = get32(msg, MSG.ndevReply.status);
  const id = get32(msg, MSG.ndevReply.id);
  if (type === NDEV_INIT || type === NDEV_CONF) return controlReply(k, m, msg, type, status, id);
  for (let i = 0; i < NR_FBUFS; i++) {
    if (!m.fbuf(i, FBUF.busy) || m.fbuf(i, FBUF.id) !== id) continue;
    const rx = i < NR_RX;
    if ((type === NDEV_RECV) !== rx || (type !== NDEV_RECV && type !== NDEV_SEND)) return { kind: "none" };
    release(k, m, i);
    if (status < 0) {
      k.state.stats.driverErrors++;
      note(k, `driver answered ${rx ? "NDEV_RECV" : "NDEV_SEND"} with ${errorName(status)}`);
    }
    if (!rx) return { kind: "sent" };
    // A view of the receive buffer, no copy: nothing writes it before the handler returns (the
    // driver, a process, fills it again only when it next runs), and the layers above copy what they keep.
    const frame = status > 0 && status <= FRAME_BUF ? m.view(frameAddr(i), status) : undefined;
    // A refused receive is posted again at the next clock tick, not at once: a driver that keeps
    // refusing (its queue full, its receive path broken) would otherwise hold both in a livelock.
    if (status >= 0) postReceive(k, m, i);
    return frame ? { kind: "frame", frame } : { kind: "none" };
  }
  return { kind: "none" };
}

/** NDEV_INIT's reply: the MAC, then NDEV_CONF; NDEV_CONF's: the driver is up, receives are posted. */
function controlReply(k: Api, m: NetMem, msg: Message, type: number, status: number, id: number): DriverEvent {
  const st = m.g(G.drvStatus);
  if (id !== m.g(G.drvReqId) || (type === NDEV_INIT ? st !== DRV_INIT : st !== DRV_CONF)) return { kind: "none" };
  if (status < 0) {
    k.state.stats.driverErrors++;
    note(k, `driver answered ${type === NDEV_INIT ? "NDEV_INIT" : "NDEV_CONF"} with ${errorName(status)}; waiting for its next announcement`, true);
    m.setG(G.drvStatus, DRV_DOWN);
    return { kind: "none" };
  }
  if (type === NDEV_INIT) {
    m.setG(G.macLo, get32(msg, MSG.ndevReply.hwaddrLo));
    m.setG(G.macHi, get32(msg, MSG.ndevReply.hwaddrHi) & 0xffff);
    m.setG(G.macKnown, 1);
    const next = nextId(m);
    m.setG(G.drvReqId, next);
    m.setG(G.drvStatus, DRV_CONF);
    if (request(k, m, NDEV_CONF, MSG.ndev.id, next, MSG.ndev.mode, m.g(G.mode)) !== OK) m.setG(G.drvStatus, DRV_DOWN);
    return { kind: "none" };
  }
  m.setG(G.drvStatus, DRV_UP);
  note(k, `driver ${m.label()} up`);
  repostReceives(k, m);
  replaySends(k, m);
  return driverUp(m) ? { kind: "up" } : { kind: "none" };
}

/** Whether a receive buffer is not posted while the driver is up (the driver refused it). */
export function idleReceives(m: NetMem): boolean {
  if (!driverUp(m)) return false;
  for (let i = 0; i < NR_RX; i++) if (!m.fbuf(i, FBUF.busy)) return true;
  return false;
}

/** Posts the receive buffers that are not posted (the clock's retry of refused ones). */
export function repostReceives(k: Api, m: NetMem): void {
  for (let i = 0; i < NR_RX && driverUp(m); i++) if (!m.fbuf(i, FBUF.busy)) postReceive(k, m, i);
}

/** Posts receive buffer i at the driver (NDEV_RECV with a write grant on it). */
function postReceive(k: Api, m: NetMem, i: number): void {
  if (!driverUp(m)) return;
  const ep = m.g(G.drvEndpoint);
  const id = nextId(m);
  m.setFbuf(i, FBUF.grant, k.grant(ep, frameAddr(i), FRAME_BUF, CPF_WRITE));
  m.setFbuf(i, FBUF.id, id);
  m.setFbuf(i, FBUF.busy, 1);
  const r = request(k, m, NDEV_RECV, MSG.ndev.id, id, MSG.ndev.grant, m.fbuf(i, FBUF.grant), MSG.ndev.count, FRAME_BUF);
  if (r !== OK) release(k, m, i);
}

/**
 * Whether `n` transmit buffers are free (and the driver up). New data asks for two, so one is
 * always left for ACKs, FINs, RSTs and ARP, which are otherwise lost when every buffer is busy.
 */
export function canTransmit(m: NetMem, n = 1): boolean {
  if (!driverUp(m)) return false;
  let free = 0;
  for (let i = NR_RX; i < NR_FBUFS; i++) if (!m.fbuf(i, FBUF.busy)) free++;
  return free >= n;
}

function freeTx(m: NetMem): number {
  for (let i = NR_RX; i < NR_FBUFS; i++) if (!m.fbuf(i, FBUF.busy)) return i;
  return -1;
}

/** Hands `frame` (without FCS, at least 60 bytes) to the driver; false when it cannot (counted as dropped). */
export function transmit(k: Api, m: NetMem, frame: Uint8Array): boolean {
  const i = driverUp(m) ? freeTx(m) : -1;
  if (i < 0 || frame.length > FRAME_BUF) {
    k.state.stats.framesDropped++;
    return false;
  }
  m.u8.set(frame, frameAddr(i));
  if (!send(k, m, i, frame.length)) {
    k.state.stats.framesDropped++;
    return false;
  }
  k.state.stats.framesOut++;
  return true;
}

/** Sends the frame in transmit buffer i (`len` bytes) to the driver: NDEV_SEND with a read grant on it. */
function send(k: Api, m: NetMem, i: number, len: number): boolean {
  const ep = m.g(G.drvEndpoint);
  const id = nextId(m);
  m.setFbuf(i, FBUF.grant, k.grant(ep, frameAddr(i), len, CPF_READ));
  m.setFbuf(i, FBUF.id, id);
  m.setFbuf(i, FBUF.len, len);
  m.setFbuf(i, FBUF.busy, 1);
  const r = request(k, m, NDEV_SEND, MSG.ndev.id, id, MSG.ndev.grant, m.fbuf(i, FBUF.grant), MSG.ndev.count, len);
  if (r !== OK) release(k, m, i);
  return r === OK;
}
