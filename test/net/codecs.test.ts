// The protocol codecs on literal inputs: round trips, checksums known from RFC 1071 and from hand-
// computed packets, and the decoders' refusals. A seeded fuzz then truncates, garbles and invents
// input: every decoder answers a value or undefined and never throws, and a checksummed header
// with any one byte changed is refused.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { BROADCAST_MAC, ipToString, macEqual, macToString, parseIp, parseMac } from "../../system/net/addr.js";
import { ARP_REPLY, ARP_REQUEST, decodeArp, encodeArp } from "../../system/net/arp.js";
import { internetChecksum, pseudoHeaderSum } from "../../system/net/checksum.js";
import { decodeEth, encodeEth, ETH_HEADER, ETH_MAX_FRAME, ETH_MIN_FRAME, ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "../../system/net/ethernet.js";
import { encodeIpv4Frame, encodeTcpFrame } from "../../system/net/frames.js";
import { decodeIpv4, encodeIpv4, IPPROTO_TCP, IPPROTO_UDP, IPV4_HEADER } from "../../system/net/ipv4.js";
import { MSS, seqLe, seqLt } from "../../system/net/stream-rules.js";
import { decodeTcp, encodeTcp, TCP_ACK, TCP_HEADER, TCP_PSH, TCP_SYN } from "../../system/net/tcp.js";
import { decodeUdp, encodeUdp, UDP_HEADER } from "../../system/net/udp.js";

const HOST_IP = 0x0a000001;
const GUEST_IP = 0x0a000002;
const GUEST_MAC = parseMac("52:54:00:12:34:56");
const HOST_MAC = parseMac("02:00:00:00:00:01");
const hex = (s: string): Uint8Array => new Uint8Array(s.replace(/\s+/g, "").match(/../g)!.map((h) => parseInt(h, 16)));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("addresses", () => {
  it("formats and parses MACs and IPs", () => {
    expect(macToString(GUEST_MAC)).toBe("52:54:00:12:34:56");
    expect(macToString(BROADCAST_MAC)).toBe("ff:ff:ff:ff:ff:ff");
    expect(parseIp("10.0.0.1")).toBe(0x0a000001);
    expect(parseIp("255.255.255.0")).toBe(0xffffff00);
    expect(ipToString(0xc0a800c7)).toBe("192.168.0.199");
    expect(macEqual(parseMac("02:00:00:00:00:01"), HOST_MAC)).toBe(true);
    expect(macEqual(GUEST_MAC, HOST_MAC)).toBe(false);
  });
  it("refuses malformed configuration strings", () => {
    for (const s of ["", "52:54:00:12:34", "52:54:00:12:34:567", "zz:54:00:12:34:56", "52-54-00-12-34-56"]) {
      expect(() => parseMac(s)).toThrow(/bad MAC/);
    }
    for (const s of ["", "10.0.0", "10.0.0.256", "10.0.0.01", "10.0.0.1.2", "a.b.c.d", "-1.0.0.0"]) {
      expect(() => parseIp(s)).toThrow(/bad IPv4/);
    }
  });
});

describe("internet checksum", () => {
  it("matches the RFC 1071 example", () => {
    // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
    expect(internetChecksum(hex("0001f203f4f5f6f7"))).toBe(0x220d);
  });
  it("pads an odd last byte with zero and starts from a partial sum", () => {
    expect(internetChecksum(hex("0001f203f4f5f6"))).toBe(internetChecksum(hex("0001f203f4f5f600")));
    expect(internetChecksum(hex("f4f5f6f7"), 0x0001 + 0xf203)).toBe(0x220d);
  });
  it("gives a well-known IPv4 header checksum (0xb861)", () => {
    // 192.168.0.1 -> 192.168.0.199, UDP, TTL 64, DF, total length 0x73: the header checksum is b861.
    const header = hex("450000730000400040110000c0a80001c0a800c7");
    expect(internetChecksum(header)).toBe(0xb861);
    header[10] = 0xb8;
    header[11] = 0x61;
    expect(internetChecksum(header)).toBe(0);
  });
});

describe("ethernet", () => {
  it("round-trips and zero-pads to the minimum frame", () => {
    const b = encodeEth({ dst: BROADCAST_MAC, src: GUEST_MAC, type: ETHERTYPE_ARP, payload: hex("0102") });
    expect(b.length).toBe(ETH_MIN_FRAME);
    expect(Array.from(b.subarray(0, 16))).toEqual(Array.from(hex("ffffffffffff525400123456 0806 0102")));
    expect(b.subarray(16).every((x) => x === 0)).toBe(true);
    const f = decodeEth(b)!;
    expect(macToString(f.dst)).toBe("ff:ff:ff:ff:ff:ff");
    expect(macToString(f.src)).toBe("52:54:00:12:34:56");
    expect(f.type).toBe(ETHERTYPE_ARP);
    expect(f.payload.length).toBe(ETH_MIN_FRAME - ETH_HEADER);
  });
  it("keeps a full-size payload unpadded and refuses runts and giants", () => {
    const payload = new Uint8Array(ETH_MAX_FRAME - ETH_HEADER).fill(7);
    const b = encodeEth({ dst: HOST_MAC, src: GUEST_MAC, type: ETHERTYPE_IPV4, payload });
    expect(b.length).toBe(ETH_MAX_FRAME);
    expect(decodeEth(b)!.payload).toEqual(payload);
    expect(decodeEth(b.subarray(0, ETH_HEADER - 1))).toBeUndefined();
    expect(decodeEth(new Uint8Array(ETH_MAX_FRAME + 1))).toBeUndefined();
  });
});

describe("arp", () => {
  it("encodes a request byte for byte and decodes it back", () => {
    const p = { op: ARP_REQUEST, senderMac: GUEST_MAC, senderIp: GUEST_IP, targetMac: new Uint8Array(6), targetIp: HOST_IP };
    const b = encodeArp(p);
    expect(b).toEqual(hex("0001 0800 06 04 0001 525400123456 0a000002 000000000000 0a000001"));
    expect(decodeArp(b)).toEqual(p);
  });
  it("ignores Ethernet padding and refuses other hardware, protocols and operations", () => {
    const b = encodeArp({ op: ARP_REPLY, senderMac: HOST_MAC, senderIp: HOST_IP, targetMac: GUEST_MAC, targetIp: GUEST_IP });
    const padded = new Uint8Array(46);
    padded.set(b);
    expect(decodeArp(padded)!.op).toBe(ARP_REPLY);
    for (const [off, v] of [[1, 6], [2, 0x86], [4, 8], [5, 16], [7, 3], [7, 0]]) {
      const bad = b.slice();
      bad[off] = v;
      expect(decodeArp(bad)).toBeUndefined();
    }
    expect(decodeArp(b.subarray(0, 27))).toBeUndefined();
  });
});

describe("ipv4", () => {
  const pkt = { src: HOST_IP, dst: GUEST_IP, protocol: IPPROTO_UDP, ttl: 64, id: 0x1234, payload: text("payload!") };
  it("encodes a header with DF and a checksum that verifies, and round-trips", () => {
    const b = encodeIpv4(pkt);
    expect(b.length).toBe(IPV4_HEADER + 8);
    // Hand-computed: 4500+001c+1234+4000+4011+0a00+0001+0a00+0002 = 0xeb64 -> checksum 0x149b.
    expect(b.subarray(0, IPV4_HEADER)).toEqual(hex("4500 001c 1234 4000 4011 149b 0a000001 0a000002"));
    expect(decodeIpv4(b)).toEqual(pkt);
  });
  it("trims Ethernet padding to the total length", () => {
    const padded = new Uint8Array(46);
    padded.set(encodeIpv4(pkt));
    expect(decodeIpv4(padded)!.payload).toEqual(pkt.payload);
  });
  it("refuses options, other versions, bad lengths, fragments and bad checksums", () => {
    const good = encodeIpv4(pkt);
    const refit = (edit: (b: Uint8Array) => void): Uint8Array => {
      const b = good.slice();
      edit(b);
      b[10] = b[11] = 0;
      const sum = internetChecksum(b.subarray(0, IPV4_HEADER));
      b[10] = sum >> 8;
      b[11] = sum & 0xff;
      return b;
    };
    expect(decodeIpv4(refit(() => {}))).toEqual(pkt); // refit itself keeps a good packet good
    expect(decodeIpv4(refit((b) => (b[0] = 0x46)))).toBeUndefined(); // options
    expect(decodeIpv4(refit((b) => (b[0] = 0x65)))).toBeUndefined(); // version 6
    expect(decodeIpv4(refit((b) => (b[3] = 19)))).toBeUndefined(); // total < header
    expect(decodeIpv4(refit((b) => (b[3] = 29)))).toBeUndefined(); // total > bytes
    expect(decodeIpv4(refit((b) => (b[6] = 0x20)))).toBeUndefined(); // MF
    expect(decodeIpv4(refit((b) => (b[7] = 0x01)))).toBeUndefined(); // fragment offset
    const badSum = good.slice();
    badSum[11] ^= 1;
    expect(decodeIpv4(badSum)).toBeUndefined();
    expect(decodeIpv4(good.subarray(0, IPV4_HEADER - 1))).toBeUndefined();
  });
});

describe("udp", () => {
  it("gives the hand-computed checksum and round-trips", () => {
    const d = { srcPort: 7, dstPort: 1024, payload: text("hi") };
    const b = encodeUdp(d, HOST_IP, GUEST_IP);
    // pseudo 0a00+0001+0a00+0002+0011+000a = 0x141e; header+data 0007+0400+000a+6869 = 0x6c7a;
    // sum 0x8098 -> checksum 0x7f67.
    expect(b).toEqual(hex("0007 0400 000a 7f67 6869"));
    expect(decodeUdp(b, HOST_IP, GUEST_IP)).toEqual(d);
  });
  it("checks the pseudo-header, accepts checksum 0 as none, trims to the length field", () => {
    const b = encodeUdp({ srcPort: 5000, dstPort: 7, payload: text("echo me") }, GUEST_IP, HOST_IP);
    expect(decodeUdp(b, GUEST_IP, 0x0a000003)).toBeUndefined();
    const none = b.slice();
    none[6] = none[7] = 0;
    none[9] ^= 0xff; // would be a checksum error, but there is no checksum
    expect(decodeUdp(none, 1, 2)!.payload.length).toBe(7);
    const padded = new Uint8Array(b.length + 10);
    padded.set(b);
    expect(decodeUdp(padded, GUEST_IP, HOST_IP)!.payload).toEqual(text("echo me"));
    const longLen = b.slice();
    longLen[5] += 1;
    expect(decodeUdp(longLen, GUEST_IP, HOST_IP)).toBeUndefined();
    expect(decodeUdp(b.subarray(0, UDP_HEADER - 1), GUEST_IP, HOST_IP)).toBeUndefined();
  });
  it("sends a computed checksum of 0 as 0xffff", () => {
    // Find a payload whose checksum computes to 0: make the one's-complement sum 0xffff.
    const payload = new Uint8Array(2);
    const partial = encodeUdp({ srcPort: 1, dstPort: 2, payload }, 0, 0);
    const sumWithZeroPayload = 0xffff - internetChecksum(partial.subarray(0, 6), pseudoHeaderSum(0, 0, IPPROTO_UDP, 10));
    const want = 0xffff - sumWithZeroPayload;
    payload[0] = want >> 8;
    payload[1] = want & 0xff;
    const b = encodeUdp({ srcPort: 1, dstPort: 2, payload }, 0, 0);
    expect([b[6], b[7]]).toEqual([0xff, 0xff]);
    expect(decodeUdp(b, 0, 0)!.payload).toEqual(payload);
  });
});

describe("tcp", () => {
  it("encodes a SYN byte for byte and round-trips a data segment", () => {
    const syn = { srcPort: 1025, dstPort: 7, seq: 1000, ack: 0, flags: TCP_SYN, window: 16384, payload: new Uint8Array(0) };
    const b = encodeTcp(syn, GUEST_IP, HOST_IP);
    // Hand-computed: pseudo 0a00+0002+0a00+0001+0006+0014 = 0x141d; header words
    // 0401+0007+0000+03e8+0000+0000+5002+4000 = 0x97f2; sum 0xac0f -> checksum 0x53f0.
    expect(b).toEqual(hex("0401 0007 000003e8 00000000 5002 4000 53f0 0000"));
    expect(decodeTcp(b, GUEST_IP, HOST_IP)).toEqual(syn);
    const data = { srcPort: 7, dstPort: 1025, seq: 0xfffffff0, ack: 1001, flags: TCP_ACK | TCP_PSH, window: 100, payload: new Uint8Array(MSS).fill(0x5a) };
    expect(decodeTcp(encodeTcp(data, HOST_IP, GUEST_IP), HOST_IP, GUEST_IP)).toEqual(data);
  });
  it("refuses options, short headers, a wrong pseudo-header and bad checksums", () => {
    const b = encodeTcp({ srcPort: 1, dstPort: 2, seq: 3, ack: 4, flags: TCP_ACK, window: 5, payload: text("x") }, GUEST_IP, HOST_IP);
    expect(decodeTcp(b, HOST_IP, GUEST_IP)).toBeDefined(); // the pseudo-header sum is symmetric in the IPs
    expect(decodeTcp(b, GUEST_IP, 0x0a000003)).toBeUndefined();
    const opts = b.slice();
    opts[12] = 0x60;
    expect(decodeTcp(opts, GUEST_IP, HOST_IP)).toBeUndefined();
    const flipped = b.slice();
    flipped[TCP_HEADER] ^= 0x40;
    expect(decodeTcp(flipped, GUEST_IP, HOST_IP)).toBeUndefined();
    expect(decodeTcp(b.subarray(0, TCP_HEADER - 1), GUEST_IP, HOST_IP)).toBeUndefined();
  });
});

describe("sequence arithmetic", () => {
  it("compares modulo 2^32", () => {
    expect(seqLt(1, 2)).toBe(true);
    expect(seqLt(2, 2)).toBe(false);
    expect(seqLe(2, 2)).toBe(true);
    expect(seqLt(0xfffffff0, 5)).toBe(true); // wrapped
    expect(seqLt(5, 0xfffffff0)).toBe(false);
    expect(seqLe(0xffffffff, 0)).toBe(true);
    expect(seqLt(0, 0x7fffffff)).toBe(true);
  });
});

describe("decoders under fuzz", () => {
  const decoders: Array<[string, (b: Uint8Array) => unknown]> = [
    ["eth", decodeEth],
    ["arp", decodeArp],
    ["ipv4", decodeIpv4],
    ["udp", (b) => decodeUdp(b, GUEST_IP, HOST_IP)],
    ["tcp", (b) => decodeTcp(b, GUEST_IP, HOST_IP)],
  ];
  const valid = (): Record<string, Uint8Array> => ({
    eth: encodeEth({ dst: HOST_MAC, src: GUEST_MAC, type: ETHERTYPE_IPV4, payload: text("abc") }),
    arp: encodeArp({ op: ARP_REQUEST, senderMac: GUEST_MAC, senderIp: GUEST_IP, targetMac: BROADCAST_MAC, targetIp: HOST_IP }),
    ipv4: encodeIpv4({ src: GUEST_IP, dst: HOST_IP, protocol: IPPROTO_TCP, ttl: 64, id: 9, payload: text("abcdef") }),
    udp: encodeUdp({ srcPort: 9, dstPort: 7, payload: text("hello, udp") }, GUEST_IP, HOST_IP),
    tcp: encodeTcp({ srcPort: 9, dstPort: 7, seq: 1, ack: 2, flags: TCP_ACK, window: 3, payload: text("hello, tcp") }, GUEST_IP, HOST_IP),
  });

  it("never throw on random bytes, truncations or garbling", () => {
    const rng = seedrandom("codecs-fuzz");
    const byte = (): number => Math.floor(rng() * 256);
    const samples = valid();
    for (let i = 0; i < 1500; i++) {
      for (const [name, decode] of decoders) {
        const good = samples[name];
        const random = Uint8Array.from({ length: Math.floor(rng() * 80) }, byte);
        const truncated = good.subarray(0, Math.floor(rng() * good.length));
        const garbled = good.slice();
        for (let k = 1 + Math.floor(rng() * 4); k > 0; k--) garbled[Math.floor(rng() * garbled.length)] = byte();
        for (const input of [random, truncated, garbled]) expect(() => decode(input)).not.toThrow();
      }
    }
  });

  it("refuse every truncation of a checksummed or fixed-size packet", () => {
    const samples = valid();
    for (const name of ["arp", "ipv4", "udp", "tcp"]) {
      const decode = decoders.find(([n]) => n === name)![1];
      expect(decode(samples[name])).toBeDefined();
      for (let len = 0; len < samples[name].length; len++) expect(decode(samples[name].subarray(0, len))).toBeUndefined();
    }
  });

  it("refuse any one changed byte where a checksum covers it", () => {
    const rng = seedrandom("codecs-one-byte");
    const samples = valid();
    // TCP covers every byte; IPv4 covers its header; UDP covers every byte but the checksum field
    // itself, which may turn to 0 ("no checksum").
    const covered: Array<[string, number]> = [["tcp", samples.tcp.length], ["ipv4", IPV4_HEADER], ["udp", samples.udp.length]];
    for (const [name, span] of covered) {
      const decode = decoders.find(([n]) => n === name)![1];
      for (let off = 0; off < span; off++) {
        if (name === "udp" && (off === 6 || off === 7)) continue;
        const b = samples[name].slice();
        b[off] ^= 1 + Math.floor(rng() * 255);
        expect(decode(b), `${name} byte ${off}`).toBeUndefined();
      }
    }
  });
});

describe("frames built in one buffer", () => {
  // The layer-by-layer encoders are the reference: frames.ts must give their bytes exactly.
  const rng = seedrandom("frames");
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
  const segment = (len: number) => ({
    srcPort: Math.floor(rng() * 65536), dstPort: Math.floor(rng() * 65536), seq: Math.floor(rng() * 2 ** 32), ack: Math.floor(rng() * 2 ** 32),
    flags: Math.floor(rng() * 64), window: Math.floor(rng() * 65536), payload: bytes(len),
  });
  const header = (protocol: number) => ({ src: Math.floor(rng() * 2 ** 32), dst: Math.floor(rng() * 2 ** 32), protocol, ttl: Math.floor(rng() * 256), id: Math.floor(rng() * 65536) });

  it("encodeTcpFrame equals encodeEth(encodeIpv4(encodeTcp)), in a new array and in a dirty scratch buffer", () => {
    const scratch = new Uint8Array(ETH_MAX_FRAME);
    for (const len of [0, 1, 5, 6, 7, 40, 1459, MSS, ...Array.from({ length: 40 }, () => Math.floor(rng() * (MSS + 1)))]) {
      const h = header(IPPROTO_TCP);
      const s = segment(len);
      const want = encodeEth({ dst: HOST_MAC, src: GUEST_MAC, type: ETHERTYPE_IPV4, payload: encodeIpv4({ ...h, payload: encodeTcp(s, h.src, h.dst) }) });
      expect(encodeTcpFrame(HOST_MAC, GUEST_MAC, h, s)).toEqual(want);
      scratch.set(bytes(scratch.length)); // what an earlier frame left there must not show
      const inScratch = encodeTcpFrame(HOST_MAC, GUEST_MAC, h, s, scratch);
      expect(inScratch.buffer).toBe(scratch.buffer);
      expect(Array.from(inScratch)).toEqual(Array.from(want));
    }
  });

  it("encodeTcpFrame makes a new array when the scratch buffer is too small", () => {
    const h = header(IPPROTO_TCP);
    const s = segment(100);
    const small = new Uint8Array(64);
    const f = encodeTcpFrame(HOST_MAC, GUEST_MAC, h, s, small);
    expect(f.buffer).not.toBe(small.buffer);
    expect(decodeTcp(decodeIpv4(decodeEth(f)!.payload)!.payload, h.src, h.dst)?.payload).toEqual(s.payload);
  });

  it("encodeIpv4Frame equals encodeEth(encodeIpv4)", () => {
    for (const len of [0, 8, 26, 27, 500, 1480]) {
      const p = { ...header(IPPROTO_UDP), payload: bytes(len) };
      expect(encodeIpv4Frame(GUEST_MAC, HOST_MAC, p)).toEqual(encodeEth({ dst: GUEST_MAC, src: HOST_MAC, type: ETHERTYPE_IPV4, payload: encodeIpv4(p) }));
    }
  });

  it("the checksum of a range equals that of the range's copy", () => {
    const b = bytes(300);
    for (let n = 0; n < 60; n++) {
      const start = Math.floor(rng() * 300);
      const end = start + Math.floor(rng() * (300 - start + 1));
      const initial = Math.floor(rng() * 0x3ffff);
      expect(internetChecksum(b, initial, start, end)).toBe(internetChecksum(b.slice(start, end), initial));
    }
  });
});
