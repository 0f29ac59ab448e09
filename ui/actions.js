// Running what a button offers on a record: ask first when it cannot be undone, call the
// server, say what happened, and have the tables reload from the cache.

import * as api from "./api.js";
import { LABELS, explain } from "./labels.js";
import { confirm } from "./dialogs/confirm.js";
import { openEdit } from "./dialogs/edit.js";
import { say } from "./views/notice.js";

const CALLS = {
  resend: api.resend,
  revoke: api.revoke,
  deleteInvitation: api.deleteInvitation,
  inactivate: api.inactivate,
  reactivate: api.reactivate,
  deleteUser: api.deleteUser,
};

const DELETES = new Set(["deleteInvitation", "deleteUser"]);

/** The tables, counts and details reload from the cache. */
export const changed = (store) => store.set({ dataVersion: store.get().dataVersion + 1 });

/** Shows the member an accepted invitation made, in the users table. */
export async function openMember(store, email) {
  const member = await api.userByEmail(email).catch((e) => say(store, explain(e), "error"));
  if (!member) {
    say(store, `${email} is not among the cached users yet: sync, then try again.`, "error");
    return;
  }
  store.set({ tab: "users", userFilter: { ...store.get().userFilter, statuses: [], search: email } });
  store.set({ detail: { kind: "user", row: member } });
}

/** Runs `offer` (an `offers` answer) on `row` of `kind` ("invitation" or "user"). */
export async function run(store, offer, kind, row) {
  const { action } = offer;
  if (action === "openUser") return openMember(store, row.email);
  if (action === "editInvitation" || action === "editUser") return openEdit(store, kind, row);
  const label = LABELS[action];
  if (offer.destructive && !(await confirm(`${label} ${kind === "user" ? "" : "the invitation of "}${row.email}?`, label))) return;
  try {
    const answer = await CALLS[action](row.id);
    say(store, `${label}: done for ${row.email}`, "info");
    store.set({ detail: DELETES.has(action) ? null : { kind, row: { ...row, ...answer } } });
    changed(store);
  } catch (e) {
    say(store, explain(e), "error");
  }
}

/** Runs `action` on every id, one result each; says how many worked and why the others not. */
export async function runOnMany(store, action, ids) {
  const label = LABELS[action];
  if (!(await confirm(`${label} ${ids.length} invitation${ids.length === 1 ? "" : "s"}?`, label))) return null;
  const results = await Promise.allSettled(ids.map((id) => CALLS[action](id)));
  const failed = results.filter((r) => r.status === "rejected");
  const reasons = [...new Set(failed.map((r) => explain(r.reason)))];
  say(store, `${label}: ${results.length - failed.length} done, ${failed.length} failed${reasons.length ? ` (${reasons.join("; ")})` : ""}`, failed.length ? "error" : "info");
  changed(store);
  return results;
}
