// The whole UI in the real page, booted as the window boots it, against answers shaped as the
// Rust side gives them: the views wired through the store, keyboard use, the invite dialog's
// messages coming from Rust, and an accessibility check (axe-core) of every view and dialog.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dom, answer, calls, settle, press, $ } from "./dom.js";
import { everything } from "./fixtures.js";

answer(everything());
const { store } = await import("../store.js");
await import("../boot.js");
// boot.js imports main.js once the first rows are drawn.
for (let i = 0; i < 100 && !document.getElementById("status-filters").children.length; i++) await settle(10);
await settle(20);

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
dom.window.eval(axeSource);

/** Serious and critical accessibility violations of the page as it is now. */
async function violations() {
  const result = await dom.window.axe.run(dom.window.document, {
    // jsdom lays nothing out: contrast is checked by eye in the real window.
    rules: { "color-contrast": { enabled: false } },
    resultTypes: ["violations"],
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

test("the first screen shows the cached rows with names, counts and a failed delivery", () => {
  const rows = [...document.querySelectorAll("#invitation-table .vt-row")];
  assert.equal(rows.length, 3);
  assert.equal(rows[0].querySelector(".col-createdBy").textContent, "admin");
  assert.equal(rows[1].querySelector(".col-createdBy").textContent, "b3f1c2d4…", "no name: a short id");
  assert.equal(rows[2].querySelector(".col-delivery").title, "Failed: mailbox unavailable");
  assert.match($("status-filters").textContent, /All \(3\)/);
  assert.equal($("invitation-grid").getAttribute("role"), "grid");
  assert.equal($("invitation-grid").getAttribute("aria-rowcount"), "4", "three rows and the header");
});

test("Delivery failed narrows the table to the undelivered", async () => {
  $("delivery-filter").click();
  await settle(10);
  const rows = [...document.querySelectorAll("#invitation-table .vt-row .col-email")].map((c) => c.textContent);
  assert.deepEqual(rows, ["person3@example.com"]);
  assert.equal($("delivery-filter").getAttribute("aria-pressed"), "true");
  $("delivery-filter").click();
  await settle(10);
  assert.equal(document.querySelectorAll("#invitation-table .vt-row").length, 3);
});

test("the tabs are a tablist: arrows move, one tab in the Tab order", async () => {
  const first = $("tab-invitations");
  first.focus();
  press(first, "ArrowRight");
  await settle(10);
  assert.equal(document.activeElement.id, "tab-users");
  assert.equal($("tab-users").getAttribute("aria-selected"), "true");
  assert.deepEqual([...document.querySelectorAll("[role=tab]")].map((t) => t.tabIndex), [-1, 0, -1, -1, -1]);
  assert.equal($("view-users").hidden, false);
  assert.match($("user-filters").textContent, /Active \(1\).*Inactive \(1\)/);
  assert.deepEqual(await violations(), [], "the users view");
  press($("tab-users"), "End");
  await settle(10);
  assert.equal($("view-profiles").hidden, false);
  assert.deepEqual(await violations(), [], "the profiles view");
  press($("tab-profiles"), "ArrowLeft");
  await settle(10);
  assert.equal($("view-seats").hidden, false);
  assert.match($("seats").textContent, /Used 6 · pending 3 · free 1 · limit 10/);
  assert.deepEqual(await violations(), [], "the seats view");
  press($("tab-seats"), "Home");
  await settle(10);
  assert.equal($("view-invitations").hidden, false);
  assert.deepEqual(await violations(), [], "the invitations view");
});

test("opening the details moves focus into them; closing returns it", async () => {
  const row = document.querySelector("#invitation-table .vt-row");
  $("invitation-table").focus();
  row.click();
  await settle(10);
  assert.equal($("details").hidden, false);
  assert.equal(document.activeElement.id, "details");
  assert.deepEqual([...$("details-actions").querySelectorAll("button")].map((b) => b.dataset.action), ["resend", "editInvitation", "revoke", "deleteInvitation"]);
  assert.deepEqual(await violations(), [], "the details panel");
  press(document.activeElement, "Escape");
  await settle(10);
  assert.equal($("details").hidden, true);
  assert.equal(document.activeElement.id, "invitation-table");
});

test("the invite dialog's limits and messages are Rust's, and focus comes back after", async () => {
  // What Rust answers: a limit and a message this file does not know.
  answer({
    rules: { ...everything().rules, limits: { ...everything().rules.limits, nameMaxChars: 7 } },
    check_invite: [{ field: "firstName", rule: "too_long", message: "First name must be at most 7 characters" }],
  });
  store.set({ rules: await (await import("../api.js")).rules() });
  $("invite-button").focus();
  $("invite-button").click();
  await settle(120);
  assert.equal($("invite-dialog").open, true);
  assert.equal(document.activeElement.id, "if-email");
  assert.equal($("if-firstName").maxLength, 7, "the model's limit, through the rules command");
  $("if-firstName").value = "Augusta Ada";
  $("if-firstName").dispatchEvent(new window.Event("input", { bubbles: true }));
  await settle(150);
  assert.equal($("if-firstName-error").textContent, "First name must be at most 7 characters");
  assert.equal($("if-firstName").getAttribute("aria-invalid"), "true");
  assert.ok($("if-firstName").getAttribute("aria-describedby").split(" ").includes("if-firstName-error"));
  assert.equal($("if-email-error").textContent, "", "an untouched field shows nothing yet");
  const checked = calls.filter(([cmd]) => cmd === "check_invite").at(-1)[1].form;
  assert.equal(checked.firstName, "Augusta Ada");
  assert.equal(typeof checked.utcOffsetMinutes, "number");
  assert.deepEqual(await violations(), [], "the invite dialog");
  $("invite-cancel").click();
  await settle(10);
  assert.equal(document.activeElement.id, "invite-button");
});

test("the existing-user picker offers people who are not members now", async () => {
  $("invite-button").click();
  await settle(120);
  document.querySelector("input[name=kind][value=existing]").click();
  document.querySelector("input[name=kind][value=existing]").dispatchEvent(new window.Event("input", { bubbles: true }));
  await settle(10);
  assert.equal($("existing-picker").hidden, false);
  $("if-existing").value = "fay";
  $("if-existing").dispatchEvent(new window.Event("input", { bubbles: true }));
  await settle(100);
  const offered = $("if-existing-list").querySelector("button");
  assert.match(offered.textContent, /former@example.com.*Fay Former · former member/);
  offered.click();
  assert.equal($("if-email").value, "former@example.com");
  assert.equal($("if-firstName").value, "Fay");
  $("invite-cancel").click();
});

test("the edit dialog holds placement with its seats and links every error to its field", async () => {
  document.querySelector("#invitation-table .vt-row").click();
  await settle(10);
  document.querySelector("#details-actions [data-action=editInvitation]").click();
  await settle(10);
  assert.equal($("edit-dialog").open, true);
  assert.equal($("ef-subscriptionId").value, everything().catalog.subscriptions[0].id);
  assert.match($("ef-seat-panel").textContent, /2 of 10 seats free/, "its own pending seat counts as free to keep");
  for (const control of document.querySelectorAll("#edit-form input:not([type=checkbox]), #edit-form select")) {
    assert.ok(control.getAttribute("aria-describedby")?.includes("-error"), `${control.id} names its error`);
  }
  assert.deepEqual(await violations(), [], "the edit dialog");
  $("edit-cancel").click();
  store.set({ detail: null });
});
