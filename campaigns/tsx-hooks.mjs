/*
 * Preloaded (`--import`) into campaign worker threads started from TypeScript sources (tests,
 * tsx): registers tsx's module hooks in the thread so it can load worker.ts. tsx's own
 * `--import tsx` does nothing in a worker thread on Node 20 (its hooks go to the main thread
 * only), hence this file. The built tree (dist/) never loads it.
 */
import { register } from "tsx/esm/api";

register();
