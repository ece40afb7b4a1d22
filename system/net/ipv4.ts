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

export interface Ipv4Packet {
  src: number;
  dst: number;
  protocol: number;
  ttl: number;
  id: number;
  payload: Uint8Array;
}

/** The packet's bytes with a correct header checksum. Assumes the payload fits in 65515 bytes. */
export function encodeIpv4(p: Ipv4Packet): Uint8Array {
  const b = new Uint8Array(IPV4_HEADER + p.payload.length);
  b[0] = VERSION_IHL;
  put16(b, 2, b.length);
  put16(b, 4, p.id);
  put16(b, 6, IP_DF);
  b[8] = p.ttl;
  b[9] = p.protocol;
  put32(b, 12, p.src);
  put32(b, 16, p.dst);
  put16(b, 10, internetChecksum(b.subarray(0, IPV4_HEADER)));
  b.set(p.payload, IPV4_HEADER);
  return b;
}

/** The packet (payload copied and trimmed to the total length), or undefined if malformed. */
export function decodeIpv4(b: Uint8Array): Ipv4Packet | undefined {
  if (b.length < IPV4_HEADER || b[0] !== VERSION_IHL) return undefined;
  const total = get16(b, 2);
  if (total < IPV4_HEADER || total > b.length) return undefined;
  const frag = get16(b, 6);
  if (frag & (IP_MF | IP_OFFSET_MASK)) return undefined;
  if (internetChecksum(b.subarray(0, IPV4_HEADER)) !== 0) return undefined;
  return {
    src: get32(b, 12),
    dst: get32(b, 16),
    protocol: b[9],
    ttl: b[8],
    id: get16(b, 4),
    payload: b.slice(IPV4_HEADER, total),
  };
}
