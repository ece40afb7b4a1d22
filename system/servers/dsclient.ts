/* How native servers talk to DS: an asynchronous request whose DS_REPLY arrives as a message. */
import { MSG } from "../kernel/abi.js";
import { newMessage, setString } from "../kernel/message.js";
import type { NativeApi } from "../kernel/native.js";

/** Sends DS request `type` for `key` (no-op when DS is not running); DS answers with DS_REPLY. */
export function dsRequest(k: NativeApi<unknown>, type: number, key: string): void {
  const ds = k.lookup("ds");
  if (ds === undefined) return;
  const m = newMessage(type);
  setString(m, MSG.ds.key, MSG.ds.keyLen, key);
  k.send(ds, m);
}
