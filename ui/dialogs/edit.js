// The edit dialog: an invitation's names, contact number, policies, access end and placement
// (with its seats), or a member's policies and access end. Dates are the administrator's
// calendar days. Saved with the record's version: if someone else changed it meanwhile, their
// version is loaded with my changes on top, to review before saving again.

import * as api from "../api.js";
import { day, utcOffsetMinutes, localDay } from "../view.js";
import { explain } from "../labels.js";
import { fieldErrors, showErrors, rebaseEdit } from "../form.js";
import { drawPlacement, clearBelow, PLACEMENT_FIELDS } from "../placement.js";
import { drawPolicies } from "./policies.js";
import { part, onMount } from "../parts.js";
import { openModal } from "../focus.js";
import { say } from "../views/notice.js";

const FIELDS = ["firstName", "lastName", "contactNumber", "permissionPolicyIds", "dtEndAccess", ...PLACEMENT_FIELDS];
const FIELD_NAMES = { permissionPolicyIds: "policies", accessEnd: "access end", firstName: "first name", lastName: "last name", contactNumber: "contact number", businessId: "business", appId: "app", subscriptionId: "subscription", roleId: "role" };

/** The dialog's fields for a record: its values, the access end as a local day. */
export function fieldsOf(kind, record) {
  const common = { permissionPolicyIds: [...(record.permissionPolicyIds ?? [])], accessEnd: record.dtEndAccess ? day(record.dtEndAccess) : "" };
  if (kind === "user") return common;
  return {
    ...common,
    firstName: record.firstName ?? "", lastName: record.lastName ?? "", contactNumber: record.contactNumber ?? "",
    businessId: record.businessId ?? null, appId: record.appId ?? null, subscriptionId: record.subscriptionId ?? null, roleId: record.roleId ?? null,
  };
}

/** What `edit_invitation` / `edit_user` take. */
export const toEdit = (kind, row, fields) => ({
  version: row.version,
  ...(kind === "invitation" ? { existingUser: Boolean(row.existingUser ?? row.m3terUser) } : {}),
  ...fields,
  utcOffsetMinutes: utcOffsetMinutes(),
});

let editing = null;

function draw(doc, store) {
  const { kind, row, fields } = editing;
  const { catalog } = store.get();
  if (kind === "invitation") {
    // A Pending invitation already holds a pending seat in its own subscription.
    const own = row.status === "Pending" && fields.subscriptionId === row.subscriptionId ? 1 : 0;
    editing.seats = drawPlacement(doc, "ef-", catalog, fields, doc.getElementById("ef-seat-panel"), own);
  }
  drawPolicies(doc.getElementById("ef-policies"), catalog.policies, fields.permissionPolicyIds, (ids) => {
    fields.permissionPolicyIds = ids;
    draw(doc, store);
  });
  doc.getElementById("edit-save").disabled = kind === "invitation" && editing.seats?.level === "full";
}

function read(doc) {
  const { kind, fields } = editing;
  fields.accessEnd = doc.getElementById("ef-accessEnd").value;
  if (kind === "invitation") for (const f of ["firstName", "lastName", "contactNumber"]) fields[f] = doc.getElementById(`ef-${f}`).value;
}

function write(doc) {
  const { kind, fields } = editing;
  doc.getElementById("ef-accessEnd").value = fields.accessEnd;
  doc.getElementById("ef-accessEnd").min = localDay(0);
  if (kind === "invitation") for (const f of ["firstName", "lastName", "contactNumber"]) doc.getElementById(`ef-${f}`).value = fields[f];
}

async function save(doc, store, event) {
  event.preventDefault();
  if (!editing) return;
  read(doc);
  const { kind, row, fields } = editing;
  const mine = { ...fields };
  const message = doc.getElementById("edit-message");
  try {
    const saved = kind === "user"
      ? await api.editUser(row.id, toEdit(kind, row, fields))
      : await api.editInvitation(row.id, toEdit(kind, row, fields));
    doc.getElementById("edit-dialog").close();
    say(store, `Saved ${row.email}`, "info");
    store.set({ detail: { kind, row: { ...row, ...saved } }, dataVersion: store.get().dataVersion + 1 });
    if (kind === "invitation") api.catalog(true).then((catalog) => store.set({ catalog })).catch(() => null);
  } catch (e) {
    message.className = "form-message error";
    if (e.kind === "conflict" && e.code === "version_conflict") {
      message.replaceChildren("Someone else changed it since you opened it. ",
        Object.assign(doc.createElement("button"), { type: "button", id: "edit-reload", className: "link", textContent: "Reload their version, keep my changes", onclick: () => reload(doc, store, mine) }));
    } else {
      message.textContent = explain(e);
      showErrors(doc, "ef-", FIELDS, fieldErrors(e));
    }
  }
}

/** After a conflict: their version, fetched now, with my changes on top; saved only when I say so. */
async function reload(doc, store, mine) {
  const { kind, row, original } = editing;
  await api.syncNow().catch(() => null);
  const search = { statuses: [], search: row.email, sort: "email", descending: false, offset: 0, limit: 20 };
  const found = kind === "user" ? await api.userWindow(search) : await api.invitationWindow(search);
  const theirs = found.rows.find((r) => r.id === row.id);
  if (!theirs) {
    doc.getElementById("edit-dialog").close();
    say(store, `${row.email} was deleted by someone else.`, "error");
    return;
  }
  const { merged, changed } = rebaseEdit(original, mine, fieldsOf(kind, theirs));
  openEdit(store, kind, theirs, merged);
  const message = doc.getElementById("edit-message");
  message.className = "form-message info";
  message.textContent = changed.length
    ? `Their version is loaded, with your changes to ${changed.map((f) => FIELD_NAMES[f] ?? f).join(", ")} on top. Review, then save.`
    : "Their version is loaded. You had changed nothing.";
}

function wire(doc, store) {
  doc.getElementById("edit-form").addEventListener("submit", (e) => save(doc, store, e));
  doc.getElementById("edit-cancel").addEventListener("click", () => doc.getElementById("edit-dialog").close());
  for (const field of PLACEMENT_FIELDS) {
    doc.getElementById(`ef-${field}`).addEventListener("change", (e) => {
      read(doc);
      editing.fields = clearBelow({ ...editing.fields, [field]: e.target.value || null }, field);
      draw(doc, store);
    });
  }
}

export function mount(doc, store) {
  onMount("edit-dialog", () => wire(doc, store));
}

/** Opens the dialog on `row`, its fields from `shown` (their version with mine, after a conflict). */
export function openEdit(store, kind, row, shown = null) {
  const doc = document;
  const dialog = part("edit-dialog");
  const original = fieldsOf(kind, row);
  editing = { kind, row, original, fields: { ...original, ...(shown ?? {}) } };
  doc.getElementById("edit-title").textContent = `Edit ${kind === "user" ? "user" : "invitation"}: ${row.email}`;
  for (const field of doc.querySelectorAll("#edit-form [data-for=invitation]")) field.hidden = kind !== "invitation";
  write(doc);
  doc.getElementById("edit-message").textContent = "";
  showErrors(doc, "ef-", FIELDS, {});
  draw(doc, store);
  openModal(dialog, doc.getElementById(kind === "user" ? "ef-accessEnd" : "ef-firstName"));
}
