// The UI's real page (index.html, its templates and styles' classes) in jsdom, with the Rust
// side replaced by `answers`: each command's answer, a value or a function of its arguments.
// Imported before any UI module, since those read `document` when they load.

import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const html = readFileSync(new URL("../index.html", import.meta.url), "utf8")
  // The modules are imported by the tests themselves, not by the page.
  .replace(/<script[^>]*><\/script>/g, "");

export const dom = new JSDOM(html, { pretendToBeVisual: true, url: "http://localhost/" });
const { window } = dom;
for (const name of ["window", "document", "HTMLElement", "Node", "Event", "KeyboardEvent", "FormData", "getComputedStyle", "requestAnimationFrame"]) {
  globalThis[name] = name === "window" ? window : window[name];
}
// jsdom has no modal dialogs: open and close as a browser does, `close` event included.
window.HTMLDialogElement.prototype.showModal = function showModal() {
  this.open = true;
};
window.HTMLDialogElement.prototype.close = function close(value) {
  if (value !== undefined) this.returnValue = value;
  this.open = false;
  this.dispatchEvent(new window.Event("close"));
};

/** The page's event handlers, by event name. */
const listeners = {};

/** Every call the page made, `[command, args]`, newest last. */
export const calls = [];
let answers = {};

/** Sets what each command answers (merged into what is set already). */
export function answer(more) {
  answers = { ...answers, ...more };
}

const { useTransport } = await import("../api.js");
useTransport({
  invoke: async (cmd, args) => {
    calls.push([cmd, args]);
    if (!(cmd in answers)) throw { kind: "server", message: `no answer for ${cmd} in this test` };
    const found = answers[cmd];
    return typeof found === "function" ? found(args) : structuredClone(found);
  },
  listen: async (event, handler) => {
    (listeners[event] ??= []).push(handler);
    return () => {
      listeners[event] = listeners[event].filter((h) => h !== handler);
    };
  },
});

/** Delivers `payload` to the page's listeners of `event`, as a Rust event would. */
export const emit = (event, payload) => (listeners[event] ?? []).forEach((h) => h(payload));

/** Lets queued promises and timers (debounces) run. */
export const settle = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** A key press on `target`. */
export const press = (target, key) => target.dispatchEvent(new window.KeyboardEvent("keydown", { key, bubbles: true }));

export const $ = (id) => window.document.getElementById(id);
