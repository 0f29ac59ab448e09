// The profiles view: each profile with Open, Edit and "Remove from this computer", and the
// form that adds one or edits one: a service user's key (a new secret replaces the saved one
// in the keyring; left empty, the saved one stays), or a person who signs in with their
// browser (nothing secret typed here; the sign-in link is shown to copy if no browser opens).

import * as api from "../api.js";
import { element } from "../view.js";
import { explain } from "../labels.js";
import { fieldErrors, showErrors } from "../form.js";
import { confirm } from "../dialogs/confirm.js";
import { onMount } from "../parts.js";
import { showProfile } from "../session.js";
import { say } from "./notice.js";

const FIELDS = ["name", "baseUrl", "orgId", "accessKeyId", "apiSecret"];

/** What "Remove from this computer" does, in words, before it is done. */
export const removalText = (profile) =>
  `Remove ${profile.name} from this computer? Its cached invitations and users and its saved secret (in the system keyring) are deleted here. Nothing changes on the server, and you can add the profile again with its key and secret.`;

/** The form's look for a kind of profile: what to ask, and what Save does. */
export const kindView = (kind) => kind === "person"
  ? { keyFields: false, orgLabel: "Organisation id (optional: the sign-in page asks if you belong to several)", save: "Sign in with your browser" }
  : { keyFields: true, orgLabel: "Organisation id", save: "Save" };

/** Runs a browser sign-in; `showLink(url or null)` offers the link to copy while it waits. */
export async function signInWithBrowser(draft, id, showLink) {
  const stop = await api.onSignInLink(showLink);
  try {
    return await api.signInWithBrowser(draft, id);
  } finally {
    showLink(null);
    if (typeof stop === "function") stop();
  }
}

export async function openProfile(store, id) {
  try {
    await api.selectProfile(id);
    await showProfile(store);
  } catch (e) {
    say(store, explain(e), "error");
  }
}

/** The list's items: each profile's name, address and buttons. */
export function profileItems(profiles, handlers) {
  return profiles.profiles.map((p) =>
    element("li", { "data-profile": p.id },
      element("span", { class: "name" }, element("strong", {}, p.name), element("span", { class: "muted" }, ` ${p.baseUrl}`)),
      element("button", { type: "button", "aria-label": `Open ${p.name}`, disabled: p.id === profiles.selected, onclick: () => handlers.open(p) }, p.id === profiles.selected ? "Open (current)" : "Open"),
      element("button", { type: "button", class: "edit-profile", "aria-label": `Edit ${p.name}`, onclick: () => handlers.edit(p) }, "Edit"),
      element("button", { type: "button", class: "danger", "aria-label": `Remove ${p.name} from this computer`, onclick: () => handlers.remove(p) }, "Remove from this computer")));
}

function wire(doc, store) {
  const form = doc.getElementById("profile-form");
  let editing = null;
  const draft = () => Object.fromEntries(new FormData(form).entries());
  const kindOf = () => form.querySelector("input[name=kind]:checked")?.value ?? "serviceUser";
  const showKind = () => {
    const view = kindView(kindOf());
    for (const part of form.querySelectorAll(".key-only")) part.hidden = !view.keyFields;
    doc.getElementById("pf-orgId-label").textContent = view.orgLabel;
    doc.getElementById("pf-save").textContent = editing ? "Save" : view.save;
  };
  for (const radio of form.querySelectorAll("input[name=kind]")) radio.addEventListener("change", showKind);
  doc.getElementById("pf-copy-link").addEventListener("click", async () => {
    const link = doc.getElementById("pf-link-text");
    link.select();
    try {
      await navigator.clipboard.writeText(link.value);
      result("The sign-in link is copied: paste it into your browser.");
    } catch {
      result("The link is selected: press Ctrl+C (⌘C) to copy it.");
    }
  });
  const show = (error) => showErrors(doc, "pf-", FIELDS, fieldErrors(error));
  const result = (text) => (doc.getElementById("pf-result").textContent = text);
  const startAdding = () => {
    editing = null;
    form.reset();
    show(null);
    doc.getElementById("profile-form-title").textContent = "Add a profile";
    doc.getElementById("pf-apiSecret").placeholder = "";
    doc.getElementById("pf-cancel").hidden = true;
    for (const radio of form.querySelectorAll("input[name=kind]")) radio.disabled = false;
    showKind();
  };
  const startEditing = (profile) => {
    editing = profile;
    show(null);
    result("");
    for (const [field, value] of [["name", profile.name], ["baseUrl", profile.baseUrl], ["orgId", profile.orgId], ["accessKeyId", profile.accessKeyId], ["apiSecret", ""]]) {
      doc.getElementById(`pf-${field}`).value = value;
    }
    doc.getElementById("profile-form-title").textContent = `Edit ${profile.name}`;
    doc.getElementById("pf-apiSecret").placeholder = "Leave empty to keep the saved secret";
    doc.getElementById("pf-cancel").hidden = false;
    for (const radio of form.querySelectorAll("input[name=kind]")) {
      radio.checked = radio.value === (profile.kind ?? "serviceUser");
      radio.disabled = true;
    }
    showKind();
    doc.getElementById("pf-name").focus();
  };
  const remove = async (profile) => {
    if (!(await confirm(removalText(profile), "Remove from this computer"))) return;
    try {
      await api.removeProfile(profile.id);
      say(store, `${profile.name} was removed from this computer.`, "info");
      if (editing?.id === profile.id) startAdding();
      await showProfile(store);
    } catch (e) {
      say(store, explain(e), "error");
    }
  };
  const drawList = () => doc.getElementById("profile-list").replaceChildren(...profileItems(store.get().profiles, {
    open: (p) => openProfile(store, p.id).then(() => store.set({ tab: "invitations" })),
    edit: startEditing,
    remove,
  }));
  drawList();
  showKind();
  store.subscribe(["profiles"], drawList);
  doc.getElementById("pf-cancel").addEventListener("click", startAdding);
  doc.getElementById("pf-test").addEventListener("click", async () => {
    result("Testing…");
    try {
      const found = await api.testConnection(draft(), editing?.id ?? null);
      show(null);
      const denied = found.actions.filter(([, a]) => a.allowed !== "yes").map(([n]) => n);
      result(found.extended
        ? `Signed in as ${found.principal} of ${found.organization}. ${denied.length ? `Not allowed: ${denied.join(", ")}.` : "Every action is allowed."}`
        : "Signed in. This API is m3ter's own: statuses are derived, and resend, revoke, edit and seats are not available.");
    } catch (e) {
      show(e);
      result(explain(e));
    }
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      if (editing) {
        await api.updateProfile(editing.id, draft());
        const saved = `Saved ${draft().name}.${draft().apiSecret ? " The new secret replaced the old one in the system keyring." : ""}`;
        result(saved);
        say(store, saved, "info"); // in place of what the old credentials last said
        startAdding();
        await showProfile(store);
        return;
      }
      if (kindOf() === "person") {
        result("Waiting for you to sign in in your browser…");
        const save = doc.getElementById("pf-save");
        save.disabled = true; // one sign-in at a time
        const profile = await signInWithBrowser(draft(), null, (url) => {
          doc.getElementById("pf-link-text").value = url ?? "";
          doc.getElementById("pf-link").hidden = !url;
        }).finally(() => (save.disabled = false));
        startAdding();
        result(`Signed in. ${profile.name} is saved; its sign-in is kept in the system keyring.`);
        await showProfile(store);
        store.set({ tab: "invitations" });
        return;
      }
      await api.saveProfile(draft());
      startAdding();
      result("Saved. The secret is in the system keyring.");
      await showProfile(store);
      store.set({ tab: "invitations" });
    } catch (err) {
      show(err);
      result(explain(err));
    }
  });
}

export function mount(doc, store) {
  onMount("view-profiles", () => wire(doc, store));
}
