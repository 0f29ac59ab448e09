// The header: the profile picker, connectivity, the last sync, sync progress ("n of total"
// when the server says how many) and Sync now.

import * as api from "../api.js";
import { element, clock, ago, stamp } from "../view.js";
import { explain } from "../labels.js";
import { say } from "./notice.js";
import { openProfile, signInWithBrowser } from "./profiles.js";
import { showProfile } from "../session.js";
import { acceptStatus } from "../store.js";

/** Who the header says is signed in, and which of Sign out / Sign in again it offers. */
export function whoView(profiles, capabilities, status) {
  const profile = profiles?.profiles?.find((p) => p.id === profiles.selected);
  if (profile?.kind !== "person") return { text: "", signOut: false, signInAgain: false };
  const ended = /sign in again/i.test(status?.lastError ?? "");
  return {
    text: ended ? "Signed out" : capabilities?.principal ? `Signed in as ${capabilities.principal}` : "",
    signOut: !ended,
    signInAgain: ended,
  };
}

function drawWho(doc, state) {
  const view = whoView(state.profiles, state.capabilities, state.status);
  const who = doc.getElementById("signed-in-as");
  who.textContent = view.text;
  who.hidden = !view.text;
  doc.getElementById("sign-out").hidden = !view.signOut;
  doc.getElementById("sign-in-again").hidden = !view.signInAgain;
}

/** What the header shows for `status`. */
export function statusView(status) {
  let badge;
  if (status.syncing) {
    const of = status.total ? ` ${status.done} of ${status.total}` : status.done ? ` (${status.done})` : "";
    badge = { text: `Syncing ${status.list ?? ""}${of}`.replace(/\s+/g, " ").trim(), className: "badge online" };
  } else if (status.online) badge = { text: "Online", className: "badge online" };
  else badge = { text: `Offline since ${clock(status.offlineSince)}`, className: "badge offline" };
  const progress = !status.syncing ? null : status.total ? { value: Math.min(status.done, status.total), max: status.total } : { value: null };
  return {
    badge,
    progress,
    lastSynced: status.lastSynced ? `Last synced ${ago(status.lastSynced)}` : "Not synced yet",
    offlineNotice: !status.online && !status.syncing
      ? `Offline: showing data as of ${status.lastSynced ? stamp(status.lastSynced) : "the last sync"}. Changes are disabled until the server is back.`
      : null,
  };
}

function drawStatus(doc, store, status) {
  const view = statusView(status);
  const badge = doc.getElementById("connectivity-badge");
  badge.textContent = view.badge.text;
  badge.className = view.badge.className;
  const progress = doc.getElementById("sync-progress");
  progress.hidden = !view.progress;
  if (view.progress?.value == null) progress.removeAttribute("value");
  else {
    progress.max = view.progress.max;
    progress.value = view.progress.value;
    progress.setAttribute("aria-valuetext", `${view.progress.value} of ${view.progress.max}`);
  }
  doc.getElementById("last-synced").textContent = view.lastSynced;
  const current = store.get().notice;
  if (view.offlineNotice) say(store, view.offlineNotice, "info");
  else if (status.lastError) say(store, `Sync failed: ${status.lastError}`, "error");
  else if (current?.message?.startsWith("Offline:")) say(store, "");
}

export function mount(doc, store) {
  const select = doc.getElementById("profile-select");
  store.subscribe(["profiles"], ({ profiles }) => {
    select.replaceChildren(...profiles.profiles.map((p) => element("option", { value: p.id, selected: p.id === profiles.selected }, p.name)));
    select.disabled = profiles.profiles.length === 0;
  });
  store.subscribe(["status"], ({ status }) => drawStatus(doc, store, status));
  store.subscribe(["profiles", "capabilities", "status"], (state) => drawWho(doc, state));
  doc.getElementById("sign-out").addEventListener("click", () =>
    api.signOut().then((said) => { say(store, said, "info"); return showProfile(store); }).catch((e) => say(store, explain(e), "error")));
  doc.getElementById("sign-in-again").addEventListener("click", () => {
    const { profiles } = store.get();
    say(store, "Sign in in your browser to go on.", "info");
    const showLink = (url) => url && say(store, `Sign in in your browser to go on. No browser opened? Open ${url}`, "info");
    signInWithBrowser({}, profiles.selected, showLink)
      .then(() => { say(store, "Signed in again.", "info"); return showProfile(store); })
      .catch((e) => say(store, explain(e), "error"));
  });
  select.addEventListener("change", (e) => openProfile(store, e.target.value));
  // Offline is a state the header shows (from the status event), not an error to announce.
  doc.getElementById("sync-button").addEventListener("click", () =>
    api.syncNow().then((status) => acceptStatus(store, status)).catch((e) =>
      e.kind === "offline" ? api.status().then((status) => acceptStatus(store, status)) : say(store, explain(e), "error")));
}
