/*
 * The socket table and the socket buffers (memory.ts SOCK, sendBuf/recvBuf): allocation and
 * release, ports, the pending request and its reply, and byte rings moved to and from a user's
 * grant or a segment. Rings: `start` is the offset of the first byte, `len` the bytes held;
 * both come from RAM and are clamped before use.
 */
import { errorName, NET, NET_MSG, NONE } from "../../kernel/abi.js";
import { messageOf } from "../../kernel/message.js";
import { SOCK, NR_SOCKS, S_FREE, SOCK_BUF, clampBuf, G, type NetMem } from "./memory.js";
import type { Api } from "./types.js";

const EPHEMERAL_BASE = 49152;
const EPHEMERAL_COUNT = 16384;

/** Clears socket s (all words zero, timers off, no request): free. */
export function clearSock(m: NetMem, s: number): void {
  for (const f of Object.values(SOCK)) m.setSock(s, f, 0);
  m.setSock(s, SOCK.rtxAt, -1);
  m.setSock(s, SOCK.closeAt, -1);
  m.setSock(s, SOCK.reqAt, -1);
  m.setSock(s, SOCK.reqFrom, NONE);
}

/** The lowest free socket, or -1. */
export function freeSock(m: NetMem): number {
  for (let s = 0; s < NR_SOCKS; s++) if (m.sock(s, SOCK.state) === S_FREE) return s;
  return -1;
}

/** A local port no socket uses, from the ephemeral range. */
export function ephemeralPort(m: NetMem): number {
  for (let n = 0; n < EPHEMERAL_COUNT; n++) {
    const next = m.g(G.nextPort);
    const port = EPHEMERAL_BASE + (((next % EPHEMERAL_COUNT) + EPHEMERAL_COUNT) % EPHEMERAL_COUNT);
    m.setG(G.nextPort, (next + 1) % EPHEMERAL_COUNT);
    let used = false;
    for (let s = 0; s < NR_SOCKS && !used; s++) used = m.sock(s, SOCK.state) !== S_FREE && m.sock(s, SOCK.lport) === port;
    if (!used) return port;
  }
  return EPHEMERAL_BASE;
}

export const hasRequest = (m: NetMem, s: number): boolean => m.sock(s, SOCK.reqType) !== 0;

/** Answers the pending request of socket s with `status` (and a datagram's source) and clears it. */
export function complete(k: Api, m: NetMem, s: number, status: number, ip = 0, port = 0): void {
  const to = m.sock(s, SOCK.reqFrom);
  m.setSock(s, SOCK.reqType, 0);
  m.setSock(s, SOCK.reqAt, -1);
  m.setSock(s, SOCK.reqFrom, NONE);
  reply(k, to, status, ip, port);
}

/** Sends NET.REPLY to `to`; an error status is counted by name. */
export function reply(k: Api, to: number, status: number, ip = 0, port = 0): void {
  if (status < 0) {
    const name = errorName(status);
    k.state.stats.errors[name] = (k.state.stats.errors[name] ?? 0) + 1;
  }
  k.send(to, messageOf(NET.REPLY, NET_MSG.reply.status, status, NET_MSG.reply.ip, ip, NET_MSG.reply.port, port));
}

// ---- rings -------------------------------------------------------------------------------------

/** The (at most two) pieces of `n` bytes at ring offset `at` (mod SOCK_BUF): [offset, length] pairs. */
function pieces(at: number, n: number): Array<[number, number]> {
  const o = ((at % SOCK_BUF) + SOCK_BUF) % SOCK_BUF;
  const first = Math.min(n, SOCK_BUF - o);
  return first < n ? [[o, first], [0, n - first]] : [[o, n]];
}

/** Copies `n` bytes from the caller's grant into the ring at `base`, after its `len` bytes. OK or the copy's error. */
export function ringFromGrant(k: Api, base: number, start: number, len: number, from: number, grant: number, n: number): number {
  let done = 0;
  for (const [o, l] of pieces(clampBuf(start) + clampBuf(len), n)) {
    const r = k.safecopyFrom(from, grant, done, base + o, l);
    if (r < 0) return r;
    done += l;
  }
  return 0;
}

/** Copies `n` bytes from the ring's start into the caller's grant. OK or the copy's error. */
export function ringToGrant(k: Api, base: number, start: number, to: number, grant: number, n: number): number {
  let done = 0;
  for (const [o, l] of pieces(clampBuf(start), n)) {
    const r = k.safecopyTo(to, grant, done, base + o, l);
    if (r < 0) return r;
    done += l;
  }
  return 0;
}

/**
 * The `n` bytes at offset `off` from the ring's start: a view of the ring when they do not wrap,
 * else a copy (for a caller that copies them at once: the segment encoder).
 */
export function ringBytes(m: NetMem, base: number, start: number, off: number, n: number): Uint8Array {
  const len = Math.max(0, Math.min(n, SOCK_BUF));
  const parts = pieces(clampBuf(start) + off, len);
  if (parts.length === 1) return m.u8.subarray(base + parts[0][0], base + parts[0][0] + len);
  const out = new Uint8Array(len);
  let done = 0;
  for (const [o, l] of parts) {
    out.set(m.u8.subarray(base + o, base + o + l), done);
    done += l;
  }
  return out;
}

/** Writes `data` into the ring after its `len` bytes. */
export function ringAppend(m: NetMem, base: number, start: number, len: number, data: Uint8Array): void {
  let done = 0;
  for (const [o, l] of pieces(clampBuf(start) + clampBuf(len), Math.min(data.length, SOCK_BUF))) {
    m.u8.set(data.subarray(done, done + l), base + o);
    done += l;
  }
}

/** The type name of a socket's NET.* type word. */
export const typeName = (t: number): string => (t === NET.STREAM ? "stream" : t === NET.DGRAM ? "dgram" : `type ${t}`);
