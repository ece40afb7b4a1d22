/*
 * The Internet checksum (RFC 1071): the one's-complement of the one's-complement sum of the data
 * as 16-bit big-endian words, an odd last byte padded with zero. `initial` is a partial sum to
 * start from (a pseudo-header's, see pseudoHeaderSum), so TCP and UDP need no copy.
 */

/** One's-complement sum of `bytes` added to `initial`, folded to 16 bits (not complemented). */
export function onesSum(bytes: Uint8Array, initial = 0): number {
  let sum = initial >>> 0;
  const n = bytes.length & ~1;
  for (let i = 0; i < n; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length & 1) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** RFC 1071 checksum of `bytes` (16-bit result); 0 when verifying data that carries a right checksum. */
export function internetChecksum(bytes: Uint8Array, initial = 0): number {
  return ~onesSum(bytes, initial) & 0xffff;
}

/** Partial sum of the TCP/UDP pseudo-header: source, destination, protocol, length. */
export function pseudoHeaderSum(srcIp: number, dstIp: number, protocol: number, length: number): number {
  const words = [srcIp >>> 16, srcIp & 0xffff, dstIp >>> 16, dstIp & 0xffff, protocol & 0xff, length & 0xffff];
  return words.reduce((a, w) => a + w, 0);
}
