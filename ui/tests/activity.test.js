// The Activity tab, the details panel's history and the bell, in the real page booted as the
// window boots it, for a person whose policies let them read the trail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { answer, calls, settle, $ } from "./dom.js";
import { everything, invitation } from "./fixtures.js";
import { activityQuery, dayBound, mayViewActivity } from "../views/activity.js";
import { invitationLine, outcomeText } from "../views/bell.js";

const event = (n, action, overrides = {}) => ({
  id: `00000000-0000-4000-8000-0000000007${String(n).padStart(2, "0")}`,
  dtCreated: new Date(Date.UTC(2026, 11, 1, 10, n)).toISOString(),
  actorId: "00000000-0000-4000-8000-000000000900",
  actorKind: "person",
  actorName: "Ada Lovelace",
  action,
  recordType: "invitation",
  recordId: invitation(1).id,
  recordEmail: "person1@example.com",
  changes: [],
  changed: "",
  ...overrides,
});
const trail = [event(3, "invitation.revoked"), event(2, "invitation.resent"), event(1, "invitation.created")];
const waiting = [{
  id: "00000000-0000-4000-8000-000000000801",
  organizationId: "00000000-0000-4000-8000-000000000802",
  organizationName: "Globex Corporation",
  invitedBy: "Hank Scorpio",
  subscription: "Dispatch Standard",
  role: "Dispatcher",
  permissionPolicies: ["Administrator"],
  dtExpiry: new Date(Date.now() + 5 * 86_400_000).toISOString(),
}];
let mine = [...waiting];

const base = everything();
answer({
  ...base,
  profiles: { profiles: [{ id: "p1", name: "Me at Acme", kind: "person", baseUrl: "http://127.0.0.1:8080", orgId: "" }], selected: "p1" },
  capabilities: { principal: "Ada Lovelace", organization: "Acme", extended: true, actions: [["viewActivity", { allowed: "yes" }]] },
  rules: { ...base.rules, auditActions: ["invitation.created", "invitation.resent", "invitation.revoked"] },
  activity_window: ({ filter }) => {
    const shown = trail.filter((e) => (!filter.action || e.action === filter.action) && (!filter.search || e.recordEmail.includes(filter.search)));
    return { rows: shown.slice(filter.offset, filter.offset + filter.limit), total: shown.length };
  },
  activity_actors: [{ id: "00000000-0000-4000-8000-000000000900", name: "Ada Lovelace" }],
  record_history: ["Sent by Ada Lovelace on 2026-12-01 10:01", "Resent by Ada Lovelace on 2026-12-01 10:02", "Revoked by Ada Lovelace on 2026-12-01 10:03"],
  my_invitations: () => mine,
  answer_invitation: ({ id, accept }) => {
    mine = mine.filter((i) => i.id !== id);
    return { id, organizationId: waiting[0].organizationId, organizationName: "Globex Corporation", status: accept ? "Accepted" : "Declined" };
  },
});
await import("../boot.js");
for (let i = 0; i < 100 && !document.getElementById("status-filters").children.length; i++) await settle(10);
await settle(30);

test("the Activity tab is offered only to those who may read the trail", () => {
  assert.equal(mayViewActivity({ actions: [["viewActivity", { allowed: "yes" }]] }), true);
  assert.equal(mayViewActivity({ actions: [["viewActivity", { allowed: "denied", permission: "x" }]] }), false);
  assert.equal(mayViewActivity(null), false);
  assert.equal($("tab-activity").hidden, false);
});

test("the filters become the command's: days on the person's clock, blanks left out", () => {
  const q = activityQuery({ actor: "", action: "invitation.resent", record: " a@b.c ", from: "2026-12-01", to: "2026-12-01", search: "" }, 0, 100);
  assert.equal(q.action, "invitation.resent");
  assert.equal(q.email, "a@b.c");
  assert.equal(q.actorId, null);
  assert.equal(q.search, null);
  assert.equal(new Date(q.to) - new Date(q.from), 86_400_000, "To includes the whole day");
  assert.equal(dayBound("not a day"), null);
  const byId = activityQuery({ record: "0A1B2C3D-0000-4000-8000-000000000001" }, 0, 10);
  assert.equal(byId.recordId, "0a1b2c3d-0000-4000-8000-000000000001", "an id filters by record");
  assert.equal(byId.email, null);
});

test("the Activity tab lists the trail newest first and filters by action", async () => {
  $("tab-activity").click();
  await settle(20);
  assert.equal($("view-activity").hidden, false, "the view is shown, wired to the end");
  assert.ok($("activity-export"), "its export button");
  const actions = () => [...document.querySelectorAll("#activity-table .vt-row .col-action")].map((c) => c.textContent);
  assert.deepEqual(actions(), ["Invitation revoked", "Invitation resent", "Invitation sent"]);
  assert.equal(document.querySelector("#activity-table .vt-row .col-who").textContent, "Ada Lovelace");
  assert.match($("activity-count").textContent, /3 events/);
  $("activity-action").value = "invitation.resent";
  $("activity-action").dispatchEvent(new window.Event("change"));
  await settle(20);
  assert.deepEqual(actions(), ["Invitation resent"]);
  const asked = calls.filter(([cmd]) => cmd === "activity_window").at(-1)[1].filter;
  assert.equal(asked.action, "invitation.resent");
});

test("an invitation's details tell its history in plain words", async () => {
  $("tab-invitations").click();
  await settle(10);
  document.querySelector("#invitation-table .vt-row").click();
  await settle(20);
  const lines = [...$("details-history").querySelectorAll("li")].map((li) => li.textContent);
  assert.equal(lines.length, 3);
  assert.match(lines[1], /^Resent by Ada Lovelace on /);
  const asked = calls.filter(([cmd]) => cmd === "record_history").at(-1)[1];
  assert.equal(asked.recordId, invitation(1).id);
  assert.equal(typeof asked.offsetMinutes, "number");
});

test("the bell counts the person's invitations, accepts one and offers its profile", async () => {
  assert.equal($("bell").hidden, false);
  assert.equal($("bell-count").textContent, "1");
  $("bell").click();
  await settle(10);
  assert.equal($("bell-panel").hidden, false);
  assert.match($("bell-list").textContent, /Globex Corporation: Hank Scorpio invited you to Dispatch Standard \/ Dispatcher/);
  $("bell-list").querySelector("button[data-answer=accept]").click();
  await settle(20);
  assert.match($("bell-outcome").textContent, /You joined Globex Corporation\./);
  assert.ok($("bell-open-profile"), "a profile for the new organisation is offered");
  assert.equal($("bell-count").textContent, "", "answered: off the bell");
  assert.deepEqual(calls.filter(([cmd]) => cmd === "answer_invitation").at(-1)[1], { id: waiting[0].id, accept: true });
});

test("the bell's words", () => {
  assert.match(invitationLine(waiting[0]), /with Administrator\. Expires /);
  assert.equal(outcomeText({ status: "Declined", organizationName: "Globex" }), "You declined the invitation to Globex.");
});
