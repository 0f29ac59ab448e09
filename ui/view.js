// What the tables show, shared by the first screen (boot.js) and the rest (main.js): the UI's
// state, the DOM helper, how dates and names read, the columns and their sortable header.

export const $ = (id) => document.getElementById(id);

export const state = {
  status: { online: true },
  capabilities: null,
  catalog: { policies: [], businesses: [], apps: [], subscriptions: [], roles: [] },
  // Every status, newest first: the invitations table at start.
  invitationFilter: { statuses: [], search: "", sort: "created", descending: true },
  userFilter: { statuses: [], search: "", sort: "created", descending: true },
  detail: null,
  profiles: { profiles: [], selected: null },
};

export function element(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.filter((c) => c !== null && c !== undefined));
  return el;
}

/** Milliseconds since the epoch on the server's clock (the status carries the offset the app
 * measured from the server's answers), so "expires in" and default dates agree with the
 * server however this computer's clock is set. */
export const serverNow = () => Date.now() + (state.status.clockOffsetMs ?? 0);
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
/** `16:05`, local. */
export const clock = (iso) => {
  const d = new Date(iso);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
};
/** `2026-11-23 16:05`, local. */
export const stamp = (iso) => (iso ? `${day(iso)} ${clock(iso)}` : "");

export function relative(iso) {
  if (!iso) return "";
  const days = Math.round((new Date(iso).getTime() - serverNow()) / 86400000);
  if (days === 0) return "today";
  return days > 0 ? `in ${days} d` : `${-days} d ago`;
}


export const name = (r) => [r.firstName, r.lastName].filter(Boolean).join(" ");
export const badge = (status) => element("span", { class: `status ${status}` }, status ?? "");
export const catalogName = (list, id) => (id ? list.find((x) => x.id === id)?.name ?? "…" : "");
export const policyNames = (ids) => (ids ?? []).map((id) => catalogName(state.catalog.policies, id)).join(", ");
export const placement = (r) => [catalogName(state.catalog.subscriptions, r.subscriptionId), catalogName(state.catalog.roles, r.roleId)].filter(Boolean).join(" / ");

export const invitationColumns = [
  { key: "email", title: "E-mail", sort: "email", render: (r) => r.email ?? "" },
  { key: "name", title: "Name", sort: "name", render: name },
  { key: "status", title: "Status", sort: "status", render: (r) => badge(r.status) },
  { key: "accessEnd", title: "Access end", sort: "accessEnd", render: (r) => day(r.dtEndAccess) || "No end", secondary: true },
  { key: "expires", title: "Expires", sort: "expires", render: (r) => element("span", { title: stamp(r.dtExpiry) }, relative(r.dtExpiry)) },
  { key: "policies", title: "Policies", render: (r) => policyNames(r.permissionPolicyIds), secondary: true },
  { key: "placement", title: "Subscription / Role", render: placement },
  { key: "lastSent", title: "Last sent", sort: "lastSent", render: (r) => day(r.dtLastSent), secondary: true },
  { key: "createdBy", title: "Created by", render: (r) => r.createdBy ?? "", secondary: true },
];

export const userColumns = [
  { key: "email", title: "E-mail", sort: "email", render: (r) => r.email ?? "" },
  { key: "name", title: "Name", sort: "name", render: name },
  { key: "status", title: "Status", sort: "status", render: (r) => badge(r.status) },
  { key: "accessEnd", title: "Access end", sort: "accessEnd", render: (r) => day(r.dtEndAccess) || "No end", secondary: true },
  { key: "policies", title: "Policies", render: (r) => policyNames(r.permissionPolicyIds), secondary: true },
  { key: "placement", title: "Subscription / Role", render: placement },
];

export function header(container, columns, filter, table) {
  container.replaceChildren(
    element("div", { role: "columnheader" }),
    ...columns.map((c) => {
      const sorted = filter.sort === c.sort;
      const cell = element("div", { role: "columnheader", class: c.secondary ? "secondary" : "", "aria-sort": sorted ? (filter.descending ? "descending" : "ascending") : "none" });
      if (!c.sort) cell.append(element("span", { class: "vt-cell" }, c.title));
      else
        cell.append(element("button", { type: "button", onclick: () => {
          filter.descending = filter.sort === c.sort ? !filter.descending : false;
          filter.sort = c.sort;
          header(container, columns, filter, table);
          table.reset();
        } }, `${c.title}${sorted ? (filter.descending ? " ▼" : " ▲") : ""}`));
      return cell;
    }),
  );
}

