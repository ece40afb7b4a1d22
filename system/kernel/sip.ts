/*
 * A software-isolated process's failed checks, named (Singularity builds, policy.ts sips). The
 * CPU runs the checks a safe language's compiler inserts (machine/cpu.ts sfi): a load, store or
 * fetch outside the memory the process owns faults before it happens, and so does a privileged
 * instruction. In a SIP nothing else protects memory (one address space, one privilege level),
 * so every such fault — the page-table walk's too (a null page, a guard page) — is one of those
 * checks failing: what a real SIP would meet as a bounds or null check, or never meet at all
 * because its verifier refused the code. The kernel names them so the classifier can tell them
 * from hardware's faults (detections "sfi" and "privileged").
 */
import { Cause } from "../machine/trap.js";

const ACCESS: Record<number, string> = {
  [Cause.LoadAccessFault]: "load from", [Cause.LoadPageFault]: "load from",
  [Cause.StoreAccessFault]: "store to", [Cause.StorePageFault]: "store to",
  [Cause.InsnAccessFault]: "jump to", [Cause.InsnPageFault]: "jump to",
};

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** What a SIP's exception `cause` (tval, at pc) is as a failed software check, or undefined when it is none. */
export function softwareCheckFailed(cause: number, tval: number, pc: number): string | undefined {
  const access = ACCESS[cause];
  if (access) return `software isolation check failed: ${access} ${hex(tval)}, not the process's memory, at pc ${hex(pc)}`;
  if (cause === Cause.IllegalInsn && (tval & 0x7f) === 0x73) return `privileged instruction ${hex(tval)} at pc ${hex(pc)} in a software-isolated process`;
  return undefined;
}
