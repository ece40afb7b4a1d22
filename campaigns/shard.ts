/*
 * Shards: `--shard i/n` runs the experiments whose id ≡ i (mod n), so n machines can share one
 * campaign and their databases be merged afterwards (campaigns/merge.ts). Round-robin by id
 * spreads every build, workload and fault model evenly over the shards.
 */

export interface Shard {
  index: number;
  count: number;
}

/** Parses "i/n" (0 <= i < n); returns a one-line error naming the option otherwise. */
export function parseShard(text: string): { ok: true; shard: Shard } | { ok: false; error: string } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index >= count)
    return { ok: false, error: `--shard must be i/n with 0 <= i < n, got ${text}` };
  return { ok: true, shard: { index, count } };
}

/** True when experiment `id` belongs to `shard`. */
export const inShard = (id: number, shard: Shard): boolean => id % shard.count === shard.index;
