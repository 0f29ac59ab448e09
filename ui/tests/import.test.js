// Import from CSV and acting on many, in the real page booted as the window boots it: the
// mapping step, the preview's problems at their rows and columns and the seat forecast, the
// send's progress and per-row outcomes, and bulk actions with a result per row.
import { test } from "node:test";
import assert from "node:assert/strict";
import { answer, calls, emit, settle, $ } from "./dom.js";
import { everything, invitation } from "./fixtures.js";
import { remap, needsMapping, fieldOfColumn, checkText, summaryText, outcomeRow, hasProblem } from "../dialogs/import.js";
import { bulkSummary, bulkOutcome } from "../actions.js";

const headers = ["Email", "Given name", "Surname", "Team"];
const opened = {
  name: "team.csv",
  rows: 4,
  headers,
  delimiter: ";",
  mapping: { email: 0, lastName: 2 },
  unmapped: ["Given name", "Team"],
  fields: [{ field: "email", title: "E-mail" }, { field: "firstName", title: "First name" }, { field: "lastName", title: "Last name" }, { field: "subscription", title: "Subscription" }],
};
const row = (n, check, extra = {}) => ({ index: n - 2, row: n, email: `p${n}@example.com`, name: "", check, problems: [], shortOfSeats: false, ...extra });
const previewOf = (mapping) => ({
  rows: [
    row(2, { kind: "ready" }),
    row(3, { kind: "invalid" }, { email: "not-an-address", problems: [{ column: "Email", field: "email", rule: "format", message: "E-mail must be a valid address" }] }),
    row(4, { kind: "duplicate", existingId: null, firstRow: 2 }),
    row(5, { kind: "ready" }, { shortOfSeats: mapping.subscription !== undefined }),
  ],
  seats: mapping.subscription !== undefined ? [{ subscriptionId: "s", name: "Telemetry Team", rows: 2, free: 1, refused: 1, message: "2 rows for Telemetry Team, 1 seat free: 1 will be refused" }] : [],
  ready: 2,
});
let resolveSend;

const base = everything();
answer({
  ...base,
  import_open_file: opened,
  import_reload: opened,
  import_preview: ({ mapping }) => previewOf(mapping),
  import_send: () => new Promise((resolve) => {
    resolveSend = resolve;
  }),
  cancel_job: true,
  export_job_results: { path: "/tmp/import-results.csv", rows: 4 },
  bulk_run: ({ action, ids }) => ({
    results: ids.map((id, i) => ({ id, email: `person${i + 1}@example.com`, outcome: i === 0 ? { kind: "done" } : { kind: "notAllowed", reason: "not allowed: the invitation is Accepted" } })),
    done: 1, notAllowed: ids.length - 1, failed: 0, cancelled: 0, action,
  }),
  user_ids: () => ["00000000-0000-4000-8000-000000000501", "00000000-0000-4000-8000-000000000502"],
});
await import("../boot.js");
for (let i = 0; i < 100 && !document.getElementById("status-filters").children.length; i++) await settle(10);
await settle(30);

test("a column fills one field and a field comes from one column", () => {
  assert.deepEqual(remap({ email: 0, lastName: 2 }, 1, "firstName"), { email: 0, lastName: 2, firstName: 1 });
  assert.deepEqual(remap({ email: 0, lastName: 2 }, 2, "email"), { email: 2 }, "the e-mail moves; column 2 no longer fills the last name");
  assert.deepEqual(remap({ email: 0 }, 0, ""), {});
  assert.equal(fieldOfColumn({ email: 3 }, 3), "email");
  assert.equal(fieldOfColumn({ email: 3 }, 1), "");
  assert.equal(needsMapping({ unmapped: [] }, { email: 0 }), false);
  assert.equal(needsMapping({ unmapped: ["Team"] }, { email: 0 }), true);
  assert.equal(needsMapping({ unmapped: [] }, {}), true, "no e-mail column: ask");
});

test("each check and outcome has words, and a link where there is a record", () => {
  assert.equal(checkText(row(4, { kind: "duplicate", firstRow: 2 })), "Duplicate of row 2");
  assert.equal(checkText(row(4, { kind: "duplicate", existingId: "x" })), "Already invited");
  assert.equal(checkText(row(5, { kind: "ready" }, { shortOfSeats: true })), "Over the free seats: will be refused");
  assert.equal(hasProblem(row(2, { kind: "ready" })), false);
  assert.equal(summaryText(previewOf({ subscription: 3 })), "4 rows: 2 ready to send (1 of them over the free seats), 1 invalid, 1 duplicate or already invited.");
  const created = outcomeRow({ row: 2, email: "a@example.com", outcome: { kind: "created", invitationId: "i", earlier: true } }, null);
  assert.equal(created.outcome, "Created (by an earlier run)");
  assert.equal(created.link.label, "Show invitation");
  const failed = outcomeRow({ row: 3, email: "b@example.com", outcome: { kind: "failed", message: "The server cannot be reached.", retryable: true } }, null);
  assert.match(failed.detail, /Run the import again to retry it/);
  assert.equal(outcomeRow({ row: 4, email: "c@example.com", outcome: { kind: "invalid", field: "E-mail", message: "must be valid" } }, null).detail, "E-mail: must be valid");
  assert.equal(bulkSummary({ done: 3, notAllowed: 1, failed: 0, cancelled: 0 }), "3 done, 1 not allowed for their status.");
  assert.equal(bulkOutcome({ email: "d@example.com", outcome: { kind: "failed", reason: "offline" } }).detail, "offline");
});

test("an import asks how unknown columns match, previews every row, then sends with progress", async () => {
  $("import-button").click();
  await settle(20);
  assert.equal($("import-dialog").open, true);
  assert.equal($("import-file").textContent, "team.csv · 4 rows · semicolon-separated");
  assert.equal($("import-mapping").hidden, false, "Given name and Team are not known headers");
  assert.equal($("import-map-1").value, "", "Given name: not matched yet");
  assert.equal($("import-map-0").value, "email");
  $("import-map-3").value = "subscription";
  $("import-map-3").dispatchEvent(new window.Event("change"));
  await settle(20);
  assert.deepEqual(calls.filter(([cmd]) => cmd === "import_preview").at(-1)[1].mapping, { email: 0, lastName: 2, subscription: 3 });
  assert.equal(typeof calls.filter(([cmd]) => cmd === "import_preview").at(-1)[1].utcOffsetMinutes, "number");
  assert.match($("import-seats").textContent, /2 rows for Telemetry Team, 1 seat free: 1 will be refused/);
  const problemRows = [...document.querySelectorAll("#import-rows tbody tr")].map((tr) => tr.dataset.row);
  assert.deepEqual(problemRows, ["3", "4", "5"], "only rows with problems, by their spreadsheet row");
  const invalid = document.querySelector('#import-rows tr[data-row="3"]');
  assert.match(invalid.textContent, /Email: E-mail must be a valid address/, "the problem at its column");
  $("import-problems-only").checked = false;
  $("import-problems-only").dispatchEvent(new window.Event("change"));
  assert.equal(document.querySelectorAll("#import-rows tbody tr").length, 4);
  assert.equal($("import-send").textContent, "Send 2 valid rows");

  $("import-send").click();
  await settle(20);
  assert.equal($("import-dialog").open, false);
  assert.equal($("job-dialog").open, true);
  assert.equal($("job-cancel").hidden, false);
  emit("job-progress", { job: "import", done: 1, total: 2 });
  assert.equal($("job-count").textContent, "1 of 2");
  assert.equal($("job-progress").value, 1);
  $("job-cancel").click();
  assert.equal(calls.filter(([cmd]) => cmd === "cancel_job").length, 1);
  resolveSend({
    rows: [
      { index: 0, row: 2, email: "p2@example.com", outcome: { kind: "created", invitationId: invitation(1).id, earlier: false } },
      { index: 1, row: 3, email: "not-an-address", outcome: { kind: "invalid", field: "E-mail", message: "E-mail must be a valid address" } },
      { index: 2, row: 4, email: "p4@example.com", outcome: { kind: "skipped", reason: "the same e-mail as row 2", firstRow: 2 } },
      { index: 3, row: 5, email: "p5@example.com", outcome: { kind: "cancelled" } },
    ],
    created: 1,
    notCreated: 3,
  });
  await settle(20);
  assert.equal($("job-summary").textContent, "1 created; 3 not created, each explained below.");
  const outcomes = [...document.querySelectorAll("#job-results tbody tr")].map((tr) => tr.children[1].textContent);
  assert.deepEqual(outcomes, ["Invalid", "Skipped", "Cancelled", "Created"], "those not created first");
  assert.equal($("job-cancel").hidden, true);
  $("job-export").click();
  await settle(10);
  assert.match($("job-message").textContent, /Exported 4 rows to \/tmp\/import-results.csv/);
  document.querySelector("#job-results tbody tr:last-child button.link").click();
  await settle(20);
  assert.equal($("job-dialog").open, false, "the link closes the results and shows the invitation");
  assert.equal($("invitation-search").value, "p2@example.com");
});

test("bulk revoke over every row the filter shows gives a result per row and clears the selection", async () => {
  $("invitation-search").value = "";
  $("invitation-search").dispatchEvent(new window.Event("input"));
  await settle(100);
  document.querySelector("#invitation-table .vt-row .vt-check").click();
  await settle(10);
  assert.equal($("selection-bar").hidden, false);
  $("select-all").click();
  await settle(20);
  assert.match($("selection-count").textContent, /^3 selected/);
  $("bulk-revoke").click();
  await settle(10);
  assert.equal($("confirm-dialog").open, true);
  assert.match($("confirm-text").textContent, /Revoke 3 invitations\?/);
  $("confirm-dialog").close("ok");
  await settle(30);
  const asked = calls.filter(([cmd]) => cmd === "bulk_run").at(-1)[1];
  assert.equal(asked.action, "revoke");
  assert.equal(asked.ids.length, 3);
  assert.equal($("job-summary").textContent, "1 done, 2 not allowed for their status.");
  assert.equal(document.querySelectorAll("#job-results tbody tr").length, 3);
  assert.equal($("selection-bar").hidden, true, "acted on: the selection clears");
  $("job-dialog").close();
});

test("users can be selected by filter and inactivated in bulk", async () => {
  $("tab-users").click();
  await settle(30);
  document.querySelector("#user-table .vt-row .vt-check").click();
  await settle(20);
  assert.equal($("user-selection-bar").hidden, false);
  $("user-select-all").click();
  await settle(20);
  assert.equal($("user-selection-count").textContent, "2 selected");
  $("bulk-inactivate").click();
  await settle(10);
  assert.match($("confirm-text").textContent, /Inactivate 2 users\?/);
  $("confirm-dialog").close("ok");
  await settle(30);
  const asked = calls.filter(([cmd]) => cmd === "bulk_run").at(-1)[1];
  assert.equal(asked.action, "inactivate");
  assert.equal($("user-selection-bar").hidden, true);
});
