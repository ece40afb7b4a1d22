/*
 * VFS's character devices (cdev.ts) on the real system: VFS, DS, RS and the real printer driver
 * behind /dev/lp, driven by a scripted client. MINIX's semantics when the driver dies: the
 * request in flight gets EIO, every later request on that open file but CLOSE gets EIO without
 * reaching any driver, CLOSE succeeds, and a new OPEN reaches the restarted driver. Nooks'
 * shadow (vfs/shadow.ts) instead hides the same crash from the client.
 */
import { describe, expect, it } from "vitest";
import { CPF_READ, EIO, ENOTTY, errorName, VFS, VFS_MSG } from "../../system/kernel/abi.js";
import { get32, msgType, newMessage, setString } from "../../system/kernel/message.js";
import { NATIVE_HEAP, type NativeApi, type NativeProgram } from "../../system/kernel/native.js";
import type { VfsState } from "../../system/servers/vfs/types.js";
import { printWorkload } from "../../system/workloads/print.js";
import { boot, ILLEGAL, patchRunning } from "../support/system.js";

type Step = { op: "open"; path: string } | { op: "write"; text: string } | { op: "ioctl" } | { op: "close" } | { op: "wait"; ticks: number };
interface ClientState {
  i: number;
  fd: number;
  results: Array<{ step: number; status: string }>;
  done: boolean;
}

/** A user program that runs `steps` one at a time against VFS, on the fd of its last successful open. */
function client(steps: Step[]): NativeProgram<ClientState> {
  const run = (k: NativeApi<ClientState>): void => {
    const st = steps[k.state.i];
    const vfs = k.lookup("vfs")!;
    if (!st) return void (k.state.done = true);
    if (st.op === "wait") return k.setAlarm(st.ticks);
    if (st.op === "open") {
      const m = newMessage(VFS.OPEN, { [VFS_MSG.request.pathLen]: st.path.length });
      setString(m, VFS_MSG.request.path, VFS.PATH_INLINE, st.path);
      return void k.sendrec(vfs, m);
    }
    if (st.op === "write") {
      k.write(NATIVE_HEAP, Uint8Array.from(st.text, (c) => c.charCodeAt(0)));
      const g = k.grant(vfs, NATIVE_HEAP, st.text.length, CPF_READ);
      return void k.sendrec(vfs, newMessage(VFS.WRITE, { [VFS_MSG.request.fd]: k.state.fd, [VFS_MSG.request.grant]: g, [VFS_MSG.request.bytes]: st.text.length }));
    }
    const type = st.op === "ioctl" ? VFS.IOCTL : VFS.CLOSE;
    k.sendrec(vfs, newMessage(type, { [VFS_MSG.request.fd]: k.state.fd, [VFS_MSG.request.ioctl]: 1 }));
  };
  const advance = (k: NativeApi<ClientState>, status?: number): void => {
    const s = k.state;
    if (status !== undefined) {
      s.results.push({ step: s.i, status: status < 0 ? errorName(status) : String(status) });
      if (steps[s.i].op === "open" && status >= 0) s.fd = status;
    }
    s.i++;
    run(k);
  };
  return {
    init: () => ({ i: 0, fd: -1, results: [], done: false }),
    start: run,
    receive(k, m) {
      if (msgType(m) === VFS.REPLY) advance(k, get32(m, VFS_MSG.reply.status));
      else if (steps[k.state.i]?.op === "wait") advance(k);
    },
  };
}

describe("VFS character devices", () => {
  /** Runs the scripted client on `build`; after its second step the printer driver crashes (pr_output); it must be restarted. */
  function crashAfterTwoSteps(build: string, steps: Step[]) {
    const { sys } = boot(build, printWorkload, { params: "bytes=1", natives: { print: client(steps) } });
    const s = () => sys.nativeState<ClientState>("print")!;
    expect(sys.runUntil(() => s().i === 2, 200_000_000)).toBe("done");
    const before = sys.kernel.lookupLabel("printer");
    patchRunning(sys, "printer", "pr_output", [ILLEGAL]);
    expect(sys.runUntil(() => s().done, 1_000_000_000)).toBe("done");
    expect(sys.kernel.lookupLabel("printer")).not.toBe(before);
    return { sys, s };
  }

  it("after the driver died: EIO in flight and after, CLOSE works, a new OPEN reaches the restarted driver", () => {
    const steps: Step[] = [
      { op: "open", path: "/dev/lp" }, { op: "write", text: "first line\n" }, { op: "wait", ticks: 2 },
      { op: "write", text: "lost" }, { op: "write", text: "stale fd" }, { op: "ioctl" }, { op: "close" },
      { op: "wait", ticks: 20 }, { op: "open", path: "/dev/lp" }, { op: "write", text: "second\n" }, { op: "ioctl" }, { op: "close" },
      { op: "open", path: "/dev/nosuch" },
    ];
    const { sys, s } = crashAfterTwoSteps("minix3", steps);
    expect(s().results.map((r) => r.status)).toEqual(["0", "11", errorName(-EIO), errorName(-EIO), errorName(-EIO), "0", "0", "7", errorName(-ENOTTY), "0", "ENOENT"]);
    const rec = Object.values(sys.machine.records()).find((r) => r.kind === "printer");
    expect(rec?.kind === "printer" && Buffer.from(rec.printed).toString()).toBe("first line\nsecond\n");
  });

  it("nooks-shadow: the same crash is not seen: the write is held, the file reopened on the reloaded driver, the write sent again", () => {
    const steps: Step[] = [
      { op: "open", path: "/dev/lp" }, { op: "write", text: "first line\n" }, { op: "wait", ticks: 2 },
      { op: "write", text: "held" }, { op: "write", text: " same fd\n" }, { op: "ioctl" }, { op: "close" },
    ];
    const { sys, s } = crashAfterTwoSteps("nooks-shadow", steps);
    expect(s().results.map((r) => r.status)).toEqual(["0", "11", "4", "9", errorName(-ENOTTY), "0"]);
    expect(sys.nativeState<VfsState>("vfs")!.stats).toMatchObject({ driverFailures: 1, shadowRecoveries: 1, shadowReplayed: 1, eio: 0 });
    const rec = Object.values(sys.machine.records()).find((r) => r.kind === "printer");
    // pr_output failed before its first character: nothing printed twice.
    expect(rec?.kind === "printer" && Buffer.from(rec.printed).toString()).toBe("first line\nheld same fd\n");
  });
});
