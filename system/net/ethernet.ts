/*
 * Ethernet II frames without the FCS (the NIC and the wire add and check it): destination MAC,
 * source MAC, EtherType, payload. Frames shorter than the 60-byte minimum are zero-padded on
 * encode; decode keeps the padding in the payload, since only the layer above knows its length.
 */
import { MAC_LEN, type Mac } from "./addr.js";
import { get16, put16 } from "./bytes.js";

export const ETH_HEADER = 14;
export const ETH_MIN_FRAME = 60;
export const ETH_MAX_FRAME = 1514;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;

export interface EthFrame {
  dst: Mac;
  src: Mac;
  type: number;
  payload: Uint8Array;
}

/** The frame's bytes, zero-padded to ETH_MIN_FRAME. Assumes 6-byte MACs and a payload that fits. */
export function encodeEth(f: EthFrame): Uint8Array {
  const b = new Uint8Array(ethFrameLength(f.payload.length));
  putEthHeader(b, f.dst, f.src, f.type);
  b.set(f.payload, ETH_HEADER);
  return b;
}

/** Bytes of a frame carrying `payloadLength` bytes: header and payload, at least ETH_MIN_FRAME. */
export const ethFrameLength = (payloadLength: number): number => Math.max(ETH_MIN_FRAME, ETH_HEADER + payloadLength);

/** Writes a frame's header (destination, source, EtherType) at the start of b. */
export function putEthHeader(b: Uint8Array, dst: Mac, src: Mac, type: number): void {
  // Byte by byte: six bytes each, where set(subarray()) costs a view object per address.
  for (let i = 0; i < MAC_LEN; i++) {
    b[i] = dst[i];
    b[MAC_LEN + i] = src[i];
  }
  put16(b, 12, type);
}

/**
 * The frame in b, or undefined when b is shorter than a header or longer than ETH_MAX_FRAME.
 * Addresses and payload are views into b (no copy: every caller copies what it keeps).
 */
export function decodeEth(b: Uint8Array): EthFrame | undefined {
  if (b.length < ETH_HEADER || b.length > ETH_MAX_FRAME) return undefined;
  return {
    dst: b.subarray(0, MAC_LEN),
    src: b.subarray(MAC_LEN, 2 * MAC_LEN),
    type: get16(b, 12),
    payload: b.subarray(ETH_HEADER),
  };
}
