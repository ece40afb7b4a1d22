/*
 * Fields of a native server's tables in its memory region, read and written in place: the bytes
 * the server sees through NativeApi.view, or the harness through nativeRegion (region.ts).
 * Little-endian, like the guest. No allocation except for the strings they return. (A server
 * writes its fields through the view too: the same RAM NativeApi.write would change, with nothing
 * else to update, and no copy per field.)
 *
 * A string field holds up to `size` bytes, NUL-padded (a string of exactly `size` bytes has no
 * NUL). Reading one never throws: it stops at the first NUL or at `size`, and a byte that is not
 * printable ASCII reads as '?' (corrupt bytes come back as what they are, not as an error).
 */

import { get32, set32 } from "../kernel/message.js";

/** Little-endian words: the message accessors (kernel/message.ts), which take any byte array. */
export const rdI32 = get32;
export const rdU32 = (b: Uint8Array, o: number): number => get32(b, o) >>> 0;
export const wr32 = set32;

/** A signed 64-bit count (emulated cycles outgrow 32 bits) as two words, low first; -1 fits. */
export const rdI64 = (b: Uint8Array, o: number): number => rdU32(b, o) + rdI32(b, o + 4) * 2 ** 32;

export function wrI64(b: Uint8Array, o: number, v: number): void {
  wr32(b, o, v >>> 0);
  wr32(b, o + 4, Math.floor(v / 2 ** 32));
}

/** The string in the `size`-byte field at `o`. */
export function rdStr(b: Uint8Array, o: number, size: number): string {
  let s = "";
  for (let i = 0; i < size; i++) {
    const c = b[o + i];
    if (c === 0) break;
    s += c >= 32 && c < 127 ? String.fromCharCode(c) : "?";
  }
  return s;
}

/** Writes `s` (its first `size` characters) into the `size`-byte field at `o`, NUL-padded. */
export function wrStr(b: Uint8Array, o: number, size: number, s: string): void {
  for (let i = 0; i < size; i++) b[o + i] = i < s.length ? s.charCodeAt(i) & 0xff : 0;
}

/** Does the `size`-byte field at `o` hold exactly `s`? (A longer `s` never matches.) */
export function strEq(b: Uint8Array, o: number, size: number, s: string): boolean {
  if (s.length > size) return false;
  for (let i = 0; i < s.length; i++) if (b[o + i] !== (s.charCodeAt(i) & 0xff) || b[o + i] === 0) return false;
  return s.length === size || b[o + s.length] === 0;
}

/** Do the `size`-byte fields at `a[ao]` and `b[bo]` hold the same string (bytes up to the first NUL)? */
export function fieldEq(a: Uint8Array, ao: number, b: Uint8Array, bo: number, size: number): boolean {
  for (let i = 0; i < size; i++) {
    const x = a[ao + i];
    if (x !== b[bo + i]) return false;
    if (x === 0) return true;
  }
  return true;
}

/** Does the string in field `s[so]` start with the string in field `p[po]` (both `size` bytes)? */
export function fieldStartsWith(s: Uint8Array, so: number, p: Uint8Array, po: number, size: number): boolean {
  for (let i = 0; i < size; i++) {
    const c = p[po + i];
    if (c === 0) return true;
    if (s[so + i] !== c) return false;
  }
  return true;
}

/** Copies the string in field `src[so]` into field `dst[d]` (both `size` bytes), NUL-padded. */
export function copyField(dst: Uint8Array, d: number, src: Uint8Array, so: number, size: number): void {
  let end = false;
  for (let i = 0; i < size; i++) {
    const c = end ? 0 : src[so + i];
    if (c === 0) end = true;
    dst[d + i] = c;
  }
}
