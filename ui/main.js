// Wires the screens to the commands, once boot.js has drawn the first screen. Reads come from
// the cache through commands, online or offline; writes go to the server through commands,
// and the tables refresh from the cache.

import * as api from "./api.js";
import { firstScreen, invitations, tableHooks, reveal, announceRows, updateCount } from "./boot.js";
import { VirtualTable } from "./table.js";
import { $, state, element, day, clock, stamp, ago, name, policyNames, placement, invitationColumns, userColumns, header, serverToday } from "./view.js";
import { invitationActions, userActions, check, LABELS, DESTRUCTIVE } from "./rules.js";
import { validate, cascade, clearBelow, seatState, filterPolicies, fieldErrors, isoDay, rebaseEdit, EXPIRY_DEFAULT_DAYS } from "./form.js";

const STATUSES = ["Pending", "Accepted", "Declined", "Expired", "Revoked"];

// ---- small helpers ---------------------------------------------------------------------
function notice(message, kind = "info") {
  const box = $("notice");
  box.textContent = message;
  box.className = `notice ${kind}`;
  box.hidden = !message;
}

function explain(error) {
  if (!error) return "Something went wrong";
  if (error.kind === "forbidden") return `You lack the permission ${error.permission}`;
  return error.message || String(error);
}

// ---- parts shown on demand ------------------------------------------------------------------
// The dialogs, the details panel and the other tabs' views wait in index.html as <template>s
// until first needed, so the first screen parses, styles and holds only what it shows.

/** The part `id`, put in the page (and wired) the first time it is asked for. */
function part(id) {
  const existing = $(id);
  if (existing) return existing;
  const template = $(`tpl-${id}`);
  template.replaceWith(template.content);
  const mounted = $(id);
  PART_WIRING[id]?.(mounted);
  return mounted;
}

const detailsOpen = () => $("details")?.hidden === false;
function closeDetails() {
  if (detailsOpen()) $("details").hidden = true;
}

// ---- header: profiles and connectivity ---------------------------------------------------
async function loadProfiles(known) {
  state.profiles = known ?? (await api.profiles());
  const { profiles, selected } = state.profiles;
  const select = $("profile-select");
  select.replaceChildren(...profiles.map((p) => element("option", { value: p.id, selected: p.id === selected }, p.name)));
  select.disabled = profiles.length === 0;
  renderProfileList();
  return state.profiles;
}

/** The Profiles tab's list, once that tab has been opened. */
function renderProfileList() {
  const list = $("profile-list");
  if (!list) return;
  const { profiles, selected } = state.profiles;
  list.replaceChildren(
    ...profiles.map((p) =>
      element("li", {},
        element("span", { class: "name" }, `${p.name} — ${p.baseUrl}`),
        element("button", { type: "button", onclick: () => choose(p.id) }, p.id === selected ? "Open (current)" : "Open"),
        element("button", { type: "button", onclick: (e) => rename(p, e.target.closest("li")) }, "Rename"),
        element("button", { type: "button", class: "danger", onclick: () => signOut(p) }, "Sign out"),
      ),
    ),
  );
}

async function choose(id) {
  try {
    await api.selectProfile(id);
    await afterProfileChange();
  } catch (e) {
    notice(explain(e), "error");
  }
}

/** Turns the profile's row into a name field with Save and Cancel. */
function rename(profile, item) {
  const input = element("input", { value: profile.name, "aria-label": `New name for ${profile.name}` });
  const save = async () => {
    try {
      await api.renameProfile(profile.id, input.value);
      await loadProfiles();
    } catch (e) {
      notice(explain(e), "error");
    }
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") save();
    if (e.key === "Escape") loadProfiles();
  });
  item.replaceChildren(input, element("button", { type: "button", class: "primary", onclick: save }, "Save"), element("button", { type: "button", onclick: () => loadProfiles() }, "Cancel"));
  input.focus();
}

async function signOut(profile) {
  if (!(await confirmAction(`Sign out of ${profile.name}? Its cached data and its saved secret are removed from this computer.`, "Sign out"))) return;
  try {
    await api.signOut(profile.id);
    await afterProfileChange();
  } catch (e) {
    notice(explain(e), "error");
  }
}

function showStatus(status) {
  state.status = status;
  const badgeEl = $("connectivity-badge");
  const progress = $("sync-progress");
  if (status.syncing) {
    badgeEl.textContent = `Syncing ${status.list ?? ""} ${status.done ? `(${status.done})` : ""}`.trim();
    badgeEl.className = "badge online";
    progress.hidden = false;
    progress.removeAttribute("value");
  } else if (status.online) {
    badgeEl.textContent = "Online";
    badgeEl.className = "badge online";
    progress.hidden = true;
  } else {
    badgeEl.textContent = `Offline since ${clock(status.offlineSince)}`;
    badgeEl.className = "badge offline";
    progress.hidden = true;
  }
  $("last-synced").textContent = status.lastSynced ? `Last synced ${ago(status.lastSynced)}` : "Not synced yet";
  if (!status.online && !status.syncing) notice(`Offline: showing data as of ${status.lastSynced ? stamp(status.lastSynced) : "the last sync"}. Changes are disabled until the server is back.`, "info");
  else if (status.lastError) notice(`Sync failed: ${status.lastError}`, "error");
  else if ($("notice").className.includes("info")) notice("");
  applyActionState();
}

let lastSyncing = false;
function onStatus(status) {
  const finished = lastSyncing && !status.syncing;
  lastSyncing = status.syncing;
  showStatus(status);
  if (finished) refreshAll();
}

// ---- invitations ---------------------------------------------------------------------------
tableHooks.onSelect = (row, open) => open && showInvitation(row);
tableHooks.onCheck = () => applyActionState();

/** The users table: made when the Users tab is first shown. */
let users = null;
function makeUserTable() {
  users = new VirtualTable($("user-table"), {
    label: "Users",
    columns: userColumns,
    fetchWindow: (offset, limit) => api.userWindow({ ...state.userFilter, search: state.userFilter.search || null, offset, limit }),
    onSelect: (row, open) => open && showUser(row),
  });
  header($("user-head"), userColumns, state.userFilter, users);
  renderUserFilters();
}

async function refreshCounts() {
  const counts = await api.invitationCounts().catch(() => ({}));
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const filters = $("status-filters");
  const chosen = state.invitationFilter.statuses;
  filters.replaceChildren(
    element("button", { type: "button", "aria-pressed": chosen.length === 0, onclick: () => setStatusFilter([]) }, `All (${total})`),
    ...STATUSES.map((s) => element("button", { type: "button", "aria-pressed": chosen.length === 1 && chosen[0] === s, onclick: () => setStatusFilter([s]) }, `${s} (${counts[s] ?? 0})`)),
  );
}

function setStatusFilter(statuses) {
  state.invitationFilter.statuses = statuses;
  refreshCounts();
  invitations.reset().then(updateCount);
}


function renderUserFilters() {
  const chosen = state.userFilter.statuses;
  $("user-filters").replaceChildren(
    ...[["All", []], ["Active", ["Active"]], ["Inactive", ["Inactive"]]].map(([label, statuses]) =>
      element("button", { type: "button", "aria-pressed": JSON.stringify(chosen) === JSON.stringify(statuses), onclick: () => {
        state.userFilter.statuses = statuses;
        renderUserFilters();
        users.reset();
      } }, label),
    ),
  );
}

function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// ---- details and actions ------------------------------------------------------------------
function showDetails(title, fields, actions) {
  part("details");
  $("details-title").textContent = title;
  $("details-fields").replaceChildren(...fields.flatMap(([k, v]) => [element("dt", {}, k), element("dd", {}, v ?? "")]));
  $("details-actions").replaceChildren(...actions);
  $("details").hidden = false;
}

function actionButton(check, run) {
  return element("button", {
    type: "button",
    "data-action": check.action,
    class: DESTRUCTIVE.has(check.action) ? "danger" : "",
    disabled: !check.enabled,
    title: check.reason || undefined,
    "aria-disabled": !check.enabled,
    onclick: run,
  }, LABELS[check.action]);
}

function showInvitation(row) {
  state.detail = { kind: "invitation", row };
  const checks = invitationActions(row.status, state.capabilities, state.status.online);
  showDetails(`Invitation: ${row.email}`, [
    ["E-mail", row.email], ["Name", name(row)], ["Contact", row.contactNumber], ["Status", row.status],
    ["Access end", day(row.dtEndAccess) || "No end"], ["Expires", stamp(row.dtExpiry)],
    ["Policies", policyNames(row.permissionPolicyIds)], ["Subscription / Role", placement(row)],
    ["Delivery", [row.deliveryStatus, row.deliveryError].filter(Boolean).join(": ")], ["Last sent", stamp(row.dtLastSent)],
    ["Times sent", String(row.sendCount ?? "")], ["Created", stamp(row.dtCreated)], ["Created by", row.createdBy],
  ], checks.map((c) => actionButton(c, () => runInvitationAction(c.action, row))));
}

function showUser(row) {
  state.detail = { kind: "user", row };
  const checks = userActions(row.status, state.capabilities, state.status.online);
  showDetails(`User: ${row.email}`, [
    ["E-mail", row.email], ["Name", name(row)], ["Status", row.status], ["Access end", day(row.dtEndAccess) || "No end"],
    ["Policies", policyNames(row.permissionPolicyIds)], ["Subscription / Role", placement(row)],
  ], checks.map((c) => actionButton(c, () => runUserAction(c.action, row))));
}

/** An accepted invitation's member: the Users tab, narrowed to them, with their details open. */
async function openUser(email) {
  const member = await api.userByEmail(email).catch((e) => notice(explain(e), "error"));
  if (!member) {
    notice(`${email} is not among the cached users yet: sync, then try again.`, "error");
    return;
  }
  activateTab("users", { reset: false });
  state.userFilter.search = email;
  $("user-search").value = email;
  await users.reset();
  showUser(member);
}

function confirmAction(text, label = "Confirm") {
  const dialog = part("confirm-dialog");
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = label;
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}

const invitationCalls = { resend: api.resend, revoke: api.revoke, delete: api.deleteInvitation };

async function runInvitationAction(action, row) {
  if (action === "openUser") {
    await openUser(row.email);
    return;
  }
  if (action === "edit") {
    openEdit("invitation", row);
    return;
  }
  if (DESTRUCTIVE.has(action) && !(await confirmAction(`${LABELS[action]} the invitation of ${row.email}?`, LABELS[action]))) return;
  try {
    const answer = await invitationCalls[action](row.id);
    notice(`${LABELS[action]}: done for ${row.email}`, "info");
    if (action === "delete") closeDetails();
    if (answer) showInvitation({ ...row, ...answer });
    await refreshAll();
  } catch (e) {
    notice(explain(e), "error");
  }
}

const userCalls = { inactivate: api.inactivate, reactivate: api.reactivate, deleteUser: api.deleteUser };

async function runUserAction(action, row) {
  if (action === "editUser") {
    openEdit("user", row);
    return;
  }
  if (DESTRUCTIVE.has(action) && !(await confirmAction(`${LABELS[action]} ${row.email}?`, LABELS[action]))) return;
  try {
    const answer = await userCalls[action](row.id);
    notice(`${LABELS[action]}: done for ${row.email}`, "info");
    if (action === "deleteUser") closeDetails();
    if (answer) showUser({ ...row, ...answer });
    await users.refresh();
  } catch (e) {
    notice(explain(e), "error");
  }
}

async function bulk(action) {
  const ids = [...invitations.checked];
  if (!(await confirmAction(`${LABELS[action]} ${ids.length} invitation(s)?`, LABELS[action]))) return;
  const results = await Promise.allSettled(ids.map((id) => invitationCalls[action](id)));
  const failed = results.filter((r) => r.status === "rejected");
  notice(`${LABELS[action]}: ${results.length - failed.length} done, ${failed.length} failed${failed.length ? ` (${explain(failed[0].reason)})` : ""}`, failed.length ? "error" : "info");
  await refreshAll();
}

/** The toolbar's write buttons: hidden when the principal may not, disabled (with the reason) when offline or unsupported. */
function applyActionState() {
  for (const [id, action] of [["invite-button", "invite"], ["bulk-resend", "resend"], ["bulk-revoke", "revoke"]]) {
    const button = $(id);
    const allowed = check(action, state.capabilities, state.status.online);
    button.hidden = Boolean(allowed.denied);
    button.title = allowed.reason;
    if (id === "invite-button") button.disabled = !allowed.enabled;
    else button.disabled = !allowed.enabled || invitations.checked.size === 0;
  }
  if (state.detail?.kind === "invitation" && detailsOpen()) showInvitation(state.detail.row);
}

async function exportView(kind) {
  try {
    const request = kind === "invitations"
      ? { kind, invitations: { ...state.invitationFilter, search: state.invitationFilter.search || null, offset: 0, limit: 0 } }
      : { kind, users: { ...state.userFilter, search: state.userFilter.search || null, offset: 0, limit: 0 } };
    const done = await api.exportCsv(request);
    if (done) notice(`Exported ${done.rows} rows to ${done.path}`, "info");
  } catch (e) {
    notice(explain(e), "error");
  }
}

// ---- invite form ---------------------------------------------------------------------------
let form = {};
let sending = false;

function blankForm() {
  return { existingUser: false, email: "", firstName: "", lastName: "", contactNumber: "", permissionPolicyIds: [], accessEnd: "", expires: isoDay(serverToday(), EXPIRY_DEFAULT_DAYS), businessId: null, appId: null, subscriptionId: null, roleId: null };
}

function fillSelect(id, items, chosen, emptyReason) {
  const select = $(id);
  select.replaceChildren(element("option", { value: "" }, items.length ? "Choose…" : "—"), ...items.map((i) => element("option", { value: i.id, selected: i.id === chosen }, i.name ?? i.id)));
  select.disabled = items.length === 0;
  const hint = $(`${id}-hint`);
  if (hint) hint.textContent = emptyReason ?? "";
}

function renderForm(errors = {}) {
  const lists = cascade(state.catalog, form);
  fillSelect("if-businessId", lists.businesses, form.businessId);
  fillSelect("if-appId", lists.apps, form.appId, lists.empty.apps);
  fillSelect("if-subscriptionId", lists.subscriptions, form.subscriptionId, lists.empty.subscriptions);
  fillSelect("if-roleId", lists.roles, form.roleId, lists.empty.roles);
  const seats = seatState(state.catalog.subscriptions.find((s) => s.id === form.subscriptionId));
  const panel = $("seat-panel");
  panel.className = `seat-panel ${seats.level}`;
  panel.replaceChildren(
    element("strong", {}, "Seats "),
    element("span", {}, seats.message),
    seats.limit ? seatBar(seats) : null,
    seats.limit ? element("span", { class: "muted" }, `Used ${seats.used} · pending ${seats.pending} · free ${seats.free} · limit ${seats.limit}`) : null,
  );
  const query = $("if-policy-search").value;
  $("if-policies").replaceChildren(...filterPolicies(state.catalog.policies, query).map((p) =>
    element("label", {}, element("input", { type: "checkbox", value: p.id, checked: form.permissionPolicyIds.includes(p.id), onchange: (e) => {
      form.permissionPolicyIds = e.target.checked ? [...form.permissionPolicyIds, p.id] : form.permissionPolicyIds.filter((x) => x !== p.id);
      renderErrors(validate(form, serverToday()));
    } }), ` ${p.name}`)));
  $("existing-picker").hidden = !form.existingUser;
  renderErrors(errors);
  $("invite-send").disabled = sending || seats.level === "full" || !state.status.online;
}

function seatBar(seats) {
  const pct = (n) => `${Math.min(100, (n / Math.max(1, seats.limit)) * 100)}%`;
  // Widths through the CSSOM: the CSP refuses inline style attributes.
  const used = element("span", { class: "used" });
  used.style.width = pct(seats.used);
  const pending = element("span", { class: "pending" });
  pending.style.width = pct(seats.pending);
  return element("div", { class: "bar", role: "img", "aria-label": `${seats.used} used, ${seats.pending} pending, ${seats.free} free of ${seats.limit}` }, used, pending);
}

const FIELD_INPUT = { email: "if-email", firstName: "if-firstName", lastName: "if-lastName", contactNumber: "if-contactNumber", dtEndAccess: "if-accessEnd", dtExpiry: "if-expires", businessId: "if-businessId", appId: "if-appId", subscriptionId: "if-subscriptionId", roleId: "if-roleId" };

function renderErrors(errors) {
  for (const field of ["email", "firstName", "lastName", "contactNumber", "permissionPolicyIds", "dtEndAccess", "dtExpiry", "businessId", "appId", "subscriptionId", "roleId"]) {
    const message = errors[field] ?? "";
    const slot = $(`if-${field}-error`);
    if (slot) slot.textContent = message;
    const input = FIELD_INPUT[field] && $(FIELD_INPUT[field]);
    if (input) input.setAttribute("aria-invalid", String(Boolean(message)));
  }
}

function readForm() {
  form.email = $("if-email").value;
  form.firstName = $("if-firstName").value;
  form.lastName = $("if-lastName").value;
  form.contactNumber = $("if-contactNumber").value;
  form.accessEnd = $("if-accessEnd").value;
  form.expires = $("if-expires").value;
}

function writeForm() {
  $("if-email").value = form.email;
  $("if-firstName").value = form.firstName;
  $("if-lastName").value = form.lastName;
  $("if-contactNumber").value = form.contactNumber;
  $("if-accessEnd").value = form.accessEnd;
  $("if-expires").value = form.expires;
  $("if-expires").max = isoDay(serverToday(), 90);
  $("if-expires").min = isoDay(serverToday(), 1);
  $("if-accessEnd").min = isoDay(serverToday(), 1);
  document.querySelector(`input[name=kind][value=${form.existingUser ? "existing" : "new"}]`).checked = true;
}

async function openInvite() {
  part("invite-dialog");
  state.catalog = await api.catalog(true).catch(() => state.catalog);
  form = blankForm();
  writeForm();
  $("invite-message").textContent = "";
  renderForm();
  $("invite-dialog").showModal();
  $("if-email").focus();
}

async function sendInvite(event) {
  event.preventDefault();
  if (sending) return; // a second click while the first is in flight sends nothing
  readForm();
  const errors = validate(form, serverToday());
  renderForm(errors);
  if (Object.keys(errors).length) {
    $("invite-message").className = "form-message error";
    $("invite-message").textContent = "Some fields need attention";
    return;
  }
  sending = true;
  renderForm();
  try {
    const created = await api.invite({ ...form, accessEnd: form.accessEnd || "", expires: form.expires || "" });
    $("invite-dialog").close();
    notice(`Invitation sent to ${created.email}`, "info");
    state.catalog = await api.catalog(true).catch(() => state.catalog); // its seat is now pending
    await refreshAll();
    invitations.selectId(created.id);
  } catch (e) {
    const message = $("invite-message");
    message.className = "form-message error";
    message.replaceChildren(explain(e));
    if (e.kind === "conflict" && e.conflictingId) {
      message.append(" ", element("button", { type: "button", onclick: async () => {
        $("invite-dialog").close();
        state.invitationFilter.search = form.email;
        $("invitation-search").value = form.email;
        await invitations.reset();
        invitations.selectId(e.conflictingId);
      } }, "Show the existing invitation"));
    }
    renderErrors(fieldErrors(e));
  } finally {
    sending = false;
    renderForm(validate(form, serverToday()));
  }
}

// ---- edit (an invitation's names, contact, policies and access end; a user's policies and
// access end), with the record's version: a conflict says someone else changed it ------------
let editing = null;

/** Opens the edit dialog on `row`, its fields filled from `shown` (a rebased copy after a conflict). */
function openEdit(kind, row, shown = row) {
  part("edit-dialog");
  editing = { kind, row, policies: [...(shown.permissionPolicyIds ?? [])] };
  $("edit-title").textContent = `Edit ${kind === "user" ? "user" : "invitation"}: ${row.email}`;
  for (const field of document.querySelectorAll("#edit-form [data-for=invitation]")) field.hidden = kind !== "invitation";
  $("ef-firstName").value = shown.firstName ?? "";
  $("ef-lastName").value = shown.lastName ?? "";
  $("ef-contactNumber").value = shown.contactNumber ?? "";
  $("ef-accessEnd").value = shown.dtEndAccess ? shown.dtEndAccess.slice(0, 10) : "";
  $("ef-accessEnd").min = isoDay(serverToday(), 1);
  $("ef-policies").replaceChildren(...state.catalog.policies.map((p) =>
    element("label", {}, element("input", { type: "checkbox", checked: editing.policies.includes(p.id), onchange: (e) => {
      editing.policies = e.target.checked ? [...editing.policies, p.id] : editing.policies.filter((x) => x !== p.id);
    } }), ` ${p.name}`)));
  $("edit-message").textContent = "";
  for (const slot of document.querySelectorAll("#edit-form .error")) slot.textContent = "";
  if (!$("edit-dialog").open) $("edit-dialog").showModal();
}

/** The end of the chosen day, UTC: access lasts through that day. */
const endOfDay = (date) => (date ? `${date}T23:59:59Z` : null);

/** What the dialog holds now, as the record's fields. */
function editedFields(kind) {
  const text = (id) => $(id).value.trim() || null;
  const fields = { permissionPolicyIds: editing.policies, dtEndAccess: endOfDay($("ef-accessEnd").value) };
  if (kind === "user") return fields;
  return { ...fields, firstName: text("ef-firstName"), lastName: text("ef-lastName"), contactNumber: text("ef-contactNumber") };
}

async function saveEdit(event) {
  event.preventDefault();
  if (!editing) return;
  const { kind, row } = editing;
  const mine = editedFields(kind);
  try {
    if (kind === "user") {
      const saved = await api.editUser(row.id, { version: row.version, ...mine });
      showUser({ ...row, ...saved });
      await users.refresh();
    } else {
      const placement = { businessId: row.businessId ?? null, appId: row.appId ?? null, subscriptionId: row.subscriptionId ?? null, roleId: row.roleId ?? null };
      const saved = await api.editInvitation(row.id, { version: row.version, ...mine, ...placement });
      showInvitation({ ...row, ...saved });
      await refreshAll();
    }
    $("edit-dialog").close();
    notice(`Saved ${row.email}`, "info");
  } catch (e) {
    const message = $("edit-message");
    message.className = "form-message error";
    if (e.kind === "conflict" && e.code === "version_conflict") {
      message.replaceChildren("Someone else changed it since you opened it. ",
        element("button", { type: "button", id: "edit-reload", onclick: () => reloadEdited(kind, row, mine) }, "Reload their version, keep my changes"));
    } else {
      message.textContent = explain(e);
      const errors = fieldErrors(e);
      for (const [field, text] of Object.entries(errors)) {
        const slot = $(`ef-${field}-error`);
        if (slot) slot.textContent = text;
      }
    }
  }
}

const FIELD_NAMES = { permissionPolicyIds: "policies", dtEndAccess: "access end", firstName: "first name", lastName: "last name", contactNumber: "contact number" };

/** After a conflict: their version, fetched now, with my changes on top; saved only when I say so. */
async function reloadEdited(kind, row, mine) {
  await api.syncNow().catch(() => null);
  const search = { statuses: [], search: row.email, sort: "email", descending: false, offset: 0, limit: 20 };
  const found = kind === "user" ? await api.userWindow(search) : await api.invitationWindow(search);
  const theirs = found.rows.find((r) => r.id === row.id);
  if (!theirs) {
    $("edit-dialog").close();
    notice(`${row.email} was deleted by someone else.`, "error");
    return;
  }
  const { merged, changed } = rebaseEdit(row, mine, theirs);
  openEdit(kind, theirs, merged);
  const message = $("edit-message");
  message.className = "form-message info";
  message.textContent = changed.length
    ? `Their version is loaded, with your changes to ${changed.map((f) => FIELD_NAMES[f] ?? f).join(", ")} on top. Review, then save.`
    : "Their version is loaded. You had changed nothing.";
}

// ---- seats ----------------------------------------------------------------------------------
function renderSeats() {
  const out = [];
  for (const business of state.catalog.businesses) {
    out.push(element("h3", {}, business.name));
    for (const app of state.catalog.apps.filter((a) => a.businessId === business.id)) {
      out.push(element("h4", {}, app.name));
      for (const sub of state.catalog.subscriptions.filter((s) => s.appId === app.id)) {
        const seats = seatState(sub);
        out.push(element("div", { class: `seat ${seats.level}` }, element("strong", {}, sub.name), " ", element("span", {}, seats.message), seats.limit ? seatBar(seats) : null));
      }
    }
  }
  $("seats").replaceChildren(...(out.length ? out : [element("p", { class: "muted" }, "No subscriptions cached yet")]));
}

// ---- tabs -----------------------------------------------------------------------------------
/** Shows tab `name`; the Users tab reloads its rows unless told not to (the caller will). */
function activateTab(name, { reset = true } = {}) {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const on = tab.id === `tab-${name}`;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    const viewId = tab.getAttribute("aria-controls");
    const view = on ? part(viewId) : $(viewId);
    if (view) view.hidden = !on;
  }
  closeDetails();
  if (name === "users" && reset) users.reset();
  if (name === "seats") api.catalog(true).then((c) => { state.catalog = c; renderSeats(); }).catch((e) => notice(explain(e), "error"));
}

// ---- start ----------------------------------------------------------------------------------
/** The catalogue's names and the tab counts, then the rows in view: reloaded, or only redrawn
 *  (with the names) when `rows` is false because they were just loaded. */
async function refreshAll({ rows = true } = {}) {
  state.catalog = await api.catalog().catch(() => state.catalog);
  await Promise.all([refreshCounts(), rows ? invitations.refresh() : invitations.draw()]);
  updateCount();
}


/**
 * Shows the selected profile's data. `known`, at start: its profiles and status as boot.js
 * fetched them, and whether it drew the first rows.
 */
async function afterProfileChange(known) {
  const { profiles } = await loadProfiles(known?.profiles);
  if (profiles.length === 0) {
    reveal();
    activateTab("profiles");
    notice("Add a connection profile to start.", "info");
    return;
  }
  showStatus(known?.status ?? (await api.status()));
  // The cached rows first, then the tab counts and the catalogue's names; what the principal
  // may do arrives after (from the server, or as last seen when offline).
  if (!known?.drawn) {
    header($("invitation-head"), invitationColumns, state.invitationFilter, invitations);
    await invitations.reset();
  }
  updateCount();
  announceRows();
  await refreshAll({ rows: false });
  api.capabilities().then((c) => {
    state.capabilities = c;
    applyActionState();
  }).catch(() => null);
}

function draftFromForm() {
  const data = new FormData($("profile-form"));
  return Object.fromEntries(data.entries());
}

function showProfileErrors(error) {
  const errors = fieldErrors(error);
  for (const field of ["name", "baseUrl", "orgId", "accessKeyId", "apiSecret"]) {
    $(`pf-${field}-error`).textContent = errors[field] ?? "";
    $(`pf-${field}`).setAttribute("aria-invalid", String(Boolean(errors[field])));
  }
}

/** The first screen's controls: the header, the tabs and the invitations view. */
function wire() {
  for (const tab of document.querySelectorAll("[role=tab]")) tab.addEventListener("click", () => activateTab(tab.id.slice(4)));
  $("profile-select").addEventListener("change", (e) => choose(e.target.value));
  // Offline is a state the header shows (from the status event), not an error to announce.
  $("sync-button").addEventListener("click", () => api.syncNow().then(showStatus).catch((e) => (e.kind === "offline" ? api.status().then(showStatus) : notice(explain(e), "error"))));
  $("invitation-search").addEventListener("input", debounce((e) => {
    state.invitationFilter.search = e.target.value.trim();
    invitations.reset().then(updateCount);
  }, 60));
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && !["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement?.tagName)) {
      e.preventDefault();
      $("invitation-search").focus();
    }
    if (e.key === "Escape") closeDetails();
  });
  $("invite-button").addEventListener("click", openInvite);
  $("bulk-resend").addEventListener("click", () => bulk("resend"));
  $("bulk-revoke").addEventListener("click", () => bulk("revoke"));
  $("export-invitations").addEventListener("click", () => exportView("invitations"));
}

/** Each on-demand part's controls, wired when `part` first puts it in the page. */
const PART_WIRING = {
  "details": () => $("details-close").addEventListener("click", closeDetails),
  "view-users": () => {
    makeUserTable();
    $("user-search").addEventListener("input", debounce((e) => {
      state.userFilter.search = e.target.value.trim();
      users.reset();
    }, 60));
    $("export-users").addEventListener("click", () => exportView("users"));
  },
  "view-profiles": wireProfileForm,
  "invite-dialog": wireInviteForm,
  "edit-dialog": () => {
    $("edit-form").addEventListener("submit", saveEdit);
    $("edit-cancel").addEventListener("click", () => $("edit-dialog").close());
  },
};

function wireInviteForm() {
  $("invite-cancel").addEventListener("click", () => $("invite-dialog").close());
  $("invite-clear").addEventListener("click", () => { form = blankForm(); writeForm(); renderForm(); });
  $("invite-form").addEventListener("submit", sendInvite);
  $("invite-form").addEventListener("input", (e) => {
    if (e.target.name === "kind") form.existingUser = e.target.value === "existing";
    readForm();
    renderForm(validate(form, serverToday()));
  });
  for (const field of ["businessId", "appId", "subscriptionId", "roleId"]) {
    $(`if-${field}`).addEventListener("change", (e) => {
      form = clearBelow({ ...form, [field]: e.target.value || null }, field);
      renderForm(validate(form, serverToday()));
    });
  }
  $("if-policy-search").addEventListener("input", () => renderForm(validate(form, serverToday())));
  $("if-existing").addEventListener("input", async (e) => {
    const found = await api.userWindow({ statuses: [], search: e.target.value, sort: "email", descending: false, offset: 0, limit: 20 }).catch(() => ({ rows: [] }));
    $("if-existing-list").replaceChildren(...found.rows.map((u) => element("option", { value: u.email }, name(u))));
    const exact = found.rows.find((u) => u.email === e.target.value);
    if (exact) {
      form = { ...form, email: exact.email, firstName: exact.firstName ?? "", lastName: exact.lastName ?? "" };
      writeForm();
      renderForm(validate(form, serverToday()));
    }
  });
}

function wireProfileForm() {
  renderProfileList();
  $("pf-test").addEventListener("click", async () => {
    $("pf-result").textContent = "Testing…";
    try {
      const who = await api.testConnection(draftFromForm());
      showProfileErrors(null);
      const denied = who.actions.filter(([, a]) => a.allowed !== "yes").map(([n]) => n);
      $("pf-result").textContent = who.extended
        ? `Signed in as ${who.principal} of ${who.organization}. ${denied.length ? `Not allowed: ${denied.join(", ")}.` : "Every action is allowed."}`
        : "Signed in. This API is m3ter's own: statuses are derived, and resend, revoke, edit and seats are not available.";
    } catch (e) {
      showProfileErrors(e);
      $("pf-result").textContent = explain(e);
    }
  });
  $("profile-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api.saveProfile(draftFromForm());
      $("profile-form").reset();
      showProfileErrors(null);
      $("pf-result").textContent = "Saved. The secret is in the system keyring.";
      await afterProfileChange();
      activateTab("invitations");
    } catch (err) {
      showProfileErrors(err);
      $("pf-result").textContent = explain(err);
    }
  });
}

/** At start, after boot.js: the rest of the first screen from what it fetched and drew. */
async function start() {
  wire();
  // The page is inert until now (index.html): boot.js draws the rows before this module has
  // wired a single button, and a click in between would be lost.
  document.body.inert = false;
  const listening = api.onStatus(onStatus);
  const [profiles, status, drawn] = await Promise.all([firstScreen.profiles, firstScreen.status, firstScreen.drawn]);
  if (profiles.error || status.error || !drawn) await afterProfileChange();
  else await afterProfileChange({ profiles: profiles.value, status: status.value, drawn });
  await listening;
  if (state.profiles.profiles.length === 0) return;
  // Whatever the status event said before the listener was in place (a sync finished, say).
  lastSyncing = state.status.syncing;
  onStatus(await api.status());
}

start().catch((e) => {
  reveal();
  notice(explain(e), "error");
});
