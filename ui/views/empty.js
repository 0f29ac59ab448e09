// What an empty table says: why it is empty, and what to do next.

import { element } from "../view.js";

/**
 * The empty state of a table of `noun`s (plural: "invitations", "users"), or null when it has
 * rows. `filter` is the table's; `status` the sync status; `hasProfile` whether one is open.
 */
export function emptyState({ total, noun, filter, status, hasProfile }) {
  if (total > 0) return null;
  if (!hasProfile) return { title: "No connection profile yet", hint: `Add one in Profiles to see its ${noun}.` };
  if (filter.search) return { title: `No ${noun.slice(0, -1)} matches “${filter.search}”`, hint: "Check the spelling, or clear the search." };
  if (filter.delivery === "failed") return { title: "No undelivered invitations", hint: "Every invitation e-mail was delivered or is on its way." };
  if (filter.statuses?.length) return { title: `No ${filter.statuses.join(" or ")} ${noun}`, hint: `Choose All to see every one of the ${noun}.` };
  if (!status.lastSynced && !status.online) return { title: "Nothing cached for this profile yet", hint: `Connect to the server: the first sync fills this table, and it stays readable offline.` };
  if (!status.lastSynced || status.syncing) return { title: `Loading ${noun}…`, hint: "The first sync is running." };
  return noun === "invitations"
    ? { title: "No invitations yet", hint: "Invite someone with Invite user." }
    : { title: "No users yet", hint: "People appear here once they accept an invitation." };
}

/** Draws `state` (an `emptyState` answer) into `box`, hidden when there is none. */
export function drawEmpty(box, state) {
  box.hidden = !state;
  if (state) box.replaceChildren(element("p", { class: "empty-title" }, state.title), element("p", { class: "muted" }, state.hint));
}
