// The one line under the tabs that says what just happened, or what went wrong, with a button
// to the record concerned when there is one.

import { element } from "../view.js";

/** Puts `message` in the notice (empty hides it). `action`: `{label, run}`. */
export function say(store, message, kind = "info", action = null) {
  store.set({ notice: message ? { message, kind, action } : null });
}

/** The notice's content for `notice`: `{hidden, className, children}`. */
export function noticeView(notice) {
  if (!notice) return { hidden: true, className: "notice", children: [] };
  const children = [notice.message];
  if (notice.action) children.push(" ", element("button", { type: "button", class: "link", onclick: notice.action.run }, notice.action.label));
  return { hidden: false, className: `notice ${notice.kind}`, children };
}

export function mount(doc, store) {
  const box = doc.getElementById("notice");
  store.subscribe(["notice"], ({ notice }) => {
    const view = noticeView(notice);
    box.hidden = view.hidden;
    box.className = view.className;
    box.replaceChildren(...view.children);
  });
}
