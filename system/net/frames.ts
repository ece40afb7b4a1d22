/*
 * Whole frames for an IPv4 packet, built in one buffer: the same bytes as encodeEth around
 * encodeIpv4 (around encodeTcp), without a new array and a copy of the payload per layer. Every
 * stream segment either end sends is built here, so the copies were a per-frame host cost.
 */
import type { Mac } from "./addr.js";
import { ETH_HEADER, ETHERTYPE_IPV4, ethFrameLength, putEthHeader } from "./ethernet.js";
import { IPV4_HEADER, putIpv4Header, type Ipv4Header, type Ipv4Packet } from "./ipv4.js";
import { putTcp, TCP_HEADER, type TcpSegment } from "./tcp.js";

/** The bytes of encodeEth({ dst, src, type: ETHERTYPE_IPV4, payload: encodeIpv4(p) }). */
export function encodeIpv4Frame(dst: Mac, src: Mac, p: Ipv4Packet): Uint8Array {
  const b = new Uint8Array(ethFrameLength(IPV4_HEADER + p.payload.length));
  putEthHeader(b, dst, src, ETHERTYPE_IPV4);
  putIpv4Header(b, ETH_HEADER, p, p.payload.length);
  b.set(p.payload, ETH_HEADER + IPV4_HEADER);
  return b;
}

/**
 * The bytes of encodeIpv4Frame(dst, src, { ...h, payload: encodeTcp(s, h.src, h.dst) }), h.protocol
 * TCP's. Built in `scratch` when it is large enough (the result is then a view of it, valid until
 * its next use: for a caller that copies the frame at once), else in a new array.
 */
export function encodeTcpFrame(dst: Mac, src: Mac, h: Ipv4Header, s: TcpSegment, scratch?: Uint8Array): Uint8Array {
  const tcpLength = TCP_HEADER + s.payload.length;
  const len = ethFrameLength(IPV4_HEADER + tcpLength);
  const b = scratch && scratch.length >= len ? scratch.subarray(0, len) : new Uint8Array(len);
  b.fill(0, ETH_HEADER + IPV4_HEADER + tcpLength); // the padding of a short frame
  putEthHeader(b, dst, src, ETHERTYPE_IPV4);
  putIpv4Header(b, ETH_HEADER, h, tcpLength);
  putTcp(b, ETH_HEADER + IPV4_HEADER, s, h.src, h.dst);
  return b;
}
