/*
 * The socket requests of user processes (abi.ts "NET protocol"): one doX per request that checks
 * the caller and its fd, and either answers at once (SOCKET, CLOSE, errors) or makes the request
 * the socket's pending one (memory.ts SOCK.req*). serve() moves a pending request on whenever
 * something changed (a segment, a datagram, a timer, a free transmit buffer) and answers it when
 * it can: the deferred reply, as VFS defers its replies.
 */
import {
  EBUSY, EINVAL, ENOTCONN, EPIPE, ETIMEDOUT, EAGAIN, NET, NET_MSG, OK,
} from "../../kernel/abi.js";
import { get32, type Message } from "../../kernel/message.js";
import { canTransmit, driverUp } from "./driver.js";
import { udpOutput, udpPeek, udpPop, UDP_MAX } from "./dgram.js";
import {
  clampBuf, NR_SOCKS, recvBuf, S_CLOSE_WAIT, S_CLOSED, S_DGRAM, S_ESTABLISHED, S_FREE, S_SYN_SENT, sendBuf, SOCK, SOCK_BUF, STAGING,
  type NetMem,
} from "./memory.js";
import { clearSock, complete, ephemeralPort, freeSock, hasRequest, reply, ringFromGrant, ringToGrant, typeName } from "./sockets.js";
import { connect, output, synchronized, windowUpdate } from "./stream.js";
import { note, type Api } from "./types.js";

const field = (msg: Message, off: number): number => get32(msg, off);

/** A request from `from`: answered now, or left pending on its socket (serve() answers it). */
export function accept(k: Api, m: NetMem, from: number, type: number, msg: Message): void {
  k.state.stats.requests++;
  if (type === NET.SOCKET) return reply(k, from, doSocket(k, m, from, field(msg, NET_MSG.request.type)));
  const fd = field(msg, NET_MSG.request.fd);
  if (fd < 0 || fd >= NR_SOCKS || m.sock(fd, SOCK.state) === S_FREE || !m.sock(fd, SOCK.userOpen) || m.sock(fd, SOCK.owner) !== from) {
    return reply(k, from, -EINVAL);
  }
  if (hasRequest(m, fd)) return reply(k, from, -EBUSY);
  const r = type === NET.CLOSE ? doClose(k, m, fd) : check(m, fd, type, msg);
  if (r !== undefined) return reply(k, from, r);
  m.setSock(fd, SOCK.reqType, type);
  m.setSock(fd, SOCK.reqFrom, from);
  m.setSock(fd, SOCK.reqGrant, field(msg, NET_MSG.request.grant));
  m.setSock(fd, SOCK.reqBytes, Math.max(0, field(msg, NET_MSG.request.bytes)));
  m.setSock(fd, SOCK.reqIp, field(msg, NET_MSG.request.ip));
  m.setSock(fd, SOCK.reqPort, field(msg, NET_MSG.request.port) & 0xffff);
  const timeout = field(msg, NET_MSG.request.timeout);
  m.setSock(fd, SOCK.reqAt, type === NET.RECVFROM && timeout > 0 ? k.ticks() + timeout : -1);
  if (type === NET.CONNECT) connect(k, m, fd, field(msg, NET_MSG.request.ip), field(msg, NET_MSG.request.port));
}

function doSocket(k: Api, m: NetMem, from: number, type: number): number {
  if (type !== NET.STREAM && type !== NET.DGRAM) return -EINVAL;
  const s = freeSock(m);
  if (s < 0) return -EAGAIN;
  clearSock(m, s);
  m.setSock(s, SOCK.state, type === NET.DGRAM ? S_DGRAM : S_CLOSED);
  m.setSock(s, SOCK.type, type);
  m.setSock(s, SOCK.owner, from);
  m.setSock(s, SOCK.userOpen, 1);
  m.setSock(s, SOCK.lport, ephemeralPort(m));
  note(k, `socket ${s}: ${typeName(type)}, port ${m.sock(s, SOCK.lport)}`);
  return s;
}

/** CLOSE: a datagram socket or an unconnected stream is freed; a connection queues its FIN and lingers. */
function doClose(k: Api, m: NetMem, s: number): number {
  const st = m.sock(s, SOCK.state);
  m.setSock(s, SOCK.userOpen, 0);
  if (st === S_ESTABLISHED || st === S_CLOSE_WAIT) {
    m.setSock(s, SOCK.finQueued, 1);
    output(k, m, s);
  } else if (!synchronized(st)) clearSock(m, s);
  return OK;
}

/** Whether request `type` can be taken on socket s: undefined, or the error to answer at once. */
function check(m: NetMem, s: number, type: number, msg: Message): number | undefined {
  const dgram = m.sock(s, SOCK.state) === S_DGRAM;
  const st = m.sock(s, SOCK.state);
  switch (type) {
    case NET.CONNECT:
      return dgram || st !== S_CLOSED || m.sock(s, SOCK.error) !== 0 ? -EINVAL : undefined;
    case NET.SEND:
    case NET.RECV:
      if (dgram) return -EINVAL;
      return (st === S_CLOSED && m.sock(s, SOCK.error) === 0) || st === S_SYN_SENT ? -ENOTCONN : undefined;
    case NET.SENDTO: {
      const n = field(msg, NET_MSG.request.bytes);
      return !dgram || n < 0 || n > UDP_MAX ? -EINVAL : undefined;
    }
    case NET.RECVFROM:
      return dgram ? undefined : -EINVAL;
    default:
      return -EINVAL;
  }
}

/** Moves the pending request of socket s on; answers it when it is done. */
export function serve(k: Api, m: NetMem, s: number): void {
  switch (m.sock(s, SOCK.reqType)) {
    case NET.CONNECT:
      return serveConnect(k, m, s);
    case NET.SEND:
      return serveSend(k, m, s);
    case NET.RECV:
      return serveRecv(k, m, s);
    case NET.SENDTO:
      return serveSendto(k, m, s);
    case NET.RECVFROM:
      return serveRecvfrom(k, m, s);
    default:
      if (hasRequest(m, s)) complete(k, m, s, -EINVAL); // a request word no doX wrote
  }
}

/** The socket's error as a negative status, or 0. */
const errorOf = (m: NetMem, s: number): number => {
  const e = m.sock(s, SOCK.error);
  return e > 0 ? -e : 0;
};

function serveConnect(k: Api, m: NetMem, s: number): void {
  const st = m.sock(s, SOCK.state);
  if (errorOf(m, s)) complete(k, m, s, errorOf(m, s));
  else if (synchronized(st)) complete(k, m, s, OK);
  else if (st !== S_SYN_SENT) complete(k, m, s, -ENOTCONN);
}

function serveSend(k: Api, m: NetMem, s: number): void {
  const st = m.sock(s, SOCK.state);
  if (st !== S_ESTABLISHED && st !== S_CLOSE_WAIT) return complete(k, m, s, errorOf(m, s) || -EPIPE);
  const sbLen = clampBuf(m.sock(s, SOCK.sbLen));
  const n = Math.min(m.sock(s, SOCK.reqBytes), SOCK_BUF - sbLen);
  if (n <= 0 && m.sock(s, SOCK.reqBytes) > 0) return; // full: wait for acknowledgements
  const from = m.sock(s, SOCK.reqFrom);
  const r = n > 0 ? ringFromGrant(k, sendBuf(s), m.sock(s, SOCK.sbStart), sbLen, from, m.sock(s, SOCK.reqGrant), n) : OK;
  if (r < 0) return complete(k, m, s, r);
  m.setSock(s, SOCK.sbLen, sbLen + Math.max(n, 0));
  complete(k, m, s, Math.max(n, 0));
  output(k, m, s);
}

function serveRecv(k: Api, m: NetMem, s: number): void {
  const rbLen = clampBuf(m.sock(s, SOCK.rbLen));
  const want = m.sock(s, SOCK.reqBytes);
  if (rbLen > 0 && want > 0) {
    const n = Math.min(want, rbLen);
    const start = clampBuf(m.sock(s, SOCK.rbStart));
    const r = ringToGrant(k, recvBuf(s), start, m.sock(s, SOCK.reqFrom), m.sock(s, SOCK.reqGrant), n);
    if (r < 0) return complete(k, m, s, r);
    m.setSock(s, SOCK.rbStart, (start + n) % SOCK_BUF);
    m.setSock(s, SOCK.rbLen, rbLen - n);
    complete(k, m, s, n);
    return windowUpdate(k, m, s);
  }
  if (m.sock(s, SOCK.peerFin) || want <= 0) return complete(k, m, s, 0);
  if (errorOf(m, s)) return complete(k, m, s, errorOf(m, s));
  if (!synchronized(m.sock(s, SOCK.state))) complete(k, m, s, -ENOTCONN);
}

/** SENDTO waits while the next hop is being resolved or every transmit buffer is busy; otherwise the datagram goes (or is lost). */
function serveSendto(k: Api, m: NetMem, s: number): void {
  if (driverUp(m) && !canTransmit(m)) return;
  const n = Math.min(m.sock(s, SOCK.reqBytes), UDP_MAX);
  const r = n > 0 ? k.safecopyFrom(m.sock(s, SOCK.reqFrom), m.sock(s, SOCK.reqGrant), 0, STAGING, n) : OK;
  if (r < 0) return complete(k, m, s, r);
  const out = udpOutput(k, m, s, m.sock(s, SOCK.reqIp), m.sock(s, SOCK.reqPort), n);
  if (out === "pending") return;
  if (out === "dropped") k.state.stats.udpDropped++;
  complete(k, m, s, n);
}

function serveRecvfrom(k: Api, m: NetMem, s: number): void {
  const d = udpPeek(m, s);
  if (d) {
    const n = Math.min(m.sock(s, SOCK.reqBytes), d.len);
    const r = n > 0 ? k.safecopyTo(m.sock(s, SOCK.reqFrom), m.sock(s, SOCK.reqGrant), 0, d.at, n) : OK;
    udpPop(m, s);
    return complete(k, m, s, r < 0 ? r : n, r < 0 ? 0 : d.ip | 0, r < 0 ? 0 : d.port);
  }
  const at = m.sock(s, SOCK.reqAt);
  if (at !== -1 && at - k.ticks() <= 0) {
    k.state.stats.timeouts++;
    complete(k, m, s, -ETIMEDOUT);
  }
}
