/*
 * The far end of the wire: what a host plugged into it (the remote host, system/net/remote-host.ts)
 * offers the wire, and what the wire offers it. Frames crossing this interface carry no FCS: the
 * wire appends it to the peer's frames and checks and strips it from frames for the peer.
 */

/** What the wire offers the peer plugged into its far end. */
export interface PeerPort {
  /** Sends a frame (without FCS) towards the NIC; the wire schedules its arrival (with a copy: the peer may reuse the array). */
  transmit(frame: Uint8Array): void;
}

/** A host on the far end of the wire (the remote host). All time is in emulated cycles. */
export interface NetPeer {
  attach(port: PeerPort): void;
  /** A frame (FCS checked and stripped) arrives at cycle `now`; the peer copies what it keeps of it. */
  receive(frame: Uint8Array, now: number): void;
  /** The cycle at which the peer next wants onTimer (retransmission etc.), or -1 for none. */
  nextTimer(): number;
  onTimer(now: number): void;
  /** Plain-data state (typed arrays allowed), for machine snapshots and the state hash. */
  snapshot(): unknown;
  restore(snap: unknown): void;
  readonly state: unknown;
  /** What it witnessed, for the oracle (JSON-cloneable; typed arrays allowed). */
  record(): unknown;
}
