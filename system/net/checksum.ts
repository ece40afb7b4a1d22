/*
 * The Internet checksum (RFC 1071): the one's-complement of the one's-complement sum of the data
 * as 16-bit big-endian words, an odd last byte padded with zero. `initial` is a partial sum to
 * start from (a pseudo-header's, see pseudoHeaderSum), so TCP and UDP need no copy.
 */

/** One's-complement sum of bytes [start, end) of `bytes` added to `initial`, folded to 16 bits (not complemented). */
export function onesSum(bytes: Uint8Array, initial = 0, start = 0, end = bytes.length): number {
  let sum = initial >>> 0;
  let i = start;
  // Four words a step (every segment is summed when built and when checked, at both ends).
  for (; i + 8 <= end; i += 8)
    sum += ((bytes[i] << 8) | bytes[i + 1]) + ((bytes[i + 2] << 8) | bytes[i + 3]) + ((bytes[i + 4] << 8) | bytes[i + 5]) + ((bytes[i + 6] << 8) | bytes[i + 7]);
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if ((end - start) & 1) sum += bytes[end - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** RFC 1071 checksum of bytes [start, end) of `bytes` (16-bit result); 0 when verifying data that carries a right checksum. */
export function internetChecksum(bytes: Uint8Array, initial = 0, start = 0, end = bytes.length): number {
  return ~onesSum(bytes, initial, start, end) & 0xffff;
}

/** Partial sum of the TCP/UDP pseudo-header: source, destination, protocol, length. */
export function pseudoHeaderSum(srcIp: number, dstIp: number, protocol: number, length: number): number {
  return (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff) + (protocol & 0xff) + (length & 0xffff);
}
