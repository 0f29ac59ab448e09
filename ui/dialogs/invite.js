// The invite dialog: a new person or someone known here, placement with its seats, policies,
// access end and expiry. Every rule is checked in Rust as it is typed (`check_invite`) and
// shown at its field once the field has been touched (every field after a Send).

import * as api from "../api.js";
import { element, localDay, utcOffsetMinutes, name, debounce } from "../view.js";
import { explain } from "../labels.js";
import { byField, fieldErrors, showErrors } from "../form.js";
import { drawPlacement, clearBelow, PLACEMENT_FIELDS } from "../placement.js";
import { drawPolicies } from "./policies.js";
import { part, onMount } from "../parts.js";
import { openModal } from "../focus.js";
import { changed, openMember } from "../actions.js";
import { say } from "../views/notice.js";

const FIELDS = ["email", "firstName", "lastName", "contactNumber", "permissionPolicyIds", "dtEndAccess", "dtExpiry", ...PLACEMENT_FIELDS];
/** Which form field each error field is typed into. */
const INPUT_OF = { dtEndAccess: "accessEnd", dtExpiry: "expires" };
const TEXT = ["email", "firstName", "lastName", "contactNumber", "accessEnd", "expires"];
const REASONS = { Accepted: "former member", Declined: "declined an invitation", Expired: "invitation expired", Revoked: "invitation revoked" };

export function blankForm(limits) {
  return {
    existingUser: false, email: "", firstName: "", lastName: "", contactNumber: "", permissionPolicyIds: [],
    accessEnd: "", expires: localDay(limits?.expiryDefaultDays ?? 30),
    businessId: null, appId: null, subscriptionId: null, roleId: null,
  };
}

/** The form as `check_invite` and `invite` take it. */
export const toRequest = (form) => ({ ...form, utcOffsetMinutes: utcOffsetMinutes() });

/** The errors to show: every one after a Send, else only those of touched fields. */
export function visibleErrors(errors, touched, sent) {
  if (sent) return errors;
  return Object.fromEntries(Object.entries(errors).filter(([field]) => touched.has(INPUT_OF[field] ?? field)));
}

/** A conflict's message and the button to the record in the way. */
export function conflictHelp(error, email) {
  if (error.code === "invitation_exists") return { text: `${email} already has a pending invitation.`, label: "Show the existing invitation" };
  if (error.code === "already_member") return { text: `${email} is already a member of this organisation.`, label: "Open the member" };
  if (error.code === "seats_exhausted") return { text: "No seat is free in this subscription any more: choose another, or free a seat first.", label: null };
  return { text: explain(error), label: null };
}

let form = blankForm();
let touched = new Set();
let sent = false;
let sending = false;
let errors = {};

function applyLimits(doc, limits) {
  if (!limits) return;
  doc.getElementById("if-email").maxLength = limits.emailMaxChars;
  doc.getElementById("if-firstName").maxLength = limits.nameMaxChars;
  doc.getElementById("if-lastName").maxLength = limits.nameMaxChars;
  doc.getElementById("if-contactNumber").maxLength = limits.contactNumberMaxChars;
  doc.getElementById("if-expires").min = localDay(1);
  doc.getElementById("if-expires").max = localDay(limits.expiryMaxDays);
  doc.getElementById("if-accessEnd").min = localDay(0);
}

function writeForm(doc) {
  for (const field of TEXT) doc.getElementById(`if-${field}`).value = form[field];
  doc.querySelector(`input[name=kind][value=${form.existingUser ? "existing" : "new"}]`).checked = true;
}

function readForm(doc) {
  for (const field of TEXT) form[field] = doc.getElementById(`if-${field}`).value;
}

function draw(doc, store) {
  const { catalog, status } = store.get();
  const seats = drawPlacement(doc, "if-", catalog, form, doc.getElementById("seat-panel"));
  drawPolicies(doc.getElementById("if-policies"), catalog.policies, form.permissionPolicyIds, (ids) => {
    form.permissionPolicyIds = ids;
    touched.add("permissionPolicyIds");
    draw(doc, store);
    check(doc);
  }, doc.getElementById("if-policy-search").value);
  doc.getElementById("existing-picker").hidden = !form.existingUser;
  showErrors(doc, "if-", FIELDS, visibleErrors(errors, touched, sent));
  const send = doc.getElementById("invite-send");
  send.disabled = sending || seats.level === "full" || !status.online;
  send.title = !status.online ? "Offline: changes need the server" : seats.level === "full" ? seats.message : "";
}

async function checkNow(doc) {
  const found = await api.checkInvite(toRequest(form)).catch(() => []);
  errors = byField(found);
  showErrors(doc, "if-", FIELDS, visibleErrors(errors, touched, sent));
  return found;
}
const check = debounce(checkNow, 80);

async function drawCandidates(doc, store, query) {
  const found = await api.inviteCandidates(query).catch(() => []);
  doc.getElementById("if-existing-list").replaceChildren(...found.map((c) =>
    element("li", {}, element("button", { type: "button", class: "candidate", onclick: () => {
      Object.assign(form, { email: c.email, firstName: c.firstName ?? "", lastName: c.lastName ?? "" });
      writeForm(doc);
      touched.add("email");
      check(doc);
      doc.getElementById("if-existing-list").replaceChildren();
      doc.getElementById("if-permissionPolicyIds-error").closest(".field").querySelector("input")?.focus();
    } }, element("span", {}, c.email), element("span", { class: "muted" }, ` ${name(c)}${name(c) ? " · " : ""}${REASONS[c.reason] ?? ""}`)))));
  if (!found.length) doc.getElementById("if-existing-list").append(element("li", { class: "muted" }, query ? "Nobody known here matches: type their e-mail below." : "Nobody to invite again yet."));
}

async function send(doc, store, event) {
  event.preventDefault();
  if (sending) return; // a second click while the first is in flight sends nothing
  readForm(doc);
  sent = true;
  const message = doc.getElementById("invite-message");
  const problems = await checkNow(doc);
  if (problems.length) {
    message.className = "form-message error";
    message.textContent = `Some fields need attention: ${problems.length === 1 ? problems[0].message : `${new Set(problems.map((p) => p.field)).size} to fix`}`;
    doc.querySelector("#invite-form [aria-invalid=true]")?.focus();
    return;
  }
  sending = true;
  draw(doc, store);
  try {
    const created = await api.invite(toRequest(form));
    doc.getElementById("invite-dialog").close();
    say(store, `Invitation sent to ${created.email}`, "info");
    api.catalog(true).then((catalog) => store.set({ catalog })).catch(() => null); // its seat is now pending
    store.set({ detail: { kind: "invitation", row: created } });
    changed(store);
  } catch (e) {
    const help = conflictHelp(e, form.email.trim());
    message.className = "form-message error";
    message.replaceChildren(help.text);
    if (help.label) {
      message.append(" ", element("button", { type: "button", class: "link", onclick: () => {
        doc.getElementById("invite-dialog").close();
        if (e.code === "already_member") openMember(store, form.email.trim());
        else store.set({ tab: "invitations", invitationFilter: { ...store.get().invitationFilter, statuses: [], search: form.email.trim() } });
      } }, help.label));
    }
    errors = { ...errors, ...fieldErrors(e) };
    draw(doc, store);
  } finally {
    sending = false;
    draw(doc, store);
  }
}

function wire(doc, store) {
  doc.getElementById("invite-cancel").addEventListener("click", () => doc.getElementById("invite-dialog").close());
  doc.getElementById("invite-clear").addEventListener("click", () => {
    form = blankForm(store.get().rules?.limits);
    touched = new Set();
    sent = false;
    writeForm(doc);
    draw(doc, store);
    check(doc);
  });
  doc.getElementById("invite-form").addEventListener("submit", (e) => send(doc, store, e));
  doc.getElementById("invite-form").addEventListener("input", (e) => {
    if (e.target.name === "kind") form.existingUser = e.target.value === "existing";
    if (e.target.name) touched.add(e.target.name);
    readForm(doc);
    draw(doc, store);
    check(doc);
  });
  for (const field of PLACEMENT_FIELDS) {
    doc.getElementById(`if-${field}`).addEventListener("change", (e) => {
      form = clearBelow({ ...form, [field]: e.target.value || null }, field);
      touched.add(field);
      draw(doc, store);
      check(doc);
    });
  }
  doc.getElementById("if-policy-search").addEventListener("input", () => draw(doc, store));
  doc.getElementById("if-existing").addEventListener("input", debounce((e) => drawCandidates(doc, store, e.target.value), 60));
  doc.getElementById("if-existing").addEventListener("focus", (e) => drawCandidates(doc, store, e.target.value));
  store.subscribe(["catalog", "status"], () => doc.getElementById("invite-dialog").open && draw(doc, store));
}

export function mount(doc, store) {
  onMount("invite-dialog", () => wire(doc, store));
}

export async function openInvite(store) {
  const doc = document;
  const dialog = part("invite-dialog");
  store.set({ catalog: await api.catalog(true).catch(() => store.get().catalog) });
  const limits = store.get().rules?.limits;
  form = blankForm(limits);
  touched = new Set();
  sent = false;
  errors = {};
  applyLimits(doc, limits);
  writeForm(doc);
  doc.getElementById("if-existing").value = "";
  doc.getElementById("if-existing-list").replaceChildren();
  doc.getElementById("invite-message").textContent = "";
  draw(doc, store);
  check(doc);
  openModal(dialog, doc.getElementById("if-email"));
}
