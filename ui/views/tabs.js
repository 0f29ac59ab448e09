// The sections as a real tablist: arrow keys, Home and End move between the tabs and open the
// one they land on; only the selected tab is in the Tab order (a roving tabindex).

import { part } from "../parts.js";

/** The tab the key moves to from `index` of `count`, or -1 for a key that does not move. */
export function tabAfterKey(index, key, count) {
  if (key === "ArrowRight") return (index + 1) % count;
  if (key === "ArrowLeft") return (index - 1 + count) % count;
  if (key === "Home") return 0;
  if (key === "End") return count - 1;
  return -1;
}

function draw(doc, chosen) {
  for (const tab of doc.querySelectorAll("[role=tab]")) {
    const on = tab.id === `tab-${chosen}`;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    const viewId = tab.getAttribute("aria-controls");
    const view = on ? part(viewId) : doc.getElementById(viewId);
    if (view) view.hidden = !on;
  }
}

export function mount(doc, store) {
  const tabs = [...doc.querySelectorAll("[role=tab]")];
  const name = (tab) => tab.id.slice(4);
  for (const tab of tabs) {
    tab.addEventListener("click", () => store.set({ tab: name(tab), detail: null }));
    tab.addEventListener("keydown", (e) => {
      // A tab the principal may not open (Activity) is hidden, and skipped.
      const shown = tabs.filter((t) => !t.hidden);
      const next = tabAfterKey(shown.indexOf(tab), e.key, shown.length);
      if (next < 0) return;
      e.preventDefault();
      store.set({ tab: name(shown[next]), detail: null });
      shown[next].focus();
    });
  }
  store.subscribe(["tab"], ({ tab }) => draw(doc, tab));
}
