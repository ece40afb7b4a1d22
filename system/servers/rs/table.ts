/*
 * RS's tables as they lie in its memory region (guest RAM), and typed accessors over them. RS
 * keeps no other copy: whom it pings, when it declares a hang, whether and when it restarts a
 * service and with what entry are all read from here, so a wild write into the region has the
 * consequence it would have in MINIX (no pings, no restart, the wrong thing restarted).
 *
 *   region address
 *   0x0000 +--------------------------------+
 *          | native runtime: inbox, call    |  native.ts
 *          | buffer, grant table            |
 *   0x2000 +--------------------------------+ RS_TABLE (= NATIVE_HEAP)
 *          | header: configuration          |  RS_HDR, 64 bytes
 *   0x2040 +--------------------------------+ RS_SLOTS
 *          | service table                  |  NR_RS_SERVICES × RP_SIZE (16 × 512): MINIX struct rproc,
 *          |                                |  each with the service entry it is (re)started from
 *   0x4040 +--------------------------------+ RS_END
 *          |   (free)                       |
 *
 * A slot: rproc fields at RP (flags, status, endpoint, heartbeat period, last ping/reply ticks,
 * restarts, restartAt in ticks, failedAt/recoveredAt in cycles as 64-bit words), then at RP.entry
 * the service-entry record (service-record.ts, SE_SIZE bytes). The service's label is the
 * entry's. Slots are filled in the order composition lists the services; RS visits them in
 * slot order.
 *
 * RS's event log is not here: it is the harness's observation of RS (like a console log), kept
 * host-side in RsState (types.ts) and never read by RS.
 */
import { NONE } from "../../kernel/abi.js";
import { NATIVE_HEAP } from "../../kernel/native.js";
import { rdI32, rdI64, rdStr, rdU32, wr32, wrI64 } from "../mem.js";
import { decodeService, encodeService, SE, SE_LABEL_LEN } from "./service-record.js";
import type { ManagedService, RsService } from "./types.js";

export const RS_TABLE = NATIVE_HEAP;
/** Header fields: RS's configuration. */
export const RS_HDR = {
  checkTicks: 0, // how often RS checks heartbeats and due restarts, in ticks (MINIX RS_DELTA_T)
  backoffUnit: 4, // unit of the restart backoff, in ticks (MINIX: one second)
} as const;

export const NR_RS_SERVICES = 16;
export const RS_SLOTS = RS_TABLE + 0x40;
export const RP_SIZE = 512;
/** Field offsets of a slot (MINIX struct rproc). */
export const RP = {
  flags: 0, // RP_IN_USE | RP_RESTART | RP_DROP_STATE
  status: 4, // RP_DOWN, RP_UP, RP_DEAD
  endpoint: 8, // current endpoint; NONE while down
  period: 12, // heartbeat period in ticks (MINIX -period); 0 = no heartbeat
  lastPing: 16, // tick of the last ping sent
  lastReply: 20, // tick of the last heartbeat reply
  restarts: 24, // restarts so far
  restartAt: 28, // tick at which a pending restart is due; -1 = none
  failedAt: 32, // 64-bit: cycle at which the current failure was detected; -1 = healthy
  recoveredAt: 40, // 64-bit: cycle at which the restarted service announced itself
  entry: 64, // the service entry (SE_SIZE bytes)
} as const;
export const RS_END = RS_SLOTS + NR_RS_SERVICES * RP_SIZE;

export const RP_IN_USE = 1;
/** Restart on failure (MINIX's default), or leave it dead. */
export const RP_RESTART = 2;
/** On failure, have DS drop every entry the service owns (no state across restarts). */
export const RP_DROP_STATE = 4;
export const RP_DOWN = 0;
export const RP_UP = 1;
export const RP_DEAD = 2;

export const slotOff = (i: number): number => RS_SLOTS + i * RP_SIZE;
export const slotInUse = (t: Uint8Array, i: number): boolean => (rdU32(t, slotOff(i) + RP.flags) & RP_IN_USE) !== 0;
export const slotLabel = (t: Uint8Array, i: number): string => rdStr(t, slotOff(i) + RP.entry + SE.label, SE_LABEL_LEN);

/** Typed fields of slot i. */
export const rp = {
  get: (t: Uint8Array, i: number, f: number): number => rdI32(t, slotOff(i) + f),
  getU: (t: Uint8Array, i: number, f: number): number => rdU32(t, slotOff(i) + f),
  set: (t: Uint8Array, i: number, f: number, v: number): void => wr32(t, slotOff(i) + f, v),
  get64: (t: Uint8Array, i: number, f: number): number => rdI64(t, slotOff(i) + f),
  set64: (t: Uint8Array, i: number, f: number, v: number): void => wrI64(t, slotOff(i) + f, v),
};

/** RS's first act: its configuration and one slot per service (fitting: serviceRecordError), all down. */
export function formatRs(t: Uint8Array, services: ManagedService[], checkTicks: number, backoffUnit: number): void {
  t.fill(0, RS_TABLE, RS_END);
  wr32(t, RS_TABLE + RS_HDR.checkTicks, checkTicks);
  wr32(t, RS_TABLE + RS_HDR.backoffUnit, backoffUnit);
  services.forEach((s, i) => {
    rp.set(t, i, RP.flags, RP_IN_USE | (s.restart ? RP_RESTART : 0) | (s.dropState ? RP_DROP_STATE : 0));
    rp.set(t, i, RP.status, RP_DOWN);
    rp.set(t, i, RP.endpoint, NONE);
    rp.set(t, i, RP.period, s.period);
    rp.set(t, i, RP.restartAt, -1);
    rp.set64(t, i, RP.failedAt, -1);
    rp.set64(t, i, RP.recoveredAt, -1);
    encodeService(t, slotOff(i) + RP.entry, s.conf);
  });
}

export const rsConfig = (t: Uint8Array, f: number): number => rdU32(t, RS_TABLE + f);

/** Sets a configuration field (RS_HDR), e.g. from a test: RS reads it at its next decision. */
export function setRsConfig(t: Uint8Array, f: number, v: number): void {
  wr32(t, RS_TABLE + f, v);
}

/** The slot in use whose endpoint is `ep`, or -1. */
export function findByEndpoint(t: Uint8Array, ep: number): number {
  for (let i = 0; i < NR_RS_SERVICES; i++) if (slotInUse(t, i) && rp.get(t, i, RP.endpoint) === ep) return i;
  return -1;
}

const STATUS: Record<number, RsService["status"]> = { [RP_DOWN]: "down", [RP_UP]: "up", [RP_DEAD]: "dead" };

/** What RS believes about its services, in slot order (for observations and tests; a region too small has none). */
export function rsServices(t: Uint8Array): RsService[] {
  const out: RsService[] = [];
  if (t.length < RS_END) return out;
  for (let i = 0; i < NR_RS_SERVICES; i++) {
    if (!slotInUse(t, i)) continue;
    const entry = decodeService(t, slotOff(i) + RP.entry);
    out.push({
      slot: i,
      label: slotLabel(t, i),
      status: STATUS[rp.getU(t, i, RP.status)] ?? "corrupt",
      endpoint: rp.get(t, i, RP.endpoint),
      period: rp.getU(t, i, RP.period),
      restart: (rp.getU(t, i, RP.flags) & RP_RESTART) !== 0,
      lastPing: rp.get(t, i, RP.lastPing),
      lastReply: rp.get(t, i, RP.lastReply),
      restarts: rp.getU(t, i, RP.restarts),
      restartAt: rp.get(t, i, RP.restartAt),
      failedAt: rp.get64(t, i, RP.failedAt),
      recoveredAt: rp.get64(t, i, RP.recoveredAt),
      entry: entry.ok ? entry.conf : entry.error,
    });
  }
  return out;
}

/** The slot of service `label`, or -1 (for tests that corrupt it). */
export function rsSlot(t: Uint8Array, label: string): number {
  for (let i = 0; i < NR_RS_SERVICES; i++) if (slotInUse(t, i) && slotLabel(t, i) === label) return i;
  return -1;
}

/** The region address of the service entry of slot i. */
export const entryAt = (i: number): number => slotOff(i) + RP.entry;
