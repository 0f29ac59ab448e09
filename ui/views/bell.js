// The header's bell, for a person's profile: their Pending invitations to other organisations
// (as last synced, so offline too), refreshed after every sync; each accepted or declined in
// one click, and after accepting, a profile for the new organisation offered (the same person
// signs in to it through their browser).

import * as api from "../api.js";
import { element, day } from "../view.js";
import { explain } from "../labels.js";
import { say } from "./notice.js";
import { signInWithBrowser } from "./profiles.js";
import { showProfile } from "../session.js";

/** The open profile, if it is a person's. */
export function personProfile(profiles) {
  const profile = profiles?.profiles?.find((p) => p.id === profiles.selected);
  return profile?.kind === "person" ? profile : null;
}

/** One invitation's line: where, who asked, as what, until when. */
export function invitationLine(invitation) {
  const placed = [invitation.subscription, invitation.role].filter(Boolean).join(" / ");
  const policies = invitation.permissionPolicies?.length ? ` with ${invitation.permissionPolicies.join(", ")}` : "";
  return `${invitation.organizationName}: ${invitation.invitedBy} invited you${placed ? ` to ${placed}` : ""}${policies}. Expires ${day(invitation.dtExpiry)}.`;
}

/** What the person reads after answering. */
export function outcomeText(outcome) {
  return outcome.status === "Accepted"
    ? `You joined ${outcome.organizationName}.`
    : `You declined the invitation to ${outcome.organizationName}.`;
}

function drawCount(doc, invitations, shown) {
  const bell = doc.getElementById("bell");
  bell.hidden = !shown;
  const count = doc.getElementById("bell-count");
  count.textContent = invitations.length ? String(invitations.length) : "";
  bell.setAttribute("aria-label", `Invitations to you: ${invitations.length}`);
}

async function openProfileFor(store, outcome) {
  const profile = personProfile(store.get().profiles);
  const draft = { kind: "person", name: outcome.organizationName, baseUrl: profile?.baseUrl ?? "", orgId: outcome.organizationId };
  say(store, `Sign in to ${outcome.organizationName} in your browser to open its profile.`, "info");
  const showLink = (url) => url && say(store, `Sign in to ${outcome.organizationName} in your browser. No browser opened? Open ${url}`, "info");
  try {
    const saved = await signInWithBrowser(draft, null, showLink);
    say(store, `Signed in. ${saved.name} is saved and open.`, "info");
    await showProfile(store);
    store.set({ bellOpen: false });
  } catch (e) {
    say(store, explain(e), "error");
  }
}

function drawList(doc, store, invitations, answer) {
  const list = doc.getElementById("bell-list");
  if (!invitations.length) {
    list.replaceChildren(element("li", { class: "muted" }, "No invitations waiting for you."));
    return;
  }
  list.replaceChildren(...invitations.map((invitation) => element("li", { "data-id": invitation.id },
    element("p", {}, invitationLine(invitation)),
    element("div", { class: "actions" },
      element("button", { type: "button", class: "primary", "data-answer": "accept", onclick: () => answer(invitation, true) }, `Accept ${invitation.organizationName}`),
      element("button", { type: "button", "data-answer": "decline", onclick: () => answer(invitation, false) }, "Decline")))));
}

export function mount(doc, store) {
  let invitations = [];
  const bell = doc.getElementById("bell");
  const panel = doc.getElementById("bell-panel");
  const outcomeBox = doc.getElementById("bell-outcome");
  const shown = () => Boolean(personProfile(store.get().profiles));
  const refresh = async () => {
    invitations = shown() ? await api.myInvitations().catch(() => invitations) : [];
    drawCount(doc, invitations, shown());
    if (!panel.hidden) drawList(doc, store, invitations, answer);
  };
  async function answer(invitation, accept) {
    for (const button of panel.querySelectorAll(`li[data-id="${invitation.id}"] button`)) button.disabled = true;
    try {
      const outcome = await api.answerInvitation(invitation.id, accept);
      outcomeBox.replaceChildren(element("span", {}, outcomeText(outcome)));
      if (outcome.status === "Accepted") {
        outcomeBox.append(" ", element("button", { type: "button", id: "bell-open-profile", onclick: () => openProfileFor(store, outcome) },
          `Open a profile for ${outcome.organizationName}`));
      }
    } catch (e) {
      outcomeBox.textContent = explain(e);
    }
    await refresh();
  }
  store.subscribe(["bellOpen"], ({ bellOpen }) => {
    panel.hidden = !bellOpen;
    bell.setAttribute("aria-expanded", String(Boolean(bellOpen)));
    if (bellOpen) {
      outcomeBox.textContent = "";
      drawList(doc, store, invitations, answer);
    }
  });
  bell.addEventListener("click", () => store.set({ bellOpen: !store.get().bellOpen }));
  doc.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && store.get().bellOpen) {
      store.set({ bellOpen: false });
      bell.focus();
    }
  });
  store.subscribe(["profiles", "dataVersion"], refresh);
  // Another profile's bell is another person's (or none): the panel closes.
  store.subscribe(["profiles"], () => store.set({ bellOpen: false }));
}
