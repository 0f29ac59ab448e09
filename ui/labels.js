// Words on buttons and for failures: presentation only. Which actions a row offers, and why
// one cannot be used, come from Rust (`offers`); an action's name is Rust's `Action`.

export const LABELS = {
  invite: "Invite user",
  resend: "Resend",
  editInvitation: "Edit",
  revoke: "Revoke",
  deleteInvitation: "Delete",
  openUser: "Open user",
  editUser: "Edit",
  inactivate: "Inactivate",
  reactivate: "Reactivate",
  deleteUser: "Delete",
};

/** The audit trail's actions (Rust's `AuditAction` names) in words. */
export const ACTION_LABELS = {
  "invitation.created": "Invitation sent",
  "invitation.updated": "Invitation edited",
  "invitation.resent": "Invitation resent",
  "invitation.revoked": "Invitation revoked",
  "invitation.deleted": "Invitation deleted",
  "invitation.accepted": "Invitation accepted",
  "invitation.declined": "Invitation declined",
  "invitation.codeRequested": "Sign-up code requested",
  "user.created": "Member joined",
  "user.updated": "Member edited",
  "user.inactivated": "Member made inactive",
  "user.reactivated": "Member reactivated",
  "user.deleted": "Member deleted",
  "signIn.succeeded": "Signed in",
  "signIn.failed": "Sign-in failed",
  "token.revoked": "Signed out",
  "organization.securityUpdated": "Security settings changed",
};

export const actionLabel = (action) => ACTION_LABELS[action] ?? action;

/** A failure (api.js's one error shape) in words, by its kind. */
export function explain(error) {
  if (!error) return "Something went wrong";
  switch (error.kind) {
    case "forbidden":
      return `You lack the permission ${error.permission ?? "for this"}`;
    case "offline":
      return "The server cannot be reached: you are offline. Try again when it is back.";
    case "unauthorized":
      // A person's sign-in that can no longer be refreshed says so itself (src-tauri/client).
      if (/sign in again/i.test(error.message ?? "")) return "Your sign-in has ended (a password reset, or a membership that ended). Choose Sign in again; the cached lists stay readable meanwhile.";
      return "The server refused this profile's access key or secret. Edit the profile in Profiles and enter current ones.";
    case "rateLimited":
      return `${error.message}. Wait a moment, then try again.`;
    case "noProfile":
      return "No connection profile is open: add or choose one in Profiles.";
    default:
      return error.message || "Something went wrong";
  }
}
