// Opening a profile's data: after start, a profile switch, a save or a removal, everything
// shown is reloaded from the newly open profile (its cache first, then what the server says
// the principal may do).

import * as api from "./api.js";
import { say } from "./views/notice.js";
import { acceptStatus } from "./store.js";

/** Reloads the profiles, status, catalogue, counts, tables and capabilities. `known`: what
 *  boot.js already fetched (`{profiles, status, drawn}`), so start does not fetch it twice. */
export async function showProfile(store, known = null) {
  const profiles = known?.profiles ?? (await api.profiles());
  store.set({ profiles, detail: null, selection: new Set() });
  if (profiles.profiles.length === 0) {
    store.set({ tab: "profiles" });
    say(store, "Add a connection profile to start.", "info");
    return;
  }
  if (store.get().notice?.message.startsWith("Add a connection profile")) say(store, "");
  acceptStatus(store, known?.status ?? (await api.status()));
  const catalog = await api.catalog().catch(() => store.get().catalog);
  store.set({ catalog });
  if (known?.drawn) store.set({ dataVersion: store.get().dataVersion + 1 });
  else store.set({ invitationFilter: { ...store.get().invitationFilter }, dataVersion: store.get().dataVersion + 1 });
  api.capabilities().then((capabilities) => store.set({ capabilities })).catch(() => null);
}
