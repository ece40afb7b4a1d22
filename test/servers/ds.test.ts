// DS on the real system, with its store in its memory (ds-table.ts): a value overwritten in DS's
// region is what a client's retrieve answers; a corrupted owner refuses the restarted driver's
// announcement, so neither RS nor VFS ever learns it is back; a full table answers EAGAIN; and
// DS_CHECK hands out changes oldest first. Entries are deleted only by their owner, or by RS
// (DS_DROP_OWNER) in a build that keeps no driver state across restarts.
import { describe, expect, it } from "vitest";
import {
  DS_CHECK, DS_DELETE, DS_DRIVER_UP, DS_DROP_OWNER, DS_PUBLISH, DS_REPLY, DS_RETRIEVE, DS_SUBSCRIBE, DSF_OVERWRITE, EAGAIN, ENOENT, EPERM, MSG, NOTIFY_MESSAGE, OK,
} from "../../system/kernel/abi.js";
import { get32, getString, msgType, newMessage, setString } from "../../system/kernel/message.js";
import type { NativeProgram } from "../../system/kernel/native.js";
import { USER_Q } from "../../system/kernel/params.js";
import type { ServiceConf } from "../../system/kernel/service.js";
import { runWorkload } from "../../system/run.js";
import { DS_LABEL_LEN, DSE, dsEntries, dsFind, dsLookup, dsSubscriptions, entryOff, NR_DS_KEYS } from "../../system/servers/ds-table.js";
import { wr32, wrStr } from "../../system/servers/mem.js";
import { nativeRegion } from "../../system/servers/region.js";
import type { RsState } from "../../system/servers/rs/types.js";
import type { System } from "../../system/system.js";
import { blocksWorkload } from "../../system/workloads/blockclient.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { boot, ILLEGAL, patchRunning } from "../support/system.js";

type Step = [type: number, key: string, value?: number, flags?: number];
interface ClientState {
  i: number;
  replies: Array<{ status: number; key: string; value: number }>;
  notified: number;
  done: boolean;
}

/** A user program that sends `steps` to DS one at a time and records the replies (and DS's notifications). */
function dsClient(steps: Step[]): NativeProgram<ClientState> {
  const next = (k: Parameters<NonNullable<NativeProgram<ClientState>["start"]>>[0]): void => {
    const st = steps[k.state.i];
    if (!st) return void (k.state.done = true);
    const m = newMessage(st[0], { [MSG.ds.value]: st[2] ?? 0, [MSG.ds.flags]: st[3] ?? 0 });
    setString(m, MSG.ds.key, MSG.ds.keyLen, st[1]);
    k.send(k.lookup("ds")!, m);
  };
  return {
    init: () => ({ i: 0, replies: [], notified: 0, done: false }),
    start: next,
    receive(k, m) {
      if (msgType(m) === NOTIFY_MESSAGE) return void k.state.notified++;
      if (msgType(m) !== DS_REPLY) return;
      k.state.replies.push({ status: get32(m, MSG.ds.flags), key: getString(m, MSG.ds.key, MSG.ds.keyLen), value: get32(m, MSG.ds.value) >>> 0 });
      k.state.i++;
      next(k);
    },
  };
}

const clientConf = (label: string): ServiceConf => ({
  label, program: { native: label }, role: "user", priority: USER_Q, ipcTo: ["ds"], kernelCalls: [], io: [], irqs: [],
});

/** Starts client `label` and runs until it has all its replies; returns them. */
function ask(sys: System, label: string): ClientState["replies"] {
  const started = sys.start(clientConf(label));
  if (!started.ok) throw new Error(started.error);
  expect(sys.runUntil(() => sys.nativeState<ClientState>(label)!.done, 50_000_000)).toBe("done");
  return sys.nativeState<ClientState>(label)!.replies;
}

const store = (sys: System): Uint8Array => nativeRegion(sys.kernel, "ds")!;
const KEY = "drv.blk.at_wini";

describe("DS's store is in its memory", () => {
  it("a value overwritten in DS's region is what a retrieve answers", () => {
    const lookups: Step[] = [[DS_RETRIEVE, KEY], [DS_RETRIEVE, "label.at_wini"]];
    const { sys } = boot("minix3", blocksWorkload, { natives: { before: dsClient(lookups), after: dsClient(lookups) } });
    const driverEp = sys.kernel.lookupLabel("at_wini")!;
    const clientEp = sys.kernel.lookupLabel("blocks")!;
    expect(ask(sys, "before")).toEqual([
      { status: OK, key: KEY, value: DS_DRIVER_UP },
      { status: OK, key: "label.at_wini", value: driverEp }, // RS published the driver's endpoint
    ]);

    // A wild write: both values now name the block client's endpoint.
    const t = store(sys);
    for (const key of [KEY, "label.at_wini"]) wr32(t, entryOff(dsFind(t, key)) + DSE.value, clientEp);
    expect(ask(sys, "after")).toEqual([
      { status: OK, key: KEY, value: clientEp },
      { status: OK, key: "label.at_wini", value: clientEp },
    ]);
    expect(sys.kernel.lookupLabel("at_wini")).toBe(driverEp); // the driver itself is where it was
  });

  it("a corrupted owner refuses the restarted driver's announcement: RS never sees it up, VFS gives up with EIO", () => {
    const crash = (corrupt: boolean) => {
      const { sys, params } = boot("minix3", filesWorkload);
      if (corrupt) wrStr(store(sys), entryOff(dsFind(store(sys), KEY)) + DSE.owner, DS_LABEL_LEN, "vfs");
      patchRunning(sys, "at_wini", "at_transfer", [ILLEGAL]);
      const obs = runWorkload(sys, filesWorkload, params, { budgetCycles: 1_500_000_000, watchdogCycles: 600_000_000 });
      return { sys, obs, events: sys.nativeState<RsState>("rs")!.events.map((e) => e.kind) };
    };
    const clean = crash(false);
    expect(clean.events).toEqual(["crash", "restart", "up"]);
    expect(clean.obs.oracle.verdict).toBe("pass");

    const owned = crash(true);
    expect(owned.events).toEqual(["crash", "restart"]); // restarted, never announced
    expect(owned.sys.kernel.lookupLabel("at_wini")).toBeDefined();
    expect(owned.sys.console()).toContain(`at_wini: warning: cannot announce ${KEY} in DS: -${EPERM}`);
    expect(dsLookup(store(owned.sys), KEY)?.owner).toBe("vfs");
    expect(owned.sys.console()).toContain("vfs: at_wini did not announce itself within 250 ticks: disk requests fail with EIO");
    expect(owned.obs.oracle.verdict).toBe("errors");
  });

  it("a full table answers EAGAIN, and a subscriber past its prefixes too; nothing throws", () => {
    const keys = Array.from({ length: NR_DS_KEYS }, (_, i) => `fill.${i}`);
    const prefixes = ["a.", "b.", "c.", "d.", "e."];
    const steps: Step[] = [...keys.map((key, i): Step => [DS_PUBLISH, key, i]), ...prefixes.map((p): Step => [DS_SUBSCRIBE, p])];
    const { sys } = boot("minix3", blocksWorkload, { natives: { filler: dsClient(steps) } });
    const free = NR_DS_KEYS - dsEntries(store(sys)).length; // the drivers' announcements and RS's endpoints hold the rest
    expect(free).toBeLessThan(NR_DS_KEYS);
    const replies = ask(sys, "filler");
    expect(replies.slice(0, free).every((r) => r.status === OK)).toBe(true);
    expect(replies.slice(free, keys.length).every((r) => r.status === -EAGAIN)).toBe(true);
    expect(replies.slice(keys.length).map((r) => r.status)).toEqual([OK, OK, OK, OK, -EAGAIN]);
    expect(dsEntries(store(sys))).toHaveLength(NR_DS_KEYS);
    expect(dsSubscriptions(store(sys)).find((s) => s.label === "filler")?.prefixes).toEqual(prefixes.slice(0, 4));
    expect(dsLookup(store(sys), `fill.${free - 1}`)?.value).toBe(free - 1);
    expect(dsLookup(store(sys), `fill.${free}`)).toBeUndefined();
    expect(sys.kernel.state.panic).toBeNull();
  });

  it("DS_CHECK answers changes oldest first; a key changed again keeps its place", () => {
    const steps: Step[] = [
      [DS_SUBSCRIBE, "f."],
      [DS_PUBLISH, "f.a", 1], [DS_PUBLISH, "f.b", 2], [DS_CHECK, ""], [DS_CHECK, ""],
      // Now in the other order: b was changed first, then a, then b again.
      [DS_PUBLISH, "f.b", 3, DSF_OVERWRITE], [DS_PUBLISH, "f.a", 4, DSF_OVERWRITE], [DS_PUBLISH, "f.b", 5, DSF_OVERWRITE],
      [DS_CHECK, ""], [DS_CHECK, ""], [DS_CHECK, ""],
    ];
    const { sys } = boot("minix3", blocksWorkload, { natives: { checker: dsClient(steps) } });
    const r = ask(sys, "checker");
    expect(r.filter((_, i) => steps[i][0] === DS_CHECK).map((x) => [x.status, x.key, x.value])).toEqual([
      [OK, "f.a", 1], [OK, "f.b", 2],
      [OK, "f.b", 5], [OK, "f.a", 4], [-ENOENT, "", 0],
    ]);
    expect(sys.nativeState<ClientState>("checker")!.notified).toBeGreaterThan(0);
  });
});

describe("deleting entries", () => {
  it("the owner deletes its key, nobody else can, and only RS may drop a label's entries", () => {
    const steps: Step[] = [
      [DS_PUBLISH, "mine.a", 1], [DS_PUBLISH, "mine.b", 2], [DS_DELETE, "mine.a"], [DS_RETRIEVE, "mine.a"], [DS_DELETE, KEY],
      [DS_DROP_OWNER, "at_wini"], [DS_PUBLISH, "mine.c", 3],
    ];
    const { sys } = boot("minix3", blocksWorkload, { natives: { owner: dsClient(steps) } });
    expect(ask(sys, "owner").map((r) => r.status)).toEqual([OK, OK, OK, -ENOENT, -EPERM, -EPERM, OK]);
    expect(dsLookup(store(sys), KEY)?.owner).toBe("at_wini"); // neither the delete nor the drop reached it
    expect(dsLookup(store(sys), "mine.b")?.value).toBe(2);
    expect(dsLookup(store(sys), "mine.c")?.value).toBe(3); // in the slot mine.a left
  });

  it("minix3-nostate: RS has DS drop a crashed driver's entries before the restart; minix3 keeps them", () => {
    const crash = (build: string) => {
      const { sys, params } = boot(build, filesWorkload);
      // The driver's own state, as a stateful driver publishes it (owned by at_wini).
      const t = store(sys);
      const e = dsFind(t, KEY);
      const free = Array.from({ length: NR_DS_KEYS }, (_, i) => i).find((i) => dsEntries(t).length <= i)!;
      t.copyWithin(entryOff(free), entryOff(e), entryOff(e + 1));
      wrStr(t, entryOff(free) + DSE.key, 32, "at_wini.state");
      wr32(t, entryOff(free) + DSE.value, 1234);
      patchRunning(sys, "at_wini", "at_transfer", [ILLEGAL]);
      const obs = runWorkload(sys, filesWorkload, params, { budgetCycles: 1_500_000_000, watchdogCycles: 600_000_000 });
      return { sys, obs };
    };
    const kept = crash("minix3");
    expect(dsLookup(store(kept.sys), "at_wini.state")?.value).toBe(1234);
    expect(kept.obs.oracle.verdict).toBe("pass");
    const dropped = crash("minix3-nostate");
    expect(dropped.sys.nativeState<RsState>("rs")!.events.map((ev) => ev.kind)).toEqual(["crash", "restart", "up"]);
    expect(dsLookup(store(dropped.sys), "at_wini.state")).toBeUndefined();
    // The restarted driver announced itself again, so VFS found it: the workload still passes.
    expect(dsLookup(store(dropped.sys), KEY)?.owner).toBe("at_wini");
    expect(dropped.obs.oracle.verdict).toBe("pass");
  });
});
