// "About InviteDesk": the version, the log folder (opened by Rust), and updates: a check,
// then, when the person says so, the signed update installed and the app restarted.

import * as api from "../api.js";
import { part, onMount } from "../parts.js";
import { openModal } from "../focus.js";
import { explain } from "../labels.js";
import { say } from "../views/notice.js";

/** What a check found, in words. */
export const updateText = (offer) =>
  offer ? `Version ${offer.version} is available (this is ${offer.current}).${offer.notes ? ` ${offer.notes}` : ""}` : "This is the newest version.";

function message(doc, text) {
  doc.getElementById("about-message").textContent = text;
}

function wire(doc) {
  doc.getElementById("about-open-logs").addEventListener("click", () =>
    api.openLogFolder().catch((e) => message(doc, explain(e))));
  doc.getElementById("about-check").addEventListener("click", async () => {
    const install = doc.getElementById("about-install");
    install.hidden = true;
    message(doc, "Checking…");
    try {
      const offer = await api.checkUpdate();
      message(doc, updateText(offer));
      if (offer) {
        install.textContent = `Install ${offer.version} and restart`;
        install.hidden = false;
      }
    } catch (e) {
      message(doc, explain(e));
    }
  });
  doc.getElementById("about-install").addEventListener("click", async () => {
    message(doc, "Downloading and checking the update's signature…");
    await api.installUpdate().catch((e) => message(doc, explain(e)));
  });
}

export async function openAbout() {
  const doc = document;
  const dialog = part("about-dialog");
  const about = await api.about().catch(() => ({ version: "?", logFolder: null }));
  doc.getElementById("about-version").textContent = `Version ${about.version}`;
  doc.getElementById("about-log-folder").textContent = about.logFolder ?? "none on this system";
  doc.getElementById("about-install").hidden = true;
  message(doc, "");
  openModal(dialog, doc.getElementById("about-close"));
}

export function mount(doc, store) {
  onMount("about-dialog", () => wire(doc));
  doc.getElementById("about-button").addEventListener("click", openAbout);
  // A second launch ends at once and hands over here: this window is the app.
  api.onSecondLaunch(() => say(store, "InviteDesk is already open: it runs once, in this window.", "info"));
}
