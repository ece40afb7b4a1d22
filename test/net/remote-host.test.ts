// The remote host as the guest's stack will meet it: frames built with the codecs go in, the
// frames it transmits are decoded and checked — ARP, UDP echo, the stream handshake, echo, sink and
// source services, ACKs, the peer's window, go-back-N retransmission with the RTO back-off and the
// reset after MAX_RETRANSMITS, RSTs for no connection, garbage counted and ignored — and a
// snapshot restores the same future.
import seedrandom from "seedrandom";
import { beforeEach, describe, expect, it } from "vitest";
import { BROADCAST_MAC, macToString, parseMac } from "../../system/net/addr.js";
import { ARP_REPLY, ARP_REQUEST, decodeArp, encodeArp } from "../../system/net/arp.js";
import { decodeEth, encodeEth, ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "../../system/net/ethernet.js";
import { decodeIpv4, encodeIpv4, IPPROTO_TCP, IPPROTO_UDP } from "../../system/net/ipv4.js";
import { RemoteHost, type RemoteHostOptions, type RemoteHostRecord, sourceBytes } from "../../system/net/remote-host.js";
import { MAX_RETRANSMITS, MSS, RTO_INITIAL_MS, RTO_MAX_MS, WINDOW } from "../../system/net/stream-rules.js";
import { decodeTcp, encodeTcp, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type TcpSegment } from "../../system/net/tcp.js";
import { decodeUdp, encodeUdp } from "../../system/net/udp.js";

const MS = 100_000; // cycles per emulated millisecond
const HOST_IP = 0x0a000001;
const GUEST_IP = 0x0a000002;
const HOST_MAC = parseMac("02:00:00:00:00:01");
const GUEST_MAC = parseMac("52:54:00:12:34:56");
const ISS = 0x1000_0000;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const none = new Uint8Array(0);

/** The guest side of the wire in these tests: frames built by hand with the codecs, no protocol logic. */
class Wire {
  readonly host: RemoteHost;
  out: Uint8Array[] = [];
  now = 0;
  constructor(options: RemoteHostOptions = {}) {
    this.host = new RemoteHost(options);
    this.host.attach({ transmit: (f) => this.out.push(f.slice()) });
  }
  deliver(frame: Uint8Array): void {
    this.host.receive(frame, this.now);
  }
  ip(protocol: number, payload: Uint8Array, dst = HOST_IP): void {
    const packet = encodeIpv4({ src: GUEST_IP, dst, protocol, ttl: 64, id: 0, payload });
    this.deliver(encodeEth({ dst: HOST_MAC, src: GUEST_MAC, type: ETHERTYPE_IPV4, payload: packet }));
  }
  tcp(s: Partial<TcpSegment> & { flags: number }): void {
    const seg: TcpSegment = { srcPort: 40000, dstPort: 7, seq: 0, ack: 0, window: WINDOW, payload: none, ...s };
    this.ip(IPPROTO_TCP, encodeTcp(seg, GUEST_IP, HOST_IP));
  }
  arpAsk(targetIp = HOST_IP): void {
    const p = encodeArp({ op: ARP_REQUEST, senderMac: GUEST_MAC, senderIp: GUEST_IP, targetMac: new Uint8Array(6), targetIp });
    this.deliver(encodeEth({ dst: BROADCAST_MAC, src: GUEST_MAC, type: ETHERTYPE_ARP, payload: p }));
  }
  take(): Uint8Array[] {
    const f = this.out;
    this.out = [];
    return f;
  }
  /** Every frame sent since the last take, decoded as a stream segment to the guest. */
  segs(): TcpSegment[] {
    return this.take().map((f) => {
      const eth = decodeEth(f)!;
      expect(macToString(eth.dst)).toBe("52:54:00:12:34:56");
      expect(eth.type).toBe(ETHERTYPE_IPV4);
      const ip = decodeIpv4(eth.payload)!;
      expect([ip.src, ip.dst, ip.protocol]).toEqual([HOST_IP, GUEST_IP, IPPROTO_TCP]);
      return decodeTcp(ip.payload, HOST_IP, GUEST_IP)!;
    });
  }
  /** Moves time to t and fires the host's timer if due. */
  at(t: number): void {
    this.now = t;
    const next = this.host.nextTimer();
    if (next >= 0 && next <= t) this.host.onTimer(t);
  }
  record(): RemoteHostRecord {
    return this.host.record() as RemoteHostRecord;
  }
}

/** A wire whose host has learned the guest's MAC (ARP exchanged). */
function ready(options: RemoteHostOptions = {}): Wire {
  const w = new Wire(options);
  w.arpAsk();
  w.take();
  return w;
}

/** Opens a connection from guest port 40000 (ISN 1000) to `port`; returns the host's ISS. */
function connect(w: Wire, port: number, window = WINDOW): number {
  w.tcp({ dstPort: port, seq: 1000, flags: TCP_SYN, window });
  const [synAck] = w.segs();
  w.tcp({ dstPort: port, seq: 1001, ack: synAck.seq + 1, flags: TCP_ACK, window });
  expect(w.take()).toEqual([]); // a bare ACK of the SYN+ACK is not answered
  return synAck.seq;
}

const flagsOf = (segs: TcpSegment[]): number[] => segs.map((s) => s.flags);

describe("ARP", () => {
  it("answers a request for its address and learns the asker", () => {
    const w = new Wire();
    w.arpAsk();
    const [frame] = w.take();
    const eth = decodeEth(frame)!;
    expect(macToString(eth.dst)).toBe("52:54:00:12:34:56");
    expect(macToString(eth.src)).toBe("02:00:00:00:00:01");
    expect(eth.type).toBe(ETHERTYPE_ARP);
    const p = decodeArp(eth.payload)!;
    expect(p).toEqual({ op: ARP_REPLY, senderMac: HOST_MAC, senderIp: HOST_IP, targetMac: GUEST_MAC, targetIp: GUEST_IP });
    expect(w.host.state.arp).toEqual([{ ip: GUEST_IP, mac: GUEST_MAC }]);
  });
  it("neither answers nor learns from a request for another address", () => {
    const w = new Wire();
    w.arpAsk(0x0a000003);
    expect(w.take()).toEqual([]);
    expect(w.host.state.arp).toEqual([]);
    expect(w.record().frames).toEqual({ in: 1, out: 0, bad: 0, ignored: 1 });
  });
  it("refreshes a known entry from any ARP packet, and learns from a reply to its own request", () => {
    const w = new Wire();
    w.ip(IPPROTO_UDP, encodeUdp({ srcPort: 5000, dstPort: 7, payload: text("a") }, GUEST_IP, HOST_IP)); // host asks
    w.take();
    const reply = encodeArp({ op: ARP_REPLY, senderMac: GUEST_MAC, senderIp: GUEST_IP, targetMac: HOST_MAC, targetIp: HOST_IP });
    w.deliver(encodeEth({ dst: HOST_MAC, src: GUEST_MAC, type: ETHERTYPE_ARP, payload: reply }));
    expect(w.take()).toEqual([]); // a reply is not answered
    expect(w.host.state.arp).toEqual([{ ip: GUEST_IP, mac: GUEST_MAC }]);
    const moved = parseMac("52:54:00:aa:bb:cc");
    const gratuitous = encodeArp({ op: ARP_REQUEST, senderMac: moved, senderIp: GUEST_IP, targetMac: new Uint8Array(6), targetIp: GUEST_IP });
    w.deliver(encodeEth({ dst: BROADCAST_MAC, src: moved, type: ETHERTYPE_ARP, payload: gratuitous }));
    expect(w.host.state.arp).toEqual([{ ip: GUEST_IP, mac: moved }]);
    w.ip(IPPROTO_UDP, encodeUdp({ srcPort: 5000, dstPort: 7, payload: text("b") }, GUEST_IP, HOST_IP));
    expect(macToString(decodeEth(w.take()[0])!.dst)).toBe("52:54:00:aa:bb:cc");
  });

  it("asks for the guest's MAC when it must send without it, and drops that packet", () => {
    const w = new Wire();
    w.ip(IPPROTO_UDP, encodeUdp({ srcPort: 5000, dstPort: 7, payload: text("ping") }, GUEST_IP, HOST_IP));
    const [frame] = w.take();
    const eth = decodeEth(frame)!;
    expect(macToString(eth.dst)).toBe("ff:ff:ff:ff:ff:ff");
    expect(decodeArp(eth.payload)).toMatchObject({ op: ARP_REQUEST, senderIp: HOST_IP, targetIp: GUEST_IP });
    expect(w.record().udp).toEqual({ received: 1, echoed: 0 });
  });
});

describe("UDP echo", () => {
  it("echoes a datagram on port 7 back to its sender's port", () => {
    const w = ready();
    w.ip(IPPROTO_UDP, encodeUdp({ srcPort: 5000, dstPort: 7, payload: text("ping") }, GUEST_IP, HOST_IP));
    const [frame] = w.take();
    const ip = decodeIpv4(decodeEth(frame)!.payload)!;
    expect([ip.src, ip.dst, ip.protocol]).toEqual([HOST_IP, GUEST_IP, IPPROTO_UDP]);
    expect(decodeUdp(ip.payload, HOST_IP, GUEST_IP)).toEqual({ srcPort: 7, dstPort: 5000, payload: text("ping") });
    expect(w.record().udp).toEqual({ received: 1, echoed: 1 });
  });
  it("ignores other ports and the disabled service", () => {
    const w = ready();
    w.ip(IPPROTO_UDP, encodeUdp({ srcPort: 5000, dstPort: 8, payload: text("x") }, GUEST_IP, HOST_IP));
    const off = ready({ services: { udpEcho: false } });
    off.ip(IPPROTO_UDP, encodeUdp({ srcPort: 5000, dstPort: 7, payload: text("x") }, GUEST_IP, HOST_IP));
    for (const x of [w, off]) {
      expect(x.take()).toEqual([]);
      expect(x.record().udp).toEqual({ received: 0, echoed: 0 });
      expect(x.record().frames.ignored).toBe(1);
    }
  });
});

describe("stream handshake and echo", () => {
  it("answers SYN with SYN+ACK, echoes data, and closes after the client's FIN", () => {
    const w = ready();
    w.tcp({ seq: 1000, flags: TCP_SYN });
    const [synAck] = w.segs();
    expect(synAck).toEqual({ srcPort: 7, dstPort: 40000, seq: ISS, ack: 1001, flags: TCP_SYN | TCP_ACK, window: WINDOW, payload: none });
    w.tcp({ seq: 1001, ack: ISS + 1, flags: TCP_ACK | TCP_PSH, payload: text("hello") }); // ACK with data
    const [echo] = w.segs();
    expect(echo).toEqual({ srcPort: 7, dstPort: 40000, seq: ISS + 1, ack: 1006, flags: TCP_ACK | TCP_PSH, window: WINDOW, payload: text("hello") });
    w.tcp({ seq: 1006, ack: ISS + 6, flags: TCP_ACK | TCP_FIN });
    const [fin] = w.segs();
    expect(fin).toMatchObject({ seq: ISS + 6, ack: 1007, flags: TCP_ACK | TCP_FIN, payload: none });
    expect(w.record().streams[0].closed).toBe(false); // its FIN is not acknowledged yet
    w.tcp({ seq: 1007, ack: ISS + 7, flags: TCP_ACK });
    expect(w.take()).toEqual([]);
    expect(w.host.nextTimer()).toBe(-1);
    const [s] = w.record().streams;
    expect(s).toEqual({ port: 7, remotePort: 40000, received: text("hello"), sent: 5, retransmits: 0, resets: 0, closed: true, finReceived: true });
  });

  it("re-acknowledges a retransmitted FIN after closing, and a new SYN opens a new connection", () => {
    const w = ready();
    const iss = connect(w, 7);
    w.tcp({ seq: 1001, ack: iss + 1, flags: TCP_ACK | TCP_FIN });
    w.segs();
    w.tcp({ seq: 1002, ack: iss + 2, flags: TCP_ACK });
    w.tcp({ seq: 1001, ack: iss + 2, flags: TCP_ACK | TCP_FIN }); // our ACK was "lost"
    expect(w.segs()).toMatchObject([{ seq: iss + 2, ack: 1002, flags: TCP_ACK }]);
    w.tcp({ seq: 9000, flags: TCP_SYN });
    expect(w.segs()).toMatchObject([{ ack: 9001, flags: TCP_SYN | TCP_ACK }]);
    expect(w.record().streams.map((s) => s.closed)).toEqual([true, false]);
  });

  it("answers a retransmitted SYN with the same SYN+ACK", () => {
    const w = ready();
    w.tcp({ seq: 1000, flags: TCP_SYN });
    const [a] = w.segs();
    w.tcp({ seq: 1000, flags: TCP_SYN });
    const [b] = w.segs();
    expect(b).toEqual(a);
    expect(w.record().streams).toHaveLength(1);
    expect(w.record().streams[0].retransmits).toBe(1);
  });

  it("sends a challenge ACK for a SYN on an established connection and believes the RST that follows", () => {
    const w = ready();
    const iss = connect(w, 9);
    w.tcp({ dstPort: 9, seq: 5000, flags: TCP_SYN }); // the guest restarted and reuses its port
    expect(w.segs()).toMatchObject([{ seq: iss + 1, ack: 1001, flags: TCP_ACK }]);
    w.tcp({ dstPort: 9, seq: 1001, flags: TCP_RST }); // the restarted guest answers with an RST
    expect(w.record().streams[0]).toMatchObject({ closed: true, resets: 1 });
    w.tcp({ dstPort: 9, seq: 5000, flags: TCP_SYN });
    expect(w.segs()).toMatchObject([{ ack: 5001, flags: TCP_SYN | TCP_ACK }]);
  });

  it("answers an ACK for data never sent with an ACK and drops that segment", () => {
    const w = ready();
    const iss = connect(w, 9);
    w.tcp({ dstPort: 9, seq: 1001, ack: iss + 50, flags: TCP_ACK, payload: text("ignored") });
    expect(w.segs()).toMatchObject([{ seq: iss + 1, ack: 1001, flags: TCP_ACK }]);
    expect(w.record().streams[0].received).toEqual(none);
  });

  it("forgets a cleanly closed connection on an RST without counting a reset", () => {
    const w = ready();
    const iss = connect(w, 7);
    w.tcp({ seq: 1001, ack: iss + 1, flags: TCP_ACK | TCP_FIN });
    w.tcp({ seq: 1002, ack: iss + 2, flags: TCP_ACK });
    w.tcp({ seq: 1002, flags: TCP_RST });
    w.tcp({ seq: 1002, ack: iss + 2, flags: TCP_ACK | TCP_FIN });
    expect(w.segs()).toMatchObject([{ flags: TCP_ACK | TCP_FIN }, { seq: iss + 2, flags: TCP_RST }]); // no connection any more
    expect(w.record().streams[0]).toMatchObject({ closed: true, resets: 0 });
  });

  it("ignores an RST whose sequence number is outside the window", () => {
    const w = ready();
    connect(w, 9);
    w.tcp({ dstPort: 9, seq: 999, flags: TCP_RST });
    w.tcp({ dstPort: 9, seq: 1001 + WINDOW, flags: TCP_RST });
    expect(w.record().streams[0]).toMatchObject({ closed: false, resets: 0 });
  });
});

describe("stream sink and data acknowledgement", () => {
  it("keeps every byte, acknowledges each segment cumulatively", () => {
    const w = ready();
    const iss = connect(w, 9);
    const data = sourceBytes(7, 3000);
    let seq = 1001;
    for (const n of [1460, 1000, 540]) {
      w.tcp({ dstPort: 9, seq, ack: iss + 1, flags: TCP_ACK, payload: data.subarray(seq - 1001, seq - 1001 + n) });
      seq += n;
      expect(w.segs()).toEqual([{ srcPort: 9, dstPort: 40000, seq: iss + 1, ack: seq, flags: TCP_ACK, window: WINDOW, payload: none }]);
    }
    expect(w.record().streams[0].received).toEqual(data);
  });

  it("drops an out-of-order segment with a duplicate ACK and takes the new part of an overlapping one", () => {
    const w = ready();
    const iss = connect(w, 9);
    const data = text("abcdefghij");
    w.tcp({ dstPort: 9, seq: 1006, ack: iss + 1, flags: TCP_ACK, payload: data.subarray(5) }); // "fghij" early
    expect(w.segs()).toMatchObject([{ ack: 1001 }]);
    w.tcp({ dstPort: 9, seq: 1001, ack: iss + 1, flags: TCP_ACK, payload: data.subarray(0, 3) }); // "abc"
    expect(w.segs()).toMatchObject([{ ack: 1004 }]);
    w.tcp({ dstPort: 9, seq: 1001, ack: iss + 1, flags: TCP_ACK, payload: data }); // go-back-N resend of all
    expect(w.segs()).toMatchObject([{ ack: 1011 }]);
    w.tcp({ dstPort: 9, seq: 1001, ack: iss + 1, flags: TCP_ACK, payload: data.subarray(0, 4) }); // wholly old
    expect(w.segs()).toMatchObject([{ ack: 1011 }]);
    expect(w.record().streams[0].received).toEqual(data);
  });

  it("closes its side after the client's FIN", () => {
    const w = ready();
    const iss = connect(w, 9);
    w.tcp({ dstPort: 9, seq: 1001, ack: iss + 1, flags: TCP_ACK | TCP_FIN, payload: text("bye") });
    expect(w.segs()).toMatchObject([{ seq: iss + 1, ack: 1005, flags: TCP_ACK | TCP_FIN }]);
  });
});

describe("stream source", () => {
  const request = (length: number, seed: number): Uint8Array => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, length, true);
    new DataView(b.buffer).setUint32(4, seed, true);
    return b;
  };

  it("sourceBytes is deterministic, seed-dependent and prefix-consistent", () => {
    expect(sourceBytes(42, 100)).toEqual(sourceBytes(42, 100));
    expect(sourceBytes(42, 100)).not.toEqual(sourceBytes(43, 100));
    expect(sourceBytes(42, 1000).subarray(0, 37)).toEqual(sourceBytes(42, 37));
    expect(sourceBytes(0x9e3779b9, 8).some((b) => b !== 0)).toBe(true); // the zero-state seed still works
    expect(sourceBytes(1, 0).length).toBe(0);
  });

  it("sends sourceBytes(seed, length) in MSS segments within the window, then FIN", () => {
    const w = ready();
    const iss = connect(w, 19);
    w.tcp({ dstPort: 19, seq: 1001, ack: iss + 1, flags: TCP_ACK | TCP_PSH, payload: request(5000, 42) });
    const segs = w.segs();
    expect(segs.map((s) => s.payload.length)).toEqual([1460, 1460, 1460, 620, 0]);
    expect(flagsOf(segs)).toEqual([TCP_ACK, TCP_ACK, TCP_ACK, TCP_ACK | TCP_PSH, TCP_ACK | TCP_FIN]);
    expect(segs.map((s) => s.seq)).toEqual([iss + 1, iss + 1461, iss + 2921, iss + 4381, iss + 5001]);
    expect(segs.every((s) => s.ack === 1009)).toBe(true);
    const got = new Uint8Array(5000);
    let at = 0;
    for (const s of segs) (got.set(s.payload, at), (at += s.payload.length));
    expect(got).toEqual(sourceBytes(42, 5000));
    w.tcp({ dstPort: 19, seq: 1009, ack: iss + 5002, flags: TCP_ACK | TCP_FIN });
    expect(w.segs()).toMatchObject([{ ack: 1010, flags: TCP_ACK }]);
    expect(w.record().streams[0]).toMatchObject({ received: request(5000, 42), sent: 5000, closed: true, retransmits: 0 });
  });

  it("respects the client's window and sends more as it opens", () => {
    const w = ready();
    const iss = connect(w, 19, 2000);
    w.tcp({ dstPort: 19, seq: 1001, ack: iss + 1, flags: TCP_ACK, window: 2000, payload: request(3000, 1) });
    expect(w.segs().map((s) => [s.seq - iss, s.payload.length])).toEqual([[1, 1460], [1461, 540]]);
    w.tcp({ dstPort: 19, seq: 1009, ack: iss + 1461, flags: TCP_ACK, window: 2000 });
    expect(w.segs().map((s) => [s.seq - iss, s.payload.length])).toEqual([[2001, 1000], [3001, 0]]);
  });

  it("probes a closed window with one byte on the timer and does not give up while the client answers", () => {
    const w = ready();
    const iss = connect(w, 19, 0);
    w.tcp({ dstPort: 19, seq: 1001, ack: iss + 1, flags: TCP_ACK, window: 0, payload: request(100, 5) });
    expect(w.segs().map((s) => s.payload.length)).toEqual([0]); // only the ACK of the request
    const data = sourceBytes(5, 100);
    let t = 0;
    for (let i = 0; i < MAX_RETRANSMITS + 5; i++) {
      t = w.host.nextTimer();
      w.at(t);
      const [probe] = w.segs();
      expect([probe.seq, probe.payload]).toEqual([iss + 1, data.subarray(0, 1)]);
      w.tcp({ dstPort: 19, seq: 1009, ack: iss + 1, flags: TCP_ACK, window: 0 }); // still closed
      expect(w.take()).toEqual([]);
    }
    w.tcp({ dstPort: 19, seq: 1009, ack: iss + 1, flags: TCP_ACK, window: WINDOW });
    expect(w.segs().map((s) => s.payload.length)).toEqual([100, 0]);
    expect(w.record().streams[0].resets).toBe(0);
  });

  it("clamps an absurd length instead of failing", () => {
    const w = ready();
    const iss = connect(w, 19);
    w.tcp({ dstPort: 19, seq: 1001, ack: iss + 1, flags: TCP_ACK, payload: request(0xffffffff, 3) });
    expect(w.segs().length).toBe(Math.ceil(WINDOW / MSS));
  });
});

describe("retransmission", () => {
  it("resends an unacknowledged SYN+ACK with a doubling RTO, then resets after MAX_RETRANSMITS", () => {
    const w = ready();
    w.tcp({ seq: 1000, flags: TCP_SYN });
    const [synAck] = w.segs();
    const times: number[] = [];
    for (;;) {
      const t = w.host.nextTimer();
      if (t < 0) break;
      times.push(t);
      w.at(t);
      const segs = w.segs();
      expect(segs).toHaveLength(1);
      if (segs[0].flags & TCP_RST) break;
      expect(segs[0]).toEqual(synAck);
    }
    const gaps = times.map((t, i) => (t - (i ? times[i - 1] : 0)) / MS);
    const expected = [RTO_INITIAL_MS];
    while (expected.length <= MAX_RETRANSMITS) expected.push(Math.min(2 * expected[expected.length - 1], RTO_MAX_MS));
    expect(gaps).toEqual(expected); // 20, 40, 80, ..., 640, 1000, ... : 12 retransmissions, then the RST
    expect(w.host.nextTimer()).toBe(-1);
    expect(w.record().streams[0]).toMatchObject({ retransmits: MAX_RETRANSMITS, resets: 1, closed: true });
  });

  it("goes back to the oldest unacknowledged byte, restarts the RTO on progress and backs off without it", () => {
    const w = ready();
    const iss = connect(w, 7);
    const data = sourceBytes(9, 4000);
    w.now = 1000;
    for (const [from, to] of [[0, 1460], [1460, 2920], [2920, 4000]]) {
      w.tcp({ seq: 1001 + from, ack: iss + 1, flags: TCP_ACK, payload: data.subarray(from, to) });
    }
    expect(w.segs().map((s) => s.payload.length)).toEqual([1460, 1460, 1080]); // echoed
    expect(w.host.nextTimer()).toBe(1000 + RTO_INITIAL_MS * MS);
    w.now = 5 * MS;
    w.tcp({ seq: 5001, ack: iss + 1461, flags: TCP_ACK }); // first segment acknowledged: timer restarts
    expect(w.host.nextTimer()).toBe(5 * MS + RTO_INITIAL_MS * MS);
    w.at(25 * MS);
    const resent = w.segs();
    expect(resent.map((s) => [s.seq - iss, s.payload.length])).toEqual([[1461, 1460], [2921, 1080]]);
    expect(resent[0].payload).toEqual(data.subarray(1460, 2920));
    expect(w.host.nextTimer()).toBe(25 * MS + 2 * RTO_INITIAL_MS * MS);
    w.at(65 * MS);
    expect(w.segs().map((s) => s.seq - iss)).toEqual([1461, 2921]);
    expect(w.host.nextTimer()).toBe(65 * MS + 4 * RTO_INITIAL_MS * MS);
    w.now = 70 * MS;
    w.tcp({ seq: 5001, ack: iss + 4001, flags: TCP_ACK });
    expect(w.host.nextTimer()).toBe(-1);
    expect(w.record().streams[0]).toMatchObject({ sent: 4000, retransmits: 4, resets: 0 });
  });

  it("resends its FIN when it is not acknowledged", () => {
    const w = ready();
    const iss = connect(w, 9);
    w.tcp({ dstPort: 9, seq: 1001, ack: iss + 1, flags: TCP_ACK | TCP_FIN });
    const [fin] = w.segs();
    w.at(w.host.nextTimer());
    expect(w.segs()).toEqual([fin]);
  });
});

describe("segments for no connection", () => {
  it("answers a SYN to a closed port with RST+ACK and an ACK segment with an RST at its ack", () => {
    const w = ready();
    w.tcp({ dstPort: 80, seq: 1000, flags: TCP_SYN });
    expect(w.segs()).toEqual([{ srcPort: 80, dstPort: 40000, seq: 0, ack: 1001, flags: TCP_RST | TCP_ACK, window: 0, payload: none }]);
    w.tcp({ dstPort: 7, seq: 1000, ack: 777, flags: TCP_ACK, payload: text("stray") });
    expect(w.segs()).toMatchObject([{ seq: 777, flags: TCP_RST }]);
    w.tcp({ dstPort: 7, seq: 1000, flags: TCP_RST });
    expect(w.take()).toEqual([]);
    expect(w.record().streams).toEqual([]);
  });

  it("refuses a disabled service", () => {
    const w = ready({ services: { streamSink: false } });
    w.tcp({ dstPort: 9, seq: 1000, flags: TCP_SYN });
    expect(flagsOf(w.segs())).toEqual([TCP_RST | TCP_ACK]);
  });

  it("resets a handshake completed with the wrong ACK", () => {
    const w = ready();
    w.tcp({ seq: 1000, flags: TCP_SYN });
    w.segs();
    w.tcp({ seq: 1001, ack: 12345, flags: TCP_ACK });
    expect(w.segs()).toMatchObject([{ seq: 12345, flags: TCP_RST }]);
  });
});

describe("garbage", () => {
  it("counts undecodable frames as bad, foreign ones as ignored, and answers none", () => {
    const w = ready();
    w.deliver(new Uint8Array(5)); // runt
    const good = encodeIpv4({ src: GUEST_IP, dst: HOST_IP, protocol: IPPROTO_TCP, ttl: 64, id: 0, payload: encodeTcp({ srcPort: 1, dstPort: 7, seq: 0, ack: 0, flags: TCP_SYN, window: 1, payload: none }, GUEST_IP, HOST_IP) });
    const badIp = good.slice();
    badIp[8] ^= 1; // TTL changed: header checksum wrong
    const badTcp = good.slice();
    badTcp[30] ^= 1; // inside the segment: its checksum wrong
    for (const payload of [badIp, badTcp]) w.deliver(encodeEth({ dst: HOST_MAC, src: GUEST_MAC, type: ETHERTYPE_IPV4, payload }));
    w.deliver(encodeEth({ dst: HOST_MAC, src: GUEST_MAC, type: ETHERTYPE_ARP, payload: text("not arp") }));
    w.deliver(encodeEth({ dst: parseMac("02:00:00:00:00:99"), src: GUEST_MAC, type: ETHERTYPE_IPV4, payload: good }));
    w.deliver(encodeEth({ dst: HOST_MAC, src: GUEST_MAC, type: 0x86dd, payload: good }));
    w.ip(1, text("icmp?"));
    w.ip(IPPROTO_TCP, good.subarray(20), 0x0a000009);
    expect(w.take()).toEqual([]);
    expect(w.record().frames).toEqual({ in: 9, out: 1, bad: 4, ignored: 4 }); // out: the ARP reply of ready()
  });

  it("never throws on random or garbled frames, and stays deterministic", () => {
    const run = (): { out: Uint8Array[]; rec: RemoteHostRecord } => {
      const rng = seedrandom("remote-host-fuzz");
      const w = ready();
      const byte = (): number => Math.floor(rng() * 256);
      for (let i = 0; i < 3000; i++) {
        w.now += Math.floor(rng() * MS);
        const kind = rng();
        if (kind < 0.3) {
          w.deliver(Uint8Array.from({ length: Math.floor(rng() * 100) }, byte));
        } else if (kind < 0.9) {
          // A plausible segment with random fields, sometimes garbled after encoding.
          const flags = Math.floor(rng() * 64);
          const dstPort = [7, 9, 19, 80][Math.floor(rng() * 4)];
          const payload = Uint8Array.from({ length: Math.floor(rng() * 40) }, byte);
          const seg = encodeTcp({ srcPort: 40000 + Math.floor(rng() * 3), dstPort, seq: 1000 + Math.floor(rng() * 200), ack: ISS + Math.floor(rng() * 50), flags, window: Math.floor(rng() * 65536), payload }, GUEST_IP, HOST_IP);
          if (rng() < 0.2) seg[Math.floor(rng() * seg.length)] = byte();
          w.ip(IPPROTO_TCP, seg);
        } else {
          w.at(Math.max(w.now, w.host.nextTimer()));
        }
      }
      return { out: w.take(), rec: w.record() };
    };
    const a = run();
    const b = run();
    expect(a.rec.frames.bad).toBeGreaterThan(0);
    expect(a.rec.streams.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});

describe("snapshot and restore", () => {
  let w: Wire;
  let iss: number;
  beforeEach(() => {
    w = ready();
    iss = connect(w, 7);
    w.tcp({ seq: 1001, ack: iss + 1, flags: TCP_ACK, payload: sourceBytes(1, 1000) });
    w.tcp({ seq: 2001, ack: iss + 1, flags: TCP_ACK, payload: sourceBytes(2, 1000) });
    w.tcp({ seq: 3001, ack: iss + 1, flags: TCP_ACK, payload: sourceBytes(3, 1000) });
    w.take();
  });

  /** The rest of a conversation: a partial ACK, timeouts, more data, FIN. */
  const future = (x: Wire): { out: Uint8Array[]; rec: RemoteHostRecord; timer: number } => {
    x.now = 2 * MS;
    x.tcp({ seq: 4001, ack: iss + 1001, flags: TCP_ACK, payload: text("more") });
    x.at(x.host.nextTimer());
    x.at(x.host.nextTimer());
    x.tcp({ seq: 4005, ack: iss + 3005, flags: TCP_ACK | TCP_FIN });
    return { out: x.take(), rec: x.record(), timer: x.host.nextTimer() };
  };

  it("reproduces the same future from a snapshot, unaffected by what happened after it", () => {
    const snap = w.host.snapshot();
    const first = future(w);
    expect(first.out.length).toBeGreaterThan(3);
    w.host.restore(snap);
    w.now = 0;
    const second = future(w);
    expect(second).toEqual(first);
    expect(w.host.snapshot()).toEqual(w.host.state);
  });

  it("carries plain data only: a restored copy on a fresh host behaves the same", () => {
    const snap = JSON.parse(JSON.stringify(w.host.snapshot(), (_k, v) => (v instanceof Uint8Array ? { u8: Array.from(v) } : v)), (_k, v) => (v && Array.isArray(v.u8) ? Uint8Array.from(v.u8) : v));
    const first = future(w);
    const other = new Wire();
    other.host.restore(snap);
    expect(future(other)).toEqual(first);
  });
});

describe("sequence numbers across the 2^32 wrap", () => {
  it("streams source bytes when both sides start just below the wrap", () => {
    const w = ready({ issBase: 0xfffffc00 });
    const cisn = 0xfffffffa;
    w.tcp({ dstPort: 19, seq: cisn, flags: TCP_SYN });
    const [synAck] = w.segs();
    expect(synAck.seq).toBe(0xfffffc00);
    const req = new Uint8Array(8);
    new DataView(req.buffer).setUint32(0, 3000, true);
    new DataView(req.buffer).setUint32(4, 77, true);
    w.tcp({ dstPort: 19, seq: (cisn + 1) >>> 0, ack: (synAck.seq + 1) >>> 0, flags: TCP_ACK, payload: req });
    const segs = w.segs();
    expect(segs.every((s) => s.ack === ((cisn + 9) >>> 0))).toBe(true);
    const got = segs.flatMap((s) => Array.from(s.payload));
    expect(Uint8Array.from(got)).toEqual(sourceBytes(77, 3000));
    w.tcp({ dstPort: 19, seq: (cisn + 9) >>> 0, ack: (synAck.seq + 3002) >>> 0, flags: TCP_ACK | TCP_FIN });
    expect(w.record().streams[0]).toMatchObject({ closed: true, sent: 3000 });
    expect(w.host.nextTimer()).toBe(-1);
  });
});
