// The two tables' columns and their sortable header row. Each column renders a row's cell (a
// string or a node) and may say the full text its cell's tooltip shows when it is cut short.

import { store } from "./store.js";
import { element, day, shortDay, stamp, relative, name, policyNames, placement, who } from "./view.js";
import { actionLabel } from "./labels.js";

export const badge = (status) => element("span", { class: `status ${status}` }, status ?? "");
const catalog = () => store.get().catalog;

/** Pending and Expired invitations show when they expire; the others when they closed. */
export function closing(row) {
  if (row.status === "Pending" || row.status === "Expired") {
    return { text: relative(row.dtExpiry), title: `Expires ${stamp(row.dtExpiry)}` };
  }
  const when = shortDay(row.dtLastModified);
  return { text: when ? `${row.status} ${when}` : row.status ?? "", title: `${row.status} ${stamp(row.dtLastModified)}` };
}

const DELIVERY = { queued: "Queued", sent: "Sent", failed: "Failed" };
export function delivery(row) {
  const text = DELIVERY[row.deliveryStatus] ?? "";
  return { text, title: [text, row.deliveryError].filter(Boolean).join(": ") };
}

const text = (part) => (row) => part(row).text;
const title = (part) => (row) => part(row).title;
const createdBy = (row) => who(row.createdByName, row.createdBy);

export const invitationColumns = [
  { key: "email", title: "E-mail", sort: "email", render: (r) => r.email ?? "" },
  { key: "name", title: "Name", sort: "name", render: name },
  { key: "status", title: "Status", sort: "status", render: (r) => badge(r.status), tip: (r) => r.status },
  { key: "expires", title: "Expires / closed", sort: "expires", render: text(closing), tip: title(closing) },
  { key: "delivery", title: "Delivery", render: (r) => element("span", { class: `delivery ${r.deliveryStatus ?? ""}` }, delivery(r).text), tip: title(delivery) },
  { key: "placement", title: "Subscription / Role", render: (r) => placement(catalog(), r), secondary: true },
  { key: "policies", title: "Policies", render: (r) => policyNames(catalog(), r.permissionPolicyIds), secondary: true },
  { key: "accessEnd", title: "Access end", sort: "accessEnd", render: (r) => day(r.dtEndAccess) || "No end", secondary: true },
  { key: "lastSent", title: "Last sent", sort: "lastSent", render: (r) => shortDay(r.dtLastSent), tip: (r) => stamp(r.dtLastSent), secondary: true },
  { key: "created", title: "Created", sort: "created", render: (r) => shortDay(r.dtCreated), tip: (r) => stamp(r.dtCreated), secondary: true },
  { key: "createdBy", title: "Created by", render: text(createdBy), tip: title(createdBy), secondary: true },
];

export const userColumns = [
  { key: "email", title: "E-mail", sort: "email", render: (r) => r.email ?? "" },
  { key: "name", title: "Name", sort: "name", render: name },
  { key: "status", title: "Status", sort: "status", render: (r) => badge(r.status), tip: (r) => r.status },
  { key: "accessEnd", title: "Access end", sort: "accessEnd", render: (r) => day(r.dtEndAccess) || "No end" },
  { key: "policies", title: "Policies", render: (r) => policyNames(catalog(), r.permissionPolicyIds), secondary: true },
  { key: "placement", title: "Subscription / Role", render: (r) => placement(catalog(), r) },
  { key: "created", title: "Created", sort: "created", render: (r) => shortDay(r.dtCreated), tip: (r) => stamp(r.dtCreated), secondary: true },
  { key: "createdBy", title: "Created by", render: text(createdBy), tip: title(createdBy), secondary: true },
];

/** The Activity tab's columns: newest first always, so none sorts. */
export const activityColumns = [
  { key: "time", title: "Time", render: (e) => stamp(e.dtCreated), tip: (e) => e.dtCreated },
  { key: "who", title: "Who", render: (e) => e.actorName ?? "", tip: (e) => [e.actorName, e.actorKind, e.clientAddress].filter(Boolean).join(" · ") },
  { key: "action", title: "Action", render: (e) => actionLabel(e.action), tip: (e) => e.action },
  { key: "record", title: "Record", render: (e) => e.recordEmail || e.recordType || "", tip: (e) => [e.recordType, e.recordId].filter(Boolean).join(" ") },
  { key: "changed", title: "What changed", render: (e) => e.changed ?? "", tip: (e) => e.changed ?? "" },
];

/** The sort a click on `column` asks for: the other way round if it is the sort already. */
export const nextSort = (filter, column) => ({
  sort: column.sort,
  descending: filter.sort === column.sort ? !filter.descending : false,
});

/** Draws the header row of `columns` into `row`, sorted as `filter` says; `onSort(sort)`. */
export function header(row, columns, filter, onSort) {
  row.replaceChildren(
    element("div", { role: "columnheader", class: "vt-cell-check" }, element("span", { class: "visually-hidden" }, "Selected")),
    ...columns.map((c) => {
      const sorted = filter.sort === c.sort;
      const cell = element("div", { role: "columnheader", class: c.secondary ? "secondary" : "", "aria-sort": c.sort ? (sorted ? (filter.descending ? "descending" : "ascending") : "none") : undefined });
      if (!c.sort) cell.append(element("span", { class: "vt-cell", title: c.title }, c.title));
      else cell.append(element("button", { type: "button", title: `Sort by ${c.title}`, onclick: () => onSort(nextSort(filter, c)) }, `${c.title}${sorted ? (filter.descending ? " ▼" : " ▲") : ""}`));
      return cell;
    }),
  );
}
