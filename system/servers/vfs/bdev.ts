/*
 * VFS's side of the block-device protocol and its recovery, after MINIX's libbdev. One block
 * I/O at a time: grant the buffer to the driver, sendrec BDEV_READ/BDEV_WRITE, check the
 * BDEV_REPLY. The driver is found through DS: it publishes "drv.blk.<label>" = DS_DRIVER_UP when
 * it is initialised (at boot and after every restart by RS). When the driver dies under an I/O
 * (EDEADSRCDST) or is not there, VFS waits for its next announcement, reopens the device
 * (BDEV_OPEN) and sends the I/O again — up to MAX_DRIVER_TRIES driver failures per I/O, and
 * for at most `waitTicks` per wait; then the request fails with EIO, and so does every later
 * request that needs the disk, until the driver announces itself again.
 *
 * These functions change only the driver state, the pending I/O and the counters; failing the
 * request is the caller's business (they return "failed").
 */
import {
  BDEV_OPEN, BDEV_R_BIT, BDEV_READ, BDEV_W_BIT, BDEV_WRITE, CPF_READ, CPF_WRITE, MSG, NONE, OK,
} from "../../kernel/abi.js";
import { get32, newMessage, type Message } from "../../kernel/message.js";
import type { NativeApi } from "../../kernel/native.js";
import { bufAddr, touch } from "./cache.js";
import { BLOCK_SIZE } from "./fsformat.js";
import { MAX_DRIVER_TRIES, type DriverState, type VfsState } from "./types.js";

type Api = NativeApi<VfsState>;

export const newDriver = (label: string): DriverState => ({ label, endpoint: NONE, status: "waiting", opened: false, deadline: -1, recovering: false });

/** Notes an event in VFS's log (kept short: the last 200); `loud` ones go to the console too. */
export function note(k: Api, what: string, loud = false): void {
  if (loud) k.log(what);
  const log = k.state.log;
  log.push({ at: k.now(), what });
  if (log.length > 200) log.splice(0, log.length - 200);
}

/** Starts (or restarts) the bounded wait for the driver's announcement. */
export function startWait(k: Api): void {
  const d = k.state.driver;
  d.status = "waiting";
  d.deadline = k.ticks() + k.state.waitTicks;
  k.setAlarm(k.state.waitTicks);
}

/**
 * Moves the pending I/O on: sends BDEV_OPEN first on a new endpoint, else the I/O itself.
 * "sent": VFS now waits in sendrec; "waiting": for the driver's announcement; "failed": the
 * driver failed for good (the I/O is dropped).
 */
export function issue(k: Api): "sent" | "waiting" | "failed" {
  const s = k.state;
  const d = s.driver;
  const io = s.io!;
  if (d.status === "failed") return "failed";
  if (d.status === "waiting") return "waiting";
  if (k.lookup(d.label) !== d.endpoint) return lost(k, "driver not there");
  if (!d.opened) {
    s.inFlight = "open";
    k.sendrec(d.endpoint, newMessage(BDEV_OPEN, { [MSG.bdev.minor]: 0, [MSG.bdev.access]: BDEV_R_BIT | BDEV_W_BIT }));
    return "sent";
  }
  const read = io.kind === "read";
  if (read) {
    s.cache.block[io.slot] = -1; // the buffer's old (clean) block is given up; the driver fills it
    s.cache.dirty[io.slot] = false;
  }
  if (io.tries > 0) s.stats.retries++;
  io.id = ++s.ioSeq;
  io.grant = k.grant(d.endpoint, bufAddr(io.slot), BLOCK_SIZE, read ? CPF_WRITE : CPF_READ);
  const pos = io.block * BLOCK_SIZE;
  s.inFlight = "io";
  k.sendrec(d.endpoint, newMessage(read ? BDEV_READ : BDEV_WRITE, {
    [MSG.bdev.minor]: 0, [MSG.bdev.posLo]: pos, [MSG.bdev.posHi]: Math.floor(pos / 2 ** 32), [MSG.bdev.count]: BLOCK_SIZE,
    [MSG.bdev.grant]: io.grant, [MSG.bdev.id]: io.id,
  }));
  return "sent";
}

function revoke(k: Api): void {
  const io = k.state.io;
  if (io && io.grant >= 0) k.revoke(io.grant);
  if (io) io.grant = -1;
}

/** The driver answered the block I/O: "done" (buffer updated) or "failed". */
export function ioReply(k: Api, m: Message): "done" | "failed" {
  const s = k.state;
  const io = s.io!;
  s.inFlight = null;
  revoke(k);
  const status = get32(m, MSG.bdevReply.status);
  const id = get32(m, MSG.bdevReply.id);
  s.io = null;
  if (status !== BLOCK_SIZE || id !== io.id) {
    s.stats.ioErrors++;
    note(k, `${io.kind} of block ${io.block} failed: status ${status}, id ${id} (sent ${io.id})`, true);
    return "failed";
  }
  if (io.kind === "read") {
    s.cache.block[io.slot] = io.block;
    s.stats.blockReads++;
  } else s.stats.blockWrites++;
  s.cache.dirty[io.slot] = false;
  touch(s.cache, io.slot);
  return "done";
}

/** The driver answered BDEV_OPEN: "done" (a recovery, if it follows a failure) or "failed". */
export function openReply(k: Api, m: Message): "done" | "failed" {
  const s = k.state;
  const d = s.driver;
  s.inFlight = null;
  const status = get32(m, MSG.bdevReply.status);
  if (status !== OK) {
    s.stats.ioErrors++;
    note(k, `open of ${d.label} (endpoint ${d.endpoint}) failed: ${status}`, true);
    return "failed";
  }
  d.opened = true;
  if (d.recovering) {
    d.recovering = false;
    s.stats.recoveries++;
    note(k, `recovered: ${d.label} reopened at endpoint ${d.endpoint}`, true);
  }
  return "done";
}

/**
 * The driver is gone (its sendrec failed with EDEADSRCDST, or it is not there): wait for its
 * announcement. "failed" when the pending I/O has met MAX_DRIVER_TRIES failures.
 */
export function lost(k: Api, why: string): "waiting" | "failed" {
  const s = k.state;
  const d = s.driver;
  s.inFlight = null;
  revoke(k);
  s.stats.driverFailures++;
  note(k, `${d.label} (endpoint ${d.endpoint}) lost: ${why}`, true);
  d.endpoint = NONE;
  d.opened = false;
  d.recovering = true;
  startWait(k);
  if (!s.io) return "waiting";
  s.io.tries++;
  if (s.io.tries < MAX_DRIVER_TRIES) return "waiting";
  s.stats.triesExhausted++;
  note(k, `${s.io.kind} of block ${s.io.block}: giving up after ${s.io.tries} driver failures; disk requests fail with EIO`, true);
  s.io = null;
  d.status = "failed";
  d.deadline = -1;
  k.setAlarm(0);
  return "failed";
}

/** DS says the driver is up: take its endpoint (it will be opened before the next I/O). */
export function announced(k: Api): void {
  const d = k.state.driver;
  const ep = k.lookup(d.label);
  if (ep === undefined || (d.status === "up" && d.endpoint === ep)) return;
  if (d.status === "up") {
    d.recovering = true; // restarted while we were not talking to it
    k.state.stats.driverFailures++;
  }
  note(k, `${d.label} announced at endpoint ${ep}`);
  d.endpoint = ep;
  d.status = "up";
  d.opened = false;
  d.deadline = -1;
  k.setAlarm(0);
}

/** The alarm rang: true when a wait for the driver has expired (the driver is now "failed"). */
export function waitExpired(k: Api): boolean {
  const d = k.state.driver;
  if (d.status !== "waiting" || d.deadline < 0 || k.ticks() < d.deadline) return false;
  d.status = "failed";
  d.deadline = -1;
  k.state.stats.recoveryTimeouts++;
  note(k, `${d.label} did not announce itself within ${k.state.waitTicks} ticks: disk requests fail with EIO`, true);
  if (k.state.io) revoke(k);
  k.state.io = null;
  return true;
}
