/*
 * The remote host's stream protocol engine: one passive-open connection as plain data, and the
 * functions that move it on a received segment or a timer. It is TCP's core as stream-rules.ts
 * describes it — three-way handshake, cumulative ACKs, the peer's window respected, go-back-N
 * retransmission from the oldest unacknowledged byte with a doubling RTO, FIN both ways — and it
 * is written separately from the guest's network server, as the far end of a real network is.
 *
 * Simplifications: out-of-order segments are dropped (and answered with a duplicate ACK); the host
 * consumes what it receives at once, so it always advertises WINDOW; a closed connection stays in
 * "timeWait" forever, re-acknowledging a retransmitted FIN, instead of timing out. A zero window
 * is probed with one byte on the retransmission timer; an ACK to a probe counts as a sign of life
 * (the retry count restarts) but not as progress (the RTO keeps backing off).
 *
 * Sequence space: the SYN is iss, data byte i (of `out`) is iss + 1 + i, the FIN follows the data.
 * Functions append the segments to send to `out`; the caller adds IP and Ethernet.
 */
import { CPU_HZ } from "../machine/memmap.js";
import { appendBytes, type ByteBuf, newByteBuf } from "./bytebuf.js";
import { onStreamData, onStreamFin, type StreamService } from "./remote-services.js";
import { MAX_RETRANSMITS, MSS, RTO_INITIAL_MS, RTO_MAX_MS, seqLe, seqLt, WINDOW } from "./stream-rules.js";
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type TcpSegment } from "./tcp.js";

const CYCLES_PER_MS = CPU_HZ / 1000;
export const RTO_INITIAL = RTO_INITIAL_MS * CYCLES_PER_MS;
export const RTO_MAX = RTO_MAX_MS * CYCLES_PER_MS;

/** synReceived: SYN+ACK sent; established: data both ways (FINs are flags below); timeWait: both
 * FINs done (lingers to re-ACK); closed: reset. */
export type StreamState = "synReceived" | "established" | "timeWait" | "closed";

export interface StreamConn {
  service: StreamService;
  localPort: number;
  remoteIp: number;
  remotePort: number;
  state: StreamState;
  /** Initial send sequence (ours) and initial receive sequence (the peer's SYN). */
  iss: number;
  irs: number;
  /** Oldest unacknowledged, next to send, highest ever sent (exclusive), peer's window. */
  sndUna: number;
  sndNxt: number;
  sndMax: number;
  sndWnd: number;
  /** Next sequence expected from the peer. */
  rcvNxt: number;
  /** Every data byte the service queued for sending (byte i has sequence iss + 1 + i). */
  out: ByteBuf;
  /** The service closes its side once `out` is sent. */
  finQueued: boolean;
  /** Every byte received in order. */
  inp: ByteBuf;
  finReceived: boolean;
  /** Current retransmission timeout (cycles), timeouts in a row without progress, timer (-1: off). */
  rto: number;
  retries: number;
  timerAt: number;
  /** For record(): segments sent again, resets (received or sent), connection over. */
  retransmits: number;
  resets: number;
  closed: boolean;
  /** Source service: its request has been read and the bytes queued. */
  sourceQueued: boolean;
}

/**
 * A connection for a SYN (no ACK) to a listening service port: records the peer's sequence and
 * window and sends SYN+ACK. Assumes the caller checked the flags.
 */
export function openPassive(service: StreamService, localPort: number, remoteIp: number, syn: TcpSegment, iss: number, now: number, out: TcpSegment[]): StreamConn {
  const c: StreamConn = {
    service, localPort, remoteIp, remotePort: syn.srcPort, state: "synReceived",
    iss: iss >>> 0, irs: syn.seq, sndUna: iss >>> 0, sndNxt: iss >>> 0, sndMax: iss >>> 0, sndWnd: syn.window,
    rcvNxt: (syn.seq + 1) >>> 0, out: newByteBuf(), finQueued: false, inp: newByteBuf(), finReceived: false,
    rto: RTO_INITIAL, retries: 0, timerAt: -1, retransmits: 0, resets: 0, closed: false, sourceQueued: false,
  };
  transmit(c, out);
  settle(c, now);
  return c;
}

/** The RST answering a segment that belongs to no connection (RFC 793 "reset generation"). */
export function resetFor(seg: TcpSegment): TcpSegment | undefined {
  if (seg.flags & TCP_RST) return undefined;
  const reply = { srcPort: seg.dstPort, dstPort: seg.srcPort, window: 0, payload: new Uint8Array(0) };
  if (seg.flags & TCP_ACK) return { ...reply, seq: seg.ack, ack: 0, flags: TCP_RST };
  const len = seg.payload.length + (seg.flags & TCP_SYN ? 1 : 0) + (seg.flags & TCP_FIN ? 1 : 0);
  return { ...reply, seq: 0, ack: (seg.seq + len) >>> 0, flags: TCP_RST | TCP_ACK };
}

/** Moves connection c on a segment from its peer at cycle now. c must not be closed. */
export function streamSegment(c: StreamConn, seg: TcpSegment, now: number, out: TcpSegment[]): void {
  if (seg.flags & TCP_RST) {
    if (!rstAcceptable(c, seg)) return;
    if (c.state === "timeWait") c.state = "closed"; // already over cleanly: forget it, no reset to count
    else abort(c, false, out);
    return;
  }
  if (c.state === "synReceived") {
    if (seg.flags & TCP_SYN && !(seg.flags & TCP_ACK)) return retransmitSynAck(c, now, out);
    if (!(seg.flags & TCP_ACK)) return;
    if (seg.ack !== ((c.iss + 1) >>> 0)) {
      out.push({ ...header(c, seg.ack, TCP_RST), ack: 0, window: 0 });
      return;
    }
    c.state = "established";
  } else if (seg.flags & TCP_SYN) {
    // A SYN on a synchronized connection (the peer restarted?): a challenge ACK, which a peer
    // without this connection answers with an RST we accept (RFC 5961).
    out.push(header(c, c.sndNxt, TCP_ACK));
    return;
  }
  if (!(seg.flags & TCP_ACK)) return;
  if (seqLt(c.sndMax, seg.ack)) {
    // Acknowledges what was never sent: RFC 793 answers with an ACK and drops the segment.
    out.push(header(c, c.sndNxt, TCP_ACK));
    return;
  }
  onAck(c, seg);
  const ackNow = seg.payload.length > 0 || (seg.flags & TCP_FIN) !== 0;
  if (ackNow) onData(c, seg);
  const before = out.length;
  transmit(c, out);
  if (ackNow && out.length === before && c.state !== "closed") out.push(header(c, c.sndNxt, TCP_ACK));
  settle(c, now);
}

/** Handles c's retransmission timer if it is due at cycle now: go-back-N, or reset when retries run out. */
export function streamTimer(c: StreamConn, now: number, out: TcpSegment[]): void {
  if (c.timerAt < 0 || now < c.timerAt) return;
  c.timerAt = -1;
  if (!needsTimer(c)) return;
  if (c.retries >= MAX_RETRANSMITS) return abort(c, true, out);
  c.retries++;
  c.rto = Math.min(2 * c.rto, RTO_MAX);
  c.sndNxt = c.sndUna;
  transmit(c, out, true);
  settle(c, now);
}

/** Bytes of data sent at least once. */
export function dataSent(c: StreamConn): number {
  return Math.max(0, Math.min(c.out.len, ((c.sndMax - c.iss) >>> 0) - 1));
}

/** A new segment of c without data (its payload the shared empty array: segments are encoded, never written). */
function header(c: StreamConn, seq: number, flags: number): TcpSegment {
  return { srcPort: c.localPort, dstPort: c.remotePort, seq: seq >>> 0, ack: c.rcvNxt, flags, window: WINDOW, payload: NO_DATA };
}

const NO_DATA: Uint8Array = new Uint8Array(0);

function retransmitSynAck(c: StreamConn, now: number, out: TcpSegment[]): void {
  c.sndNxt = c.iss;
  transmit(c, out);
  settle(c, now);
}

/** RFC 793: an RST is believed when its sequence number is in the receive window. */
function rstAcceptable(c: StreamConn, seg: TcpSegment): boolean {
  return seqLe(c.rcvNxt, seg.seq) && seqLt(seg.seq, (c.rcvNxt + WINDOW) >>> 0);
}

/** Ends c by a reset: received (the peer's RST) or sent (retries ran out, then an RST is sent). */
function abort(c: StreamConn, send: boolean, out: TcpSegment[]): void {
  if (send) out.push(header(c, c.sndMax, TCP_RST | TCP_ACK));
  c.state = "closed";
  c.closed = true;
  c.resets++;
  c.timerAt = -1;
}

/** The ACK field of seg (at most sndMax): progress restarts the RTO, the peer's window is taken. */
function onAck(c: StreamConn, seg: TcpSegment): void {
  const probing = c.sndWnd === 0;
  if (seqLt(c.sndUna, seg.ack)) {
    c.sndUna = seg.ack;
    if (seqLt(c.sndNxt, c.sndUna)) c.sndNxt = c.sndUna;
    c.retries = 0;
    c.rto = RTO_INITIAL;
    c.timerAt = -1; // settle() restarts it from now if anything is still outstanding
  } else if (probing) {
    c.retries = 0;
  }
  if (seqLe(c.sndUna, seg.ack)) {
    // A window that reopens after probing: the refused probe byte goes again, first.
    if (probing && seg.window > 0) c.sndNxt = c.sndUna;
    c.sndWnd = seg.window;
  }
}

/** In-order payload and FIN of seg go to the service; anything else is dropped (the caller ACKs). */
function onData(c: StreamConn, seg: TcpSegment): void {
  if (c.finReceived) return;
  const len = seg.payload.length;
  const skip = (c.rcvNxt - seg.seq) | 0; // bytes of seg already received
  if (skip < 0 || skip > len) return; // out of order (dropped) or wholly old
  const fresh = seg.payload.subarray(skip, Math.min(len, skip + WINDOW));
  if (fresh.length > 0) {
    appendBytes(c.inp, fresh);
    c.rcvNxt = (c.rcvNxt + fresh.length) >>> 0;
    onStreamData(c, fresh);
  }
  if (seg.flags & TCP_FIN && skip + fresh.length === len) {
    c.rcvNxt = (c.rcvNxt + 1) >>> 0;
    c.finReceived = true;
    onStreamFin(c);
  }
}

/**
 * Sends from sndNxt what the peer's window allows: SYN+ACK while synReceived, else data in MSS
 * segments and then the FIN once queued. With `probe`, a closed window still gets one byte when
 * nothing is in flight.
 */
function transmit(c: StreamConn, out: TcpSegment[], probe = false): void {
  if (c.state === "closed" || c.state === "timeWait") return;
  if (c.state === "synReceived") {
    if (c.sndNxt === c.iss) emit(c, header(c, c.iss, TCP_SYN | TCP_ACK), 1, out);
    return;
  }
  const dataEnd = (c.iss + 1 + c.out.len) >>> 0;
  while (seqLt(c.sndNxt, dataEnd)) {
    const inFlight = (c.sndNxt - c.sndUna) >>> 0;
    let room = c.sndWnd - inFlight;
    if (room <= 0 && probe && inFlight === 0) room = 1;
    if (room <= 0) break;
    const n = Math.min(MSS, (dataEnd - c.sndNxt) >>> 0, room);
    const off = ((c.sndNxt - c.iss) >>> 0) - 1;
    const last = ((c.sndNxt + n) >>> 0) === dataEnd;
    const seg = header(c, c.sndNxt, TCP_ACK | (last ? TCP_PSH : 0));
    seg.payload = c.out.data.subarray(off, off + n); // a view: encoded (copied) at once by the caller
    emit(c, seg, n, out);
  }
  if (c.finQueued && c.sndNxt === dataEnd) emit(c, header(c, dataEnd, TCP_FIN | TCP_ACK), 1, out);
}

/** Queues seg (occupying `len` sequence numbers), advancing sndNxt/sndMax and counting resends. */
function emit(c: StreamConn, seg: TcpSegment, len: number, out: TcpSegment[]): void {
  if (seqLt(seg.seq, c.sndMax)) c.retransmits++;
  out.push(seg);
  c.sndNxt = (seg.seq + len) >>> 0;
  if (seqLt(c.sndMax, c.sndNxt)) c.sndMax = c.sndNxt;
}

/** Whether anything is unacknowledged or waiting to be sent. */
function needsTimer(c: StreamConn): boolean {
  if (c.state === "closed" || c.state === "timeWait") return false;
  const dataEnd = (c.iss + 1 + c.out.len) >>> 0;
  const unsent = seqLt(c.sndNxt, dataEnd) || (c.finQueued && c.sndNxt === dataEnd);
  return seqLt(c.sndUna, c.sndMax) || unsent;
}

/** After any event: the connection is over once both FINs are done; the timer runs iff needed. */
function settle(c: StreamConn, now: number): void {
  const finAcked = c.finQueued && c.sndUna === ((c.iss + 2 + c.out.len) >>> 0);
  if (c.state === "established" && c.finReceived && finAcked) {
    c.state = "timeWait";
    c.closed = true;
  }
  if (!needsTimer(c)) c.timerAt = -1;
  else if (c.timerAt < 0) c.timerAt = now + c.rto;
}
