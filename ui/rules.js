// Which actions a row offers, and why one is not offered: by the invitation's status, by what
// the signed-in principal may do (GET /me), by what the API supports, and by connectivity.

/** Actions each invitation status allows. */
export const ACTIONS_BY_STATUS = {
  Pending: ["resend", "edit", "revoke", "delete"],
  Expired: ["resend", "edit", "delete"],
  Declined: ["delete"],
  Revoked: ["delete"],
  Accepted: ["openUser"],
};

/** The capability (crates/client `Action`) each row action needs. */
const CAPABILITY = {
  resend: "resend",
  edit: "editInvitation",
  revoke: "revoke",
  delete: "deleteInvitation",
  inactivate: "inactivate",
  reactivate: "reactivate",
  deleteUser: "deleteUser",
  editUser: "editUser",
  invite: "invite",
};

export const LABELS = {
  resend: "Resend",
  edit: "Edit",
  revoke: "Revoke",
  delete: "Delete",
  openUser: "Open user",
  inactivate: "Inactivate",
  reactivate: "Reactivate",
  deleteUser: "Delete",
  editUser: "Edit",
  invite: "Invite user",
};

/** Actions that cannot be undone, so the UI asks first. */
export const DESTRUCTIVE = new Set(["revoke", "delete", "deleteUser", "inactivate"]);

/** Actions each user status allows. */
export const USER_ACTIONS_BY_STATUS = {
  Active: ["editUser", "inactivate", "deleteUser"],
  Inactive: ["editUser", "reactivate", "deleteUser"],
};

/**
 * Whether `action` can be offered, with the reason when not.
 * `capabilities` is the `capabilities` command's answer: `{actions: [[name, {allowed, permission?}]]}`.
 */
export function check(action, capabilities, online) {
  const needed = CAPABILITY[action];
  if (needed && capabilities) {
    const found = (capabilities.actions || []).find(([name]) => name === needed);
    const allowed = found ? found[1] : { allowed: "yes" };
    if (allowed.allowed === "unsupported") {
      return { action, enabled: false, reason: "This API does not support it" };
    }
    if (allowed.allowed === "denied") {
      return { action, enabled: false, denied: true, reason: `You lack the permission ${allowed.permission}` };
    }
  }
  if (needed && !online) {
    return { action, enabled: false, reason: "Offline: changes need the server" };
  }
  return { action, enabled: true, reason: "" };
}

/** Every action an invitation in `status` offers, each with whether it is enabled and why not. */
export function invitationActions(status, capabilities, online) {
  return (ACTIONS_BY_STATUS[status] || []).map((a) => check(a, capabilities, online));
}

export function userActions(status, capabilities, online) {
  return (USER_ACTIONS_BY_STATUS[status] || []).map((a) => check(a, capabilities, online));
}
