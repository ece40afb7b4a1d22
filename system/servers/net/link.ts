/*
 * The link and network layers of the network server: Ethernet framing, the ARP cache (requests,
 * replies, a retry timer, a bounded number of tries) and IPv4 output and input. An IP packet to
 * an address not yet resolved is not queued: the caller learns it is "pending" and tries again
 * when resolution ends (a stream retransmits anyway; a datagram send waits). The peer (the
 * remote host, parameter peer=) is resolved as soon as the driver is up, before the first IP
 * packet. Addresses off the subnet go through the peer, as through a gateway.
 */
import { ARP_REPLY, ARP_REQUEST, decodeArp, encodeArp } from "../../net/arp.js";
import { BROADCAST_MAC, ipToString as ipStr, macToString } from "../../net/addr.js";
import { decodeEth, encodeEth, ETH_MAX_FRAME, ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "../../net/ethernet.js";
import { encodeIpv4Frame, encodeTcpFrame } from "../../net/frames.js";
import { decodeIpv4, IPPROTO_TCP, type Ipv4Header, type Ipv4Packet } from "../../net/ipv4.js";
import type { TcpSegment } from "../../net/tcp.js";
import { driverUp, transmit } from "./driver.js";
import {
  ARP, ARP_ENTRIES, ARP_FAILED, ARP_FREE, ARP_PENDING, ARP_RESOLVED, G, macHi, macLo, macOf, type NetMem,
} from "./memory.js";
import { note, type Api } from "./types.js";

/** ARP: ticks between requests for a pending entry, and requests before it fails. */
export const ARP_RETRY_TICKS = 10;
export const ARP_TRIES = 5;
const TTL = 64;

/** An empty ARP cache. */
export function initArp(m: NetMem): void {
  for (let i = 0; i < ARP_ENTRIES; i++) for (const f of Object.values(ARP)) m.setArp(i, f, 0);
}

/** The entry for `ip` (any state but free), or -1. */
function arpFind(m: NetMem, ip: number): number {
  for (let i = 0; i < ARP_ENTRIES; i++) if (m.arp(i, ARP.state) !== ARP_FREE && m.arp(i, ARP.ip) === ip) return i;
  return -1;
}

/** An entry to (re)use for a new address: a free one, else a failed one, else entry 0. */
function arpVictim(m: NetMem): number {
  for (let i = 0; i < ARP_ENTRIES; i++) if (m.arp(i, ARP.state) === ARP_FREE) return i;
  for (let i = 0; i < ARP_ENTRIES; i++) if (m.arp(i, ARP.state) === ARP_FAILED) return i;
  return 0;
}

function sendArp(k: Api, m: NetMem, op: number, targetMac: Uint8Array, targetIp: number, dst: Uint8Array): void {
  const mac = m.mac();
  const payload = encodeArp({ op, senderMac: mac, senderIp: m.g(G.ip) >>> 0, targetMac, targetIp });
  if (op === ARP_REQUEST) k.state.stats.arpRequests++;
  else k.state.stats.arpReplies++;
  transmit(k, m, encodeEth({ dst, src: mac, type: ETHERTYPE_ARP, payload }));
}

/** Starts resolving `ip` unless it is resolved or pending. */
export function arpResolve(k: Api, m: NetMem, ip: number): void {
  let i = arpFind(m, ip);
  const st = i >= 0 ? m.arp(i, ARP.state) : ARP_FREE;
  if (st === ARP_RESOLVED || st === ARP_PENDING) return;
  if (i < 0) i = arpVictim(m);
  m.setArp(i, ARP.state, ARP_PENDING);
  m.setArp(i, ARP.ip, ip);
  m.setArp(i, ARP.tries, 1);
  m.setArp(i, ARP.at, k.ticks() + ARP_RETRY_TICKS);
  sendArp(k, m, ARP_REQUEST, new Uint8Array(6), ip >>> 0, BROADCAST_MAC);
}

/** Retries or fails the pending entries whose time has come; true if one failed (waiters must learn). */
export function arpTimer(k: Api, m: NetMem, now: number): boolean {
  let failed = false;
  for (let i = 0; i < ARP_ENTRIES; i++) {
    if (m.arp(i, ARP.state) !== ARP_PENDING || m.arp(i, ARP.at) - now > 0) continue;
    const tries = m.arp(i, ARP.tries);
    if (tries >= ARP_TRIES || tries < 0) {
      m.setArp(i, ARP.state, ARP_FAILED);
      note(k, `ARP: no answer for ${ipStr(m.arp(i, ARP.ip))} after ${ARP_TRIES} requests`);
      failed = true;
      continue;
    }
    m.setArp(i, ARP.tries, tries + 1);
    m.setArp(i, ARP.at, now + ARP_RETRY_TICKS);
    sendArp(k, m, ARP_REQUEST, new Uint8Array(6), m.arp(i, ARP.ip) >>> 0, BROADCAST_MAC);
  }
  return failed;
}

/** The earliest tick an ARP entry waits for, or undefined. */
export function arpNextTimer(m: NetMem): number | undefined {
  let at: number | undefined;
  for (let i = 0; i < ARP_ENTRIES; i++) {
    if (m.arp(i, ARP.state) !== ARP_PENDING) continue;
    const t = m.arp(i, ARP.at);
    if (at === undefined || t - at < 0) at = t;
  }
  return at;
}

/** An ARP packet arrived: learn the sender if it asks us or we asked it; answer a request for us. True if an entry got resolved. */
function arpInput(k: Api, m: NetMem, payload: Uint8Array): boolean {
  const p = decodeArp(payload);
  if (!p) {
    k.state.stats.badFrames++;
    return false;
  }
  const forUs = p.targetIp === m.g(G.ip) >>> 0;
  let i = arpFind(m, p.senderIp | 0);
  if (i < 0 && !forUs) return false;
  const wasResolved = i >= 0 && m.arp(i, ARP.state) === ARP_RESOLVED;
  if (i < 0) i = arpVictim(m);
  m.setArp(i, ARP.state, ARP_RESOLVED);
  m.setArp(i, ARP.ip, p.senderIp | 0);
  m.setArp(i, ARP.macLo, macLo(p.senderMac));
  m.setArp(i, ARP.macHi, macHi(p.senderMac));
  if (!wasResolved) note(k, `ARP: ${ipStr(p.senderIp)} is at ${macToString(p.senderMac)}`);
  if (forUs && p.op === ARP_REQUEST) sendArp(k, m, ARP_REPLY, p.senderMac, p.senderIp, p.senderMac);
  return !wasResolved;
}

/** The next hop for `dst`: itself on our subnet, else the peer. */
function nextHop(m: NetMem, dst: number): number {
  const mask = m.g(G.netmask);
  return ((dst ^ m.g(G.ip)) & mask) === 0 ? dst : m.g(G.peer);
}

/**
 * Sends an IP packet: "sent" (handed to the driver), "pending" (its next hop is being resolved:
 * try again later) or "dropped" (no driver, no transmit buffer, or resolution failed).
 */
export function ipOutput(k: Api, m: NetMem, dst: number, protocol: number, payload: Uint8Array): "sent" | "pending" | "dropped" {
  const i = route(k, m, dst);
  if (typeof i === "string") return i;
  const frame = encodeIpv4Frame(macOf(m.arp(i, ARP.macLo), m.arp(i, ARP.macHi)), m.mac(), { ...nextHeader(m, dst, protocol), payload });
  return transmit(k, m, frame) ? "sent" : "dropped";
}

/** A stream segment to `dst`: ipOutput(k, m, dst, IPPROTO_TCP, encodeTcp(seg, our address, dst)), the frame built in one buffer. */
export function tcpOutput(k: Api, m: NetMem, dst: number, seg: TcpSegment): "sent" | "pending" | "dropped" {
  const i = route(k, m, dst);
  if (typeof i === "string") return i;
  const dstMac = macOf(m.arp(i, ARP.macLo), m.arp(i, ARP.macHi), macScratch[0]);
  const frame = encodeTcpFrame(dstMac, macOf(m.g(G.macLo), m.g(G.macHi), macScratch[1]), nextHeader(m, dst, IPPROTO_TCP), seg, frameScratch);
  return transmit(k, m, frame) ? "sent" : "dropped";
}

/** Where stream frames are built before transmit copies them into a frame buffer (host-side, not state). */
const frameScratch = new Uint8Array(ETH_MAX_FRAME);
/** And the two addresses that go into them. */
const macScratch = [new Uint8Array(6), new Uint8Array(6)];

/** The resolved ARP entry of dst's next hop, or what became of the packet: "pending" (being resolved) or "dropped". */
function route(k: Api, m: NetMem, dst: number): number | "pending" | "dropped" {
  if (!driverUp(m)) {
    k.state.stats.framesDropped++;
    return "dropped";
  }
  const hop = nextHop(m, dst);
  const i = arpFind(m, hop);
  const st = i >= 0 ? m.arp(i, ARP.state) : ARP_FREE;
  if (st !== ARP_RESOLVED) {
    if (st === ARP_FAILED) {
      k.state.stats.framesDropped++;
      m.setArp(i, ARP.state, ARP_FREE); // the next packet asks again
      return "dropped";
    }
    arpResolve(k, m, hop);
    return "pending";
  }
  return i;
}

/** The header of our next packet to dst (takes an IP identification). */
function nextHeader(m: NetMem, dst: number, protocol: number): Ipv4Header {
  const id = m.g(G.ipId);
  m.setG(G.ipId, (id + 1) & 0xffff);
  return { src: m.g(G.ip) >>> 0, dst: dst >>> 0, protocol, ttl: TTL, id: id & 0xffff };
}

/** What a received frame carried for the layers above. */
export type LinkInput = { kind: "ip"; packet: Ipv4Packet } | { kind: "resolved" } | { kind: "none" };

/** A frame from the driver: ARP handled here; an IPv4 packet for us handed up. */
export function linkInput(k: Api, m: NetMem, frame: Uint8Array): LinkInput {
  k.state.stats.framesIn++;
  const eth = decodeEth(frame);
  if (!eth) {
    k.state.stats.badFrames++;
    return { kind: "none" };
  }
  if (eth.type === ETHERTYPE_ARP) return arpInput(k, m, eth.payload) ? { kind: "resolved" } : { kind: "none" };
  if (eth.type !== ETHERTYPE_IPV4) {
    k.state.stats.badFrames++;
    return { kind: "none" };
  }
  const packet = decodeIpv4(eth.payload);
  if (!packet || packet.dst !== m.g(G.ip) >>> 0) {
    k.state.stats.badFrames++;
    return { kind: "none" };
  }
  return { kind: "ip", packet };
}
