/*
 * Restoring from a state hash's record of changed RAM (machine.ts RamChanges, used between a
 * campaign's experiments): after a run, the hash against the snapshot records which RAM chunks
 * differ; a restore with that record copies only those and ends byte for byte where a full
 * restore does. A record the hash did not fill (or filled against another snapshot) is ignored.
 */
import { describe, expect, it } from "vitest";
import { ramChanges } from "../../system/machine/machine.js";
import { runWorkload } from "../../system/run.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { boot } from "../support/system.js";

const limits = { budgetCycles: 3_000_000_000, watchdogCycles: 300_000_000 };

describe("restore with the changed chunks a state hash found", () => {
  it("ends in exactly the snapshot's state, having copied only the changed chunks", () => {
    const { sys, params } = boot("minix3", filesWorkload);
    const snap = sys.snapshot();
    const pristine = sys.stateHash(snap);
    runWorkload(sys, filesWorkload, params, limits);
    const changed = ramChanges(sys.machine.bus.ram.length);
    const after = sys.stateHash(snap, changed);
    expect(after).not.toBe(pristine);
    expect(changed.ref).toBe(snap.machine.ram);
    const flagged = changed.chunks.reduce((n, c) => n + c, 0);
    expect(flagged).toBeGreaterThan(0);
    expect(flagged).toBeLessThan(changed.chunks.length); // most of RAM was untouched
    sys.restore(snap, changed);
    expect(Buffer.compare(Buffer.from(sys.machine.bus.ram), Buffer.from(snap.machine.ram))).toBe(0);
    expect(sys.stateHash(snap)).toBe(pristine);
  });

  it("a record not filled against this snapshot is ignored: a full restore", () => {
    const { sys, params } = boot("minix3", filesWorkload);
    const snap = sys.snapshot();
    const pristine = sys.stateHash(snap);
    runWorkload(sys, filesWorkload, params, limits);
    const stale = ramChanges(sys.machine.bus.ram.length); // never filled: ref undefined, no chunk flagged
    sys.restore(snap, stale);
    expect(sys.stateHash(snap)).toBe(pristine);
  });
});
