// Where an invitee is placed, as the forms show it: the business → app → subscription → role
// cascade (each list filled once its parent is chosen, with the reason when it is empty), and
// a subscription's seats as figures and a bar. Presentation only: whether a seat is free is
// the server's to decide, and it refuses an invite that would exceed them.

import { element } from "./view.js";

export const PLACEMENT_FIELDS = ["businessId", "appId", "subscriptionId", "roleId"];

/** The choices of each cascading select, given what is chosen above it. */
export function cascade(catalog, form) {
  const apps = form.businessId ? catalog.apps.filter((a) => a.businessId === form.businessId) : [];
  const subscriptions = form.appId ? catalog.subscriptions.filter((s) => s.appId === form.appId) : [];
  const roles = form.appId ? catalog.roles.filter((r) => r.appId === form.appId) : [];
  const why = (list, parent, noun) =>
    !parent ? `Choose ${noun === "app" ? "a business" : "an app"} first` : list.length === 0 ? `This ${noun === "app" ? "business has no apps" : `app has no ${noun}s`}` : "";
  return {
    businesses: catalog.businesses,
    apps,
    subscriptions,
    roles,
    empty: {
      apps: why(apps, form.businessId, "app"),
      subscriptions: why(subscriptions, form.appId, "subscription"),
      roles: why(roles, form.appId, "role"),
    },
  };
}

/** A choice above changed: clear what depended on it. */
export function clearBelow(form, field) {
  const next = { ...form };
  const at = PLACEMENT_FIELDS.indexOf(field);
  for (const below of PLACEMENT_FIELDS.slice(at + 1)) {
    if (at >= 0 && !(field === "subscriptionId" && below === "roleId")) next[below] = null;
  }
  return next;
}

/** The seat panel: `{level: ok|warn|full|unknown|none, used, pending, free, limit, message}`.
 *  `own` is a seat this record holds already (an edit keeping its subscription). */
export function seatState(subscription, own = 0) {
  if (!subscription) return { level: "none", message: "Choose a subscription to see its seats" };
  const seats = subscription.seats;
  if (!seats) return { level: "unknown", message: "This API does not report seats" };
  const { limit, used, pending } = seats;
  const available = seats.available + own;
  const base = { used, pending, free: seats.available, limit };
  if (available <= 0) return { ...base, level: "full", message: "No seat is free: this invitation cannot be sent" };
  if (available <= Math.max(1, Math.ceil(limit * 0.1))) return { ...base, level: "warn", message: `Only ${available} seat${available === 1 ? "" : "s"} left` };
  return { ...base, level: "ok", message: `${available} of ${limit} seats free` };
}

/** How full a subscription is, 0–1 (used and pending of its limit): the seats view's order. */
export const fullness = (subscription) => {
  const seats = subscription.seats;
  return seats && seats.limit > 0 ? (seats.used + seats.pending) / seats.limit : -1;
};

/** Used and pending seats as a bar, with the figures for a screen reader. */
export function seatBar(seats) {
  const pct = (n) => `${Math.min(100, (n / Math.max(1, seats.limit)) * 100)}%`;
  // Widths through the CSSOM: the CSP refuses inline style attributes.
  const used = element("span", { class: "used" });
  used.style.width = pct(seats.used);
  const pending = element("span", { class: "pending" });
  pending.style.width = pct(seats.pending);
  return element("div", { class: "bar", role: "img", "aria-label": `${seats.used} used, ${seats.pending} pending, ${seats.free} free of ${seats.limit}` }, used, pending);
}

/** `used · pending · free · limit` in figures, beside the bar. */
export const seatFigures = (seats) =>
  element("span", { class: "seat-figures" }, `Used ${seats.used} · pending ${seats.pending} · free ${seats.free} · limit ${seats.limit}`);

/** Fills `select` with `items`, `chosen` selected, and its hint with why it is empty. */
export function fillSelect(select, hint, items, chosen, emptyReason) {
  select.replaceChildren(element("option", { value: "" }, items.length ? "Choose…" : "—"), ...items.map((i) => element("option", { value: i.id, selected: i.id === chosen }, i.name ?? i.id)));
  select.disabled = items.length === 0;
  if (hint) hint.textContent = emptyReason ?? "";
}

/** Draws the four selects `<prefix>businessId` … and the seat panel for `form`'s placement;
 *  answers the seat state (the Send button waits for a free seat). */
export function drawPlacement(doc, prefix, catalog, form, panel, own = 0) {
  const lists = cascade(catalog, form);
  const get = (field) => doc.getElementById(`${prefix}${field}`);
  const hint = (field) => doc.getElementById(`${prefix}${field}-hint`);
  fillSelect(get("businessId"), null, lists.businesses, form.businessId, catalog.businesses.length ? "" : "No catalogue for this API");
  fillSelect(get("appId"), hint("appId"), lists.apps, form.appId, lists.empty.apps);
  fillSelect(get("subscriptionId"), hint("subscriptionId"), lists.subscriptions, form.subscriptionId, lists.empty.subscriptions);
  fillSelect(get("roleId"), hint("roleId"), lists.roles, form.roleId, lists.empty.roles);
  const seats = catalog.businesses.length
    ? seatState(catalog.subscriptions.find((s) => s.id === form.subscriptionId), own)
    : { level: "unknown", message: "This API has no placement catalogue: the invitation goes to the organisation only" };
  panel.className = `seat-panel ${seats.level}`;
  panel.replaceChildren(...[
    element("strong", {}, "Seats "),
    element("span", {}, seats.message),
    seats.limit ? seatBar(seats) : null,
    seats.limit ? seatFigures(seats) : null,
  ].filter(Boolean));
  return seats;
}
