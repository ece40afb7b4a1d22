/*
 * Messages as the kernel and native processes handle them: 64-byte arrays (plain data, so
 * they can sit in a native process's state and be snapshotted), with little-endian accessors.
 */
import { MESSAGE_SIZE, M_SOURCE, M_TYPE } from "./abi.js";

export type Message = Uint8Array;

export function newMessage(type = 0, fields: Record<number, number> = {}): Message {
  const m = new Uint8Array(MESSAGE_SIZE);
  set32(m, M_TYPE, type);
  for (const off in fields) set32(m, Number(off), fields[off]);
  return m;
}

/**
 * A message of `type` with 32-bit fields given as offset, value pairs, set in that order (for
 * fields that do not overlap, the message newMessage makes from the same fields). For the hot
 * paths: an object literal with computed number keys, newMessage's argument, takes about a
 * microsecond to build and walk, ten times the rest of the message.
 */
export function messageOf(type: number, ...fields: number[]): Message {
  const m = newMessage(type);
  for (let i = 0; i + 1 < fields.length; i += 2) set32(m, fields[i], fields[i + 1]);
  return m;
}

export const get32 = (m: ArrayLike<number>, off: number): number => (m[off] | (m[off + 1] << 8) | (m[off + 2] << 16) | (m[off + 3] << 24)) | 0;

export function set32(m: Message, off: number, v: number): void {
  m[off] = v;
  m[off + 1] = v >>> 8;
  m[off + 2] = v >>> 16;
  m[off + 3] = v >>> 24;
}

/** The message as a plain array (for state that must be plain data); a loop: Array.from is ~6x slower. */
export function messageArray(m: Message): number[] {
  const a: number[] = [];
  for (let i = 0; i < m.length; i++) a.push(m[i]);
  return a;
}

export const msgSource = (m: Message): number => get32(m, M_SOURCE);
export const msgType = (m: Message): number => get32(m, M_TYPE);

/** A NUL-terminated string of at most `max` bytes at `off`. */
export function getString(m: Uint8Array, off: number, max: number): string {
  let s = "";
  for (let i = 0; i < max && m[off + i]; i++) s += String.fromCharCode(m[off + i]);
  return s;
}

export function setString(m: Uint8Array, off: number, max: number, s: string): void {
  for (let i = 0; i < max; i++) m[off + i] = i < s.length && i < max - 1 ? s.charCodeAt(i) & 0xff : 0;
}
