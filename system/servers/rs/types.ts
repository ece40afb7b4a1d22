/*
 * The reincarnation server's data: the services composition gives it, what the harness sees of
 * its table (which lives in RS's memory, table.ts), and its event log.
 */
import type { ServiceConf } from "../../kernel/service.js";

/** A service RS manages: what to start and how to watch it. */
export interface ManagedService {
  conf: ServiceConf;
  /** Heartbeat period in clock ticks (MINIX `-period`); 0 = no heartbeat. */
  period: number;
  /** Restart on failure (MINIX default), or leave it dead. */
  restart: boolean;
  /**
   * Drop what the service kept in DS when it fails, so its next incarnation starts without it
   * (a build without stateful recovery); MINIX keeps it (false).
   */
  dropState?: boolean;
}

/** One slot of RS's service table as read from its memory (table.ts rsServices). */
export interface RsService {
  slot: number;
  label: string;
  /** "corrupt" when the status word holds none of the three. */
  status: "up" | "down" | "dead" | "corrupt";
  /** Current endpoint; NONE while down. */
  endpoint: number;
  period: number;
  restart: boolean;
  /** Tick of the last ping sent and the last heartbeat reply received. */
  lastPing: number;
  lastReply: number;
  /** Restarts so far. */
  restarts: number;
  /** Tick at which a pending restart is due (backoff); -1 when none. */
  restartAt: number;
  /** Cycle at which the current failure was detected; -1 when healthy. */
  failedAt: number;
  /** Cycle at which the restarted service announced itself up, for recovery time. */
  recoveredAt: number;
  /** The service entry it restarts the service with, or why the record is not one. */
  entry: ServiceConf | string;
}

export interface RsEvent {
  /** Cycle. */
  at: number;
  label: string;
  kind: "crash" | "exit" | "hang" | "killed" | "restart" | "restart-failed" | "up" | "dead";
  detail: string;
  /** For "up" after a failure: cycles from detection to the service's announcement. */
  recoveryCycles?: number;
}

/**
 * RS's host-side state: only its event log. The log is what the harness observes of RS (run.ts
 * copies it into the observations), like a console log; RS writes it and never reads it, so no
 * decision depends on it and a wild write need not reach it. Everything RS decides from is in
 * its memory (table.ts).
 */
export interface RsState {
  events: RsEvent[];
}
