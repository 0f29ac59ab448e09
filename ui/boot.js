// The first screen's data, asked for the moment the page starts: this module loads `async`,
// ahead of main.js and its imports, so the Rust side reads the profiles, the status and the
// first page of cached rows while the engine is still compiling the rest of the UI.

import * as api from "./api.js";
import { PAGE } from "./table.js";

/** The invitations table's view at start: every status, newest first. */
export const START_FILTER = Object.freeze({ statuses: [], search: "", sort: "created", descending: true });

const settle = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));

/** `{profiles, status, rows}`, each `{value}` or `{error}`; taken once by main.js. */
export const firstScreen = {
  profiles: settle(api.profiles()),
  status: settle(api.status()),
  rows: settle(api.invitationWindow({ ...START_FILTER, search: null, offset: 0, limit: PAGE })),
};
