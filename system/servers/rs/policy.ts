/*
 * RS policy, as pure functions of time: when to ping, when a silent service counts as hung,
 * and how long to wait before restarting a service that keeps failing. The times come from the
 * caller (emulated ticks, read with the service's fields from RS's table), never from a clock.
 */

/** MINIX: the first restart is immediate; then min(2^restarts, 30) units. */
export function backoffTicks(restarts: number, unit: number): number {
  return restarts === 0 ? 0 : Math.min(2 ** restarts, 30) * unit;
}

/** A service is hung when it has not answered for two heartbeat periods. */
export const isHung = (period: number, lastReply: number, now: number): boolean => period > 0 && now - lastReply >= 2 * period;

/** Time to ping again: one period since the last ping. */
export const pingDue = (period: number, lastPing: number, now: number): boolean => period > 0 && now - lastPing >= period;
