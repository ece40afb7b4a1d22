/*
 * Test helpers for the network server on the real system: a scripted user process speaking the
 * NET protocol (sockets, a stream echo in lock step — send a chunk, read until it is all back,
 * checking every byte —, datagram echoes), composed with the net server, the real rtl8139 driver,
 * the RTL8139 model, the wire and the remote host (system/net/remote-host.ts).
 */
import { BUILDS } from "../../system/builds/index.js";
import { composeSystem } from "../../system/compose.js";
import { CLOCK, CPF_READ, CPF_WRITE, NET, NET_MSG, NOTIFY_MESSAGE } from "../../system/kernel/abi.js";
import { get32, msgSource, msgType, newMessage, type Message } from "../../system/kernel/message.js";
import { ipToString } from "../../system/net/addr.js";
import { NATIVE_HEAP, type NativeApi, type NativeProgram } from "../../system/kernel/native.js";
import { HZ, USER_Q } from "../../system/kernel/params.js";
import { CPU_HZ } from "../../system/machine/memmap.js";
import type { WireOptions } from "../../system/machine/network/wire.js";
import { RemoteHost, sourceBytes, type RemoteHostOptions } from "../../system/net/remote-host.js";
import { PROC } from "../../system/kernel/layout.js";
import { regionMem, NET_MEM_SIZE, type NetMem } from "../../system/servers/net/memory.js";
import type { NetState } from "../../system/servers/net/types.js";
import type { System } from "../../system/system.js";
import type { Workload } from "../../system/workloads/workload.js";
import { procIndex } from "./system.js";

export const TICK = CPU_HZ / HZ;
export const REMOTE = 0x0a00_0001;

/** The byte at offset i of stream/datagram pattern `seed`. */
export const pattern = (i: number, seed: number): number => (i * 7 + seed * 13 + (i >> 9)) & 0xff;

/** A step of the client's script; `fd` steps use the last socket opened. */
export type Step =
  | { op: "socket"; type: number }
  | { op: "connect"; ip?: number; port: number }
  | { op: "echo"; total: number; chunk: number; seed: number }
  /** Sends `total` pattern bytes without reading (the sink). */
  | { op: "send"; total: number; chunk: number; seed: number }
  /** Asks the source service for `length` bytes of sourceBytes(seed) and reads them to the end of the stream. */
  | { op: "source"; length: number; seed: number; readSize?: number; pauseTicks?: number }
  | { op: "close" }
  | { op: "udp"; port: number; size: number; seed: number; timeout: number }
  | { op: "recvfrom"; timeout: number };

export interface ClientState {
  steps: Step[];
  i: number;
  fd: number;
  /** Replies, in order: the request and its status. */
  replies: Array<{ type: number; status: number; from?: string }>;
  /** The echo step in progress: bytes sent and received, and received bytes that differ from what was sent. */
  sent: number;
  received: number;
  mismatches: number;
  grant: number;
  /** Bytes of the source step's 8-byte request sent so far. */
  asked: number;
  /** The type of the request in flight (the reply does not say). */
  lastType: number;
  done: boolean;
}

const BUF = NATIVE_HEAP;
const BUF_SIZE = 0x8000;

function request(k: NativeApi<ClientState>, type: number, fields: Record<number, number>): void {
  k.state.lastType = type;
  k.sendrec(k.lookup("inet")!, newMessage(type, fields));
}

/** A grant on BUF for the net server (the previous one revoked). */
function grant(k: NativeApi<ClientState>, len: number, access: number): number {
  const s = k.state;
  if (s.grant >= 0) k.revoke(s.grant);
  s.grant = k.grant(k.lookup("inet")!, BUF, len, access);
  return s.grant;
}

/** Sends the next request of the script (or of the echo in progress). */
function next(k: NativeApi<ClientState>): void {
  const s = k.state;
  const st = s.steps[s.i];
  if (!st) return void (s.done = true);
  const R = NET_MSG.request;
  switch (st.op) {
    case "socket":
      return request(k, NET.SOCKET, { [R.type]: st.type });
    case "connect":
      return request(k, NET.CONNECT, { [R.fd]: s.fd, [R.ip]: st.ip ?? REMOTE, [R.port]: st.port });
    case "close":
      return request(k, NET.CLOSE, { [R.fd]: s.fd });
    case "echo": {
      if (s.received < s.sent) return request(k, NET.RECV, { [R.fd]: s.fd, [R.grant]: grant(k, BUF_SIZE, CPF_WRITE), [R.bytes]: BUF_SIZE });
      const n = Math.min(st.chunk, st.total - s.sent);
      k.write(BUF, Uint8Array.from({ length: n }, (_, j) => pattern(s.sent + j, st.seed)));
      return request(k, NET.SEND, { [R.fd]: s.fd, [R.grant]: grant(k, n, CPF_READ), [R.bytes]: n });
    }
    case "send": {
      const n = Math.min(st.chunk, st.total - s.sent);
      k.write(BUF, Uint8Array.from({ length: n }, (_, j) => pattern(s.sent + j, st.seed)));
      return request(k, NET.SEND, { [R.fd]: s.fd, [R.grant]: grant(k, n, CPF_READ), [R.bytes]: n });
    }
    case "source": {
      if (s.asked < 8) {
        const req = new Uint8Array(8);
        new DataView(req.buffer).setUint32(0, st.length, true);
        new DataView(req.buffer).setUint32(4, st.seed, true);
        k.write(BUF, req.subarray(s.asked));
        return request(k, NET.SEND, { [R.fd]: s.fd, [R.grant]: grant(k, 8 - s.asked, CPF_READ), [R.bytes]: 8 - s.asked });
      }
      const size = st.readSize ?? BUF_SIZE;
      return request(k, NET.RECV, { [R.fd]: s.fd, [R.grant]: grant(k, size, CPF_WRITE), [R.bytes]: size });
    }
    case "udp":
      k.write(BUF, Uint8Array.from({ length: st.size }, (_, j) => pattern(j, st.seed)));
      return request(k, NET.SENDTO, { [R.fd]: s.fd, [R.grant]: grant(k, st.size, CPF_READ), [R.bytes]: st.size, [R.ip]: REMOTE, [R.port]: st.port });
    case "recvfrom":
      return request(k, NET.RECVFROM, { [R.fd]: s.fd, [R.grant]: grant(k, BUF_SIZE, CPF_WRITE), [R.bytes]: BUF_SIZE, [R.timeout]: st.timeout });
  }
}

/** A reply: recorded; moves the script (or the echo) on. A failed echo request ends the echo. */
function onReply(k: NativeApi<ClientState>, m: Message, lastType: number): void {
  const s = k.state;
  const st = s.steps[s.i];
  if (!st) return; // a reply nobody asked for (a server whose state was corrupted)
  const status = get32(m, NET_MSG.reply.status);
  const from = lastType === NET.RECVFROM && status >= 0 ? `${ipToString(get32(m, NET_MSG.reply.ip) >>> 0)}:${get32(m, NET_MSG.reply.port)}` : undefined;
  s.replies.push(from ? { type: lastType, status, from } : { type: lastType, status });
  if (st.op === "socket" && status >= 0) s.fd = status;
  if (st.op === "echo" && status > 0) {
    if (lastType === NET.SEND) s.sent += status;
    else {
      const got = k.read(BUF, status);
      for (let j = 0; j < status; j++) if (got[j] !== pattern(s.received + j, st.seed)) s.mismatches++;
      s.received += status;
    }
    if (s.sent < st.total || s.received < s.sent) return next(k);
  }
  if (st.op === "send" && status > 0) {
    s.sent += status;
    if (s.sent < st.total) return next(k);
  }
  if (st.op === "source" && status > 0) {
    if (lastType === NET.SEND) s.asked += status;
    else {
      const want = sourceBytes(st.seed, s.received + status).subarray(s.received);
      const got = k.read(BUF, status);
      for (let j = 0; j < status; j++) if (got[j] !== want[j]) s.mismatches++;
      s.received += status;
      if (st.pauseTicks) return k.setAlarm(st.pauseTicks); // a slow reader: the next RECV at the alarm
    }
    return next(k);
  }
  if (st.op === "udp" && status >= 0) {
    // The SENDTO went; now the echo (the RECVFROM is this step's second half).
    s.steps.splice(s.i + 1, 0, { op: "recvfrom", timeout: st.timeout });
  }
  if (st.op === "recvfrom" && status > 0) {
    const prev = s.steps[s.i - 1];
    const seed = prev && prev.op === "udp" ? prev.seed : 0;
    const got = k.read(BUF, status);
    for (let j = 0; j < status; j++) if (got[j] !== pattern(j, seed)) s.mismatches++;
  }
  s.i++;
  next(k);
}

const client: NativeProgram<ClientState> = {
  // The script comes whole through init (the boot data keeps only the first bytes of the parameters).
  init: (_label, params) => ({ steps: JSON.parse(params) as Step[], i: 0, fd: -1, replies: [], sent: 0, received: 0, mismatches: 0, grant: -1, asked: 0, lastType: 0, done: false }),
  start: (k) => next(k),
  receive(k, m) {
    if (msgType(m) === NET.REPLY) onReply(k, m, k.state.lastType);
    else if (msgType(m) === NOTIFY_MESSAGE && msgSource(m) === CLOCK) next(k);
  },
};

export function netWorkload(steps: Step[]): Workload<ClientState> {
  return {
    name: "netclient",
    description: "a scripted NET client (test)",
    program: client,
    service: { label: "netclient", program: { native: "netclient" }, role: "user", priority: USER_Q, ipcTo: ["inet"], kernelCalls: [], io: [], irqs: [], memSize: 0x4_0000 },
    servers: ["inet"],
    drivers: [],
    params: () => JSON.stringify(steps),
    progress: (s) => s.replies.length,
    done: (s) => s.done,
    judge: () => ({ verdict: "incomplete", summary: "a test client", details: {} }),
  };
}

export interface NetBoot {
  sys: System;
  host: RemoteHost;
  client: () => ClientState;
  net: () => NetState;
}

/** Boots minix3 with the net server, rtl8139, the NIC and a wire to a fresh RemoteHost; the client runs `steps`. */
export function bootNet(steps: Step[], opts: { build?: string; wire?: WireOptions; host?: RemoteHostOptions; heartbeatTicks?: number } = {}): NetBoot {
  let host: RemoteHost | undefined;
  const c = composeSystem(BUILDS[opts.build ?? "minix3"], netWorkload(steps), {
    network: { ...opts.wire, peer: () => (host = new RemoteHost(opts.host)) },
    heartbeatTicks: opts.heartbeatTicks,
  });
  if (!c.ok) throw new Error(c.error);
  const sys = c.system;
  return {
    sys,
    host: host!,
    client: () => sys.nativeState<ClientState>("netclient")!,
    net: () => sys.nativeState<NetState>("inet")!,
  };
}

/** The net server's region through its own accessor (reads and writes go straight to RAM). */
export function netMemOf(sys: System): NetMem {
  const off = (sys.kernel.km.proc(procIndex(sys, "inet"), PROC.memBase) >>> 0) - sys.machine.bus.ramBase;
  return regionMem(sys.machine.bus.ram.subarray(off, off + NET_MEM_SIZE));
}
