// The one module that talks to the Rust side: every command the UI calls, and the events it
// hears. Nothing else in ui/ calls invoke, so tests replace this module's transport alone.
// Every failure reaches the views as one shape, `{kind, message, ...}`, whatever threw it.

let transport = {
  invoke: (cmd, args) => globalThis.__TAURI__.core.invoke(cmd, args),
  listen: (event, handler) => globalThis.__TAURI__.event.listen(event, (e) => handler(e.payload)),
};

/** For tests: `{invoke(cmd, args), listen(event, handler)}`. */
export function useTransport(fake) {
  transport = fake;
}

/** Any failure as `{kind, message, field?, code?, permission?, conflictingId?, errors}`. The
 *  kinds are Rust's `ErrorKind` (src-tauri/src/error.rs); a failure of the IPC itself, which
 *  answers a bare string, is `ipc`. */
export function asError(failure) {
  if (failure && typeof failure === "object" && typeof failure.kind === "string") {
    return { errors: [], ...failure, message: failure.message ?? "" };
  }
  return { kind: "ipc", message: String(failure?.message ?? failure ?? "Something went wrong"), errors: [] };
}

const call = (cmd, args) =>
  transport.invoke(cmd, args).catch((failure) => {
    throw asError(failure);
  });

export const profiles = () => call("profiles");
export const testConnection = (draft, id = null) => call("test_connection", { draft, id });
export const saveProfile = (draft) => call("save_profile", { draft });
export const updateProfile = (id, draft) => call("update_profile", { id, draft });
export const selectProfile = (id) => call("select_profile", { id });
export const removeProfile = (id) => call("remove_profile", { id });
/** Signs a person in through their browser: a new profile from `draft`, or the saved one `id`. */
export const signInWithBrowser = (draft, id = null) => call("sign_in_with_browser", { draft, id });
export const signOut = () => call("sign_out");
export const status = () => call("status");
export const syncNow = () => call("sync_now");
export const capabilities = () => call("capabilities");
export const rules = () => call("rules");
/** The buttons a subject shows now: `"toolbar"`, `{invitation: status}` or `{user: status}`. */
export const offers = (subject) => call("offers", { subject });
/** The placement catalogue and policies; `refresh` fetches fresh seat figures when online. */
export const catalog = (refresh = false) => call("catalog", { refresh });
export const invitationWindow = (window) => call("invitation_window", { window });
export const invitationCounts = () => call("invitation_counts");
export const invitationIds = (window) => call("invitation_ids", { window });
export const inviteCandidates = (search) => call("invite_candidates", { search });
/** Every rule the invite form breaks now, as `[{field, rule, message}]`. */
export const checkInvite = (form) => call("check_invite", { form });
export const invite = (form) => call("invite", { form });
export const resend = (id) => call("resend", { id });
export const revoke = (id) => call("revoke", { id });
export const editInvitation = (id, edit) => call("edit_invitation", { id, edit });
export const deleteInvitation = (id) => call("delete_invitation", { id });
export const userWindow = (window) => call("user_window", { window });
export const userCounts = () => call("user_counts");
/** Every id the users' filter shows: "select all", rows not drawn yet included. */
export const userIds = (window) => call("user_ids", { window });
export const userByEmail = (email) => call("user_by_email", { email });
export const editUser = (id, edit) => call("edit_user", { id, edit });
export const inactivate = (id) => call("inactivate", { id });
export const reactivate = (id) => call("reactivate", { id });
export const deleteUser = (id) => call("delete_user", { id });
export const exportCsv = (request) => call("export_csv", { request });
export const activityWindow = (filter) => call("activity_window", { filter });
export const activityActors = () => call("activity_actors");
/** A record's history in plain words, oldest first; `email`: a member's, to include the
 *  invitations that brought them in. */
export const recordHistory = (recordId, email = null) =>
  call("record_history", { recordId, email, offsetMinutes: -new Date().getTimezoneOffset() });
export const exportActivity = (filter) => call("export_activity", { filter });
/** The signed-in person's invitations to other organisations, as last synced. */
export const myInvitations = () => call("my_invitations");
export const answerInvitation = (id, accept) => call("answer_invitation", { id, accept });
/** Opens a CSV in the system's dialog and reads it; null when the person cancels. */
export const importOpenFile = () => call("import_open_file");
/** Reads the open file again (after a fix in the spreadsheet). */
export const importReload = () => call("import_reload");
/** Every row checked under `mapping` (`{field: columnIndex}`), dates on this computer's clock. */
export const importPreview = (mapping) =>
  call("import_preview", { mapping, utcOffsetMinutes: -new Date().getTimezoneOffset() });
/** Sends the rows the last preview found ready; progress as `job-progress` events. */
export const importSend = () => call("import_send");
export const saveImportTemplate = () => call("save_import_template");
/** Runs `action` on every id, a result each; progress as `job-progress` events. */
export const bulkRun = (action, ids) => call("bulk_run", { action, ids });
/** Stops the running import or bulk action from starting more rows. */
export const cancelJob = () => call("cancel_job");
export const exportJobResults = () => call("export_job_results");
/** The version and the log folder, for About. */
export const about = () => call("about");
export const openLogFolder = () => call("open_log_folder");
/** A newer version at the update address, or null. */
export const checkUpdate = () => call("check_update");
/** Downloads the update found, checks its signature, installs it and restarts the app. */
export const installUpdate = () => call("install_update");
/** Tells the launch bench the cached rows are on screen. */
export const markReady = () => call("mark_ready", { what: "rows" });

/** The sign-in page's address, sent when a browser sign-in starts (to copy if no browser opens). */
export const onSignInLink = (handler) => transport.listen("sign-in-link", handler);

/** A running import's or bulk action's `{job, done, total}`. */
export const onJobProgress = (handler) => transport.listen("job-progress", handler);

/** Another launch of the app handed over its arguments to this window. */
export const onSecondLaunch = (handler) => transport.listen("second-launch", handler);

/** Sync progress and connectivity, as the `status` event brings them. */
export const onStatus = (handler) => transport.listen("status", handler);
