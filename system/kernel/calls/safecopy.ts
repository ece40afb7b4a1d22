/*
 * Memory grants and safe copies (MINIX SYS_SAFECOPYFROM/TO, SYS_SETGRANT). A grant lives in the
 * granter's own memory, in the table it registered with SYS_SETGRANT: {flags, grantee, start,
 * length}. The kernel checks, as MINIX does: the grant id is in the table, the entry is in use
 * and valid, the caller is the grantee (or the grant is for ANY), the access (read/write) is
 * granted, and offset + bytes <= length without overflow. Then it copies between the granter's
 * and the caller's address spaces, each through its own page table.
 *
 * Propagation (write-ownership tracking): a copy is a write by whoever chose where it lands. A
 * SAFECOPYFROM lands at the caller's address: the caller's write. A SAFECOPYTO lands in the
 * grant: within the grant's range it is the granter's write (the granter chose that memory);
 * whatever lies past the grant's end — possible only in builds that do not check grants, where
 * the kernel trusts the caller's offset — is the caller's write.
 */
import { ANY, CPF_READ, CPF_USED, CPF_VALID, CPF_WRITE, EFAULT, EINVAL, EPERM, GRANT_ENTRY_SIZE, MSG, OK } from "../abi.js";
import type { Kernel } from "../kernel.js";
import { PROC, PRIV } from "../layout.js";
import { get32, type Message } from "../message.js";
import { MAX_GRANTS } from "../params.js";
import { lookupEndpoint } from "../proc.js";
import { domainOf } from "../state.js";
import { RAM_BASE } from "../../machine/memmap.js";
import { copyFrom, copyTo, PAGE, procTranslate } from "../vm.js";
import { wrapped } from "../wrappers.js";
import { ownsBlock } from "../channels.js";

/**
 * Resolves grant `id` of `granter` for `caller` wanting `access` to [offset, offset + bytes):
 * the granter's virtual address to copy at, or a negative error. When it resolves, `range.end`
 * is set to the grant's end (start + length, not wrapped to 32 bits, as the address returned).
 */
export function verifyGrant(
  k: Kernel, granter: number, caller: number, id: number, access: number, offset: number, bytes: number, range = { end: 0 },
): number {
  const km = k.km;
  // A software-isolated process may reach only the exchange-heap blocks it holds (channels.ts).
  if (k.isSip(caller) && !ownsBlock(k, caller, granter, id))
    return k.failOnReturn(caller, `exchange-heap check failed: grant ${id} of ${km.procName(granter)} is no block the process holds`, -EPERM);
  const entries = km.priv(granter, PRIV.grantEntries);
  if (id < 0 || id >= entries) return -EINVAL;
  const g = copyFrom(km, granter, (km.priv(granter, PRIV.grantTable) >>> 0) + id * GRANT_ENTRY_SIZE, GRANT_ENTRY_SIZE);
  if (!g) return -EFAULT;
  const flags = get32(g, 0), who = get32(g, 4), start = get32(g, 8) >>> 0, len = get32(g, 12) >>> 0;
  if ((flags & (CPF_USED | CPF_VALID)) !== (CPF_USED | CPF_VALID)) return -EINVAL;
  range.end = start + len;
  const checked = k.checked(caller);
  if (!checked && !wrapped(k, caller)) return start + offset; // builds without isolation trust the caller
  // A refused grant is a privilege check that fired, like a refused port: recorded as a denial.
  // In a Nooks domain the same checks are the wrapper's, and a failed one fails the driver.
  const refuse = (why: string): number => (checked ? k.denied(caller, "grant", -EPERM) : k.wrapperFault(caller, `grant ${id}: ${why}`, -EPERM));
  if (who !== ANY && who !== km.proc(caller, PROC.endpoint)) return refuse("not granted to the caller");
  if ((flags & access) !== access) return refuse("access not granted");
  if (offset < 0 || bytes < 0 || offset + bytes > len) return refuse(`offset ${offset} + ${bytes} bytes past its ${len}`);
  return start + offset;
}

/** The grant range verifyGrant resolved last (reused: safe copies are frequent). */
const grantRange = { end: 0 };

/**
 * Copies `bytes` between grant `id` of process `granterE` (at `offset`) and `caller`'s memory
 * at `addr`: from the granter when `fromGranter`, else to it. Returns OK or a negative error.
 */
export function safecopy(k: Kernel, caller: number, granterE: number, id: number, offset: number, addr: number, bytes: number, fromGranter: boolean): number {
  const km = k.km;
  const granter = lookupEndpoint(km, granterE);
  if (granter < 0) return -EINVAL;
  offset >>>= 0;
  bytes >>>= 0;
  addr >>>= 0;
  if (bytes > 1 << 24) return -EINVAL;
  const at = verifyGrant(k, granter, caller, id, fromGranter ? CPF_READ : CPF_WRITE, offset, bytes, grantRange);
  if (at < 0) return at;
  // Nooks' wrapper checks the driver's own buffer too: one it may write (read, for a copy out) in its domain.
  if (wrapped(k, caller) && !(fromGranter ? k.writable(caller, addr, bytes) : k.readable(caller, addr, bytes)))
    return k.wrapperFault(caller, `buffer 0x${addr.toString(16)} (${bytes} bytes) outside the driver's domain`, -EFAULT);
  k.charge("copyByte", bytes);
  const [src, srcVa, dst, dstVa] = fromGranter ? [granter, at, caller, addr] : [caller, addr, granter, at];
  // Bytes [0, inGrant) of the destination are its chooser's: all of them for SAFECOPYFROM (the
  // caller's buffer); for SAFECOPYTO those inside the grant are the granter's, the rest the caller's.
  const inGrant = fromGranter ? bytes : Math.max(0, Math.min(bytes, grantRange.end - at));
  const owner = domainOf(dst), beyond = domainOf(caller);
  if (bytes > 0 && (srcVa & 0xfff) + bytes <= PAGE && (dstVa & 0xfff) + bytes <= PAGE) {
    // Each side within one page (a block, a message): RAM to RAM, as the general path would do it.
    const from = procTranslate(km, src, srcVa, false);
    const to = from < 0 ? -1 : procTranslate(km, dst, dstVa, true);
    if (to < 0) return -EFAULT;
    km.bus.ram.copyWithin(to - RAM_BASE, from - RAM_BASE, from - RAM_BASE + bytes);
    if (inGrant > 0) km.writes.noteWrite(owner, to - RAM_BASE);
    if (inGrant < bytes) km.writes.noteWrite(beyond, to - RAM_BASE + inGrant);
    return OK;
  }
  const data = copyFrom(km, src, srcVa, bytes);
  if (!data) return -EFAULT;
  if (inGrant === bytes) return copyTo(km, dst, dstVa, data, owner) ? OK : -EFAULT;
  // Past the grant's end (unchecked builds): the same bytes to the same places, written in two parts.
  const ok = copyTo(km, dst, dstVa, data.subarray(0, inGrant), owner) && copyTo(km, dst, dstVa + inGrant, data.subarray(inGrant), beyond);
  return ok ? OK : -EFAULT;
}

const fromMessage = (k: Kernel, caller: number, m: Message, fromGranter: boolean): number =>
  safecopy(k, caller, get32(m, MSG.safecopy.endpt), get32(m, MSG.safecopy.grant), get32(m, MSG.safecopy.offset), get32(m, MSG.safecopy.address), get32(m, MSG.safecopy.bytes), fromGranter);

export const doSafecopyFrom = (k: Kernel, caller: number, m: Message): number => fromMessage(k, caller, m, true);
export const doSafecopyTo = (k: Kernel, caller: number, m: Message): number => fromMessage(k, caller, m, false);

/** SYS_SETGRANT: registers the caller's grant table (address, number of entries). */
export function doSetgrant(k: Kernel, caller: number, m: Message): number {
  const entries = get32(m, MSG.setgrant.size);
  if (entries < 0 || entries > MAX_GRANTS) return -EINVAL;
  k.km.setPriv(caller, PRIV.grantTable, get32(m, MSG.setgrant.address));
  k.km.setPriv(caller, PRIV.grantEntries, entries);
  return OK;
}

