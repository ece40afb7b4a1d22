/*
 * The network server's host-side state (plain data): statistics and the event log, observations
 * the harness and reports read. Everything the server decides on lies in its memory region
 * (memory.ts). Requests wait in RAM too, one per socket (SOCK.req*), so there is no host queue.
 */
import type { NativeApi } from "../../kernel/native.js";

export interface NetStats {
  requests: number;
  /** Replies with an error status, by error name. */
  errors: Record<string, number>;
  framesIn: number;
  framesOut: number;
  /** Frames that could not be sent: no driver, no free transmit buffer, destination unresolved. */
  framesDropped: number;
  /** Frames received that do not decode, are not for us, or carry an unknown protocol. */
  badFrames: number;
  arpRequests: number;
  arpReplies: number;
  /** NDEV_INITs sent to a driver (the first one, then one per recovery). */
  driverInits: number;
  /** Sends to the driver that failed (EDEADSRCDST...): the driver was marked down. */
  driverLosses: number;
  /** New driver endpoints announced while one was known: configuration replayed. */
  recoveries: number;
  /** Requests outstanding at an old driver, dropped on recovery or loss. */
  outstandingDropped: number;
  /** recovery=shadow: sends outstanding at a failed driver, sent again to its successor (absent until the first: a minix-mode state is as before). */
  replayedSends?: number;
  /** Driver replies with an error status. */
  driverErrors: number;
  segmentsIn: number;
  segmentsOut: number;
  retransmits: number;
  /** Connections reset: by a RST from the peer, or by retransmissions running out. */
  resets: number;
  timeouts: number;
  /** RSTs sent to segments for no connection. */
  rstsSent: number;
  udpIn: number;
  udpOut: number;
  /** Datagrams dropped: receive queue full, or no socket on that port. */
  udpDropped: number;
}

export interface NetState {
  stats: NetStats;
  /** What happened to the driver and the connections, for reports (at: cycle). Bounded. */
  log: Array<{ at: number; what: string }>;
}

export type Api = NativeApi<NetState>;

export function newNetState(): NetState {
  return {
    stats: {
      requests: 0, errors: {}, framesIn: 0, framesOut: 0, framesDropped: 0, badFrames: 0, arpRequests: 0, arpReplies: 0, driverInits: 0,
      driverLosses: 0, recoveries: 0, outstandingDropped: 0, driverErrors: 0, segmentsIn: 0, segmentsOut: 0, retransmits: 0, resets: 0,
      timeouts: 0, rstsSent: 0, udpIn: 0, udpOut: 0, udpDropped: 0,
    },
    log: [],
  };
}

/** Notes an event in the log (the last 200); `loud` ones go to the console too. */
export function note(k: Api, what: string, loud = false): void {
  if (loud) k.log(what);
  const log = k.state.log;
  log.push({ at: k.now(), what });
  if (log.length > 200) log.splice(0, log.length - 200);
}
