/*
 * The stream protocol (TCP's core, system/net/stream-rules.ts) on the network server's sockets:
 * active open (SYN, SYN+ACK, ACK), cumulative ACKs, the peer's window, go-back-N retransmission
 * from the oldest unacknowledged byte on timeout with the RTO doubling up to RTO_MAX_MS (back to
 * RTO_INITIAL_MS on progress; after MAX_RETRANSMITS timeouts in a row the connection is reset,
 * ETIMEDOUT), FIN both ways, RST answered to segments for no connection. Out-of-order segments
 * are dropped (the ACK repeats rcvNxt). No delayed ACK. While the peer's window is zero, each
 * timeout sends one byte at sndUna as a probe, which does not count towards MAX_RETRANSMITS.
 *
 * All protocol state is in the socket (memory.ts SOCK); the send ring holds the bytes from
 * sndUna on (acknowledged bytes leave it), the receive ring the bytes not yet read. The FIN, once
 * queued and all data sent, takes the sequence number after the last data byte.
 */
import { ECONNREFUSED, ECONNRESET, ETIMEDOUT } from "../../kernel/abi.js";
import { MAX_RETRANSMITS, MSS, RTO_INITIAL_MS, RTO_MAX_MS, seqLe, seqLt } from "../../net/stream-rules.js";
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type TcpSegment } from "../../net/tcp.js";
import { ipToString } from "../../net/addr.js";
import { HZ } from "../../kernel/params.js";
import { canTransmit } from "./driver.js";
import { tcpOutput } from "./link.js";
import {
  clampBuf, G, NR_SOCKS, recvBuf, S_CLOSE_WAIT, S_CLOSED, S_CLOSING, S_ESTABLISHED, S_FIN_WAIT_1, S_FIN_WAIT_2, S_LAST_ACK,
  S_SYN_SENT, S_TIME_WAIT, sendBuf, SOCK, SOCK_BUF, STATE_NAMES, type NetMem,
} from "./memory.js";
import { clearSock, ringAppend, ringBytes } from "./sockets.js";
import { note, type Api } from "./types.js";

const MS_PER_TICK = 1000 / HZ;
/** TIME_WAIT lasts one RTO_MAX: long enough to answer a retransmitted FIN. */
const TIME_WAIT_MS = RTO_MAX_MS;
/** First initial sequence number: close below 2^32, so the first connections wrap. */
export const ISS_FIRST = 0xffff_f000 | 0;

/** Ticks until a timer of `ms` fires: never earlier than `ms` (ticks are coarse). */
export const ticksFor = (ms: number): number => Math.ceil(ms / MS_PER_TICK) + 1;

const u32 = (v: number): number => v >>> 0;

/** Segments that may carry data or our FIN are sent in these states. */
const sending = (st: number): boolean => st === S_ESTABLISHED || st === S_CLOSE_WAIT || st === S_FIN_WAIT_1 || st === S_CLOSING || st === S_LAST_ACK;

/** A stream socket whose connection is live (a segment from its peer is processed). */
export const synchronized = (st: number): boolean => sending(st) || st === S_FIN_WAIT_2 || st === S_TIME_WAIT;

function setState(k: Api, m: NetMem, s: number, st: number): void {
  m.setSock(s, SOCK.state, st);
  if (st === S_ESTABLISHED || st === S_CLOSED) note(k, `socket ${s}: ${STATE_NAMES[st]} (${ipToString(m.sock(s, SOCK.rip))}:${m.sock(s, SOCK.rport)})`);
}

/** The window we offer: the free space of the receive ring. */
const window = (m: NetMem, s: number): number => SOCK_BUF - clampBuf(m.sock(s, SOCK.rbLen));

/** The payload of a segment without data (shared: segments are encoded, never written). */
const NO_DATA: Uint8Array = new Uint8Array(0);

/** Sends one segment of socket s (ACK carries rcvNxt); true if it reached the driver. */
function segment(k: Api, m: NetMem, s: number, seq: number, flags: number, payload: Uint8Array = NO_DATA): boolean {
  const dst = m.sock(s, SOCK.rip);
  const wnd = window(m, s);
  const seg: TcpSegment = {
    srcPort: m.sock(s, SOCK.lport) & 0xffff, dstPort: m.sock(s, SOCK.rport) & 0xffff, seq: u32(seq),
    ack: flags & TCP_ACK ? u32(m.sock(s, SOCK.rcvNxt)) : 0, flags, window: wnd, payload,
  };
  m.setSock(s, SOCK.rcvAdv, wnd);
  if (flags & TCP_ACK) m.setSock(s, SOCK.ackDue, 0);
  k.state.stats.segmentsOut++;
  return tcpOutput(k, m, dst, seg) === "sent";
}

/** Sends an ACK now, or (every transmit buffer busy) marks it due: output() sends it when a buffer frees. */
function sendAck(k: Api, m: NetMem, s: number): void {
  if (canTransmit(m)) segment(k, m, s, m.sock(s, SOCK.sndNxt), TCP_ACK);
  else m.setSock(s, SOCK.ackDue, 1);
}

/** Starts the retransmission timer unless it runs. */
function armRtx(k: Api, m: NetMem, s: number): void {
  if (m.sock(s, SOCK.rtxAt) === -1) m.setSock(s, SOCK.rtxAt, k.ticks() + ticksFor(rtoOf(m, s)));
}

const rtoOf = (m: NetMem, s: number): number => Math.min(Math.max(m.sock(s, SOCK.rtoMs), RTO_INITIAL_MS), RTO_MAX_MS);

/** Active open of stream socket s (state closed, local port set) to ip:port: sends the SYN. */
export function connect(k: Api, m: NetMem, s: number, ip: number, port: number): void {
  const iss = m.g(G.issNext);
  m.setG(G.issNext, (iss + 64000 + 1) | 0);
  m.setSock(s, SOCK.rip, ip);
  m.setSock(s, SOCK.rport, port & 0xffff);
  m.setSock(s, SOCK.iss, iss);
  m.setSock(s, SOCK.sndUna, iss);
  m.setSock(s, SOCK.sndNxt, (iss + 1) | 0);
  m.setSock(s, SOCK.sndMax, (iss + 1) | 0);
  m.setSock(s, SOCK.sndWnd, 0);
  m.setSock(s, SOCK.rtoMs, RTO_INITIAL_MS);
  m.setSock(s, SOCK.retries, 0);
  m.setSock(s, SOCK.error, 0);
  setState(k, m, s, S_SYN_SENT);
  segment(k, m, s, iss, TCP_SYN);
  armRtx(k, m, s);
}

/** Ends the connection of socket s with `error` (positive errno): closed, timers off; freed if its owner closed it. */
export function abort(k: Api, m: NetMem, s: number, error: number, why: string): void {
  k.state.stats.resets++;
  note(k, `socket ${s}: connection ended, ${why}`);
  m.setSock(s, SOCK.error, error);
  m.setSock(s, SOCK.rtxAt, -1);
  m.setSock(s, SOCK.closeAt, -1);
  setState(k, m, s, S_CLOSED);
  if (!m.sock(s, SOCK.userOpen)) clearSock(m, s);
}

/** Bytes of the send ring not yet sent (sndNxt may lie below sndMax after a timeout). */
function unsent(m: NetMem, s: number): number {
  const inflight = (m.sock(s, SOCK.sndNxt) - m.sock(s, SOCK.sndUna)) | 0;
  return Math.max(0, clampBuf(m.sock(s, SOCK.sbLen)) - Math.max(0, inflight));
}

/** Sends what socket s may: new data within the peer's window while transmit buffers are free, then the FIN, or an ACK that is due. */
export function output(k: Api, m: NetMem, s: number): void {
  for (let n = 0; n < SOCK_BUF && sending(m.sock(s, SOCK.state)); n++) {
    const una = m.sock(s, SOCK.sndUna);
    const nxt = m.sock(s, SOCK.sndNxt);
    const inflight = (nxt - una) | 0;
    const sbLen = clampBuf(m.sock(s, SOCK.sbLen));
    const left = unsent(m, s);
    const usable = (una + (m.sock(s, SOCK.sndWnd) & 0xffff) - nxt) | 0;
    if (left > 0 && usable > 0 && canTransmit(m, 2)) {
      const len = Math.min(MSS, left, usable);
      segment(k, m, s, nxt, TCP_ACK | TCP_PSH, ringBytes(m, sendBuf(s), m.sock(s, SOCK.sbStart), Math.max(0, inflight), len));
      advanceNxt(m, s, len);
      armRtx(k, m, s);
      continue;
    }
    if (left === 0 && m.sock(s, SOCK.finQueued) && inflight === sbLen && canTransmit(m)) {
      segment(k, m, s, nxt, TCP_FIN | TCP_ACK);
      advanceNxt(m, s, 1);
      m.setSock(s, SOCK.finSent, 1);
      const st = m.sock(s, SOCK.state);
      if (st === S_ESTABLISHED) setState(k, m, s, S_FIN_WAIT_1);
      else if (st === S_CLOSE_WAIT) setState(k, m, s, S_LAST_ACK);
      armRtx(k, m, s);
    }
    if (left > 0 && usable <= 0) armRtx(k, m, s); // a zero window: the timer probes it
    break;
  }
  if (m.sock(s, SOCK.ackDue) && synchronized(m.sock(s, SOCK.state)) && canTransmit(m)) sendAck(k, m, s);
}

function advanceNxt(m: NetMem, s: number, n: number): void {
  const nxt = (m.sock(s, SOCK.sndNxt) + n) | 0;
  m.setSock(s, SOCK.sndNxt, nxt);
  if (seqLt(m.sock(s, SOCK.sndMax), nxt)) m.setSock(s, SOCK.sndMax, nxt);
}

/** The timers of socket s at tick `now`: retransmission (go-back-N, or a window probe) and the end of TIME_WAIT. */
export function timers(k: Api, m: NetMem, s: number, now: number): void {
  const closeAt = m.sock(s, SOCK.closeAt);
  if (closeAt !== -1 && closeAt - now <= 0) {
    note(k, `socket ${s}: TIME_WAIT over`);
    clearSock(m, s);
    return;
  }
  const rtxAt = m.sock(s, SOCK.rtxAt);
  if (rtxAt === -1 || rtxAt - now > 0) return;
  m.setSock(s, SOCK.rtxAt, -1);
  const st = m.sock(s, SOCK.state);
  if (st !== S_SYN_SENT && !sending(st)) return;
  const una = m.sock(s, SOCK.sndUna);
  const probe = st !== S_SYN_SENT && (m.sock(s, SOCK.sndWnd) & 0xffff) === 0 && clampBuf(m.sock(s, SOCK.sbLen)) > 0;
  const retries = m.sock(s, SOCK.retries);
  if (!probe && (retries >= MAX_RETRANSMITS || retries < 0)) {
    k.state.stats.timeouts++;
    return abort(k, m, s, ETIMEDOUT, `no acknowledgement after ${MAX_RETRANSMITS} retransmissions (ETIMEDOUT)`);
  }
  if (!probe) m.setSock(s, SOCK.retries, retries + 1);
  m.setSock(s, SOCK.rtoMs, Math.min(rtoOf(m, s) * 2, RTO_MAX_MS));
  k.state.stats.retransmits++;
  if (st === S_SYN_SENT) segment(k, m, s, m.sock(s, SOCK.iss), TCP_SYN);
  else if (probe) {
    m.setSock(s, SOCK.sndNxt, una);
    segment(k, m, s, una, TCP_ACK, ringBytes(m, sendBuf(s), m.sock(s, SOCK.sbStart), 0, 1));
    advanceNxt(m, s, 1);
  } else {
    m.setSock(s, SOCK.sndNxt, una); // go back to the oldest unacknowledged byte
    output(k, m, s);
  }
  armRtx(k, m, s);
}

/** The earliest tick a timer of socket s waits for, or undefined. */
export function nextTimer(m: NetMem, s: number): number | undefined {
  const a = m.sock(s, SOCK.rtxAt);
  const b = m.sock(s, SOCK.closeAt);
  if (a === -1) return b === -1 ? undefined : b;
  return b === -1 || a - b <= 0 ? a : b;
}

/** Answers a segment for no connection with RST (RFC 793's reset generation); never to a RST. */
function refuse(k: Api, m: NetMem, srcIp: number, seg: TcpSegment): void {
  if (seg.flags & TCP_RST) return;
  const len = seg.payload.length + (seg.flags & TCP_SYN ? 1 : 0) + (seg.flags & TCP_FIN ? 1 : 0);
  const rst: TcpSegment = seg.flags & TCP_ACK
    ? { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: seg.ack, ack: 0, flags: TCP_RST, window: 0, payload: new Uint8Array(0) }
    : { srcPort: seg.dstPort, dstPort: seg.srcPort, seq: 0, ack: u32(seg.seq + len), flags: TCP_RST | TCP_ACK, window: 0, payload: new Uint8Array(0) };
  k.state.stats.rstsSent++;
  tcpOutput(k, m, srcIp, rst);
}

/** The stream socket for a segment from srcIp, or -1. */
function lookup(m: NetMem, srcIp: number, seg: TcpSegment): number {
  for (let s = 0; s < NR_SOCKS; s++) {
    const st = m.sock(s, SOCK.state);
    if (st !== S_SYN_SENT && !synchronized(st)) continue;
    if (m.sock(s, SOCK.lport) === seg.dstPort && m.sock(s, SOCK.rport) === seg.srcPort && u32(m.sock(s, SOCK.rip)) === srcIp) return s;
  }
  return -1;
}

/** A segment arrived from srcIp. */
export function input(k: Api, m: NetMem, srcIp: number, seg: TcpSegment): void {
  k.state.stats.segmentsIn++;
  const s = lookup(m, srcIp, seg);
  if (s < 0) return refuse(k, m, srcIp, seg);
  if (m.sock(s, SOCK.state) === S_SYN_SENT) return synSent(k, m, s, srcIp, seg);
  if (seg.flags & TCP_RST) {
    const off = (seg.seq - m.sock(s, SOCK.rcvNxt)) | 0;
    if (off >= 0 && off <= window(m, s)) abort(k, m, s, ECONNRESET, "reset by the peer (ECONNRESET)");
    return;
  }
  if (seg.flags & TCP_SYN) return sendAck(k, m, s); // our ACK of its SYN was lost
  if (!(seg.flags & TCP_ACK)) return;
  if (acknowledge(k, m, s, seg)) return;
  let ack = receive(k, m, s, seg);
  if (seg.flags & TCP_FIN) ack = peerFin(k, m, s, seg) || ack;
  if (ack) sendAck(k, m, s);
}

/** SYN_SENT: a SYN+ACK for our SYN completes the handshake; an acceptable RST refuses it. */
function synSent(k: Api, m: NetMem, s: number, srcIp: number, seg: TcpSegment): void {
  const iss = m.sock(s, SOCK.iss);
  const ackOk = (seg.flags & TCP_ACK) !== 0 && seg.ack === u32(iss + 1);
  if (seg.flags & TCP_ACK && !ackOk) return refuse(k, m, srcIp, seg);
  if (seg.flags & TCP_RST) {
    if (ackOk) abort(k, m, s, ECONNREFUSED, "refused by the peer (ECONNREFUSED)");
    return;
  }
  if (!(seg.flags & TCP_SYN) || !ackOk) return;
  m.setSock(s, SOCK.rcvNxt, (seg.seq + 1) | 0);
  m.setSock(s, SOCK.sndUna, (iss + 1) | 0);
  m.setSock(s, SOCK.sndWnd, seg.window);
  m.setSock(s, SOCK.rtoMs, RTO_INITIAL_MS);
  m.setSock(s, SOCK.retries, 0);
  m.setSock(s, SOCK.rtxAt, -1);
  setState(k, m, s, S_ESTABLISHED);
  sendAck(k, m, s);
}

/**
 * The ACK of a segment: removes acknowledged data from the send ring, resets the RTO on progress,
 * takes the peer's window, moves the closing states on when our FIN is acknowledged. True when
 * the socket is gone (LAST_ACK done).
 */
function acknowledge(k: Api, m: NetMem, s: number, seg: TcpSegment): boolean {
  const una = m.sock(s, SOCK.sndUna);
  const ack = seg.ack | 0;
  if (seqLt(una, ack) && seqLe(ack, m.sock(s, SOCK.sndMax))) {
    if (seqLt(m.sock(s, SOCK.sndNxt), ack)) m.setSock(s, SOCK.sndNxt, ack);
    const acked = (ack - una) | 0;
    const sbLen = clampBuf(m.sock(s, SOCK.sbLen));
    const data = Math.min(acked, sbLen);
    m.setSock(s, SOCK.sbStart, (clampBuf(m.sock(s, SOCK.sbStart)) + data) % SOCK_BUF);
    m.setSock(s, SOCK.sbLen, sbLen - data);
    m.setSock(s, SOCK.sndUna, ack);
    m.setSock(s, SOCK.rtoMs, RTO_INITIAL_MS);
    m.setSock(s, SOCK.retries, 0);
    m.setSock(s, SOCK.rtxAt, -1);
    if (m.sock(s, SOCK.sndNxt) !== ack || unsent(m, s) > 0) armRtx(k, m, s);
    if (m.sock(s, SOCK.finSent) && acked > data) {
      const st = m.sock(s, SOCK.state);
      if (st === S_FIN_WAIT_1) setState(k, m, s, S_FIN_WAIT_2);
      else if (st === S_CLOSING) timeWait(k, m, s);
      else if (st === S_LAST_ACK) {
        note(k, `socket ${s}: closed`);
        clearSock(m, s);
        return true;
      }
    }
  }
  if (seqLe(una, ack)) m.setSock(s, SOCK.sndWnd, seg.window);
  return false;
}

function timeWait(k: Api, m: NetMem, s: number): void {
  setState(k, m, s, S_TIME_WAIT);
  m.setSock(s, SOCK.rtxAt, -1);
  m.setSock(s, SOCK.closeAt, k.ticks() + ticksFor(TIME_WAIT_MS));
}

/** Data of a segment: the bytes at rcvNxt that fit go into the receive ring. True if an ACK is due. */
function receive(k: Api, m: NetMem, s: number, seg: TcpSegment): boolean {
  const len = seg.payload.length;
  if (len === 0) return false;
  const st = m.sock(s, SOCK.state);
  if (st !== S_ESTABLISHED && st !== S_FIN_WAIT_1 && st !== S_FIN_WAIT_2) return true;
  const rcvNxt = m.sock(s, SOCK.rcvNxt);
  const off = (rcvNxt - seg.seq) | 0;
  if (off < 0 || off >= len) return true; // out of order (dropped) or a duplicate: ACK rcvNxt again
  if (!m.sock(s, SOCK.userOpen)) {
    // Nobody will read it (the owner closed): taken and dropped, so the peer can finish.
    m.setSock(s, SOCK.rcvNxt, (rcvNxt + len - off) | 0);
    return true;
  }
  const n = Math.min(len - off, window(m, s));
  const rbLen = clampBuf(m.sock(s, SOCK.rbLen));
  ringAppend(m, recvBuf(s), m.sock(s, SOCK.rbStart), rbLen, seg.payload.subarray(off, off + n));
  m.setSock(s, SOCK.rbLen, rbLen + n);
  m.setSock(s, SOCK.rcvNxt, (rcvNxt + n) | 0);
  return true;
}

/** The peer's FIN: accepted in order (after all its data); the closing states move on. True if an ACK is due. */
function peerFin(k: Api, m: NetMem, s: number, seg: TcpSegment): boolean {
  const finSeq = (seg.seq + seg.payload.length) | 0;
  const rcvNxt = m.sock(s, SOCK.rcvNxt);
  if (m.sock(s, SOCK.peerFin) || finSeq !== rcvNxt) return true; // repeated, or data before it is missing
  m.setSock(s, SOCK.rcvNxt, (rcvNxt + 1) | 0);
  m.setSock(s, SOCK.peerFin, 1);
  const st = m.sock(s, SOCK.state);
  if (st === S_ESTABLISHED) setState(k, m, s, S_CLOSE_WAIT);
  else if (st === S_FIN_WAIT_1) setState(k, m, s, S_CLOSING);
  else if (st === S_FIN_WAIT_2) timeWait(k, m, s);
  return true;
}

/** After the owner read from the receive ring: an ACK announces the window when it opened by an MSS or more. */
export function windowUpdate(k: Api, m: NetMem, s: number): void {
  if (!synchronized(m.sock(s, SOCK.state)) || m.sock(s, SOCK.peerFin)) return;
  if (window(m, s) - m.sock(s, SOCK.rcvAdv) >= MSS) sendAck(k, m, s);
}
