// The one module that talks to the Rust side: every command the UI calls, and the events it
// hears. Nothing else in ui/ calls invoke, so tests replace this module's transport alone.

let transport = {
  invoke: (cmd, args) => globalThis.__TAURI__.core.invoke(cmd, args),
  listen: (event, handler) => globalThis.__TAURI__.event.listen(event, (e) => handler(e.payload)),
};

/** For tests: `{invoke(cmd, args), listen(event, handler)}`. */
export function useTransport(fake) {
  transport = fake;
}

const call = (cmd, args) => transport.invoke(cmd, args);

export const appInfo = () => call("app_info");
export const profiles = () => call("profiles");
export const testConnection = (draft) => call("test_connection", { draft });
export const saveProfile = (draft) => call("save_profile", { draft });
export const selectProfile = (id) => call("select_profile", { id });
export const renameProfile = (id, name) => call("rename_profile", { id, name });
export const signOut = (id) => call("sign_out", { id });
export const status = () => call("status");
export const syncNow = () => call("sync_now");
export const invitationWindow = (window) => call("invitation_window", { window });
export const invitationCounts = () => call("invitation_counts");
export const findByEmail = (prefix) => call("find_by_email", { prefix });
export const userByEmail = (email) => call("user_by_email", { email });
export const userWindow = (window) => call("user_window", { window });
/** The placement catalogue and policies; `refresh` fetches fresh seat figures when online. */
export const catalog = (refresh = false) => call("catalog", { refresh });
export const capabilities = () => call("capabilities");
export const invite = (form) => call("invite", { form });
export const resend = (id) => call("resend", { id });
export const revoke = (id) => call("revoke", { id });
export const deleteInvitation = (id) => call("delete_invitation", { id });
export const editInvitation = (id, update) => call("edit_invitation", { id, update });
export const editUser = (id, update) => call("edit_user", { id, update });
export const inactivate = (id) => call("inactivate", { id });
export const reactivate = (id) => call("reactivate", { id });
export const deleteUser = (id) => call("delete_user", { id });
export const exportCsv = (request) => call("export_csv", { request });
/** Tells the launch bench the cached rows are on screen. */
export const markReady = () => call("mark_ready", { what: "rows" });

/** Sync progress and connectivity, as the `status` event brings them. */
export const onStatus = (handler) => transport.listen("status", handler);
