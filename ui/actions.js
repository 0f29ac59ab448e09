// Running what a button offers on a record: ask first when it cannot be undone, call the
// server, say what happened, and have the tables reload from the cache.

import * as api from "./api.js";
import { LABELS, explain } from "./labels.js";
import { confirm } from "./dialogs/confirm.js";
import { openEdit } from "./dialogs/edit.js";
import { say } from "./views/notice.js";
import { runJob } from "./dialogs/job.js";

const CALLS = {
  resend: api.resend,
  revoke: api.revoke,
  deleteInvitation: api.deleteInvitation,
  inactivate: api.inactivate,
  reactivate: api.reactivate,
  deleteUser: api.deleteUser,
};

const DELETES = new Set(["deleteInvitation", "deleteUser"]);

/** Shows each button of `buttons` (`[[elementId, action]]`) as its offer says: hidden when the
 *  principal may never use it, disabled with the reason when the moment forbids it, and
 *  disabled when `needsSelection(action)` and nothing is ticked. */
export function drawOfferedButtons(doc, offers, buttons, selected, needsSelection = () => true) {
  for (const [id, action] of buttons) {
    const offer = offers.find((o) => o.action === action);
    const button = doc.getElementById(id);
    if (!offer) continue;
    button.hidden = offer.hidden;
    button.title = offer.reason ?? "";
    button.disabled = !offer.enabled || (needsSelection(action) && selected === 0);
  }
}

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

/** Shows invitation `id` (of `email`) in the invitations table, searched by its e-mail, and
 *  opens its details. */
export async function showInvitation(store, id, email) {
  const filter = { ...store.get().invitationFilter, statuses: [], delivery: null, search: email };
  store.set({ tab: "invitations", invitationFilter: filter });
  const found = await api.invitationWindow({ ...filter, offset: 0, limit: 50 }).catch(() => null);
  const row = found?.rows.find((r) => r.id === id);
  if (row) store.set({ detail: { kind: "invitation", row } });
}

/** A bulk result's outcome in words, for the job dialog. */
export function bulkOutcome(result) {
  const o = result.outcome;
  switch (o.kind) {
    case "done":
      return { who: result.email, outcome: "Done", tone: "ok" };
    case "notAllowed":
      return { who: result.email, outcome: "Not allowed", detail: o.reason, tone: "warn" };
    case "failed":
      return { who: result.email, outcome: "Failed", detail: o.reason, tone: "error" };
    default:
      return { who: result.email, outcome: "Cancelled", detail: "Not sent.", tone: "warn" };
  }
}

export const bulkSummary = (a) =>
  [`${a.done} done`, a.notAllowed && `${a.notAllowed} not allowed for their status`, a.failed && `${a.failed} failed`, a.cancelled && `${a.cancelled} cancelled`]
    .filter(Boolean).join(", ") + ".";

/** Runs `action` on every id after asking, with a progress bar, cancel and a result per row
 *  (Rust's `bulk_run`); `noun` names the records. Answers null when not confirmed or failed. */
export async function runOnMany(store, action, ids, noun = "invitation") {
  const label = LABELS[action];
  const many = `${ids.length} ${noun}${ids.length === 1 ? "" : "s"}`;
  if (!(await confirm(`${label} ${many}?`, label))) return null;
  const answer = await runJob({
    title: `${label}: ${many}`,
    total: ids.length,
    start: () => api.bulkRun(action, ids),
    summary: bulkSummary,
    rows: (a) => a.results.map(bulkOutcome),
  });
  changed(store);
  return answer;
}
