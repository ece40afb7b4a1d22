/*
 * The remote host's stream services, as what they do with a connection's bytes:
 *   echo (port 7)    sends back every byte received; closes after the client's FIN
 *   sink (port 9)    keeps every byte (the connection's `inp` does); closes after the client's FIN
 *   source (port 19) reads an 8-byte request (u32 length, u32 seed, little-endian), sends
 *                    sourceBytes(seed, length), then closes
 * A source length over SOURCE_MAX is clamped to it: the guest may ask for anything, and the host
 * must not try to hold gigabytes.
 */
import { appendBytes } from "./bytebuf.js";
import type { StreamConn } from "./remote-stream.js";

export type StreamService = "echo" | "sink" | "source";

export const PORT_ECHO = 7;
export const PORT_SINK = 9;
export const PORT_SOURCE = 19;
export const SOURCE_REQUEST = 8;
export const SOURCE_MAX = 4 << 20;

/**
 * The source service's bytes: an xorshift32 generator (x ^= x << 13; x ^= x >>> 17; x ^= x << 5)
 * started from (seed ^ 0x9e3779b9) or 1 if that is 0; each step gives four bytes, low byte first.
 * A shorter length is a prefix of a longer one.
 */
export function sourceBytes(seed: number, length: number): Uint8Array {
  const b = new Uint8Array(Math.max(0, length));
  let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < b.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    for (let k = 0; k < 4 && i + k < b.length; k++) b[i + k] = (x >>> (8 * k)) & 0xff;
  }
  return b;
}

/** Fresh in-order bytes arrived on c (already appended to c.inp). */
export function onStreamData(c: StreamConn, fresh: Uint8Array): void {
  if (c.service === "echo") appendBytes(c.out, fresh);
  else if (c.service === "source" && !c.sourceQueued && c.inp.len >= SOURCE_REQUEST) queueSource(c);
}

/** The client's FIN arrived on c: every service closes its side (source once its bytes are queued). */
export function onStreamFin(c: StreamConn): void {
  c.finQueued = true;
}

function queueSource(c: StreamConn): void {
  const d = c.inp.data;
  const le32 = (o: number): number => (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0;
  appendBytes(c.out, sourceBytes(le32(4), Math.min(le32(0), SOURCE_MAX)));
  c.sourceQueued = true;
  c.finQueued = true;
}
