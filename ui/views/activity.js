// The Activity tab: the organisation's audit trail from the cache (online or offline), newest
// first, filtered by who, action, e-mail and days, searched, exported. Shown to principals whose
// policies let them read the trail; its part of the page is made the first time it is opened.

import * as api from "../api.js";
import { VirtualTable } from "../table.js";
import { activityColumns, header } from "../columns.js";
import { element, debounce } from "../view.js";
import { explain, actionLabel } from "../labels.js";
import { onMount } from "../parts.js";
import { say } from "./notice.js";
import { drawEmpty } from "./empty.js";

/** Whether the principal may open the Activity tab (Rust's `viewActivity` offer). */
export function mayViewActivity(capabilities) {
  const found = capabilities?.actions?.find(([action]) => action === "viewActivity");
  return found?.[1]?.allowed === "yes";
}

/** A local calendar day as the instant it starts (`to`: the instant after it ends). */
export function dayBound(text, end = false) {
  if (!text) return null;
  const [y, m, d] = text.split("-").map(Number);
  if (!y || !m || !d) return null;
  return new Date(y, m - 1, d + (end ? 1 : 0)).toISOString();
}

const RECORD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The command's filter from the toolbar's fields. The record field takes an e-mail or a
 *  record's id (as the details panel and the CSV show it). */
export function activityQuery(fields, offset, limit) {
  const blank = (v) => (v && v.trim() ? v.trim() : null);
  const record = blank(fields.record);
  const byId = record && RECORD_ID.test(record);
  return {
    actorId: blank(fields.actor),
    action: blank(fields.action),
    email: byId ? null : record,
    recordId: byId ? record.toLowerCase() : null,
    from: dayBound(fields.from),
    to: dayBound(fields.to, true),
    search: blank(fields.search),
    offset,
    limit,
  };
}

/** What the empty table says. */
export function activityEmpty(total, filtered, status) {
  if (total > 0) return null;
  if (filtered) return { title: "No activity matches these filters", hint: "Widen the days, or clear the search." };
  if (!status.lastSynced) return { title: "Loading activity…", hint: "The first sync brings the organisation's activity." };
  return { title: "No activity yet", hint: "Every change made to invitations and members shows here." };
}

function wire(doc, store) {
  const field = (id) => doc.getElementById(`activity-${id}`);
  const fields = () => ({ actor: field("actor").value, action: field("action").value, record: field("record").value, from: field("from").value, to: field("to").value, search: field("search").value });
  const filtered = () => Object.values(fields()).some((v) => v && v.trim());
  const count = field("count");
  let table = null;
  const drawEmptyState = () => {
    drawEmpty(field("empty"), activityEmpty(table?.total ?? 0, filtered(), store.get().status));
    count.textContent = `${(table?.total ?? 0).toLocaleString()} events`;
  };
  table = new VirtualTable(field("table"), {
    label: "Activity",
    grid: field("grid"),
    columns: activityColumns,
    fetchWindow: (offset, limit) => api.activityWindow(activityQuery(fields(), offset, limit)),
    onSelect: () => {},
    onTotal: drawEmptyState,
    checkable: false,
  });
  header(field("head"), activityColumns, {}, () => {});
  field("head").firstChild.replaceChildren();
  const drawActions = () => {
    const chosen = field("action").value;
    const names = store.get().rules?.auditActions ?? [];
    field("action").replaceChildren(element("option", { value: "" }, "Any action"),
      ...names.map((name) => element("option", { value: name, selected: name === chosen }, actionLabel(name))));
  };
  const drawActors = async () => {
    const chosen = field("actor").value;
    const actors = await api.activityActors().catch(() => []);
    field("actor").replaceChildren(element("option", { value: "" }, "Anyone"),
      ...actors.map((a) => element("option", { value: a.id, selected: a.id === chosen }, a.name)));
  };
  drawActions();
  drawActors();
  table.reset();
  const reload = () => table.reset().then(drawEmptyState);
  for (const id of ["actor", "action", "from", "to"]) field(id).addEventListener("change", reload);
  for (const id of ["record", "search"]) field(id).addEventListener("input", debounce(reload, 80));
  store.subscribe(["rules"], drawActions);
  store.subscribe(["dataVersion"], () => {
    drawActors();
    table.refresh();
  });
  store.subscribe(["status"], drawEmptyState);
  field("export").addEventListener("click", async () => {
    try {
      const done = await api.exportActivity(activityQuery(fields(), 0, 0));
      if (done) say(store, `Exported ${done.rows} events to ${done.path}`, "info");
    } catch (e) {
      say(store, explain(e), "error");
    }
  });
}

export function mount(doc, store) {
  onMount("view-activity", () => wire(doc, store));
  store.subscribe(["capabilities"], ({ capabilities, tab }) => {
    const allowed = mayViewActivity(capabilities);
    doc.getElementById("tab-activity").hidden = !allowed;
    if (!allowed && tab === "activity") store.set({ tab: "invitations" });
  });
}
