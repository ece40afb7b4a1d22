/*
 * A growable byte buffer as plain data ({ data, len }, capacity doubling), so a stream's bytes can
 * live in snapshot-able state without a class instance.
 */

export interface ByteBuf {
  /** Storage; bytes at len and beyond are unused. */
  data: Uint8Array;
  /** Bytes in use. */
  len: number;
}

export function newByteBuf(capacity = 256): ByteBuf {
  return { data: new Uint8Array(capacity), len: 0 };
}

/** Appends bytes, growing the storage to at least twice its size when full. */
export function appendBytes(buf: ByteBuf, bytes: Uint8Array): void {
  const need = buf.len + bytes.length;
  if (need > buf.data.length) {
    const grown = new Uint8Array(Math.max(need, 2 * buf.data.length));
    grown.set(buf.data.subarray(0, buf.len));
    buf.data = grown;
  }
  buf.data.set(bytes, buf.len);
  buf.len = need;
}

/** A copy of the bytes in use. */
export function bufBytes(buf: ByteBuf): Uint8Array {
  return buf.data.slice(0, buf.len);
}
