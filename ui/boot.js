// The first screen: the cached rows, drawn before the rest of the UI is loaded. This module
// loads `async`, asks for the profiles, the status and the first page of rows at once, draws
// the invitations table, and only then imports main.js, whose compiling would otherwise hold
// the page up for tens of milliseconds before any row shows.

import * as api from "./api.js";
import { VirtualTable, PAGE } from "./table.js";
import { store } from "./store.js";
import { $ } from "./view.js";
import { invitationColumns, header } from "./columns.js";

/** What the table's events call, once the invitations view has filled them in. */
export const tableHooks = { onSelect: null, onCheck: null, onTotal: null };

/** The invitations view's window of the filter in the store. */
export const invitationQuery = (offset, limit) => {
  const filter = store.get().invitationFilter;
  return { ...filter, search: filter.search || null, offset, limit };
};

export const invitations = new VirtualTable($("invitation-table"), {
  label: "Invitations",
  grid: $("invitation-grid"),
  columns: invitationColumns,
  fetchWindow: (offset, limit) => api.invitationWindow(invitationQuery(offset, limit)),
  onSelect: (row, open) => tableHooks.onSelect?.(row, open),
  onCheck: (checked) => tableHooks.onCheck?.(checked),
  onTotal: (total) => tableHooks.onTotal?.(total),
});

/** Lets the page be drawn (styles.css keeps it hidden until the first screen is ready). */
export const reveal = () => document.body.classList.remove("starting");

let announced = false;
/** Once, when the first rows are drawn: the launch bench's finish line. */
export function announceRows() {
  reveal();
  if (announced || invitations.total === 0) return;
  announced = true;
  requestAnimationFrame(() => api.markReady().catch(() => null));
}

const settle = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));
// The rows alone go first: the other calls would only queue ahead of them.
const rows = settle(api.invitationWindow(invitationQuery(0, PAGE)));

/** Draws the cached rows if a profile is open (else there are none); answers whether it did. */
async function drawFirstRows() {
  const first = await rows;
  if (first.error) return false;
  header($("invitation-head"), invitationColumns, store.get().invitationFilter, () => null);
  await invitations.reset(first.value);
  $("invitation-count").textContent = `${invitations.total} invitation${invitations.total === 1 ? "" : "s"}`;
  announceRows();
  return true;
}

/** `{profiles, status}` (each `{value}` or `{error}`) and `drawn`, for main.js to go on from. */
const drawn = drawFirstRows().catch(() => false);
export const firstScreen = {
  profiles: rows.then(() => settle(api.profiles())),
  status: rows.then(() => settle(api.status())),
  drawn,
};

// The rest of the UI after the first frame with rows, so its compiling does not delay it.
firstScreen.drawn.then(() => requestAnimationFrame(() => import("./main.js")));
