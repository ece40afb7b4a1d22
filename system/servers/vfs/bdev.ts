/*
 * VFS's side of the block-device protocol and its recovery, after MINIX's libbdev. One block
 * I/O at a time: grant the buffer to the driver, sendrec BDEV_READ/BDEV_WRITE, check the
 * BDEV_REPLY. The driver is found through DS: it publishes "drv.blk.<label>" = DS_DRIVER_UP when
 * it is initialised (at boot and after every restart by RS). When the driver dies under an I/O
 * (EDEADSRCDST) or is not there, VFS waits for its next announcement, reopens the device
 * (BDEV_OPEN) and sends the I/O again — up to MAX_DRIVER_TRIES driver failures per I/O, and
 * for at most `waitTicks` per wait; then the request fails with EIO, and so does every later
 * request that needs the disk, until the driver announces itself again. In recovery=restart
 * (Nooks without shadows, ../recovery-mode.ts) the I/O in flight fails at once instead.
 *
 * These functions change only the driver state and the pending I/O (both in VFS's RAM, memory.ts
 * G.drv* and G.io*) and the counters; failing the request is the caller's business (they return
 * "failed"). What they read from RAM is checked before it reaches the kernel: a buffer slot
 * outside the cache or a grant id outside the grant table fails the I/O instead.
 */
import {
  BDEV_OPEN, BDEV_R_BIT, BDEV_READ, BDEV_W_BIT, BDEV_WRITE, CPF_READ, CPF_WRITE, MSG, NONE, OK,
} from "../../kernel/abi.js";
import { get32, messageOf, newMessage, type Message } from "../../kernel/message.js";
import type { NativeApi } from "../../kernel/native.js";
import { bufAddr, setDirty, touch, type CacheIo } from "./cache.js";
import { BLOCK_SIZE } from "./fsformat.js";
import {
  BUF, DRV_FAILED, DRV_UP, DRV_WAITING, G, IN_NONE, IN_IO, IN_OPEN, IO_NONE, IO_READ, IO_WRITE, isGrant, type VfsMem,
} from "./memory.js";
import { MAX_DRIVER_TRIES, type VfsState } from "./types.js";
import { MODE_RESTART } from "../recovery-mode.js";

type Api = NativeApi<VfsState>;

/** The driver `label`, not announced yet. */
export function initDriver(m: VfsMem, label: string): void {
  m.setLabel(label);
  m.setG(G.drvEndpoint, NONE);
  m.setG(G.drvStatus, DRV_WAITING);
  m.setG(G.drvOpened, 0);
  m.setG(G.drvDeadline, -1);
  m.setG(G.drvRecovering, 0);
  m.setG(G.inFlight, IN_NONE);
  m.setG(G.ioSeq, 0);
  dropIo(m);
}

/** Notes an event in VFS's log (kept short: the last 200); `loud` ones go to the console too. */
export function note(k: Api, what: string, loud = false): void {
  if (loud) k.log(what);
  const log = k.state.log;
  log.push({ at: k.now(), what });
  if (log.length > 200) log.splice(0, log.length - 200);
}

// ---- the pending I/O ---------------------------------------------------------------------------

export const hasIo = (m: VfsMem): boolean => m.g(G.ioKind) !== IO_NONE;

/** Makes `io` the pending I/O (no driver failures yet, no grant). */
export function setIo(m: VfsMem, io: CacheIo): void {
  m.setG(G.ioKind, io.kind === "read" ? IO_READ : IO_WRITE);
  m.setG(G.ioBlock, io.block);
  m.setG(G.ioSlot, io.slot);
  m.setG(G.ioTries, 0);
  m.setG(G.ioGrant, -1);
  m.setG(G.ioId, 0);
}

export function dropIo(m: VfsMem): void {
  m.setG(G.ioKind, IO_NONE);
  m.setG(G.ioGrant, -1);
}

const ioName = (m: VfsMem): string => `${m.g(G.ioKind) === IO_READ ? "read" : "write"} of block ${m.g(G.ioBlock) >>> 0}`;

/** Starts (or restarts) the bounded wait for the driver's announcement. */
export function startWait(k: Api, m: VfsMem): void {
  const wait = m.g(G.waitTicks);
  m.setG(G.drvStatus, DRV_WAITING);
  m.setG(G.drvDeadline, k.ticks() + wait);
  k.setAlarm(wait);
}

/**
 * Moves the pending I/O on: sends BDEV_OPEN first on a new endpoint, else the I/O itself.
 * "sent": VFS now waits in sendrec; "waiting": for the driver's announcement; "failed": the
 * driver failed for good, or the I/O names no buffer (the I/O is dropped).
 */
export function issue(k: Api, m: VfsMem): "sent" | "waiting" | "failed" {
  const s = k.state;
  const status = m.g(G.drvStatus);
  if (status === DRV_FAILED) return "failed";
  if (status === DRV_WAITING) return "waiting";
  const ep = m.g(G.drvEndpoint);
  if (k.lookup(m.label()) !== ep) return lost(k, m, "driver not there");
  if (!m.g(G.drvOpened)) {
    m.setG(G.inFlight, IN_OPEN);
    k.sendrec(ep, newMessage(BDEV_OPEN, { [MSG.bdev.minor]: 0, [MSG.bdev.access]: BDEV_R_BIT | BDEV_W_BIT }));
    return "sent";
  }
  const slot = m.g(G.ioSlot);
  if (!m.isSlot(slot)) {
    note(k, `${ioName(m)}: buffer ${slot} is not in the cache; the I/O fails`, true);
    dropIo(m);
    return "failed";
  }
  const read = m.g(G.ioKind) === IO_READ;
  if (read) {
    m.setBuf(slot, BUF.blocknr, -1); // the buffer's old (clean) block is given up; the driver fills it
    setDirty(m, slot, false);
  }
  if (m.g(G.ioTries) > 0) s.stats.retries++;
  const id = (m.g(G.ioSeq) + 1) | 0;
  m.setG(G.ioSeq, id);
  m.setG(G.ioId, id);
  m.setG(G.ioGrant, k.grant(ep, bufAddr(slot), BLOCK_SIZE, read ? CPF_WRITE : CPF_READ));
  m.setBuf(slot, BUF.count, 1);
  const pos = (m.g(G.ioBlock) >>> 0) * BLOCK_SIZE;
  m.setG(G.inFlight, IN_IO);
  k.sendrec(ep, messageOf(read ? BDEV_READ : BDEV_WRITE,
    MSG.bdev.minor, 0, MSG.bdev.posLo, pos, MSG.bdev.posHi, Math.floor(pos / 2 ** 32), MSG.bdev.count, BLOCK_SIZE,
    MSG.bdev.grant, m.g(G.ioGrant), MSG.bdev.id, id,
  ));
  return "sent";
}

/** Takes back the driver's grant on the pending I/O's buffer (the buffer may be reused again). */
export function revoke(k: Api, m: VfsMem): void {
  if (!hasIo(m)) return;
  const g = m.g(G.ioGrant);
  if (isGrant(g)) k.revoke(g);
  m.setG(G.ioGrant, -1);
  const slot = m.g(G.ioSlot);
  if (m.isSlot(slot)) m.setBuf(slot, BUF.count, 0);
}

/** The driver answered the block I/O: "done" (buffer updated) or "failed". */
export function ioReply(k: Api, m: VfsMem, msg: Message): "done" | "failed" {
  const s = k.state;
  m.setG(G.inFlight, IN_NONE);
  revoke(k, m);
  const status = get32(msg, MSG.bdevReply.status);
  const id = get32(msg, MSG.bdevReply.id);
  const read = m.g(G.ioKind) === IO_READ;
  const block = m.g(G.ioBlock);
  const slot = m.g(G.ioSlot);
  const sent = m.g(G.ioId);
  const what = ioName(m);
  dropIo(m);
  if (status !== BLOCK_SIZE || id !== sent) {
    s.stats.ioErrors++;
    note(k, `${what} failed: status ${status}, id ${id} (sent ${sent})`, true);
    return "failed";
  }
  if (!m.isSlot(slot)) {
    note(k, `${what}: buffer ${slot} is not in the cache`, true);
    return "failed";
  }
  if (read) {
    m.setBuf(slot, BUF.blocknr, block);
    s.stats.blockReads++;
  } else s.stats.blockWrites++;
  setDirty(m, slot, false);
  touch(m, slot);
  return "done";
}

/** The driver answered BDEV_OPEN: "done" (a recovery, if it follows a failure) or "failed". */
export function openReply(k: Api, m: VfsMem, msg: Message): "done" | "failed" {
  const s = k.state;
  m.setG(G.inFlight, IN_NONE);
  const status = get32(msg, MSG.bdevReply.status);
  if (status !== OK) {
    s.stats.ioErrors++;
    note(k, `open of ${m.label()} (endpoint ${m.g(G.drvEndpoint)}) failed: ${status}`, true);
    return "failed";
  }
  m.setG(G.drvOpened, 1);
  if (m.g(G.drvRecovering)) {
    m.setG(G.drvRecovering, 0);
    s.stats.recoveries++;
    note(k, `recovered: ${m.label()} reopened at endpoint ${m.g(G.drvEndpoint)}`, true);
  }
  return "done";
}

/**
 * The driver is gone (its sendrec failed with EDEADSRCDST, or it is not there): wait for its
 * announcement. "failed" when the pending I/O has met MAX_DRIVER_TRIES failures.
 */
export function lost(k: Api, m: VfsMem, why: string): "waiting" | "failed" {
  const s = k.state;
  m.setG(G.inFlight, IN_NONE);
  revoke(k, m);
  s.stats.driverFailures++;
  note(k, `${m.label()} (endpoint ${m.g(G.drvEndpoint)}) lost: ${why}`, true);
  m.setG(G.drvEndpoint, NONE);
  m.setG(G.drvOpened, 0);
  m.setG(G.drvRecovering, 1);
  startWait(k, m);
  if (!hasIo(m)) return "waiting";
  // Nooks without shadows (recovery-mode.ts): the request that met the failure fails; later ones
  // wait for the reloaded driver as here. minix and shadow reissue it (libbdev's hold and replay
  // is the block shadow), so "shadow" takes this function's MINIX path.
  if (m.g(G.recovery) === MODE_RESTART) {
    s.stats.failedInFlight = (s.stats.failedInFlight ?? 0) + 1;
    note(k, `${ioName(m)}: failed with the driver (recovery=restart: not reissued)`, true);
    dropIo(m);
    return "failed";
  }
  const tries = (m.g(G.ioTries) + 1) | 0;
  m.setG(G.ioTries, tries);
  if (tries < MAX_DRIVER_TRIES) return "waiting";
  s.stats.triesExhausted++;
  note(k, `${ioName(m)}: giving up after ${tries} driver failures; disk requests fail with EIO`, true);
  dropIo(m);
  m.setG(G.drvStatus, DRV_FAILED);
  m.setG(G.drvDeadline, -1);
  k.setAlarm(0);
  return "failed";
}

/** A sendrec to the driver failed for another reason than its death: the I/O fails (its grant is taken back). */
export function fail(k: Api, m: VfsMem, why: string): "failed" {
  m.setG(G.inFlight, IN_NONE);
  revoke(k, m);
  dropIo(m);
  note(k, `sendrec to the driver failed: ${why}`, true);
  return "failed";
}

/** DS says the driver is up: take its endpoint (it will be opened before the next I/O). */
export function announced(k: Api, m: VfsMem): void {
  const label = m.label();
  const ep = k.lookup(label);
  const status = m.g(G.drvStatus);
  if (ep === undefined || (status === DRV_UP && m.g(G.drvEndpoint) === ep)) return;
  if (status === DRV_UP) {
    m.setG(G.drvRecovering, 1); // restarted while we were not talking to it
    k.state.stats.driverFailures++;
  }
  note(k, `${label} announced at endpoint ${ep}`);
  m.setG(G.drvEndpoint, ep);
  m.setG(G.drvStatus, DRV_UP);
  m.setG(G.drvOpened, 0);
  m.setG(G.drvDeadline, -1);
  k.setAlarm(0);
}

/** The alarm rang: true when a wait for the driver has expired (the driver is now "failed"). */
export function waitExpired(k: Api, m: VfsMem): boolean {
  const deadline = m.g(G.drvDeadline);
  if (m.g(G.drvStatus) !== DRV_WAITING || deadline < 0 || k.ticks() < deadline) return false;
  m.setG(G.drvStatus, DRV_FAILED);
  m.setG(G.drvDeadline, -1);
  k.state.stats.recoveryTimeouts++;
  note(k, `${m.label()} did not announce itself within ${m.g(G.waitTicks)} ticks: disk requests fail with EIO`, true);
  revoke(k, m);
  dropIo(m);
  return true;
}
