/*
 * UDP datagrams (RFC 768) with the pseudo-header checksum. A computed checksum of 0 is sent as
 * 0xffff; a received checksum of 0 means the sender computed none and is accepted unchecked.
 * Decode refuses a length field shorter than the header or longer than the bytes; the payload is
 * trimmed to the length field.
 */
import { get16, put16 } from "./bytes.js";
import { internetChecksum, pseudoHeaderSum } from "./checksum.js";
import { IPPROTO_UDP } from "./ipv4.js";

export const UDP_HEADER = 8;

export interface UdpDatagram {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

/** The datagram's bytes with its checksum over the pseudo-header for srcIp -> dstIp. */
export function encodeUdp(d: UdpDatagram, srcIp: number, dstIp: number): Uint8Array {
  const b = new Uint8Array(UDP_HEADER + d.payload.length);
  put16(b, 0, d.srcPort);
  put16(b, 2, d.dstPort);
  put16(b, 4, b.length);
  b.set(d.payload, UDP_HEADER);
  const sum = internetChecksum(b, pseudoHeaderSum(srcIp, dstIp, IPPROTO_UDP, b.length));
  put16(b, 6, sum === 0 ? 0xffff : sum);
  return b;
}

/** The datagram (payload a view into b), or undefined if malformed or its non-zero checksum is wrong. */
export function decodeUdp(b: Uint8Array, srcIp: number, dstIp: number): UdpDatagram | undefined {
  if (b.length < UDP_HEADER) return undefined;
  const len = get16(b, 4);
  if (len < UDP_HEADER || len > b.length) return undefined;
  const d = b.subarray(0, len);
  if (get16(b, 6) !== 0 && internetChecksum(d, pseudoHeaderSum(srcIp, dstIp, IPPROTO_UDP, len)) !== 0) return undefined;
  return { srcPort: get16(b, 0), dstPort: get16(b, 2), payload: b.subarray(UDP_HEADER, len) };
}
