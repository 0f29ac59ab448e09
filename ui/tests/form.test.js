import { test } from "node:test";
import assert from "node:assert/strict";
import { validate, cascade, clearBelow, seatState, isoDay, fieldErrors, rebaseEdit } from "../form.js";

const today = new Date(Date.UTC(2026, 10, 23));
const good = {
  existingUser: false,
  email: "ada@example.com",
  firstName: "Ada",
  lastName: "Lovelace",
  contactNumber: "+44 20 7946 0000",
  permissionPolicyIds: ["p1"],
  accessEnd: "",
  expires: isoDay(today, 30),
};

test("a good new person passes", () => {
  assert.deepEqual(validate(good, today), {});
});

test("every broken rule is named at once, next to its field", () => {
  const errors = validate({ ...good, email: "nope", firstName: "", contactNumber: "call me", permissionPolicyIds: [], accessEnd: isoDay(today), expires: isoDay(today, 91) }, today);
  assert.deepEqual(Object.keys(errors).sort(), ["contactNumber", "dtEndAccess", "dtExpiry", "email", "firstName", "permissionPolicyIds"]);
});

test("an existing user needs no names or number", () => {
  assert.deepEqual(validate({ ...good, existingUser: true, firstName: "", lastName: "", contactNumber: "" }, today), {});
});

test("a line break in a name is refused", () => {
  assert.ok(validate({ ...good, firstName: "Ada\nEvil: header" }, today).firstName);
});

const catalog = {
  businesses: [{ id: "b1", name: "Acme" }],
  apps: [{ id: "a1", businessId: "b1", name: "Store" }, { id: "a2", businessId: "b2", name: "Other" }],
  subscriptions: [{ id: "s1", appId: "a1", name: "Pro", seats: { limit: 10, used: 5, pending: 4, available: 1 } }],
  roles: [],
};

test("each list loads once its parent is chosen, with the reason when empty", () => {
  const none = cascade(catalog, {});
  assert.equal(none.apps.length, 0);
  assert.equal(none.empty.apps, "Choose a business first");
  const chosen = cascade(catalog, { businessId: "b1", appId: "a1" });
  assert.deepEqual(chosen.apps.map((a) => a.id), ["a1"]);
  assert.deepEqual(chosen.subscriptions.map((s) => s.id), ["s1"]);
  assert.equal(chosen.empty.roles, "This app has no roles");
});

test("changing a choice clears what hung on it", () => {
  assert.deepEqual(clearBelow({ businessId: "b2", appId: "a1", subscriptionId: "s1", roleId: "r" }, "businessId"), { businessId: "b2", appId: null, subscriptionId: null, roleId: null });
});

test("the seat panel warns when nearly full and blocks when full", () => {
  assert.equal(seatState(catalog.subscriptions[0]).level, "warn");
  assert.equal(seatState({ seats: { limit: 2, used: 2, pending: 0, available: 0 } }).level, "full");
  assert.equal(seatState({ seats: { limit: 10, used: 1, pending: 0, available: 9 } }).level, "ok");
  assert.equal(seatState({ id: "x" }).level, "unknown");
});

test("field errors from the app or the server land on their fields", () => {
  assert.deepEqual(fieldErrors({ field: "email", message: "taken", errors: [{ field: "lastName", message: "too long" }] }), { lastName: "too long", email: "taken" });
});

test("after a conflict, their record keeps my changes on top and nothing of theirs is lost", () => {
  const original = { permissionPolicyIds: ["read", "billing"], dtEndAccess: null, firstName: "Ada" };
  const mine = { permissionPolicyIds: ["read", "admin"], dtEndAccess: "2027-01-31T23:59:59Z", firstName: "Ada" };
  const theirs = { permissionPolicyIds: ["read", "billing", "audit"], dtEndAccess: null, firstName: "Augusta", version: 3 };
  const { merged, changed } = rebaseEdit(original, mine, theirs);
  assert.deepEqual(merged.permissionPolicyIds, ["read", "audit", "admin"]);
  assert.equal(merged.dtEndAccess, "2027-01-31T23:59:59Z");
  assert.equal(merged.firstName, "Augusta", "a field I did not touch is theirs");
  assert.equal(merged.version, 3);
  assert.deepEqual(changed.sort(), ["dtEndAccess", "permissionPolicyIds"]);
});

test("after a conflict with nothing changed on my side, their record is taken as it is", () => {
  const original = { permissionPolicyIds: ["read"], dtEndAccess: null };
  const theirs = { permissionPolicyIds: ["audit"], dtEndAccess: "2027-02-01T23:59:59Z", version: 9 };
  assert.deepEqual(rebaseEdit(original, { ...original }, theirs), { merged: theirs, changed: [] });
});
