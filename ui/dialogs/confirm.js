// "Are you sure?": asked before anything that cannot be undone.

import { part } from "../parts.js";
import { openModal } from "../focus.js";

/** Answers true when the person confirms; focus starts on Cancel, the safe choice. */
export function confirm(text, label = "Confirm") {
  const doc = document;
  const dialog = part("confirm-dialog");
  doc.getElementById("confirm-text").textContent = text;
  doc.getElementById("confirm-ok").textContent = label;
  dialog.returnValue = "";
  openModal(dialog, doc.getElementById("confirm-cancel"));
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}
