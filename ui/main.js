// Wires the views and dialogs to the store, once boot.js has drawn the first screen. Each view
// draws itself from the store and changes it; none calls another. Reads come from the cache
// through commands, online or offline; writes go to the server, and the tables reload.

import * as api from "./api.js";
import { firstScreen, reveal } from "./boot.js";
import { store, acceptStatus } from "./store.js";
import { explain } from "./labels.js";
import { showProfile } from "./session.js";
import * as notice from "./views/notice.js";
import * as header from "./views/header.js";
import * as tabs from "./views/tabs.js";
import * as invitations from "./views/invitations.js";
import * as users from "./views/users.js";
import * as details from "./views/details.js";
import * as seats from "./views/seats.js";
import * as activity from "./views/activity.js";
import * as bell from "./views/bell.js";
import * as profiles from "./views/profiles.js";
import * as invite from "./dialogs/invite.js";
import * as edit from "./dialogs/edit.js";
import * as importDialog from "./dialogs/import.js";
import * as job from "./dialogs/job.js";
import * as about from "./dialogs/about.js";

const VIEWS = [notice, header, bell, tabs, invitations, users, details, seats, activity, profiles, invite, edit, importDialog, job, about];

const onStatus = (status) => acceptStatus(store, status);

async function start() {
  for (const view of VIEWS) view.mount(document, store);
  // The page is inert until now (index.html): boot.js draws the rows before this module has
  // wired a single button, and a click in between would be lost.
  document.body.inert = false;
  const listening = api.onStatus(onStatus);
  api.rules().then((rules) => store.set({ rules })).catch(() => null);
  const [known, status, drawn] = await Promise.all([firstScreen.profiles, firstScreen.status, firstScreen.drawn]);
  if (known.error || status.error || !drawn) await showProfile(store);
  else await showProfile(store, { profiles: known.value, status: status.value, drawn });
  reveal();
  await listening;
  if (store.get().profiles.profiles.length === 0) return;
  // Whatever the status event said before the listener was in place (a sync finished, say).
  onStatus(await api.status());
}

start().catch((e) => {
  reveal();
  notice.say(store, explain(e), "error");
});
