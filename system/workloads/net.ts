/*
 * The `net` workload: a user program that exercises the network server (and, under it, the
 * network driver, the NIC and the wire) through sockets (kernel/abi.ts NET, NET_MSG). It opens
 * a stream to the remote host's echo service, writes a seeded byte stream in seeded write sizes
 * while reading the echo back and checking every byte, closes, then sends a few UDP datagrams
 * to the remote host's UDP echo and checks each answer. What it sent is regenerated from the
 * seed (streamBytes, datagramBytes), so the oracle can compare it with what the remote host
 * recorded. Its state is plain data for watchdogs (ops) and the oracle.
 *
 * The stream is 128 KiB by default: its echo wraps the driver's 64-KiB receive ring twice (332
 * frames cross the wire in a fault-free run). At 256 KiB a fault-free run cost about twice a
 * `files` run's host time, and a campaign runs it once per experiment.
 *
 * One request per socket at a time (the server's rule): while less than `lag` bytes are
 * unanswered it writes, else it reads; reads are deferred by the server until data arrives.
 *
 * Parameters: seed=<n> (1) bytes=<stream length> (131072) maxwrite=<largest write> (4096)
 *             lag=<bytes written ahead of the echo> (8192) udp=<datagrams> (4)
 *             timeout=<ticks a datagram's echo is awaited> (20)
 */
import seedrandom from "seedrandom";
import type { ServiceConf } from "../kernel/service.js";
import { CPF_READ, CPF_WRITE, errorName, NET, NET_MSG } from "../kernel/abi.js";
import { get32, messageOf, type Message } from "../kernel/message.js";
import { NATIVE_HEAP, type NativeApi, type NativeProgram } from "../kernel/native.js";
import { USER_Q } from "../kernel/params.js";
import { fileBytes, fileBytesEqual, fileBytesInto } from "./files.js";
import { clientReceive, noteReply, num, parseParams, type VfsClientState } from "./vfs-client.js";

/** The remote host (system/net/remote-host.ts) and its services. */
export const REMOTE_IP = 0x0a00_0001;
export const ECHO_PORT = 7;

export interface NetParams {
  seed: number;
  bytes: number;
  maxwrite: number;
  lag: number;
  udp: number;
  timeout: number;
}

type Phase = "socket" | "connect" | "stream" | "close" | "usocket" | "sendto" | "recvfrom" | "uclose" | "done";

/** The program's state: the requests it keeps track of as the file workloads do (vfs-client.ts), and the stream's and datagrams' progress. */
export interface NetState extends VfsClientState {
  p: NetParams;
  phase: Phase;
  /** Stream bytes written (accepted by the server) and read back. */
  sent: number;
  received: number;
  /** Writes made so far (the index into the seeded write sizes). */
  writes: number;
  /** The request in flight on the stream: a write or a read. */
  pending: "send" | "recv" | "";
  /** The peer closed the stream (a read returned 0). */
  eof: boolean;
  /** Datagrams sent, echoes checked right, echoes that never came. */
  datagrams: number;
  echoed: number;
  lost: number;
}

const DATA_BUF = NATIVE_HEAP;
const DATA_MAX = 16384;

export function netParams(params: string): NetParams {
  const p = parseParams(params);
  return {
    seed: num(p.seed, 1),
    bytes: Math.max(0, num(p.bytes, 131072)),
    maxwrite: Math.max(1, Math.min(DATA_MAX, num(p.maxwrite, 4096))),
    lag: Math.max(1, num(p.lag, 8192)),
    udp: Math.max(0, num(p.udp, 4)),
    timeout: Math.max(1, num(p.timeout, 20)),
  };
}

/** Bytes [from, to) of the stream the program writes for `seed`. */
export const STREAM_PATH = "net:stream";
export const streamBytes = (seed: number, from: number, to: number): Uint8Array => fileBytes(seed, STREAM_PATH, from, to);

/**
 * The first number of seedrandom(key), memoised: the workload draws one from a new key at every
 * write of every experiment, and seeding (ARC4's key schedule) costs several microseconds. The
 * function is pure; a host-side cache only, bounded.
 */
const drawCache = new Map<string, number>();
const DRAW_CACHE_MAX = 4096;

function firstDraw(key: string): number {
  let r = drawCache.get(key);
  if (r === undefined) {
    r = seedrandom(key)();
    if (drawCache.size >= DRAW_CACHE_MAX) drawCache.delete(drawCache.keys().next().value!);
    drawCache.set(key, r);
  }
  return r;
}

/** The size of write number `i`: seeded, 1..maxwrite, with the edge sizes first (1 byte, one segment, one more). */
export function writeSize(p: NetParams, i: number): number {
  const edges = [1, 1460, 1461, p.maxwrite];
  if (i < edges.length) return Math.min(edges[i], p.maxwrite);
  return 1 + Math.floor(firstDraw(`net:write:${p.seed}:${i}`) * p.maxwrite);
}

/** Datagram `i` for `seed`: 16..1024 bytes. */
export function datagramBytes(seed: number, i: number): Uint8Array {
  const size = 16 + Math.floor(firstDraw(`net:udp-size:${seed}:${i}`) * 1009);
  return fileBytes(seed, `net:udp:${i}`, 0, size);
}

export function netService(): ServiceConf {
  return { label: "net", program: { native: "net" }, role: "user", priority: USER_Q, ipcTo: ["inet", "ds"], kernelCalls: [], io: [], irqs: [] };
}

type Api = NativeApi<NetState>;

const inet = (k: Api): number => k.lookup("inet") ?? -1;

/** A request of `type` with its fields as offset, value pairs (messageOf). */
function request(k: Api, type: number, ...fields: number[]): void {
  k.sendrec(inet(k), messageOf(type, ...fields));
}

/** A request that moves data through a grant on [DATA_BUF, DATA_BUF + bytes); more fields as offset, value pairs. */
function dataRequest(k: Api, type: number, bytes: number, access: number, ...fields: number[]): void {
  const g = k.grant(inet(k), DATA_BUF, Math.max(bytes, 1), access);
  k.state.grants.push(g);
  const R = NET_MSG.request;
  request(k, type, R.fd, k.state.fd, R.grant, g, R.bytes, bytes, ...fields);
}

/** Issues the request of the current phase. */
function next(k: Api): void {
  const s = k.state;
  const R = NET_MSG.request;
  switch (s.phase) {
    case "socket":
      return request(k, NET.SOCKET, R.type, NET.STREAM);
    case "connect":
      return request(k, NET.CONNECT, R.fd, s.fd, R.ip, REMOTE_IP, R.port, ECHO_PORT);
    case "stream": {
      if (s.sent < s.p.bytes && s.sent - s.received < s.p.lag) {
        const n = Math.min(writeSize(s.p, s.writes), s.p.bytes - s.sent);
        fileBytesInto(k.view(DATA_BUF, n), s.p.seed, STREAM_PATH, s.sent, s.sent + n); // streamBytes, written in place
        s.pending = "send";
        return dataRequest(k, NET.SEND, n, CPF_READ);
      }
      if (s.received < s.sent) {
        s.pending = "recv";
        return dataRequest(k, NET.RECV, Math.min(DATA_MAX, s.sent - s.received), CPF_WRITE);
      }
      s.phase = "close";
      return next(k);
    }
    case "close":
    case "uclose":
      return request(k, NET.CLOSE, R.fd, s.fd);
    case "usocket":
      if (s.datagrams >= s.p.udp) return finish(s);
      return request(k, NET.SOCKET, R.type, NET.DGRAM);
    case "sendto": {
      const d = datagramBytes(s.p.seed, s.datagrams);
      k.write(DATA_BUF, d);
      return dataRequest(k, NET.SENDTO, d.length, CPF_READ, R.ip, REMOTE_IP, R.port, ECHO_PORT);
    }
    case "recvfrom":
      return dataRequest(k, NET.RECVFROM, 2048, CPF_WRITE, R.timeout, s.p.timeout);
    case "done":
      return finish(s);
  }
}

function finish(s: NetState): void {
  s.phase = "done";
  s.done = true;
}

function describe(s: NetState): string {
  if (s.phase === "stream") return s.pending === "send" ? `SEND @${s.sent}` : `RECV @${s.received}`;
  if (s.phase === "sendto" || s.phase === "recvfrom") return `${s.phase.toUpperCase()} datagram ${s.datagrams}`;
  return s.phase.toUpperCase();
}

/** Handles the reply to the current request and moves to the next step. */
function step(k: Api, m: Message): void {
  const s = k.state;
  const status = get32(m, NET_MSG.reply.status);
  const what = describe(s);
  noteReply(k, what, status);
  if (status < 0) s.errors.push({ request: what, error: errorName(status) });
  switch (s.phase) {
    case "socket":
      if (status < 0) return void (s.phase = "usocket");
      s.fd = status;
      s.phase = "connect";
      return;
    case "connect":
      s.phase = status < 0 ? "close" : "stream";
      return;
    case "stream":
      return streamDone(k, status);
    case "close":
      s.phase = "usocket";
      return;
    case "usocket":
      if (status < 0) return finish(s);
      s.fd = status;
      s.phase = "sendto";
      return;
    case "sendto":
      s.phase = status < 0 ? "uclose" : "recvfrom";
      if (status < 0) s.datagrams++;
      return;
    case "recvfrom": {
      if (status === -110) s.lost++;
      else if (status >= 0) {
        const want = datagramBytes(s.p.seed, s.datagrams);
        const got = k.read(DATA_BUF, Math.min(status, 2048));
        const from = (get32(m, NET_MSG.reply.ip) >>> 0) === REMOTE_IP && get32(m, NET_MSG.reply.port) === ECHO_PORT;
        if (!from || Buffer.compare(got, want) !== 0) s.mismatches.push(`datagram ${s.datagrams}`);
        else s.echoed++;
      }
      s.datagrams++;
      s.phase = s.datagrams < s.p.udp ? "sendto" : "uclose";
      return;
    }
    case "uclose":
      return finish(s);
  }
}

/** A SEND or RECV on the stream answered. */
function streamDone(k: Api, status: number): void {
  const s = k.state;
  const pending = s.pending;
  s.pending = "";
  if (status < 0) return void (s.phase = "close");
  if (pending === "send") {
    s.sent += status;
    s.writes++;
    return;
  }
  if (status === 0) {
    // The peer closed before echoing everything: the stream ends short.
    s.eof = true;
    s.errors.push({ request: `RECV @${s.received}`, error: "end of stream before the echo was complete" });
    s.phase = "close";
    return;
  }
  const got = k.view(DATA_BUF, Math.min(status, DATA_MAX));
  if (s.received + status > s.sent || !fileBytesEqual(got, s.p.seed, STREAM_PATH, s.received, s.received + status)) {
    s.mismatches.push(`stream@${s.received}`);
    s.phase = "close";
    return;
  }
  s.received += status;
}

export const net: NativeProgram<NetState> = {
  init(_label, params) {
    return {
      p: netParams(params), phase: "socket", fd: -1, sent: 0, received: 0, writes: 0, pending: "", eof: false,
      datagrams: 0, echoed: 0, lost: 0, grants: [], ops: 0, sleeping: false, events: [], errors: [], mismatches: [], done: false,
    };
  },

  start(k) {
    next(k);
  },

  receive(k, m: Message) {
    clientReceive(k, m, NET.REPLY, (r) => step(k, r), () => next(k));
  },

  ipcError(k, _partner, code) {
    const s = k.state;
    for (const g of s.grants.splice(0)) k.revoke(g);
    s.errors.push({ request: describe(s), error: `IPC ${errorName(code)}` });
    finish(s);
  },
};
