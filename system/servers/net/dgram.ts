/*
 * UDP on the network server's datagram sockets. A received datagram goes into its socket's
 * receive buffer as one slot (memory.ts UDP_SLOT: length, source ip, source port, data), a ring
 * of UDP_SLOTS slots; a full ring or no socket on the port drops it (counted, no ICMP). A sent
 * datagram is staged in the server's region (STAGING), then leaves as one IP packet; a datagram
 * the link cannot send is lost, as on a real network.
 */
import { IPPROTO_UDP } from "../../net/ipv4.js";
import { decodeUdp, encodeUdp, UDP_HEADER } from "../../net/udp.js";
import { ipOutput } from "./link.js";
import {
  G, NR_SOCKS, recvBuf, S_DGRAM, SOCK, STAGING, UDP_SLOT, UDP_SLOT_HDR, UDP_SLOTS, type NetMem,
} from "./memory.js";
import type { Api } from "./types.js";

/** Largest datagram payload: one Ethernet frame (1500-byte IP packet). */
export const UDP_MAX = 1500 - 20 - UDP_HEADER;

const slotAddr = (s: number, i: number): number => recvBuf(s) + (((i % UDP_SLOTS) + UDP_SLOTS) % UDP_SLOTS) * UDP_SLOT;
const slotCount = (m: NetMem, s: number): number => Math.min(Math.max(m.sock(s, SOCK.udpCount), 0), UDP_SLOTS);

/** A UDP payload of an IP packet from srcIp. */
export function udpInput(k: Api, m: NetMem, srcIp: number, dstIp: number, payload: Uint8Array): void {
  const d = decodeUdp(payload, srcIp, dstIp);
  if (!d) {
    k.state.stats.badFrames++;
    return;
  }
  k.state.stats.udpIn++;
  let s = 0;
  while (s < NR_SOCKS && !(m.sock(s, SOCK.state) === S_DGRAM && m.sock(s, SOCK.lport) === d.dstPort)) s++;
  const n = s < NR_SOCKS ? slotCount(m, s) : UDP_SLOTS;
  if (n >= UDP_SLOTS || d.payload.length > UDP_SLOT - UDP_SLOT_HDR) {
    k.state.stats.udpDropped++;
    return;
  }
  const at = slotAddr(s, m.sock(s, SOCK.udpHead) + n);
  const hdr = new Int32Array([d.payload.length, srcIp | 0, d.srcPort]);
  m.u8.set(new Uint8Array(hdr.buffer), at);
  m.u8.set(d.payload, at + UDP_SLOT_HDR);
  m.setSock(s, SOCK.udpCount, n + 1);
}

/** The oldest datagram of socket s (its slot's address and header), or undefined. */
export function udpPeek(m: NetMem, s: number): { at: number; len: number; ip: number; port: number } | undefined {
  if (slotCount(m, s) === 0) return undefined;
  const at = slotAddr(s, m.sock(s, SOCK.udpHead));
  const w = (o: number): number => m.i32[(at + o) >> 2];
  return { at: at + UDP_SLOT_HDR, len: Math.min(Math.max(w(0), 0), UDP_SLOT - UDP_SLOT_HDR), ip: w(4) >>> 0, port: w(8) & 0xffff };
}

/** Removes the oldest datagram of socket s. */
export function udpPop(m: NetMem, s: number): void {
  const n = slotCount(m, s);
  if (n === 0) return;
  m.setSock(s, SOCK.udpHead, (((m.sock(s, SOCK.udpHead) + 1) % UDP_SLOTS) + UDP_SLOTS) % UDP_SLOTS);
  m.setSock(s, SOCK.udpCount, n - 1);
}

/** Sends the `n` staged bytes from socket s to ip:port: the link's answer ("pending": resolving, try again). */
export function udpOutput(k: Api, m: NetMem, s: number, ip: number, port: number, n: number): "sent" | "pending" | "dropped" {
  const src = m.g(G.ip) >>> 0;
  const payload = m.view(STAGING, n);
  const d = encodeUdp({ srcPort: m.sock(s, SOCK.lport) & 0xffff, dstPort: port & 0xffff, payload }, src, ip >>> 0);
  const r = ipOutput(k, m, ip, IPPROTO_UDP, d);
  if (r === "sent") k.state.stats.udpOut++;
  return r;
}
