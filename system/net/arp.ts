/*
 * ARP for IPv4 over Ethernet (RFC 826): hardware type 1, protocol 0x0800, lengths 6 and 4, an
 * operation (request or reply), then sender and target MAC/IP. Decode refuses any other hardware
 * or protocol type; trailing bytes (Ethernet padding) are ignored.
 */
import { MAC_LEN, type Mac } from "./addr.js";
import { get16, get32, put16, put32 } from "./bytes.js";
import { ETHERTYPE_IPV4 } from "./ethernet.js";

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;
export const ARP_PACKET = 28;
const HTYPE_ETHERNET = 1;

export interface ArpPacket {
  op: number;
  senderMac: Mac;
  senderIp: number;
  targetMac: Mac;
  targetIp: number;
}

/** The 28-byte ARP packet. */
export function encodeArp(p: ArpPacket): Uint8Array {
  const b = new Uint8Array(ARP_PACKET);
  put16(b, 0, HTYPE_ETHERNET);
  put16(b, 2, ETHERTYPE_IPV4);
  b[4] = MAC_LEN;
  b[5] = 4;
  put16(b, 6, p.op);
  b.set(p.senderMac.subarray(0, MAC_LEN), 8);
  put32(b, 14, p.senderIp);
  b.set(p.targetMac.subarray(0, MAC_LEN), 18);
  put32(b, 24, p.targetIp);
  return b;
}

/** The packet, or undefined if too short, not Ethernet/IPv4, or the operation is not request/reply. */
export function decodeArp(b: Uint8Array): ArpPacket | undefined {
  if (b.length < ARP_PACKET) return undefined;
  if (get16(b, 0) !== HTYPE_ETHERNET || get16(b, 2) !== ETHERTYPE_IPV4 || b[4] !== MAC_LEN || b[5] !== 4) return undefined;
  const op = get16(b, 6);
  if (op !== ARP_REQUEST && op !== ARP_REPLY) return undefined;
  return {
    op,
    senderMac: b.slice(8, 14),
    senderIp: get32(b, 14),
    targetMac: b.slice(18, 24),
    targetIp: get32(b, 24),
  };
}
