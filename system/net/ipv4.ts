/*
 * IPv4 packets as this network uses them (RFC 791): a 20-byte header without options, DF set and
 * never fragmented. Decode refuses a wrong version or IHL, a total length that is shorter than the
 * header or longer than the bytes, a fragment (MF or an offset), and a bad header checksum; the
 * payload is trimmed to the total length (dropping Ethernet padding).
 */
import { get16, get32, put16, put32 } from "./bytes.js";
import { internetChecksum } from "./checksum.js";

export const IPV4_HEADER = 20;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IP_DF = 0x4000;
const IP_MF = 0x2000;
const IP_OFFSET_MASK = 0x1fff;
const VERSION_IHL = 0x45;

/** A packet's header fields. */
export interface Ipv4Header {
  src: number;
  dst: number;
  protocol: number;
  ttl: number;
  id: number;
}

export interface Ipv4Packet extends Ipv4Header {
  payload: Uint8Array;
}

/** The packet's bytes with a correct header checksum. Assumes the payload fits in 65515 bytes. */
export function encodeIpv4(p: Ipv4Packet): Uint8Array {
  const b = new Uint8Array(IPV4_HEADER + p.payload.length);
  putIpv4Header(b, 0, p, p.payload.length);
  b.set(p.payload, IPV4_HEADER);
  return b;
}

/** Writes the header of packet h with `payloadLength` bytes of payload at b[off, off + IPV4_HEADER), with its checksum. */
export function putIpv4Header(b: Uint8Array, off: number, h: Ipv4Header, payloadLength: number): void {
  b[off] = VERSION_IHL;
  b[off + 1] = 0;
  put16(b, off + 2, IPV4_HEADER + payloadLength);
  put16(b, off + 4, h.id);
  put16(b, off + 6, IP_DF);
  b[off + 8] = h.ttl;
  b[off + 9] = h.protocol;
  put16(b, off + 10, 0);
  put32(b, off + 12, h.src);
  put32(b, off + 16, h.dst);
  put16(b, off + 10, internetChecksum(b, 0, off, off + IPV4_HEADER));
}

/** The packet (payload a view into b, trimmed to the total length), or undefined if malformed. */
export function decodeIpv4(b: Uint8Array): Ipv4Packet | undefined {
  if (b.length < IPV4_HEADER || b[0] !== VERSION_IHL) return undefined;
  const total = get16(b, 2);
  if (total < IPV4_HEADER || total > b.length) return undefined;
  const frag = get16(b, 6);
  if (frag & (IP_MF | IP_OFFSET_MASK)) return undefined;
  if (internetChecksum(b, 0, 0, IPV4_HEADER) !== 0) return undefined;
  return {
    src: get32(b, 12),
    dst: get32(b, 16),
    protocol: b[9],
    ttl: b[8],
    id: get16(b, 4),
    payload: b.subarray(IPV4_HEADER, total),
  };
}
