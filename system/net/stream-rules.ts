/*
 * The stream protocol's shared constants and sequence arithmetic: both ends (the guest's network
 * server and the remote host) obey them. The protocol is TCP's core: three-way handshake,
 * cumulative ACKs, a receive window, go-back-N retransmission on timeout with a doubling RTO
 * (reset to RTO_INITIAL_MS on progress), FIN both ways, RST for segments to no connection. No
 * options (so no MSS option: MSS is fixed), no congestion control, no urgent data, no delayed ACK.
 */

/** Bytes of payload per segment. */
export const MSS = 1460;
/** First retransmission timeout; each timeout doubles it up to RTO_MAX_MS. */
export const RTO_INITIAL_MS = 20;
export const RTO_MAX_MS = 1000;
/** Timeouts in a row without progress after which the connection is reset (ETIMEDOUT). */
export const MAX_RETRANSMITS = 12;
/** Advertised receive window when the receive buffer is empty. */
export const WINDOW = 16384;

/** a < b in modulo-2^32 sequence space. */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** a <= b in modulo-2^32 sequence space. */
export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}
