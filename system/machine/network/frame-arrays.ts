/*
 * Arrays for frames on their way through the wire, carved from shared 64-KiB slabs instead of
 * allocated one by one: V8 allocates each new Uint8Array of a frame's size with its own backing
 * store (about a microsecond, zero-filled, and external memory for the collector to account),
 * where a view on a slab costs a small object. Host-side only: a frame array holds the same bytes
 * as a new one (a slab is zeroed and no part of it is ever handed out twice, so nothing is
 * reused or shared), and snapshots copy frames into arrays of their own. A slab lives as long as
 * a frame cut from it does: a few frames are in flight at a time.
 */

const SLAB = 64 * 1024;
/** Frames larger than this get an array of their own (an RTL8139 frame is at most 4 KiB). */
const LARGEST = 8 * 1024;

let slab = new ArrayBuffer(SLAB);
let used = 0;

/** A zero-filled array of `length` bytes (a view on a slab when small enough). */
export function frameArray(length: number): Uint8Array {
  if (length > LARGEST) return new Uint8Array(length);
  if (used + length > SLAB) {
    slab = new ArrayBuffer(SLAB);
    used = 0;
  }
  const a = new Uint8Array(slab, used, length);
  used += (length + 7) & ~7; // keep the next one 8-byte aligned
  return a;
}
