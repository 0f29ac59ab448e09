// "Import…": a CSV chosen in the system's dialog (from Rust), its columns matched to the
// invitation's fields (asked when its headers are not ones InviteDesk knows), every row
// previewed with its problems at their row and column and the seat forecast, then the ready
// rows sent with a result each (dialogs/job.js). Nothing is sent before the preview.

import * as api from "../api.js";
import { part, onMount } from "../parts.js";
import { openModal } from "../focus.js";
import { element } from "../view.js";
import { explain } from "../labels.js";
import { runJob } from "./job.js";
import { changed, showInvitation, openMember } from "../actions.js";

/** Preview rows drawn at most; the summary counts them all. */
export const PREVIEW_SHOWN_MAX = 500;

let file = null;
let mapping = {};
let preview = null;

/** Whether to ask how the columns match: a header no field is known by, or no e-mail column. */
export const needsMapping = (file, mapping) => file.unmapped.length > 0 || mapping.email === undefined;

/** The field column `column` fills, "" for none, in a `{field: column}` mapping. */
export const fieldOfColumn = (mapping, column) => Object.keys(mapping).find((f) => mapping[f] === column) ?? "";

/** The mapping once column `column` fills `field` ("" for none): each field from one column,
 *  each column into one field. */
export function remap(mapping, column, field) {
  const next = Object.fromEntries(Object.entries(mapping).filter(([f, c]) => c !== column && f !== field));
  if (field) next[field] = column;
  return next;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A preview row's check, in words. */
export function checkText(row) {
  switch (row.check.kind) {
    case "ready":
      return row.shortOfSeats ? "Over the free seats: will be refused" : "Ready";
    case "invalid":
      return "Invalid";
    case "duplicate":
      return row.check.firstRow ? `Duplicate of row ${row.check.firstRow}` : "Already invited";
    case "member":
      return "Already a member";
    default:
      return row.check.kind;
  }
}

/** Rows the "only rows with problems" view keeps. */
export const hasProblem = (row) => row.check.kind !== "ready" || row.shortOfSeats || row.problems.length > 0;

/** The preview's summary line: what will be sent, and what will not and why. */
export function summaryText(preview) {
  const count = (kind) => preview.rows.filter((r) => r.check.kind === kind).length;
  const over = preview.rows.filter((r) => r.shortOfSeats).length;
  const left = [
    [count("invalid"), "invalid"],
    [count("duplicate"), "duplicate or already invited"],
    [count("member"), "already a member"],
  ].filter(([n]) => n > 0).map(([n, why]) => `${n} ${why}`);
  const ready = `${preview.ready} ready to send${over ? ` (${over} of them over the free seats)` : ""}`;
  return `${plural(preview.rows.length, "row")}: ${[ready, ...left].join(", ")}.`;
}

/** One row's outcome as the job dialog lists it, with a link to the invitation or member. */
export function outcomeRow(sent, store) {
  const who = `Row ${sent.row} · ${sent.email || "(no e-mail)"}`;
  const o = sent.outcome;
  switch (o.kind) {
    case "created":
      return { who, outcome: o.earlier ? "Created (by an earlier run)" : "Created", tone: "ok",
        link: { label: "Show invitation", open: () => showInvitation(store, o.invitationId, sent.email) } };
    case "skipped": {
      const link = o.existingId ? { label: "Show the existing invitation", open: () => showInvitation(store, o.existingId, sent.email) }
        : o.memberId ? { label: "Show the member", open: () => openMember(store, sent.email) } : null;
      return { who, outcome: "Skipped", detail: o.reason, tone: "warn", link };
    }
    case "refusedSeats":
      return { who, outcome: "Refused: seats", detail: o.message, tone: "warn" };
    case "invalid":
      return { who, outcome: "Invalid", detail: o.field ? `${o.field}: ${o.message}` : o.message, tone: "error" };
    case "failed":
      return { who, outcome: "Failed", detail: `${o.message}${o.retryable ? " Run the import again to retry it." : ""}`, tone: "error" };
    default:
      return { who, outcome: "Cancelled", detail: "Not sent.", tone: "warn" };
  }
}

/** The rows to look at first: those not created, then the created, each in the file's order. */
export const notCreatedFirst = (rows) =>
  [...rows.filter((r) => r.outcome.kind !== "created"), ...rows.filter((r) => r.outcome.kind === "created")];

function say(doc, text) {
  doc.getElementById("import-message").textContent = text;
}

function drawFile(doc) {
  const delimiter = { ",": "comma", ";": "semicolon", "\t": "tab" }[file.delimiter] ?? file.delimiter;
  doc.getElementById("import-file").textContent = `${file.name} · ${plural(file.rows, "row")} · ${delimiter}-separated`;
  doc.getElementById("import-reload").hidden = false;
}

function drawMapping(doc, onChange) {
  const list = doc.getElementById("import-mapping-list");
  list.replaceChildren(...file.headers.map((headerName, column) => {
    const id = `import-map-${column}`;
    const select = element("select", { id, "data-column": String(column), onchange: (e) => onChange(column, e.target.value) },
      element("option", { value: "" }, "Not imported"),
      ...file.fields.map((f) => element("option", { value: f.field }, f.title)));
    select.value = fieldOfColumn(mapping, column);
    return element("div", { class: "field" }, element("label", { for: id }, headerName || `Column ${column + 1}`), select);
  }));
}

function problemList(row) {
  if (row.problems.length === 0) return "";
  return element("ul", { class: "problems" }, ...row.problems.map((p) =>
    element("li", {}, element("span", { class: "column" }, p.column), `: ${p.message}`)));
}

function drawPreview(doc) {
  doc.getElementById("import-preview").hidden = false;
  doc.getElementById("import-summary").textContent = summaryText(preview);
  doc.getElementById("import-seats").replaceChildren(...preview.seats.map((s) =>
    element("li", { class: s.refused > 0 ? "over" : "" }, s.message)));
  const onlyProblems = doc.getElementById("import-problems-only").checked;
  const rows = onlyProblems ? preview.rows.filter(hasProblem) : preview.rows;
  const shown = rows.slice(0, PREVIEW_SHOWN_MAX);
  doc.querySelector("#import-rows tbody").replaceChildren(...shown.map((row) =>
    element("tr", { "data-row": String(row.row), class: hasProblem(row) ? "has-problem" : "" },
      element("td", {}, String(row.row)),
      element("td", {}, row.email),
      element("td", {}, checkText(row)),
      element("td", {}, problemList(row)))));
  doc.getElementById("import-more").textContent = rows.length > shown.length ? `The first ${PREVIEW_SHOWN_MAX} of ${rows.length} rows are shown.` : "";
  const send = doc.getElementById("import-send");
  send.disabled = preview.ready === 0;
  send.textContent = `Send ${plural(preview.ready, "valid row")}`;
}

async function runPreview(doc) {
  preview = null;
  doc.getElementById("import-send").disabled = true;
  doc.getElementById("import-preview").hidden = true;
  if (mapping.email === undefined) {
    say(doc, "Choose the column that holds the e-mail addresses.");
    return;
  }
  try {
    preview = await api.importPreview(mapping);
    say(doc, "");
    drawPreview(doc);
  } catch (e) {
    say(doc, explain(e));
  }
}

async function show(doc, opened) {
  if (!opened) return;
  const sameHeaders = file && JSON.stringify(file.headers) === JSON.stringify(opened.headers);
  file = opened;
  if (!sameHeaders) mapping = { ...file.mapping };
  drawFile(doc);
  const onChange = (column, field) => {
    mapping = remap(mapping, column, field);
    drawMapping(doc, onChange);
    runPreview(doc);
  };
  drawMapping(doc, onChange);
  doc.getElementById("import-mapping").hidden = !needsMapping(file, mapping);
  await runPreview(doc);
}

async function send(doc, store) {
  doc.getElementById("import-dialog").close();
  const answer = await runJob({
    title: `Importing ${file.name}`,
    total: preview.ready,
    whoTitle: "Row · E-mail",
    start: api.importSend,
    summary: (a) => `${a.created} created; ${a.notCreated} not created, each explained below.`,
    rows: (a) => notCreatedFirst(a.rows).map((row) => outcomeRow(row, store)),
  });
  if (answer) changed(store);
}

function wire(doc, store) {
  const failing = (work) => async () => {
    try {
      await work();
    } catch (e) {
      say(doc, explain(e));
    }
  };
  doc.getElementById("import-choose").addEventListener("click", failing(async () => show(doc, await api.importOpenFile())));
  doc.getElementById("import-reload").addEventListener("click", failing(async () => show(doc, await api.importReload())));
  doc.getElementById("import-template").addEventListener("click", failing(async () => {
    const saved = await api.saveImportTemplate();
    if (saved) say(doc, `Template saved to ${saved.path}`);
  }));
  doc.getElementById("import-show-mapping").addEventListener("click", () => {
    doc.getElementById("import-mapping").hidden = false;
  });
  doc.getElementById("import-problems-only").addEventListener("change", () => preview && drawPreview(doc));
  doc.getElementById("import-send").addEventListener("click", () => preview && send(doc, store));
  doc.getElementById("import-close").addEventListener("click", () => doc.getElementById("import-dialog").close());
}

export function mount(doc, store) {
  onMount("import-dialog", () => wire(doc, store));
}

/** "Import…": the system's file dialog first; the import dialog opens on the file chosen (or
 *  on why it cannot be read). Nothing opens when the person cancels. */
export async function openImport() {
  const doc = document;
  let opened = null;
  let failure = null;
  try {
    opened = await api.importOpenFile();
    if (!opened) return;
  } catch (e) {
    failure = e;
  }
  const dialog = part("import-dialog");
  file = null;
  preview = null;
  doc.getElementById("import-file").textContent = "";
  doc.getElementById("import-reload").hidden = true;
  doc.getElementById("import-mapping").hidden = true;
  doc.getElementById("import-preview").hidden = true;
  doc.getElementById("import-send").disabled = true;
  say(doc, failure ? explain(failure) : "");
  openModal(dialog, doc.getElementById("import-close"));
  if (opened) await show(doc, opened);
  doc.getElementById(preview?.ready ? "import-send" : "import-close").focus();
}
