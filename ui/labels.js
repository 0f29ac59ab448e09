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

/** A failure (api.js's one error shape) in words, by its kind. */
export function explain(error) {
  if (!error) return "Something went wrong";
  switch (error.kind) {
    case "forbidden":
      return `You lack the permission ${error.permission ?? "for this"}`;
    case "offline":
      return "The server cannot be reached: you are offline. Try again when it is back.";
    case "unauthorized":
      return "The server refused this profile's access key or secret. Edit the profile in Profiles and enter current ones.";
    case "rateLimited":
      return `${error.message}. Wait a moment, then try again.`;
    case "noProfile":
      return "No connection profile is open: add or choose one in Profiles.";
    default:
      return error.message || "Something went wrong";
  }
}
