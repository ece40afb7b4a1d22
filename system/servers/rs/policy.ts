/*
 * RS policy, as pure functions of time: when to ping, when a silent service counts as hung,
 * and how long to wait before restarting a service that keeps failing. The times come from the
 * caller (emulated ticks), never from a clock.
 */
import type { RsService } from "./types.js";

/** MINIX: the first restart is immediate; then min(2^restarts, 30) units. */
export function backoffTicks(restarts: number, unit: number): number {
  return restarts === 0 ? 0 : Math.min(2 ** restarts, 30) * unit;
}

/** A service is hung when it has not answered for two heartbeat periods. */
export const isHung = (s: RsService, now: number): boolean => s.period > 0 && now - s.lastReply >= 2 * s.period;

/** Time to ping again: one period since the last ping. */
export const pingDue = (s: RsService, now: number): boolean => s.period > 0 && now - s.lastPing >= s.period;
