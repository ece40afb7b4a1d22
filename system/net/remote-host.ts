/*
 * The remote host: a deterministic TypeScript host on the far end of the wire (a NetPeer). It
 * answers ARP for its address (learning the asker), serves the stream services of
 * remote-services.ts (echo 7, sink 9, source 19) with its own stream engine (remote-stream.ts),
 * echoes UDP on port 7, and answers a stream segment for no connection with an RST. It sees frames
 * without FCS (the wire checks and strips it).
 *
 * Its state is plain data (connections, ARP table, counters; typed arrays for bytes) and all time
 * is the `now` the wire passes in, so a snapshot restores the same future. Whatever arrives,
 * nothing throws: frames that do not decode at some layer are counted as bad and dropped; frames
 * for another MAC or address, or another protocol, are counted as ignored.
 *
 * To send an IP packet to an address it has no ARP entry for, it sends an ARP request and drops
 * the packet (the stream engine's retransmission sends it again).
 */
import type { NetPeer, PeerPort } from "../machine/network/peer.js";
import { BROADCAST_MAC, type Mac, macEqual, parseIp, parseMac } from "./addr.js";
import { ARP_REPLY, ARP_REQUEST, decodeArp, encodeArp } from "./arp.js";
import { bufBytes } from "./bytebuf.js";
import { decodeEth, encodeEth, ETH_MAX_FRAME, ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "./ethernet.js";
import { encodeIpv4Frame, encodeTcpFrame } from "./frames.js";
import { decodeIpv4, IPPROTO_TCP, IPPROTO_UDP } from "./ipv4.js";
import { PORT_ECHO, PORT_SINK, PORT_SOURCE, type StreamService } from "./remote-services.js";
import { dataSent, openPassive, resetFor, type StreamConn, streamSegment, streamTimer } from "./remote-stream.js";
import { decodeTcp, TCP_ACK, TCP_RST, TCP_SYN, type TcpSegment } from "./tcp.js";
import { decodeUdp, encodeUdp } from "./udp.js";

export { sourceBytes, SOURCE_MAX } from "./remote-services.js";

export interface RemoteHostServices {
  streamEcho: boolean;
  streamSink: boolean;
  streamSource: boolean;
  udpEcho: boolean;
}

/** Constructor options: any field left out takes its default (services one by one). */
export type RemoteHostOptions = Partial<Omit<RemoteHostConfig, "services">> & { services?: Partial<RemoteHostServices> };

export interface RemoteHostConfig {
  mac: Mac;
  ip: number;
  /** The guest's address (the host's only correspondent; kept for the record and the oracle). */
  guestIp: number;
  services: RemoteHostServices;
  /** Initial send sequence of the first connection; connection n uses issBase + n * ISS_STEP. */
  issBase: number;
}

export const REMOTE_MAC = "02:00:00:00:00:01";
export const REMOTE_IP = "10.0.0.1";
export const GUEST_IP = "10.0.0.2";
export const ISS_STEP = 0x10000;
const TTL = 64;
const ARP_TABLE_MAX = 16;

export function defaultRemoteHostConfig(): RemoteHostConfig {
  return {
    mac: parseMac(REMOTE_MAC),
    ip: parseIp(REMOTE_IP),
    guestIp: parseIp(GUEST_IP),
    services: { streamEcho: true, streamSink: true, streamSource: true, udpEcho: true },
    issBase: 0x1000_0000,
  };
}

export interface ArpEntry {
  ip: number;
  mac: Mac;
}

export interface RemoteHostState {
  arp: ArpEntry[];
  /** Next IPv4 identification field. */
  ipId: number;
  /** Every stream connection, in order of opening. */
  conns: StreamConn[];
  udp: { received: number; echoed: number };
  frames: { in: number; out: number; bad: number; ignored: number };
}

/** One stream connection as the oracle sees it. */
export interface StreamRecord {
  port: number;
  remotePort: number;
  /** Every byte the host received, in order. */
  received: Uint8Array;
  /** Bytes of data the host sent (at least once). */
  sent: number;
  /** Segments sent again (SYN+ACK, data, FIN). */
  retransmits: number;
  /** Resets: the peer's RST believed, or the host's own after MAX_RETRANSMITS. */
  resets: number;
  /** Over: both FINs done, or reset. */
  closed: boolean;
  /** The client's FIN arrived. */
  finReceived: boolean;
}

export interface RemoteHostRecord {
  streams: StreamRecord[];
  udp: { received: number; echoed: number };
  frames: { in: number; out: number; bad: number; ignored: number };
}

export class RemoteHost implements NetPeer {
  readonly config: RemoteHostConfig;
  private st: RemoteHostState;
  private port: PeerPort | undefined;
  /** Where outgoing stream frames are built: the wire copies each one it is handed (host-side, not state). */
  private readonly frameScratch = new Uint8Array(ETH_MAX_FRAME);

  constructor(options: RemoteHostOptions = {}) {
    const d = defaultRemoteHostConfig();
    this.config = { ...d, ...options, services: { ...d.services, ...options.services } };
    this.st = { arp: [], ipId: 1, conns: [], udp: { received: 0, echoed: 0 }, frames: { in: 0, out: 0, bad: 0, ignored: 0 } };
  }

  get state(): RemoteHostState {
    return this.st;
  }

  attach(port: PeerPort): void {
    this.port = port;
  }

  receive(frame: Uint8Array, now: number): void {
    const f = this.st.frames;
    f.in++;
    const eth = decodeEth(frame);
    if (eth === undefined) return void f.bad++;
    if (!macEqual(eth.dst, this.config.mac) && !macEqual(eth.dst, BROADCAST_MAC)) return void f.ignored++;
    if (eth.type === ETHERTYPE_ARP) this.onArp(eth.payload);
    else if (eth.type === ETHERTYPE_IPV4) this.onIpv4(eth.payload, now);
    else f.ignored++;
  }

  nextTimer(): number {
    let next = -1;
    for (const c of this.st.conns) if (c.timerAt >= 0 && (next < 0 || c.timerAt < next)) next = c.timerAt;
    return next;
  }

  onTimer(now: number): void {
    for (const c of this.st.conns) {
      if (c.timerAt < 0 || c.timerAt > now) continue;
      const out: TcpSegment[] = [];
      streamTimer(c, now, out);
      this.sendSegments(c.remoteIp, out);
    }
  }

  snapshot(): RemoteHostState {
    return structuredClone(this.st);
  }

  restore(snap: unknown): void {
    this.st = structuredClone(snap as RemoteHostState);
  }

  record(): RemoteHostRecord {
    return {
      streams: this.st.conns.map((c) => ({
        port: c.localPort, remotePort: c.remotePort, received: bufBytes(c.inp), sent: dataSent(c),
        retransmits: c.retransmits, resets: c.resets, closed: c.closed, finReceived: c.finReceived,
      })),
      udp: { ...this.st.udp },
      frames: { ...this.st.frames },
    };
  }

  /** ARP (RFC 826): refresh a known sender, add it if the request is for us, answer requests for us. */
  private onArp(bytes: Uint8Array): void {
    const p = decodeArp(bytes);
    if (p === undefined) return void this.st.frames.bad++;
    const forUs = p.targetIp === this.config.ip;
    const known = this.st.arp.find((e) => e.ip === p.senderIp);
    if (known) known.mac = p.senderMac;
    else if (forUs) this.learn(p.senderIp, p.senderMac);
    if (!forUs) return void this.st.frames.ignored++;
    if (p.op !== ARP_REQUEST) return;
    const reply = encodeArp({ op: ARP_REPLY, senderMac: this.config.mac, senderIp: this.config.ip, targetMac: p.senderMac, targetIp: p.senderIp });
    this.send(encodeEth({ dst: p.senderMac, src: this.config.mac, type: ETHERTYPE_ARP, payload: reply }));
  }

  private learn(ip: number, mac: Mac): void {
    if (this.st.arp.length >= ARP_TABLE_MAX) this.st.arp.shift();
    this.st.arp.push({ ip, mac: mac.slice() });
  }

  private onIpv4(bytes: Uint8Array, now: number): void {
    const ip = decodeIpv4(bytes);
    if (ip === undefined) return void this.st.frames.bad++;
    if (ip.dst !== this.config.ip) return void this.st.frames.ignored++;
    if (ip.protocol === IPPROTO_TCP) {
      const seg = decodeTcp(ip.payload, ip.src, ip.dst);
      if (seg === undefined) return void this.st.frames.bad++;
      this.onTcp(ip.src, seg, now);
    } else if (ip.protocol === IPPROTO_UDP) {
      const d = decodeUdp(ip.payload, ip.src, ip.dst);
      if (d === undefined) return void this.st.frames.bad++;
      if (d.dstPort !== PORT_ECHO || !this.config.services.udpEcho) return void this.st.frames.ignored++;
      this.st.udp.received++;
      const reply = encodeUdp({ srcPort: d.dstPort, dstPort: d.srcPort, payload: d.payload }, this.config.ip, ip.src);
      if (this.sendIp(ip.src, IPPROTO_UDP, reply)) this.st.udp.echoed++;
    } else {
      this.st.frames.ignored++;
    }
  }

  /** A segment goes to its connection; a SYN to a service opens one; anything else gets an RST. */
  private onTcp(src: number, seg: TcpSegment, now: number): void {
    const out: TcpSegment[] = [];
    const c = this.findConn(src, seg.srcPort, seg.dstPort);
    const isSyn = (seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) === TCP_SYN;
    const service = this.serviceAt(seg.dstPort);
    if (c !== undefined && !(c.state === "timeWait" && isSyn)) {
      streamSegment(c, seg, now, out);
    } else if (isSyn && service !== undefined) {
      const iss = this.config.issBase + this.st.conns.length * ISS_STEP;
      this.st.conns.push(openPassive(service, seg.dstPort, src, seg, iss, now, out));
    } else {
      const rst = resetFor(seg);
      if (rst !== undefined) out.push(rst);
    }
    this.sendSegments(src, out);
  }

  /** The newest connection (not reset) for this remote address and port pair. */
  private findConn(remoteIp: number, remotePort: number, localPort: number): StreamConn | undefined {
    for (let i = this.st.conns.length - 1; i >= 0; i--) {
      const c = this.st.conns[i];
      if (c.state !== "closed" && c.remoteIp === remoteIp && c.remotePort === remotePort && c.localPort === localPort) return c;
    }
    return undefined;
  }

  private serviceAt(port: number): StreamService | undefined {
    const s = this.config.services;
    if (port === PORT_ECHO && s.streamEcho) return "echo";
    if (port === PORT_SINK && s.streamSink) return "sink";
    if (port === PORT_SOURCE && s.streamSource) return "source";
    return undefined;
  }

  private sendSegments(dstIp: number, segs: TcpSegment[]): void {
    for (const s of segs) {
      const mac = this.route(dstIp);
      if (mac !== undefined) this.send(encodeTcpFrame(mac, this.config.mac, { src: this.config.ip, dst: dstIp, protocol: IPPROTO_TCP, ttl: TTL, id: this.nextIpId() }, s, this.frameScratch));
    }
  }

  /** Sends an IP packet if dst's MAC is known (true); else asks for it with ARP and drops the packet. */
  private sendIp(dst: number, protocol: number, payload: Uint8Array): boolean {
    const mac = this.route(dst);
    if (mac === undefined) return false;
    this.send(encodeIpv4Frame(mac, this.config.mac, { src: this.config.ip, dst, protocol, ttl: TTL, id: this.nextIpId(), payload }));
    return true;
  }

  /** dst's MAC when it is known; else undefined, and an ARP request for it is sent. */
  private route(dst: number): Mac | undefined {
    const entry = this.st.arp.find((e) => e.ip === dst);
    if (entry !== undefined) return entry.mac;
    const ask = encodeArp({ op: ARP_REQUEST, senderMac: this.config.mac, senderIp: this.config.ip, targetMac: new Uint8Array(6), targetIp: dst });
    this.send(encodeEth({ dst: BROADCAST_MAC, src: this.config.mac, type: ETHERTYPE_ARP, payload: ask }));
    return undefined;
  }

  private nextIpId(): number {
    const id = this.st.ipId;
    this.st.ipId = (id + 1) & 0xffff;
    return id;
  }

  private send(frame: Uint8Array): void {
    if (this.port === undefined) return;
    this.st.frames.out++;
    this.port.transmit(frame);
  }
}
