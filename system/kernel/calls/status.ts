/*
 * The status a kernel-call handler returns besides OK and negative errors: "no reply". It has
 * its own home because both the dispatcher (calls/index.ts) and handlers (SYS_EXIT) use it, and
 * handlers must not import the dispatcher that imports them.
 */

/** Status meaning "no reply: the caller is gone or blocked". */
export const EDONTREPLY = 0x7fff_ffff;
