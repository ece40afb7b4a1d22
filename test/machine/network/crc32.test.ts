/*
 * The slicing-by-16 CRC-32 against the bit-at-a-time definition (reflected 0xEDB88320, initial
 * and final XOR 0xFFFFFFFF) on seeded random frames and sub-ranges of every alignment, and the
 * standard check value.
 */
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { crc32, fcsOk, putFcs } from "../../../system/machine/network/crc32.js";

function bitwise(b: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) {
    c ^= b[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe("crc32", () => {
  it("gives the check value of \"123456789\"", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("equals the bit-at-a-time definition on 2,000 seeded ranges of every length and alignment", () => {
    const rng = seedrandom("crc32");
    for (let n = 0; n < 2000; n++) {
      const b = Uint8Array.from({ length: Math.floor(rng() * 1600) }, () => Math.floor(rng() * 256));
      const start = Math.floor(rng() * (b.length + 1));
      const end = start + Math.floor(rng() * (b.length - start + 1));
      expect(crc32(b, start, end)).toBe(bitwise(b, start, end));
    }
  });

  it("putFcs writes the FCS after the first n bytes in place, little-endian, so the frame checks", () => {
    const rng = seedrandom("putFcs");
    for (let n = 0; n < 200; n++) {
      const len = Math.floor(rng() * 1600);
      const b = Uint8Array.from({ length: len + 4 }, () => Math.floor(rng() * 256));
      const data = b.slice(0, len);
      putFcs(b, len);
      const c = bitwise(data, 0, len);
      expect(Array.from(b.subarray(len))).toEqual([c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24]);
      expect(b.subarray(0, len)).toEqual(data);
      expect(fcsOk(b)).toBe(true);
    }
  });
});
