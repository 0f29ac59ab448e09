// The seats view: every subscription with used, pending, free and limit in figures beside its
// bar, the nearly-full first, under a legend; fetched fresh each time it is opened.

import * as api from "../api.js";
import { element } from "../view.js";
import { explain } from "../labels.js";
import { seatState, seatBar, seatFigures, fullness } from "../placement.js";
import { onMount } from "../parts.js";
import { say } from "./notice.js";

/** Every subscription with where it sits, fullest first (those without seat figures last). */
export function seatRows(catalog) {
  const appOf = (sub) => catalog.apps.find((a) => a.id === sub.appId);
  const businessOf = (app) => catalog.businesses.find((b) => b.id === app?.businessId);
  return catalog.subscriptions
    .map((sub) => ({ sub, app: appOf(sub), business: businessOf(appOf(sub)), seats: seatState(sub), fullness: fullness(sub) }))
    .sort((a, b) => b.fullness - a.fullness || (a.sub.name ?? "").localeCompare(b.sub.name ?? ""));
}

export function seatsView(catalog) {
  const rows = seatRows(catalog);
  if (rows.length === 0) {
    return [element("div", { class: "empty-state" },
      element("p", { class: "empty-title" }, catalog.businesses.length ? "No subscriptions yet" : "No catalogue for this API"),
      element("p", { class: "muted" }, catalog.businesses.length ? "Subscriptions appear here once the organisation has them." : "This API does not report businesses, subscriptions or seats: invitations go to the organisation only."))];
  }
  return rows.map(({ sub, app, business, seats }) =>
    element("div", { class: `seat ${seats.level}` },
      element("div", { class: "seat-name" }, element("strong", {}, sub.name ?? sub.id), element("span", { class: "muted" }, ` ${[business?.name, app?.name].filter(Boolean).join(" › ")}`)),
      element("span", { class: "seat-message" }, seats.message),
      seats.limit ? seatBar(seats) : null,
      seats.limit ? seatFigures(seats) : null));
}

export function mount(doc, store) {
  const draw = () => {
    const box = doc.getElementById("seats");
    if (box) box.replaceChildren(...seatsView(store.get().catalog));
  };
  onMount("view-seats", draw);
  store.subscribe(["catalog"], draw);
  store.subscribe(["tab"], ({ tab }) => {
    if (tab !== "seats") return;
    api.catalog(true).then((catalog) => store.set({ catalog })).catch((e) => say(store, explain(e), "error"));
  });
}
