// The users view: All / Active / Inactive with their counts, the search, the table, the
// selection bar (select all the filter shows, bulk inactivate / reactivate / delete) and
// export. Its part of the page is made the first time the tab is opened.

import * as api from "../api.js";
import { VirtualTable } from "../table.js";
import { userColumns, header } from "../columns.js";
import { element, debounce } from "../view.js";
import { explain } from "../labels.js";
import { onMount } from "../parts.js";
import { say } from "./notice.js";
import { runOnMany, drawOfferedButtons } from "../actions.js";
import { emptyState, drawEmpty } from "./empty.js";

/** The filter buttons with their counts, the chosen one pressed. */
export function userFilterButtons(counts, chosen) {
  const total = (counts.Active ?? 0) + (counts.Inactive ?? 0);
  return [
    { label: `All (${total})`, statuses: [] },
    { label: `Active (${counts.Active ?? 0})`, statuses: ["Active"] },
    { label: `Inactive (${counts.Inactive ?? 0})`, statuses: ["Inactive"] },
  ].map((b) => ({ ...b, pressed: JSON.stringify(chosen) === JSON.stringify(b.statuses) }));
}

/** The selection bar's buttons and the action each runs on the ticked users. */
const BULK = [["bulk-inactivate", "inactivate"], ["bulk-reactivate", "reactivate"], ["bulk-delete-user", "deleteUser"]];

const query = (store, offset, limit) => {
  const filter = store.get().userFilter;
  return { ...filter, search: filter.search || null, offset, limit };
};

export async function refreshUserCounts(store) {
  const userCounts = await api.userCounts().catch(() => store.get().userCounts);
  store.set({ userCounts });
}

function wire(doc, store) {
  let table = null;
  const drawEmptyState = () => {
    const { userFilter, status, profiles } = store.get();
    drawEmpty(doc.getElementById("user-empty"), emptyState({ total: table?.total ?? 0, noun: "users", filter: userFilter, status, hasProfile: Boolean(profiles.selected) }));
  };
  table = new VirtualTable(doc.getElementById("user-table"), {
    label: "Users",
    grid: doc.getElementById("user-grid"),
    columns: userColumns,
    fetchWindow: (offset, limit) => api.userWindow(query(store, offset, limit)),
    onSelect: (row, open) => open && store.set({ detail: { kind: "user", row } }),
    onCheck: () => drawSelection(),
    onTotal: () => {
      drawEmptyState();
      drawSelection();
    },
  });
  const drawSelection = async () => {
    const selected = table?.checked.size ?? 0;
    doc.getElementById("user-selection-bar").hidden = selected === 0;
    doc.getElementById("user-selection-count").textContent = `${selected} selected`;
    const all = doc.getElementById("user-select-all");
    all.textContent = `Select all ${table?.total ?? 0}`;
    all.disabled = selected >= (table?.total ?? 0);
    drawOfferedButtons(doc, await api.offers("toolbar").catch(() => []), BULK, selected);
  };
  const drawFilters = () => {
    const { userCounts, userFilter } = store.get();
    doc.getElementById("user-filters").replaceChildren(...userFilterButtons(userCounts, userFilter.statuses).map((b) =>
      element("button", { type: "button", "aria-pressed": String(b.pressed), onclick: () => store.set({ userFilter: { ...store.get().userFilter, statuses: b.statuses } }) }, b.label)));
  };
  const drawHeader = () => header(doc.getElementById("user-head"), userColumns, store.get().userFilter, (sort) =>
    store.set({ userFilter: { ...store.get().userFilter, ...sort } }));
  drawFilters();
  drawHeader();
  table.reset();
  refreshUserCounts(store);
  store.subscribe(["userCounts"], drawFilters);
  store.subscribe(["userFilter"], ({ userFilter }) => {
    drawFilters();
    drawHeader();
    const search = doc.getElementById("user-search");
    if (search.value.trim() !== userFilter.search) search.value = userFilter.search;
    table.reset();
  });
  store.subscribe(["dataVersion"], () => {
    refreshUserCounts(store);
    table.refresh();
  });
  store.subscribe(["catalog"], () => table.draw());
  store.subscribe(["status", "profiles"], drawEmptyState);
  doc.getElementById("user-search").addEventListener("input", debounce((e) => {
    store.set({ userFilter: { ...store.get().userFilter, search: e.target.value.trim() } });
  }, 60));
  doc.getElementById("user-select-all").addEventListener("click", async () => {
    const ids = await api.userIds(query(store, 0, 0)).catch((e) => say(store, explain(e), "error"));
    if (ids) table.checkOnly(ids);
  });
  doc.getElementById("user-select-none").addEventListener("click", () => table.checkOnly([]));
  for (const [id, action] of BULK) {
    doc.getElementById(id).addEventListener("click", async () => {
      if (await runOnMany(store, action, [...table.checked], "user")) table.checkOnly([]);
    });
  }
  store.subscribe(["status", "capabilities"], drawSelection);
  doc.getElementById("export-users").addEventListener("click", async () => {
    try {
      const done = await api.exportCsv({ kind: "users", users: query(store, 0, 0) });
      if (done) say(store, `Exported ${done.rows} rows to ${done.path}`, "info");
    } catch (e) {
      say(store, explain(e), "error");
    }
  });
}

export function mount(doc, store) {
  onMount("view-users", () => wire(doc, store));
}
