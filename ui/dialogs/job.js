// A long job in a dialog (a bulk action, an import's send): a determinate bar as rows are
// answered, Cancel (rows not started are left unsent), then every row's result, exportable.

import * as api from "../api.js";
import { part, onMount } from "../parts.js";
import { openModal } from "../focus.js";
import { element } from "../view.js";
import { explain } from "../labels.js";

/** The shown rows: more would make the dialog slow to draw; the export has every row. */
export const SHOWN_MAX = 1000;

/** The bar's words: "12 of 50". */
export const countText = (done, total) => `${done} of ${total}`;

let running = false;

function drawProgress(doc, done, total) {
  const bar = doc.getElementById("job-progress");
  bar.max = Math.max(total, 1);
  bar.value = Math.min(done, total);
  bar.setAttribute("aria-valuetext", countText(done, total));
  doc.getElementById("job-count").textContent = countText(done, total);
}

function resultRow(row, close) {
  const link = row.link
    ? element("button", { type: "button", class: "link", onclick: () => { close(); row.link.open(); } }, row.link.label)
    : null;
  return element("tr", { class: `outcome-${row.tone ?? "ok"}` },
    element("td", {}, row.who),
    element("td", {}, row.outcome),
    element("td", {}, row.detail ?? "", link ? " " : "", link));
}

function drawResults(doc, rows, whoTitle, close) {
  doc.getElementById("job-who").textContent = whoTitle;
  const shown = rows.slice(0, SHOWN_MAX);
  doc.querySelector("#job-results tbody").replaceChildren(...shown.map((row) => resultRow(row, close)));
  doc.getElementById("job-results").hidden = rows.length === 0;
  doc.getElementById("job-more").textContent = rows.length > shown.length
    ? `The first ${SHOWN_MAX} of ${rows.length} rows are shown; Export results has them all.` : "";
}

function setRunning(doc, yes) {
  running = yes;
  doc.getElementById("job-cancel").hidden = !yes;
  doc.getElementById("job-export").hidden = yes;
  doc.getElementById("job-close").hidden = yes;
}

/** Opens the dialog and runs `start()` (a command that emits `job-progress`), then shows
 *  `summary(answer)` and `rows(answer)`: `[{who, outcome, detail?, tone?, link?: {label, open}}]`.
 *  Answers the command's answer, or null when it failed (the failure is shown). */
export async function runJob({ title, total, whoTitle = "E-mail", start, summary, rows }) {
  const doc = document;
  const dialog = part("job-dialog");
  doc.getElementById("job-title").textContent = title;
  doc.getElementById("job-summary").textContent = "";
  doc.getElementById("job-message").textContent = "";
  drawResults(doc, [], whoTitle, () => dialog.close());
  drawProgress(doc, 0, total);
  setRunning(doc, true);
  openModal(dialog, doc.getElementById("job-cancel"));
  const unlisten = await api.onJobProgress((p) => drawProgress(doc, p.done, p.total));
  let answer = null;
  try {
    answer = await start();
    doc.getElementById("job-summary").textContent = summary(answer);
    drawResults(doc, rows(answer), whoTitle, () => dialog.close());
  } catch (e) {
    doc.getElementById("job-message").textContent = explain(e);
  } finally {
    unlisten?.();
    setRunning(doc, false);
    doc.getElementById("job-export").hidden = answer === null;
    doc.getElementById("job-close").focus();
  }
  return answer;
}

function wire(dialog) {
  const doc = dialog.ownerDocument;
  // Escape while rows are being sent asks to stop them, rather than hiding a job that runs on.
  dialog.addEventListener("cancel", (e) => {
    if (!running) return;
    e.preventDefault();
    api.cancelJob();
  });
  doc.getElementById("job-cancel").addEventListener("click", () => {
    doc.getElementById("job-count").textContent += " · cancelling: rows already sent finish";
    api.cancelJob();
  });
  doc.getElementById("job-export").addEventListener("click", async () => {
    try {
      const done = await api.exportJobResults();
      if (done) doc.getElementById("job-message").textContent = `Exported ${done.rows} rows to ${done.path}`;
    } catch (e) {
      doc.getElementById("job-message").textContent = explain(e);
    }
  });
}

export function mount() {
  onMount("job-dialog", wire);
}
