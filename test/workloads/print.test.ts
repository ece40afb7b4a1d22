/*
 * The print workload on the real system (DS, RS managing the real printer driver, VFS serving
 * /dev/lp, the parallel port and its printer), judged by its oracle: a fault-free run prints the
 * document exactly; a driver crash in the middle of a write is recovered the way MINIX's
 * character devices recover — the write in flight gets EIO, the program reopens /dev/lp on the
 * restarted driver and sends the piece again, so the printout is the document with at most a
 * repeated piece start; without restarts the program gives up with errors; a driver that claims
 * to print what it drops is caught as silent corruption. A recovered failure whose printout is
 * exact passes (the campaign's "recovered"); one that printed a piece's start twice is degraded. And the oracle's comparison itself on
 * literal inputs.
 */
import { describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import { composeSystem } from "../../system/compose.js";
import { DEFAULT_LIMITS, runWorkload } from "../../system/run.js";
import type { System } from "../../system/system.js";
import { comparePrintout, documentOf, judgePrint, printWorkload, type PrintState } from "../../system/workloads/print.js";
import { ILLEGAL, patchRunning } from "../support/system.js";

const PARAMS = "seed=3 bytes=2400 piece=200";

function compose(build = "minix3"): System {
  const c = composeSystem(BUILDS[build], printWorkload, { params: PARAMS });
  if (!c.ok) throw new Error(c.error);
  return c.system;
}

const state = (sys: System): PrintState => sys.nativeState<PrintState>("print")!;
const printed = (sys: System): Uint8Array => {
  const r = Object.values(sys.machine.records()).find((d) => d.kind === "printer");
  if (!r || r.kind !== "printer") throw new Error("no printer");
  return r.printed;
};

describe("comparePrintout", () => {
  const doc = Uint8Array.from("abcdefghij", (c) => c.charCodeAt(0));
  const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  it("counts a resent piece's start as repeated, a skip as lost, a stranger as wrong", () => {
    expect(comparePrintout(doc, bytes("abcdefghij"), 4, [])).toEqual({ repeated: 0, lost: 0, wrong: 0 });
    expect(comparePrintout(doc, bytes("abcdecdefghij"), 4, [2])).toEqual({ repeated: 3, lost: 0, wrong: 0 });
    expect(comparePrintout(doc, bytes("abcdefgh"), 4, [])).toEqual({ repeated: 0, lost: 2, wrong: 0 });
    expect(comparePrintout(doc, bytes("abcXdefghij"), 4, [])).toEqual({ repeated: 0, lost: 0, wrong: 1 });
    // A repeat where the program resent nothing is not a repeat: those characters are wrong.
    expect(comparePrintout(doc, bytes("abcdecdefghij"), 4, []).wrong).toBe(3);
    // The resent piece's start happens to continue the document ("ab" after "abcd"): still a repeat.
    const tricky = bytes("AAAAabcdabXY");
    expect(comparePrintout(tricky, bytes("AAAAabcdabcdabXY"), 4, [4])).toEqual({ repeated: 4, lost: 0, wrong: 0 });
    // Acknowledged characters missing before a restart point are lost, not wrong.
    expect(comparePrintout(doc, bytes("abcghij"), 4, [6])).toEqual({ repeated: 0, lost: 3, wrong: 0 });
  });
});

describe("the print workload", () => {
  it("prints the document exactly through VFS and the printer driver, in both builds", () => {
    for (const build of ["minix3", "monolithic"]) {
      const sys = compose(build);
      const o = runWorkload(sys, printWorkload, PARAMS, DEFAULT_LIMITS);
      expect(o.oracle.verdict).toBe("pass");
      expect(Buffer.compare(printed(sys), documentOf(3, 2400))).toBe(0);
      expect(state(sys).opens).toBe(1);
    }
  });

  /** Prints until the printer's buffer is nearly full, then breaks the driver's `fn` with `word` and runs to the end. */
  function crash(build: string, fn: string, word = ILLEGAL) {
    const sys = compose(build);
    expect(sys.runUntil(() => state(sys).offset >= 2000, 500_000_000)).toBe("done");
    patchRunning(sys, "printer", fn, [word]);
    const o = runWorkload(sys, printWorkload, PARAMS, DEFAULT_LIMITS);
    return { sys, o, j: judgePrint(PARAMS, state(sys), sys.machine.records()) };
  }

  it("minix3: a crash before a piece's first character: EIO, reopen, the piece again, the printout exact (recovered)", () => {
    const { sys, o, j } = crash("minix3", "pr_write");
    const events = sys.kernel.state.events.filter((e) => e.label === "printer").map((e) => e.kind);
    expect(events).toContain("crash");
    expect(events.filter((e) => e === "start").length).toBe(2);
    const s = state(sys);
    expect(s.errors.map((e) => e.error)).toContain("EIO");
    expect(s.errors.every((e) => e.error === "EIO" || e.error === "ENXIO")).toBe(true);
    expect(s.eios.length).toBe(1);
    expect(s.opens).toBe(2);
    expect(j).toMatchObject({ verdict: "pass", repeated: 0, lost: 0, wrong: 0 });
    expect(Buffer.compare(printed(sys), documentOf(3, 2400))).toBe(0);
    expect(o.oracle.verdict).toBe("pass");
  });

  it("minix3: a crash in the middle of a piece prints its start twice: degraded", () => {
    const { sys, o, j } = crash("minix3", "pr_intr");
    expect(state(sys).eios.length).toBe(1);
    expect(j).toMatchObject({ verdict: "errors", lost: 0, wrong: 0 });
    expect(j.repeated).toBeGreaterThan(0);
    expect(j.repeated).toBeLessThan(200);
    expect(o.oracle.verdict).toBe("errors");
  });

  it("monolithic: the same crash takes the kernel down", () => {
    expect(crash("monolithic", "pr_write").o.end).toBe("panic");
  });

  it("minix3-norestart: the program gets ENXIO on every reopen and gives up with errors", () => {
    const sys = compose("minix3-norestart");
    expect(sys.runUntil(() => state(sys).offset >= 600, 500_000_000)).toBe("done");
    patchRunning(sys, "printer", "pr_output", [ILLEGAL]);
    const o = runWorkload(sys, printWorkload, PARAMS, DEFAULT_LIMITS);
    expect(o.oracle.verdict).toBe("errors");
    const errs = state(sys).errors.map((e) => e.error);
    expect(errs).toContain("EIO");
    expect(errs.filter((e) => e === "ENXIO").length).toBe(300);
  });

  it("a driver that answers writes without printing is caught as silent corruption", () => {
    const sys = compose();
    expect(sys.runUntil(() => state(sys).offset >= 600, 500_000_000)).toBe("done");
    // pr_output returns at once with the whole count: li a0, <piece>; ret
    patchRunning(sys, "printer", "pr_output", [0x0c800513, 0x00008067]);
    const o = runWorkload(sys, printWorkload, PARAMS, DEFAULT_LIMITS);
    expect(o.oracle.verdict).toBe("corrupt");
    expect(judgePrint(PARAMS, state(sys), sys.machine.records()).lost).toBeGreaterThan(0);
  });
});
