/* The reincarnation server's state: its services, their health, and its event log (plain data). */
import type { ServiceConf } from "../../kernel/service.js";

/** A service RS manages: what to start and how to watch it. */
export interface ManagedService {
  conf: ServiceConf;
  /** Heartbeat period in clock ticks (MINIX `-period`); 0 = no heartbeat. */
  period: number;
  /** Restart on failure (MINIX default), or leave it dead. */
  restart: boolean;
}

export interface RsService extends ManagedService {
  label: string;
  /** Current endpoint; NONE while down. */
  endpoint: number;
  status: "up" | "down" | "dead";
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

export interface RsState {
  services: RsService[];
  /** How often RS checks heartbeats and due restarts, in ticks (MINIX RS_DELTA_T). */
  checkTicks: number;
  /** Unit of the restart backoff, in ticks (MINIX: one second). */
  backoffUnit: number;
  events: RsEvent[];
}
