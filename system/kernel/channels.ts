/*
 * Singularity's channels, the kernel's half (Fähndrich et al., EuroSys 2006): in the Singularity
 * builds a software-isolated process (SIP, policy.ts sips) talks to the rest of the system only
 * over the channels its manifest declares (a peer's label, the contract and which end the SIP
 * holds; a manifest belongs to the image, as Singularity's to the installed application:
 * Kernel.manifests, by image name), and every message on one is checked against its contract
 * (contracts.ts). A message that breaks the contract kills its sender: a SIP fails when its call
 * returns, a server (a native process) fails as its handler does. Its peers then see the channel
 * closed: the kernel's IPC cleanup answers whatever waited on the dead process with EDEADSRCDST,
 * and the clients handle it as they handle any driver's death (reissue after the restart, or
 * fail the request: servers/recovery-mode.ts "minix").
 *
 * The channels' state lives where Singularity keeps channel endpoints, in the exchange heap:
 * one page per SIP, from the kernel's allocator (owned by no process, so a SIP's own software
 * checks keep it out; a device's DMA can still reach it). PROC.channels holds its address.
 *
 *   +0    count of channels
 *   +4    channel 0: peer label (16 bytes), contract number, the SIP's end (1 exports: it
 *                    serves the contract; 0 imports: it is the client), requests outstanding,
 *                    then MAX_OUTSTANDING entries of {type, id, grant, count}
 *   ...
 *
 * The exchange heap's blocks are the buffers the requests hand over (their grants): a block
 * belongs to the SIP from the request that hands it over until the SIP's reply to that request,
 * and the SIP may copy to or from it only meanwhile (ownsBlock, asked by calls/safecopy.ts):
 * after its reply the sender has lost it, as Singularity's linear types make it lose it.
 */
import { EFAULT, M_TYPE, MESSAGE_SIZE, OK } from "./abi.js";
import { CONTRACTS, contractNumber, MAX_ERRNO, type Contract } from "./contracts.js";
import type { Kernel } from "./kernel.js";
import { LABEL_MAX, PK_NATIVE, PROC } from "./layout.js";
import { get32, type Message } from "./message.js";
import type { ServiceConf } from "./service.js";
import { allocMem, copyFrom, freeMem, PAGE } from "./vm.js";

/** One channel record's fields (offsets from the record). */
const CH = { peer: 0, contract: 16, exports: 20, count: 24, out: 28 } as const;
/** An outstanding request: its type, id, the grant it handed over (-1: none), its count. */
const OUT = { type: 0, id: 4, grant: 8, count: 12, size: 16 } as const;
export const MAX_OUTSTANDING = 32;
const CH_SIZE = CH.out + MAX_OUTSTANDING * OUT.size;
/** Channels a manifest may declare: as many as fit the SIP's page. */
export const MAX_CHANNELS = Math.floor((PAGE - 4) / CH_SIZE);

/** A channel a manifest declares: the peer's label, the contract, and the SIP's end of it. */
export interface ChannelDecl {
  peer: string;
  contract: string;
  end: "exp" | "imp";
}

/** Why a manifest's channels cannot be opened, or undefined. */
export function badChannels(channels: ChannelDecl[]): string | undefined {
  if (channels.length > MAX_CHANNELS) return `${channels.length} channels (at most ${MAX_CHANNELS})`;
  const c = channels.find((d) => contractNumber(d.contract) < 0 || d.peer.length > LABEL_MAX || (d.end !== "exp" && d.end !== "imp"));
  return c && `channel to "${c.peer}": no contract "${c.contract}" (known: ${CONTRACTS.map((x) => x.name).join(", ")}) or a bad end "${c.end}"`;
}

/** Opens the channels of SIP idx that the manifest of its image declares, in a page of the exchange heap; an error, or undefined. */
export function openChannels(k: Kernel, idx: number, conf: ServiceConf): string | undefined {
  const image = "guest" in conf.program ? conf.program.guest : "";
  const channels = Object.hasOwn(k.manifests, image) ? k.manifests[image] : [];
  const bad = badChannels(channels);
  if (bad) return bad;
  const km = k.km;
  const base = allocMem(km, PAGE);
  if (base < 0) return "out of memory for its channels";
  const off = base - km.bus.ramBase;
  km.bus.ram.fill(0, off, off + PAGE);
  km.setWord(off, channels.length);
  channels.forEach((c, i) => {
    const at = off + 4 + i * CH_SIZE;
    km.setLabel(at + CH.peer, c.peer);
    km.setWord(at + CH.contract, contractNumber(c.contract));
    km.setWord(at + CH.exports, c.end === "exp" ? 1 : 0);
  });
  km.setProc(idx, PROC.channels, base);
  return undefined;
}

/** Closes SIP idx's channels (it died): their page goes back to the heap, and the blocks it held with them. */
export function closeChannels(k: Kernel, idx: number): void {
  const base = k.km.proc(idx, PROC.channels) >>> 0;
  if (!base) return;
  freeMem(k.km, base, PAGE);
  k.km.setProc(idx, PROC.channels, 0);
}

/** RAM offset of SIP idx's channel to process `peer` (by label), or -1. */
function channelOf(k: Kernel, idx: number, peer: number): number {
  const km = k.km;
  const base = km.proc(idx, PROC.channels) >>> 0;
  if (!base || !km.bus.isRam(base, PAGE)) return -1;
  const off = base - km.bus.ramBase;
  const n = Math.min(km.word(off) >>> 0, MAX_CHANNELS);
  const name = km.procOff(peer) + PROC.name;
  for (let i = 0; i < n; i++) {
    const at = off + 4 + i * CH_SIZE;
    if (sameLabel(km.bus.ram, at + CH.peer, name)) return at;
  }
  return -1;
}

function sameLabel(ram: Uint8Array, a: number, b: number): boolean {
  for (let i = 0; i < 16; i++) {
    if (ram[a + i] !== ram[b + i]) return false;
    if (ram[a + i] === 0) return true;
  }
  return true;
}

/**
 * The channel records message `m` of process `from` to process `to` passes through: the
 * sender's end when it is a SIP, the receiver's when it is one (both between two SIPs), each with
 * whether the SIP at that end sends. A SIP sends on its channels only: to a process it has none
 * with, its manifest declares nothing it could send on (the string says so).
 */
function ends(k: Kernel, from: number, to: number): Array<[number, boolean]> | string {
  const out: Array<[number, boolean]> = [];
  if (k.isSip(from)) {
    const at = channelOf(k, from, to);
    if (at < 0) return `manifest check failed: no channel to ${k.km.procName(to)}`;
    out.push([at, true]);
  }
  const at = k.isSip(to) ? channelOf(k, to, from) : -1;
  if (at >= 0) out.push([at, false]);
  return out;
}

/**
 * The channel at RAM offset `at` carries `m` (from the SIP when `sipSends`): what broke the
 * contract, or undefined; with `apply`, the channel's new state is written (after a check of the
 * same message found nothing wrong).
 */
function transition(k: Kernel, at: number, sipSends: boolean, m: Message, apply: boolean): string | undefined {
  const km = k.km;
  const contract: Contract | undefined = CONTRACTS[km.word(at + CH.contract)];
  const type = get32(m, M_TYPE);
  const exporterSends = sipSends === (km.word(at + CH.exports) === 1);
  const name = contract ? contract.name : "a corrupt contract";
  if (!contract) return `channel to ${km.label(at + CH.peer)}: ${name}`;
  const count = km.word(at + CH.count);
  if (count < 0 || count > MAX_OUTSTANDING) return `${name}: corrupt channel state (${count} requests outstanding)`;
  if (!exporterSends) {
    const rule = contract.requests[type];
    if (!rule) return `${name}: message 0x${type.toString(16)} is not a request of the contract`;
    const id = contract.id ? get32(m, contract.id.request) : 0;
    if (contract.id && findOutstanding(km, at, count, id, -1) >= 0) return `${name}: ${rule.name} with id ${id >>> 0} while a request with that id is outstanding`;
    if (count === MAX_OUTSTANDING) return `${name}: ${rule.name} with ${count} requests outstanding`;
    if (!apply) return undefined;
    const e = at + CH.out + count * OUT.size;
    km.setWord(e + OUT.type, type);
    km.setWord(e + OUT.id, id);
    km.setWord(e + OUT.grant, rule.grant !== undefined ? get32(m, rule.grant) : -1);
    km.setWord(e + OUT.count, rule.count !== undefined ? get32(m, rule.count) : 0);
    km.setWord(at + CH.count, count + 1);
    return undefined;
  }
  const id = contract.id ? get32(m, contract.id.reply) : 0;
  const i = findOutstanding(km, at, count, contract.id ? id : undefined, type, contract);
  if (i < 0) return `${name}: reply 0x${type.toString(16)}${contract.id ? ` with id ${id >>> 0}` : ""} answers no outstanding request`;
  const e = at + CH.out + i * OUT.size;
  const rule = contract.requests[km.word(e + OUT.type)];
  const status = get32(m, contract.status);
  const max = rule.status === "count" ? km.word(e + OUT.count) : 0;
  if (rule.status !== "any" && (status < -MAX_ERRNO || status > max)) return `${name}: ${rule.name}'s reply has status ${status} (allowed -${MAX_ERRNO}..${max})`;
  if (!apply) return undefined;
  // The request is answered: the block it handed over goes back with the reply.
  km.bus.ram.copyWithin(e, e + OUT.size, at + CH.out + count * OUT.size);
  km.setWord(at + CH.count, count - 1);
  return undefined;
}

/**
 * Index of the outstanding request with `id` (undefined: the oldest) that a reply of `replyType`
 * answers (-1: any type), or -1.
 */
function findOutstanding(km: Kernel["km"], at: number, count: number, id: number | undefined, replyType: number, contract?: Contract): number {
  for (let i = 0; i < count; i++) {
    const e = at + CH.out + i * OUT.size;
    if (id !== undefined && km.word(e + OUT.id) !== id) continue;
    if (replyType !== -1 && contract?.requests[km.word(e + OUT.type)]?.reply !== replyType) continue;
    return i;
  }
  return -1;
}

/**
 * The channel check of a send (guest or native) of the message at `va` in `from`'s memory, or of
 * `msg` when given, to process `to`; with `record`, a message that passes is also recorded (a
 * send that goes now), else sendRecorded records it once it is sent. OK, or the error the send
 * fails with: a guest sender is failed when its call returns (Kernel.failOnReturn); a native one
 * fails as its handler does.
 */
export function sendChecked(k: Kernel, from: number, to: number, va: number, msg?: Message, record = false): number {
  const m = msg ?? copyFrom(k.km, from, va, MESSAGE_SIZE);
  if (!m) return OK; // an unreadable buffer: the send itself fails with EFAULT
  const e = ends(k, from, to);
  let what = typeof e === "string" ? e : undefined;
  if (typeof e !== "string" && e.length) {
    k.charge("contractCheck");
    for (const [at, sipSends] of e) {
      const bad = transition(k, at, sipSends, m, false);
      if (bad) {
        what = `contract violation: ${bad}`;
        break;
      }
    }
  }
  if (!what) {
    if (record && typeof e !== "string") for (const [at, sipSends] of e) transition(k, at, sipSends, m, true);
    return OK;
  }
  if (k.km.proc(from, PROC.kind) === PK_NATIVE) throw new Error(what);
  return k.failOnReturn(from, what, -EFAULT);
}

/** Records in its channel (at both ends between two SIPs) a message sendChecked passed, now sent. */
export function sendRecorded(k: Kernel, from: number, to: number, va: number, msg?: Message): void {
  const m = msg ?? copyFrom(k.km, from, va, MESSAGE_SIZE);
  const e = ends(k, from, to);
  if (!m || typeof e === "string") return;
  for (const [at, sipSends] of e) transition(k, at, sipSends, m, true);
}

/** SIP idx holds grant `id` of process `granter`: a block handed over by a request outstanding on their channel. */
export function ownsBlock(k: Kernel, idx: number, granter: number, id: number): boolean {
  const at = channelOf(k, idx, granter);
  if (at < 0) return false;
  const count = Math.min(k.km.word(at + CH.count) >>> 0, MAX_OUTSTANDING);
  for (let i = 0; i < count; i++) if (k.km.word(at + CH.out + i * OUT.size + OUT.grant) === id) return true;
  return false;
}
