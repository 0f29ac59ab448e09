import { test } from "node:test";
import assert from "node:assert/strict";
import { invitationActions, userActions, check } from "../rules.js";

const everything = { extended: true, actions: [] };
const names = (list) => list.map((a) => a.action);

test("each status offers exactly its actions", () => {
  assert.deepEqual(names(invitationActions("Pending", everything, true)), ["resend", "edit", "revoke", "delete"]);
  assert.deepEqual(names(invitationActions("Expired", everything, true)), ["resend", "edit", "delete"]);
  assert.deepEqual(names(invitationActions("Declined", everything, true)), ["delete"]);
  assert.deepEqual(names(invitationActions("Revoked", everything, true)), ["delete"]);
  assert.deepEqual(names(invitationActions("Accepted", everything, true)), ["openUser"]);
  assert.deepEqual(names(userActions("Inactive", everything, true)), ["editUser", "reactivate", "deleteUser"]);
});

test("a missing permission disables the action and names the permission", () => {
  const helpdesk = {
    extended: true,
    actions: [["revoke", { allowed: "denied", permission: "config:update on config:orgUserInvitation/*" }], ["resend", { allowed: "yes" }]],
  };
  const [resend, , revoke] = invitationActions("Pending", helpdesk, true);
  assert.equal(resend.enabled, true);
  assert.equal(revoke.enabled, false);
  assert.match(revoke.reason, /config:update on config:orgUserInvitation/);
});

test("an m3ter-only API's missing actions say so, and offline disables every write", () => {
  const m3ter = { extended: false, actions: [["resend", { allowed: "unsupported" }]] };
  assert.equal(check("resend", m3ter, true).reason, "This API does not support it");
  const offline = invitationActions("Pending", everything, false);
  assert.ok(offline.every((a) => !a.enabled && /Offline/.test(a.reason)));
  assert.equal(check("openUser", everything, false).enabled, true, "reading is never blocked");
});
