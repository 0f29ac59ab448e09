// The invite form's logic, without the DOM: the rules of crates/model checked as the person
// types (the app checks them again in Rust before sending, and the server once more), the
// business → app → subscription → role cascade, and the seat panel's state.

const CONTROL = /[\r\n\0]/;
export const EXPIRY_DEFAULT_DAYS = 30;
export const EXPIRY_MAX_DAYS = 90;

/** YYYY-MM-DD of `date` plus `days`, in UTC. */
export function isoDay(date, days = 0) {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + days));
  return d.toISOString().slice(0, 10);
}

function text(value) {
  return (value ?? "").trim();
}

/**
 * Every rule the form breaks, as `{field: message}` (fields named as the API names them).
 * `today` is a Date; dates in the form are YYYY-MM-DD.
 */
export function validate(form, today = new Date()) {
  const errors = {};
  const newPerson = !form.existingUser;
  const email = text(form.email);
  if (!email) errors.email = "E-mail is required";
  else if (email.length > 254) errors.email = "E-mail is at most 254 characters";
  else if (!/^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/.test(email)) errors.email = "E-mail must be one address, like name@example.com";
  for (const [field, label] of [["firstName", "First name"], ["lastName", "Last name"]]) {
    const value = text(form[field]);
    if (!value && newPerson) errors[field] = `${label} is required for a new person`;
    else if (value.length > 100) errors[field] = `${label} is at most 100 characters`;
  }
  const contact = text(form.contactNumber);
  if (!contact && newPerson) errors.contactNumber = "Contact number is required for a new person";
  else if (contact.length > 50) errors.contactNumber = "Contact number is at most 50 characters";
  else if (contact && !/^[0-9 +\-()]+$/.test(contact)) errors.contactNumber = "Contact number may hold digits, spaces and + - ( ) only";
  for (const field of ["email", "firstName", "lastName", "contactNumber"]) {
    if (CONTROL.test(form[field] ?? "") && !errors[field]) errors[field] = "Line breaks and control characters are not allowed";
  }
  const policies = form.permissionPolicyIds ?? [];
  if (policies.length === 0) errors.permissionPolicyIds = "Choose at least one permission policy";
  else if (policies.length > 100) errors.permissionPolicyIds = "At most 100 permission policies";
  const todayIso = isoDay(today);
  if (form.accessEnd && form.accessEnd <= todayIso) errors.dtEndAccess = "Access end must be after today";
  if (form.expires) {
    if (form.expires <= todayIso) errors.dtExpiry = "The invitation must expire after today";
    else if (form.expires > isoDay(today, EXPIRY_MAX_DAYS)) errors.dtExpiry = `The invitation expires at most ${EXPIRY_MAX_DAYS} days from today`;
  }
  if (form.appId && !form.businessId) errors.businessId = "Choose a business first";
  if ((form.subscriptionId || form.roleId) && !form.appId) errors.appId = "Choose an app first";
  return errors;
}

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
  const order = ["businessId", "appId", "subscriptionId", "roleId"];
  const next = { ...form };
  const at = order.indexOf(field);
  if (at === 0) Object.assign(next, { appId: null, subscriptionId: null, roleId: null });
  if (at === 1) Object.assign(next, { subscriptionId: null, roleId: null });
  return next;
}

/** The seat panel: `{level: ok|warn|full|unknown, used, pending, free, limit, message}`. */
export function seatState(subscription) {
  if (!subscription) return { level: "none", message: "Choose a subscription to see its seats" };
  const seats = subscription.seats;
  if (!seats) return { level: "unknown", message: "This API does not report seats" };
  const { limit, used, pending, available } = seats;
  const base = { used, pending, free: available, limit };
  if (available <= 0) return { ...base, level: "full", message: "No seat is free: this invitation cannot be sent" };
  if (available <= Math.max(1, Math.ceil(limit * 0.1))) return { ...base, level: "warn", message: `Only ${available} seat${available === 1 ? "" : "s"} left` };
  return { ...base, level: "ok", message: `${available} of ${limit} seats free` };
}

/** A search over policies by name, for the multi-select. */
export function filterPolicies(policies, query) {
  const q = text(query).toLowerCase();
  return q ? policies.filter((p) => (p.name ?? "").toLowerCase().includes(q)) : policies;
}

/** The server's or the app's field errors (`[{field, rule, message}]`) as `{field: message}`. */
export function fieldErrors(error) {
  const out = {};
  for (const e of error?.errors ?? []) if (!out[e.field]) out[e.field] = e.message;
  if (error?.field && !out[error.field]) out[error.field] = error.message;
  return out;
}

/**
 * After a version conflict: their record with my changes on top, so neither side's work is
 * lost. `original` is what I opened, `mine` what I had in the dialog, `theirs` the fresh record;
 * fields hold plain values, except `permissionPolicyIds`, where the ids I added or removed are
 * applied to theirs. Answers the merged fields and the names of the fields I had changed.
 */
export function rebaseEdit(original, mine, theirs) {
  const merged = { ...theirs };
  const changed = [];
  for (const [field, value] of Object.entries(mine)) {
    if (field === "permissionPolicyIds") {
      const before = new Set(original[field] ?? []);
      const after = new Set(value ?? []);
      const added = [...after].filter((id) => !before.has(id));
      const removed = new Set([...before].filter((id) => !after.has(id)));
      if (!added.length && !removed.size) continue;
      const base = (theirs[field] ?? []).filter((id) => !removed.has(id));
      merged[field] = [...base, ...added.filter((id) => !base.includes(id))];
      changed.push(field);
    } else if ((value ?? null) !== (original[field] ?? null)) {
      merged[field] = value;
      changed.push(field);
    }
  }
  return { merged, changed };
}
