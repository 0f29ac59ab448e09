// The invitations view: the status filters with their counts, "Delivery failed", the search
// (press /), Invite, Import, the table (drawn first by boot.js), the selection bar with select-all
// and the bulk actions, and export.

import * as api from "../api.js";
import { invitations, tableHooks, invitationQuery, announceRows } from "../boot.js";
import { invitationColumns, header } from "../columns.js";
import { element, debounce } from "../view.js";
import { explain } from "../labels.js";
import { runOnMany, drawOfferedButtons } from "../actions.js";
import { openInvite } from "../dialogs/invite.js";
import { openImport } from "../dialogs/import.js";
import { say } from "./notice.js";
import { emptyState, drawEmpty } from "./empty.js";

/** The status buttons: All and each status, with their counts, the chosen one pressed. */
export function statusButtons(statuses, counts, chosen) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return [
    { label: `All (${total})`, statuses: [], pressed: chosen.length === 0 },
    ...statuses.map((s) => ({ label: `${s} (${counts[s] ?? 0})`, statuses: [s], pressed: chosen.length === 1 && chosen[0] === s })),
  ];
}

export const countLine = (total, selected) =>
  `${total} invitation${total === 1 ? "" : "s"}${selected ? ` · ${selected} selected` : ""}`;

function drawFilters(doc, store) {
  const { rules, invitationCounts, invitationFilter } = store.get();
  const statuses = rules?.invitationStatuses ?? ["Pending", "Accepted", "Declined", "Expired", "Revoked"];
  doc.getElementById("status-filters").replaceChildren(...statusButtons(statuses, invitationCounts, invitationFilter.statuses).map((b) =>
    element("button", { type: "button", "aria-pressed": String(b.pressed), onclick: () => store.set({ invitationFilter: { ...store.get().invitationFilter, statuses: b.statuses } }) }, b.label)));
  doc.getElementById("delivery-filter").setAttribute("aria-pressed", String(invitationFilter.delivery === "failed"));
}

function drawEmptyState(doc, store) {
  const { invitationFilter, status, profiles } = store.get();
  drawEmpty(doc.getElementById("invitation-empty"), emptyState({ total: invitations.total, noun: "invitations", filter: invitationFilter, status, hasProfile: Boolean(profiles.selected) }));
  doc.getElementById("invitation-count").textContent = countLine(invitations.total, store.get().selection.size);
}

/** The toolbar's offers, asked of Rust only when what they depend on changed (connectivity,
 *  the principal): every status event would otherwise be a command, and keep the app from
 *  ever counting as idle. */
let toolbarOffers = { key: null, offers: [] };
async function currentOffers(store) {
  const { status, capabilities } = store.get();
  const key = JSON.stringify([status.online, capabilities?.principal ?? null, capabilities?.actions ?? null]);
  if (toolbarOffers.key !== key) toolbarOffers = { key, offers: await api.offers("toolbar").catch(() => []) };
  return toolbarOffers.offers;
}

/** The toolbar's and the selection bar's buttons, as Rust offers them now. */
async function drawOffers(doc, store) {
  const offers = await currentOffers(store);
  const selected = store.get().selection.size;
  const buttons = [["invite-button", "invite"], ["import-button", "invite"], ...BULK];
  drawOfferedButtons(doc, offers, buttons, selected, (action) => action !== "invite");
}

/** The selection bar's buttons and the action each runs on the ticked rows. */
const BULK = [["bulk-resend", "resend"], ["bulk-revoke", "revoke"], ["bulk-delete", "deleteInvitation"]];

function drawSelection(doc, store) {
  const selected = store.get().selection.size;
  doc.getElementById("selection-bar").hidden = selected === 0;
  doc.getElementById("selection-count").textContent = `${selected} selected`;
  const all = doc.getElementById("select-all");
  all.textContent = `Select all ${invitations.total}`;
  all.disabled = selected >= invitations.total;
}

/** The open invitation as the cache has it now (its names resolved, its status current), and
 *  selected in the table: after a write or a sync. */
function showFresh(store) {
  const { detail } = store.get();
  if (detail?.kind !== "invitation") return;
  const fresh = invitations.highlight(detail.row.id);
  if (fresh) store.set({ detail: { kind: "invitation", row: fresh } });
}

export async function refreshCounts(store) {
  const invitationCounts = await api.invitationCounts().catch(() => store.get().invitationCounts);
  store.set({ invitationCounts });
}

async function exportView(store) {
  try {
    const done = await api.exportCsv({ kind: "invitations", invitations: invitationQuery(0, 0) });
    if (done) say(store, `Exported ${done.rows} rows to ${done.path}`, "info");
  } catch (e) {
    say(store, explain(e), "error");
  }
}

export function mount(doc, store) {
  tableHooks.onSelect = (row, open) => open && store.set({ detail: { kind: "invitation", row } });
  tableHooks.onCheck = (checked) => store.set({ selection: new Set(checked) });
  tableHooks.onTotal = () => drawEmptyState(doc, store);
  const redrawHeader = () => header(doc.getElementById("invitation-head"), invitationColumns, store.get().invitationFilter, (sort) =>
    store.set({ invitationFilter: { ...store.get().invitationFilter, ...sort } }));
  redrawHeader();

  store.subscribe(["invitationCounts", "rules"], () => drawFilters(doc, store));
  store.subscribe(["invitationFilter"], ({ invitationFilter }) => {
    const search = doc.getElementById("invitation-search");
    if (search.value.trim() !== (invitationFilter.search ?? "")) search.value = invitationFilter.search ?? "";
    drawFilters(doc, store);
    redrawHeader();
    invitations.reset().then(() => drawEmptyState(doc, store));
  });
  store.subscribe(["dataVersion"], () => {
    refreshCounts(store);
    invitations.refresh().then(() => {
      drawEmptyState(doc, store);
      announceRows();
      showFresh(store);
    });
  });
  store.subscribe(["catalog"], () => invitations.draw());
  store.subscribe(["status", "capabilities", "selection"], () => drawOffers(doc, store));
  store.subscribe(["selection"], () => {
    drawSelection(doc, store);
    drawEmptyState(doc, store);
  });
  store.subscribe(["status", "profiles"], () => drawEmptyState(doc, store));

  doc.getElementById("invitation-search").addEventListener("input", debounce((e) => {
    store.set({ invitationFilter: { ...store.get().invitationFilter, search: e.target.value.trim() } });
  }, 60));
  doc.getElementById("delivery-filter").addEventListener("click", () => {
    const filter = store.get().invitationFilter;
    store.set({ invitationFilter: { ...filter, delivery: filter.delivery === "failed" ? null : "failed" } });
  });
  doc.addEventListener("keydown", (e) => {
    if (e.key === "/" && !["INPUT", "SELECT", "TEXTAREA"].includes(doc.activeElement?.tagName) && !doc.querySelector("dialog[open]")) {
      e.preventDefault();
      store.set({ tab: "invitations" });
      doc.getElementById("invitation-search").focus();
    }
  });
  doc.getElementById("invite-button").addEventListener("click", () => openInvite(store));
  doc.getElementById("export-invitations").addEventListener("click", () => exportView(store));
  doc.getElementById("select-all").addEventListener("click", async () => {
    const ids = await api.invitationIds(invitationQuery(0, 0)).catch((e) => say(store, explain(e), "error"));
    if (ids) invitations.checkOnly(ids);
  });
  doc.getElementById("select-none").addEventListener("click", () => invitations.checkOnly([]));
  doc.getElementById("import-button").addEventListener("click", () => openImport());
  for (const [id, action] of BULK) {
    doc.getElementById(id).addEventListener("click", async () => {
      if (await runOnMany(store, action, [...invitations.checked])) invitations.checkOnly([]);
    });
  }
}
