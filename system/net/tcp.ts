/*
 * The stream protocol's segment: a TCP header (RFC 793) without options — data offset 5, no
 * urgent pointer — and its payload, checksummed with the pseudo-header. Decode refuses a data
 * offset other than 5 (this network sends no options) and a bad checksum. The segment is the
 * whole IP payload, so its length comes from the IP layer.
 */
import { get16, get32, put16, put32 } from "./bytes.js";
import { internetChecksum, pseudoHeaderSum } from "./checksum.js";
import { IPPROTO_TCP } from "./ipv4.js";

export const TCP_HEADER = 20;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
const TCP_FLAGS_MASK = 0x3f; // URG is accepted on the wire but means nothing here
const DATA_OFFSET_5 = 5 << 4;

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  payload: Uint8Array;
}

/** The segment's bytes with its checksum over the pseudo-header for srcIp -> dstIp. */
export function encodeTcp(s: TcpSegment, srcIp: number, dstIp: number): Uint8Array {
  const b = new Uint8Array(TCP_HEADER + s.payload.length);
  putTcp(b, 0, s, srcIp, dstIp);
  return b;
}

/** Writes segment s (header, payload, checksum for srcIp -> dstIp) at b[off, off + TCP_HEADER + payload length). */
export function putTcp(b: Uint8Array, off: number, s: TcpSegment, srcIp: number, dstIp: number): void {
  const length = TCP_HEADER + s.payload.length;
  put16(b, off, s.srcPort);
  put16(b, off + 2, s.dstPort);
  put32(b, off + 4, s.seq);
  put32(b, off + 8, s.ack);
  b[off + 12] = DATA_OFFSET_5;
  b[off + 13] = s.flags & TCP_FLAGS_MASK;
  put16(b, off + 14, s.window);
  put16(b, off + 16, 0);
  put16(b, off + 18, 0);
  b.set(s.payload, off + TCP_HEADER);
  put16(b, off + 16, internetChecksum(b, pseudoHeaderSum(srcIp, dstIp, IPPROTO_TCP, length), off, off + length));
}

/** The segment (payload a view into b), or undefined if too short, carrying options, or badly checksummed. */
export function decodeTcp(b: Uint8Array, srcIp: number, dstIp: number): TcpSegment | undefined {
  if (b.length < TCP_HEADER || (b[12] & 0xf0) !== DATA_OFFSET_5) return undefined;
  if (internetChecksum(b, pseudoHeaderSum(srcIp, dstIp, IPPROTO_TCP, b.length)) !== 0) return undefined;
  return {
    srcPort: get16(b, 0),
    dstPort: get16(b, 2),
    seq: get32(b, 4),
    ack: get32(b, 8),
    flags: b[13] & TCP_FLAGS_MASK,
    window: get16(b, 14),
    payload: b.subarray(TCP_HEADER),
  };
}
