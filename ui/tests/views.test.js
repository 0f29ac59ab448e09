// Each view's and dialog's drawing, as pure functions of what the store holds.
import { test } from "node:test";
import assert from "node:assert/strict";
import "./dom.js";
import { catalog, invitation, user, ADMIN } from "./fixtures.js";

const { createStore } = await import("../store.js");
const { statusView, whoView } = await import("../views/header.js");
const { tabAfterKey } = await import("../views/tabs.js");
const { statusButtons, countLine } = await import("../views/invitations.js");
const { userFilterButtons } = await import("../views/users.js");
const { emptyState } = await import("../views/empty.js");
const { invitationDetails, userDetails, actionButton } = await import("../views/details.js");
const { seatRows, seatsView } = await import("../views/seats.js");
const { removalText, profileItems, kindView } = await import("../views/profiles.js");
const { visibleErrors, conflictHelp, blankForm } = await import("../dialogs/invite.js");
const { fieldsOf, toEdit } = await import("../dialogs/edit.js");
const { invitationColumns, closing } = await import("../columns.js");
const { clearBelow, seatState } = await import("../placement.js");

test("the store tells only the listeners of the keys that changed", () => {
  const store = createStore({ a: 1, b: 1 });
  const heard = [];
  store.subscribe(["a"], (state, changed) => heard.push(["a", state.a, changed]));
  store.subscribe(["b"], () => heard.push(["b"]));
  store.set({ a: 2 });
  store.set({ a: 2 }); // no change, no call
  assert.deepEqual(heard, [["a", 2, ["a"]]]);
});

test("the header says n of total with a determinate bar when the total is known", () => {
  const known = statusView({ syncing: true, list: "invitations", done: 250, total: 1000, online: true });
  assert.equal(known.badge.text, "Syncing invitations 250 of 1000");
  assert.deepEqual(known.progress, { value: 250, max: 1000 });
  const unknown = statusView({ syncing: true, list: "users", done: 40, online: true });
  assert.equal(unknown.progress.value, null, "indeterminate without a total");
  const offline = statusView({ online: false, offlineSince: new Date().toISOString(), lastSynced: null });
  assert.match(offline.badge.text, /^Offline since/);
  assert.match(offline.offlineNotice, /Changes are disabled/);
});

test("arrow keys, Home and End move along the tabs and wrap", () => {
  assert.equal(tabAfterKey(0, "ArrowRight", 4), 1);
  assert.equal(tabAfterKey(3, "ArrowRight", 4), 0);
  assert.equal(tabAfterKey(0, "ArrowLeft", 4), 3);
  assert.equal(tabAfterKey(2, "Home", 4), 0);
  assert.equal(tabAfterKey(1, "End", 4), 3);
  assert.equal(tabAfterKey(1, "a", 4), -1);
});

test("status and user filters carry their counts", () => {
  const buttons = statusButtons(["Pending", "Accepted"], { Pending: 3, Accepted: 2 }, ["Pending"]);
  assert.deepEqual(buttons.map((b) => [b.label, b.pressed]), [["All (5)", false], ["Pending (3)", true], ["Accepted (2)", false]]);
  const users = userFilterButtons({ Active: 4, Inactive: 1 }, []);
  assert.deepEqual(users.map((b) => [b.label, b.pressed]), [["All (5)", true], ["Active (4)", false], ["Inactive (1)", false]]);
  assert.equal(countLine(1, 0), "1 invitation");
  assert.equal(countLine(12, 3), "12 invitations · 3 selected");
});

test("an empty table says why and what to do next", () => {
  const base = { total: 0, noun: "invitations", status: { online: true, lastSynced: "2026-12-01T00:00:00Z" }, hasProfile: true };
  assert.match(emptyState({ ...base, filter: { search: "zed", statuses: [] } }).title, /No invitation matches “zed”/);
  assert.equal(emptyState({ ...base, filter: { statuses: [], delivery: "failed" } }).title, "No undelivered invitations");
  assert.equal(emptyState({ ...base, filter: { statuses: [] } }).title, "No invitations yet");
  assert.equal(emptyState({ ...base, filter: { statuses: [] }, status: { online: false } }).title, "Nothing cached for this profile yet");
  assert.equal(emptyState({ ...base, hasProfile: false, filter: { statuses: [] } }).title, "No connection profile yet");
  assert.equal(emptyState({ ...base, total: 3, filter: { statuses: [] } }), null);
});

test("who created a row reads as a name, or a short id with the whole id on hover", () => {
  const createdBy = invitationColumns.find((c) => c.key === "createdBy");
  assert.equal(createdBy.render(invitation(1)), "admin");
  const unnamed = invitation(2, { createdByName: undefined, createdBy: "b3f1c2d4-1111-4000-8000-00000000abcd" });
  assert.equal(createdBy.render(unnamed), "b3f1c2d4…");
  assert.equal(createdBy.tip(unnamed), "b3f1c2d4-1111-4000-8000-00000000abcd");
  const details = invitationDetails(invitation(1), catalog);
  assert.deepEqual(details.fields.find(([label]) => label === "Created by").slice(0, 2), ["Created by", "admin"]);
  assert.equal(details.fields.find(([label]) => label === "Policies")[1], "Administrator");
  assert.equal(userDetails(user(1, { lastModifiedBy: ADMIN, lastModifiedByName: "admin" }), catalog).fields.find(([l]) => l === "Last changed by")[1], "admin");
});

test("Expires shows for Pending and Expired; the others show when they closed", () => {
  assert.match(closing(invitation(1)).text, /^in \d+ d$/);
  const thisYear = new Date(new Date().getFullYear(), 10, 30, 12).toISOString();
  assert.equal(closing(invitation(2, { status: "Accepted", dtLastModified: thisYear })).text, "Accepted 30 Nov");
  const before = closing(invitation(2, { status: "Revoked", dtLastModified: "2024-03-05T12:00:00Z" }));
  assert.equal(before.text, "Revoked 2024-03-05", "another year keeps its year");
  assert.match(before.title, /^Revoked 2024-03-05 \d\d:\d\d$/);
});

test("an action button is disabled with its reason, and marked destructive", () => {
  const button = actionButton({ action: "revoke", enabled: false, hidden: false, destructive: true, reason: "Offline: changes need the server" }, () => null);
  assert.equal(button.textContent, "Revoke");
  assert.equal(button.disabled, true);
  assert.equal(button.title, "Offline: changes need the server");
  assert.equal(button.className, "danger");
  assert.equal(button.dataset.action, "revoke");
});

test("seats list the nearly-full first, with figures beside each bar", () => {
  assert.deepEqual(seatRows(catalog).map((r) => r.sub.name), ["Telemetry Team", "Telemetry Free"]);
  const [team] = seatsView(catalog);
  assert.match(team.textContent, /Used 6 · pending 3 · free 1 · limit 10/);
  assert.match(team.textContent, /Only 1 seat left/);
  assert.match(seatsView({ ...catalog, businesses: [], subscriptions: [] })[0].textContent, /No catalogue for this API/);
  assert.equal(seatState(catalog.subscriptions[0], 1).message, "2 of 10 seats free", "an edit keeps its own seat");
});

test("removing a profile says what it deletes, and only on this computer", () => {
  const text = removalText({ name: "Acme" });
  assert.match(text, /cached invitations and users/);
  assert.match(text, /system keyring/);
  assert.match(text, /Nothing changes on the server/);
  const [item] = profileItems({ profiles: [{ id: "p1", name: "Acme", baseUrl: "https://a" }], selected: "p1" }, { open() {}, edit() {}, remove() {} });
  assert.deepEqual([...item.querySelectorAll("button")].map((b) => b.textContent), ["Open (current)", "Edit", "Remove from this computer"]);
});

test("the invite form shows errors of touched fields as typed, and every one after Send", () => {
  const errors = { email: "E-mail is required", firstName: "First name is required for a new person", dtExpiry: "x" };
  assert.deepEqual(Object.keys(visibleErrors(errors, new Set(["email"]), false)), ["email"]);
  assert.deepEqual(Object.keys(visibleErrors(errors, new Set(["expires"]), false)), ["dtExpiry"]);
  assert.deepEqual(Object.keys(visibleErrors(errors, new Set(), true)), ["email", "firstName", "dtExpiry"]);
  assert.equal(conflictHelp({ kind: "conflict", code: "already_member" }, "a@b.co").label, "Open the member");
  assert.equal(conflictHelp({ kind: "conflict", code: "invitation_exists" }, "a@b.co").label, "Show the existing invitation");
  assert.equal(blankForm({ expiryDefaultDays: 7 }).expires.length, 10);
});

test("an edit opens on the record's local day and sends it with the offset", () => {
  const row = invitation(1, { dtEndAccess: "2026-12-31T14:59:59Z", businessId: "b", appId: "a" });
  const fields = fieldsOf("invitation", row);
  assert.equal(fields.accessEnd.length, 10);
  assert.equal(fields.subscriptionId, row.subscriptionId);
  const edit = toEdit("invitation", row, fields);
  assert.equal(edit.version, 1);
  assert.equal(typeof edit.utcOffsetMinutes, "number");
  assert.equal(edit.existingUser, false);
  assert.deepEqual(Object.keys(fieldsOf("user", user(1))).sort(), ["accessEnd", "permissionPolicyIds"]);
  assert.deepEqual(clearBelow({ businessId: "b", appId: "a", subscriptionId: "s", roleId: "r" }, "appId"), { businessId: "b", appId: "a", subscriptionId: null, roleId: null });
});

test("a person's profile says who is signed in, offers Sign out, and Sign in again once it has ended", () => {
  const profiles = { selected: "p", profiles: [{ id: "p", name: "Me", kind: "person" }] };
  const signedIn = whoView(profiles, { principal: "Ada Lovelace" }, { lastError: null });
  assert.deepEqual(signedIn, { text: "Signed in as Ada Lovelace", signOut: true, signInAgain: false });
  const ended = whoView(profiles, { principal: "Ada Lovelace" }, { lastError: "the credentials were refused: your sign-in has ended (a password reset, or a membership that ended): sign in again" });
  assert.deepEqual(ended, { text: "Signed out", signOut: false, signInAgain: true });
  const machine = { selected: "k", profiles: [{ id: "k", name: "Key", kind: "serviceUser" }] };
  assert.deepEqual(whoView(machine, { principal: "admin" }, {}), { text: "", signOut: false, signInAgain: false });
});

test("the profile form asks a person for nothing secret", () => {
  assert.equal(kindView("person").keyFields, false);
  assert.equal(kindView("person").save, "Sign in with your browser");
  assert.equal(kindView("serviceUser").keyFields, true);
});
