// The details panel of the open invitation or user: every field in full (names, not ids), and
// the buttons its status offers now, each disabled with its reason when it cannot be used.
// Opening it moves focus into it; closing it (× or Escape) returns focus where it was.

import * as api from "../api.js";
import { element, day, stamp, name, policyNames, placement, who } from "../view.js";
import { closing, delivery } from "../columns.js";
import { LABELS } from "../labels.js";
import { run } from "../actions.js";
import { part, onMount } from "../parts.js";
import { rememberFocus } from "../focus.js";

const byWhom = (nameOf, id) => who(nameOf, id).text;

/** The panel's title and its `[label, value, title?]` rows for an invitation. */
export function invitationDetails(row, catalog) {
  const ends = closing(row);
  const mail = delivery(row);
  return {
    title: `Invitation: ${row.email}`,
    fields: [
      ["E-mail", row.email], ["Name", name(row)], ["Contact", row.contactNumber], ["Status", row.status],
      ["Access end", day(row.dtEndAccess) || "No end"],
      [row.status === "Pending" || row.status === "Expired" ? "Expires" : "Closed", ends.title.replace(/^Expires /, "")],
      ["Policies", policyNames(catalog, row.permissionPolicyIds)], ["Subscription / Role", placement(catalog, row)],
      ["Delivery", mail.title], ["Last sent", stamp(row.dtLastSent)], ["Times sent", String(row.sendCount ?? "")],
      ["Created", stamp(row.dtCreated)], ["Created by", byWhom(row.createdByName, row.createdBy), row.createdBy],
      ["Last changed", stamp(row.dtLastModified)], ["Last changed by", byWhom(row.lastModifiedByName, row.lastModifiedBy), row.lastModifiedBy],
    ],
  };
}

export function userDetails(row, catalog) {
  return {
    title: `User: ${row.email}`,
    fields: [
      ["E-mail", row.email], ["Name", name(row)], ["Contact", row.contactNumber], ["Status", row.status],
      ["Access end", day(row.dtEndAccess) || "No end"],
      ["Policies", policyNames(catalog, row.permissionPolicyIds)], ["Subscription / Role", placement(catalog, row)],
      ["Member since", stamp(row.dtCreated)], ["Last changed", stamp(row.dtLastModified)],
      ["Last changed by", byWhom(row.lastModifiedByName, row.lastModifiedBy), row.lastModifiedBy],
    ],
  };
}

/** One offered action as a button. An action the principal may not do is shown disabled,
 *  with the permission it needs (the toolbar hides it instead). */
export function actionButton(offer, onRun) {
  return element("button", {
    type: "button",
    "data-action": offer.action,
    class: offer.destructive ? "danger" : "",
    disabled: !offer.enabled,
    "aria-disabled": String(!offer.enabled),
    title: offer.reason ?? undefined,
    onclick: onRun,
  }, LABELS[offer.action] ?? offer.action);
}

/** The record's story, one line per event; said plainly when the trail is not cached here. */
function drawHistory(doc, lines) {
  const list = doc.getElementById("details-history");
  list.classList.toggle("muted", !lines.length);
  list.replaceChildren(...(lines.length ? lines.map((line) => element("li", {}, line))
    : [element("li", { class: "none" }, "No history cached for this record.")]));
}

async function draw(doc, store, detail) {
  const panel = part("details");
  const { kind, row } = detail;
  const view = kind === "user" ? userDetails(row, store.get().catalog) : invitationDetails(row, store.get().catalog);
  doc.getElementById("details-title").textContent = view.title;
  doc.getElementById("details-fields").replaceChildren(...view.fields.flatMap(([label, value, full]) =>
    [element("dt", {}, label), element("dd", { title: full ?? undefined }, value ?? "")]));
  const [offers, history] = await Promise.all([
    api.offers(kind === "user" ? { user: row.status } : { invitation: row.status }).catch(() => []),
    api.recordHistory(row.id, kind === "user" ? row.email : null).catch(() => []),
  ]);
  if (store.get().detail !== detail) return; // another record was opened meanwhile
  doc.getElementById("details-actions").replaceChildren(...offers.map((o) => actionButton(o, () => run(store, o, kind, row))));
  drawHistory(doc, history);
  return panel;
}

export function mount(doc, store) {
  let restore = null;
  const close = () => store.set({ detail: null });
  onMount("details", () => doc.getElementById("details-close").addEventListener("click", close));
  doc.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && store.get().detail && !doc.querySelector("dialog[open]")) close();
  });
  store.subscribe(["detail"], async ({ detail }) => {
    if (!detail) {
      const panel = doc.getElementById("details");
      if (panel && !panel.hidden) {
        panel.hidden = true;
        restore?.();
        restore = null;
      }
      return;
    }
    const panel = part("details");
    const opening = panel.hidden;
    if (opening) restore = rememberFocus(doc);
    panel.hidden = false;
    await draw(doc, store, detail);
    if (opening) panel.focus();
  });
  // Online, offline or a new principal changes what the buttons offer.
  store.subscribe(["status", "capabilities", "catalog", "dataVersion"], ({ detail }) => detail && draw(doc, store, detail));
}
