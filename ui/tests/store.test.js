// The sync status as the UI keeps it: events and command answers arrive in no set order, and
// the newest wins.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createStore, acceptStatus } from "../store.js";

const fresh = () => createStore({ status: { online: true }, dataVersion: 0 });

test("a snapshot taken mid-sync that arrives after the sync's end is ignored", () => {
  const store = fresh();
  acceptStatus(store, { seq: 1, syncing: true, list: "activity" });
  acceptStatus(store, { seq: 3, syncing: false, lastSynced: "2026-12-03T10:00:00Z" });
  assert.equal(store.get().dataVersion, 1, "the end reloads the tables");
  acceptStatus(store, { seq: 2, syncing: true, list: "activity" });
  assert.equal(store.get().status.seq, 3);
  assert.equal(store.get().status.syncing, false);
  assert.equal(store.get().dataVersion, 1);
});

test("a sync whose running statuses were overtaken still reloads the tables when it ends", () => {
  const store = fresh();
  acceptStatus(store, { seq: 5, syncing: false, lastSynced: "2026-12-03T10:00:00Z" });
  const before = store.get().dataVersion;
  acceptStatus(store, { seq: 9, syncing: false, lastSynced: "2026-12-03T10:01:00Z" });
  assert.equal(store.get().dataVersion, before + 1);
  acceptStatus(store, { seq: 10, syncing: false, lastSynced: "2026-12-03T10:01:00Z", online: false });
  assert.equal(store.get().dataVersion, before + 1, "no new sync: no reload");
});
