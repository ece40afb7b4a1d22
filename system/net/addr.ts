/*
 * Network addresses: MACs are 6-byte Uint8Arrays, IPv4 addresses are u32 numbers (10.0.0.1 =
 * 0x0a000001). The parsers are for configuration only and throw on a malformed string; nothing
 * that decodes guest or wire bytes calls them.
 */

export type Mac = Uint8Array;

export const MAC_LEN = 6;
export const BROADCAST_MAC: Mac = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/** "52:54:00:12:34:56" (lower-case hex). */
export function macToString(m: Mac): string {
  return Array.from(m, (b) => b.toString(16).padStart(2, "0")).join(":");
}

/** Parses "aa:bb:cc:dd:ee:ff"; throws on anything else. */
export function parseMac(s: string): Mac {
  const parts = s.split(":");
  if (parts.length !== MAC_LEN || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new Error(`bad MAC address: ${JSON.stringify(s)}`);
  }
  return new Uint8Array(parts.map((p) => parseInt(p, 16)));
}

/** True when a and b hold the same six bytes. */
export function macEqual(a: Mac, b: Mac): boolean {
  if (a.length !== MAC_LEN || b.length !== MAC_LEN) return false;
  for (let i = 0; i < MAC_LEN; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Dotted quad of a u32 address ("10.0.0.1"). */
export function ipToString(ip: number): string {
  return [24, 16, 8, 0].map((s) => (ip >>> s) & 0xff).join(".");
}

/** Parses a dotted quad into a u32; throws on anything else. */
export function parseIp(s: string): number {
  const parts = s.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) {
    throw new Error(`bad IPv4 address: ${JSON.stringify(s)}`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0) >>> 0;
}
