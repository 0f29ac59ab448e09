// About InviteDesk: the version, the log folder, and an update found, installed only when asked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { answer, calls, emit, settle, $ } from "./dom.js";
import { everything } from "./fixtures.js";
import { updateText } from "../dialogs/about.js";

answer({
  ...everything(),
  about: { version: "1.4.0", logFolder: "/home/ada/.local/share/com.invitedesk.console/logs" },
  open_log_folder: null,
  check_update: { version: "1.5.0", current: "1.4.0", notes: "Faster imports." },
  install_update: () => {
    throw { kind: "server", message: "The update's signature does not match this app's key: it was not installed" };
  },
});
await import("../boot.js");
for (let i = 0; i < 100 && !document.getElementById("status-filters").children.length; i++) await settle(10);
await settle(30);

test("About shows the version and the log folder, and opens the folder through Rust", async () => {
  $("about-button").click();
  await settle(20);
  assert.equal($("about-dialog").open, true);
  assert.equal($("about-version").textContent, "Version 1.4.0");
  assert.match($("about-log-folder").textContent, /logs$/);
  $("about-open-logs").click();
  await settle(10);
  assert.equal(calls.filter(([cmd]) => cmd === "open_log_folder").length, 1);
});

test("an update is offered after a check and installed only when asked; a bad signature is said", async () => {
  assert.equal(calls.filter(([cmd]) => cmd === "install_update").length, 0);
  $("about-check").click();
  await settle(20);
  assert.match($("about-message").textContent, /Version 1\.5\.0 is available \(this is 1\.4\.0\)\. Faster imports\./);
  assert.equal($("about-install").hidden, false);
  assert.equal($("about-install").textContent, "Install 1.5.0 and restart");
  assert.equal(calls.filter(([cmd]) => cmd === "install_update").length, 0, "nothing installed before the click");
  $("about-install").click();
  await settle(20);
  assert.match($("about-message").textContent, /signature does not match/);
  assert.equal(updateText(null), "This is the newest version.");
});

test("a second launch is told in this window", async () => {
  emit("second-launch", ["--demo"]);
  await settle(10);
  assert.match($("notice").textContent, /already open/);
});
