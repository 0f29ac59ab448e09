// How things read, shared by every view: the DOM helper, dates on the local clock (dated from
// the server's clock), names and catalogue names.

import { store } from "./store.js";

export const $ = (id) => document.getElementById(id);

export function element(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** Milliseconds since the epoch on the server's clock (the status carries the offset the app
 * measured from the server's answers), so "expires in" and default dates agree with the
 * server however this computer's clock is set. */
export const serverNow = () => Date.now() + (store.get().status.clockOffsetMs ?? 0);
/** The server's present moment as a Date. */
export const serverToday = () => new Date(serverNow());

export function ago(iso) {
  if (!iso) return "never";
  const seconds = Math.round((serverNow() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

const two = (n) => String(n).padStart(2, "0");
// Dates as the local clock shows them, year first. Not the locale formatting of Date and Intl:
// that loads ICU's date data into the page, ~4 MiB of the web process for the first screen.
/** `2026-11-23`, local. */
export const day = (iso) => {
  if (!iso) return "";
  const d = new Date(iso);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
};
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** `23 Nov` this year, `2025-11-23` before: short enough for a table's cell. */
export const shortDay = (iso) => {
  if (!iso) return "";
  const d = new Date(iso);
  return d.getFullYear() === serverToday().getFullYear() ? `${d.getDate()} ${MONTHS[d.getMonth()]}` : day(iso);
};
/** `16:05`, local. */
export const clock = (iso) => {
  const d = new Date(iso);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
};
/** `2026-11-23 16:05`, local. */
export const stamp = (iso) => (iso ? `${day(iso)} ${clock(iso)}` : "");

/** The local calendar day `days` after the server's today, as a date input takes it. */
export function localDay(days = 0) {
  const d = serverToday();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** This computer's clock less UTC, in minutes: sent with every date a form holds. */
export const utcOffsetMinutes = () => -new Date().getTimezoneOffset();

export function relative(iso) {
  if (!iso) return "";
  const days = Math.round((new Date(iso).getTime() - serverNow()) / 86400000);
  if (days === 0) return "today";
  return days > 0 ? `in ${days} d` : `${-days} d ago`;
}

export const name = (r) => [r.firstName, r.lastName].filter(Boolean).join(" ");
export const catalogName = (list, id) => (id ? list.find((x) => x.id === id)?.name ?? "…" : "");
export const policyNames = (catalog, ids) => (ids ?? []).map((id) => catalogName(catalog.policies, id)).join(", ");
export const placement = (catalog, r) => [catalogName(catalog.subscriptions, r.subscriptionId), catalogName(catalog.roles, r.roleId)].filter(Boolean).join(" / ");

/** Who an audit id names: the name the app resolved, else the id's first 8 characters (the
 *  full id in `title`), as an m3ter API without names leaves it. */
export function who(nameOf, id) {
  if (nameOf) return { text: nameOf, title: nameOf };
  if (!id) return { text: "", title: "" };
  return { text: id.length > 8 ? `${id.slice(0, 8)}…` : id, title: id };
}

/** `fn` after `ms` of quiet. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
