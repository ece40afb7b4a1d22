/*
 * Prints the final state hash of fuzzHash(seed, cycles) — one hosted fuzz machine's run — for fuzz.test.ts
 * to compare with the same run in its own process. Usage: node --import tsx fuzz-hash.ts SEED CYCLES
 */
import { fuzzHash } from "./fuzz-machine.js";

const [seed, cycles] = process.argv.slice(2);
process.stdout.write(`${fuzzHash(seed, Number(cycles)).hash}\n`);
