// The UI's state in one place: views read it, change it with `set`, and redraw what they show
// when a key they draw from changes. No view calls another to redraw it.

/** A store over `initial`: `get()`, `set(patch)`, `subscribe(keys, fn)`. */
export function createStore(initial) {
  let state = { ...initial };
  const listeners = new Set();
  return {
    get: () => state,
    /** Merges `patch` into the state, then tells every listener of a key it changed. */
    set(patch) {
      const changed = Object.keys(patch).filter((key) => state[key] !== patch[key]);
      if (changed.length === 0) return;
      state = { ...state, ...patch };
      for (const listener of [...listeners]) {
        if (listener.keys.some((key) => changed.includes(key))) listener.fn(state, changed);
      }
    },
    /** Calls `fn(state, changedKeys)` whenever one of `keys` changes; answers an unsubscribe. */
    subscribe(keys, fn) {
      const listener = { keys, fn };
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Keeps `next` as the sync status unless it is older than the one kept: statuses arrive both
 *  as events and as command answers, in no set order, and a snapshot taken mid-sync must not
 *  overwrite the sync's end (`seq` grows with every change, Rust's `SyncStatus`). A sync that
 *  has just ended reloads the tables and counts. */
export function acceptStatus(store, next) {
  const current = store.get().status;
  if (next.seq !== undefined && current.seq !== undefined && next.seq < current.seq) return;
  // Ended: seen running, or (its running statuses overtaken) a newer last sync than the one kept.
  const newerSync = current.seq !== undefined && next.lastSynced !== current.lastSynced;
  const finished = !next.syncing && (Boolean(current.syncing) || newerSync);
  store.set({ status: next });
  if (finished) store.set({ dataVersion: store.get().dataVersion + 1 });
}

/** What the app starts with. */
export const initialState = () => ({
  profiles: { profiles: [], selected: null },
  status: { online: true, clockOffsetMs: 0 },
  rules: null,
  catalog: { policies: [], businesses: [], apps: [], subscriptions: [], roles: [], serviceUsers: [] },
  tab: "invitations",
  // Every status, newest first: the invitations table at start.
  invitationFilter: { statuses: [], search: "", delivery: null, sort: "created", descending: true },
  userFilter: { statuses: [], search: "", sort: "created", descending: true },
  invitationCounts: {},
  userCounts: {},
  /** The record whose details are open: `{kind: "invitation"|"user", row}` or null. */
  detail: null,
  /** The bell's panel of invitations to the signed-in person is open. */
  bellOpen: false,
  /** Ticked invitation ids. */
  selection: new Set(),
  /** `{message, kind: info|error, action?: {label, run}}` or null. */
  notice: null,
  /** Bumped after every write and sync: tables and counts reload from the cache. */
  dataVersion: 0,
});

export const store = createStore(initialState());
