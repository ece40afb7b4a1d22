/*
 * NET, the network server, labelled "inet" as MINIX's (much reduced): IPv4 with ARP, UDP and the stream
 * protocol (TCP's core) for user processes through sockets (abi.ts "NET protocol"), over one
 * Ethernet interface whose driver it talks to by NDEV messages only (driver.ts), surviving the
 * driver's death the way inet does. All its state — interface configuration, ARP cache, driver
 * and its outstanding requests, sockets with their buffers and timers — lies in its memory region
 * (memory.ts), set up at its first run and read there at every decision.
 *
 * main: receive → dispatch on what arrived: a driver reply (NDEV_*|NDEV_REPLY_BIT), CLOCK (the
 * timers), DS (driver announcements), or a socket request. Then pump(): every pending request is
 * moved on, every connection sends what it may, and the one CLOCK alarm is set for the earliest
 * timer. The server never blocks: requests to the driver and replies to users are asynchronous.
 *
 * Parameters: driver=<label> (rtl8139) ip=<a.b.c.d> (10.0.0.2) mask=<a.b.c.d> (255.255.255.0)
 * peer=<a.b.c.d> (10.0.0.1: resolved when the driver is up; the gateway off the subnet)
 * recovery=minix|restart|shadow (minix: ../recovery-mode.ts; only shadow changes what NET does, driver.ts).
 */
import {
  CLOCK, DS_CHECK, DS_DRIVER_UP, DS_REPLY, DS_SUBSCRIBE, MSG, NDEV_MODE_BROADCAST, NDEV_MODE_UNICAST, NET, NONE, NOTIFY_MESSAGE, OK,
} from "../../kernel/abi.js";
import { get32, getString, msgSource, msgType, type Message } from "../../kernel/message.js";
import type { NativeProgram } from "../../kernel/native.js";
import { SERVER_Q } from "../../kernel/params.js";
import type { ServiceConf } from "../../kernel/service.js";
import { DRIVER_CLASSES } from "../../drivers/classes.js";
import { parseIp } from "../../net/addr.js";
import { IPPROTO_TCP, IPPROTO_UDP } from "../../net/ipv4.js";
import { decodeTcp } from "../../net/tcp.js";
import { dsRequest } from "../dsclient.js";
import { recoveryMode } from "../recovery-mode.js";
import type { ServerEntry } from "../entry.js";
import { announced, canTransmit, driverReply, idleReceives, initDriver, isNdevReply, lost, repostReceives } from "./driver.js";
import { udpInput } from "./dgram.js";
import { arpNextTimer, arpResolve, arpTimer, initArp, linkInput } from "./link.js";
import { G, NET_MEM_SIZE, netMem, NR_SOCKS, SOCK, S_FREE, type NetMem } from "./memory.js";
import { accept, serve } from "./requests.js";
import { clearSock, hasRequest } from "./sockets.js";
import { input as streamInput, ISS_FIRST, nextTimer, output, timers } from "./stream.js";
import { newNetState, note, type Api, type NetState } from "./types.js";

const DRIVER_PREFIX = DRIVER_CLASSES.net.announce;

function parseParams(params: string): Record<string, string> {
  return Object.fromEntries(params.split(/\s+/).filter(Boolean).map((kv) => kv.split("=", 2) as [string, string]));
}

/** An address parameter, or `fallback` when absent or malformed. */
function ipParam(v: string | undefined, fallback: string): number {
  try {
    return parseIp(v ?? fallback) | 0;
  } catch {
    return parseIp(fallback) | 0;
  }
}

/** The service-table entry for NET: a native server with room for its sockets' buffers. */
export function netService(params = ""): ServiceConf {
  return {
    label: "inet", program: { native: "inet" }, role: "server", priority: SERVER_Q, ipcTo: ["*"], kernelCalls: [], io: [], irqs: [],
    memSize: NET_MEM_SIZE, params,
  };
}

/** NET's RAM at its first run: the configuration, an empty ARP cache and socket table, no driver yet. */
function initMemory(m: NetMem, params: string): void {
  const p = parseParams(params);
  m.setG(G.ip, ipParam(p.ip, "10.0.0.2"));
  m.setG(G.netmask, ipParam(p.mask, "255.255.255.0"));
  m.setG(G.peer, ipParam(p.peer, "10.0.0.1"));
  m.setG(G.mode, NDEV_MODE_UNICAST | NDEV_MODE_BROADCAST);
  m.setG(G.macLo, 0);
  m.setG(G.macHi, 0);
  m.setG(G.macKnown, 0);
  m.setG(G.nextPort, 0);
  m.setG(G.issNext, ISS_FIRST);
  m.setG(G.ipId, 1);
  m.setG(G.alarmAt, -1);
  m.setG(G.recovery, recoveryMode(p.recovery)); // minix is 0: the word stays as it was
  initArp(m);
  for (let s = 0; s < NR_SOCKS; s++) clearSock(m, s);
  initDriver(m, p.driver ?? DRIVER_CLASSES.net.defaultDriver);
}

export const net: NativeProgram<NetState> = {
  init: newNetState,

  start(k) {
    const m = netMem(k);
    initMemory(m, k.params);
    dsRequest(k, DS_SUBSCRIBE, DRIVER_PREFIX);
  },

  receive(k, msg: Message) {
    const m = netMem(k);
    const from = msgSource(msg);
    const type = msgType(msg);
    if (isNdevReply(type)) onDriver(k, m, from, msg);
    else if (type === NOTIFY_MESSAGE) {
      if (from === CLOCK) onAlarm(k, m);
      else if (from === k.lookup("ds")) dsRequest(k, DS_CHECK, "");
    } else if (type === DS_REPLY) onDsReply(k, m, msg);
    else if (type >= NET.RQ_BASE && type < NET.REPLY) accept(k, m, from, type, msg);
    else note(k, `ignored message 0x${type.toString(16)} from ${from}`);
    pump(k, m);
  },
};

/** A driver reply: a frame goes up the stack; the driver coming up resolves the peer. */
function onDriver(k: Api, m: NetMem, from: number, msg: Message): void {
  const ev = driverReply(k, m, from, msg);
  if (ev.kind === "up") arpResolve(k, m, m.g(G.peer));
  if (ev.kind !== "frame") return;
  const r = linkInput(k, m, ev.frame);
  if (r.kind !== "ip") return;
  const p = r.packet;
  if (p.protocol === IPPROTO_UDP) udpInput(k, m, p.src, p.dst, p.payload);
  else if (p.protocol === IPPROTO_TCP) {
    const seg = decodeTcp(p.payload, p.src, p.dst);
    if (seg) streamInput(k, m, p.src, seg);
    else k.state.stats.badFrames++;
  } else k.state.stats.badFrames++;
}

/** CLOCK: ARP retries, receive buffers the driver refused posted again, then each socket's timers (pump answers expired RECVFROMs). */
function onAlarm(k: Api, m: NetMem): void {
  const now = k.ticks();
  arpTimer(k, m, now);
  repostReceives(k, m);
  for (let s = 0; s < NR_SOCKS; s++) if (m.sock(s, SOCK.state) !== S_FREE) timers(k, m, s, now);
}

/** DS answered: a changed key (drain the rest; our driver's announcement matters), or nothing more. */
function onDsReply(k: Api, m: NetMem, msg: Message): void {
  const key = getString(msg, MSG.ds.key, MSG.ds.keyLen);
  if (get32(msg, MSG.ds.flags) !== OK || key === DRIVER_PREFIX) return;
  dsRequest(k, DS_CHECK, "");
  if (key === DRIVER_PREFIX + m.label() && get32(msg, MSG.ds.value) === DS_DRIVER_UP) announced(k, m);
}

/** Moves every pending request on, lets every connection send, and sets the alarm for the earliest timer. */
function pump(k: Api, m: NetMem): void {
  // A driver that died with requests outstanding answers nothing, and with every transmit buffer
  // held by it the server would send it nothing more to learn of it: check its label's endpoint,
  // as a DS lookup of the label would (a restarted driver has a new one, announced in DS).
  const ep = m.g(G.drvEndpoint);
  if (ep !== NONE && !canTransmit(m) && k.lookup(m.label()) !== ep) lost(k, m, "its endpoint is gone");
  // Timers already due run now: under a stream of messages faster than the clock ticks, a
  // re-armed alarm would otherwise keep moving one tick ahead and never fire.
  const due = m.g(G.alarmAt);
  if (due !== -1 && due - k.ticks() <= 0) onAlarm(k, m);
  for (let s = 0; s < NR_SOCKS; s++) if (hasRequest(m, s)) serve(k, m, s);
  for (let s = 0; s < NR_SOCKS; s++) if (m.sock(s, SOCK.state) !== S_FREE) output(k, m, s);
  armAlarm(k, m);
}

/** Sets the CLOCK alarm for the earliest timer (ARP, retransmission, TIME_WAIT, RECVFROM timeout), or cancels it. */
function armAlarm(k: Api, m: NetMem): void {
  let at = arpNextTimer(m);
  const earlier = (t: number | undefined): void => {
    if (t !== undefined && (at === undefined || t - at < 0)) at = t;
  };
  for (let s = 0; s < NR_SOCKS; s++) {
    if (m.sock(s, SOCK.state) === S_FREE) continue;
    earlier(nextTimer(m, s));
    if (hasRequest(m, s) && m.sock(s, SOCK.reqAt) !== -1) earlier(m.sock(s, SOCK.reqAt));
  }
  if (idleReceives(m)) earlier(k.ticks() + 1);
  // Set every time (it is one word in the privilege table): nothing read back from RAM can leave a timer without its alarm.
  k.setAlarm(at === undefined ? 0 : Math.max(1, at - k.ticks()));
  m.setG(G.alarmAt, at ?? -1);
}

/** NET as a server a workload can ask for: it uses a network driver, named in its parameters. */
export const netServer: ServerEntry = {
  service: netService(),
  program: net,
  drivers: ["net"],
  params: (drivers) => `driver=${drivers.net[0]}`,
};
