// Sample answers of the Rust side, shaped as the commands answer them.

const id = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString();

export const ADMIN = id(900);

export const catalog = {
  policies: [{ id: id(1), name: "Administrator" }, { id: id(2), name: "Read only" }],
  businesses: [{ id: id(10), name: "Acme Labs" }],
  apps: [{ id: id(20), name: "Telemetry", businessId: id(10) }],
  subscriptions: [
    { id: id(30), name: "Telemetry Team", appId: id(20), seats: { limit: 10, used: 6, pending: 3, available: 1 } },
    { id: id(31), name: "Telemetry Free", appId: id(20), seats: { limit: 100, used: 5, pending: 0, available: 95 } },
  ],
  roles: [{ id: id(40), name: "Engineer", appId: id(20) }],
  serviceUsers: [{ id: ADMIN, name: "admin" }],
};

export const invitation = (n, overrides = {}) => ({
  id: id(100 + n),
  version: 1,
  email: `person${n}@example.com`,
  firstName: `Person`,
  lastName: `${n}`,
  contactNumber: "+44 20 7946 0000",
  status: "Pending",
  permissionPolicyIds: [id(1)],
  dtExpiry: inDays(10),
  dtCreated: inDays(-n),
  dtLastModified: inDays(-n),
  createdBy: ADMIN,
  createdByName: "admin",
  deliveryStatus: "sent",
  businessId: id(10),
  appId: id(20),
  subscriptionId: id(30),
  roleId: id(40),
  ...overrides,
});

export const user = (n, overrides = {}) => ({
  id: id(500 + n),
  version: 2,
  email: `member${n}@example.com`,
  firstName: "Member",
  lastName: `${n}`,
  status: "Active",
  permissionPolicyIds: [id(2)],
  dtCreated: inDays(-30),
  createdBy: ADMIN,
  ...overrides,
});

export const rules = {
  limits: { emailMaxChars: 254, nameMaxChars: 100, contactNumberMaxChars: 50, policiesMax: 100, expiryDefaultDays: 30, expiryMaxDays: 90, searchMaxChars: 200 },
  invitationStatuses: ["Pending", "Accepted", "Declined", "Expired", "Revoked"],
  userStatuses: ["Active", "Inactive"],
};

const offer = (action, destructive = false) => ({ action, enabled: true, hidden: false, destructive });
export const offersFor = ({ subject }) => {
  if (subject === "toolbar") return [offer("invite"), offer("resend"), offer("revoke", true), offer("deleteInvitation", true), offer("inactivate", true), offer("reactivate"), offer("deleteUser", true)];
  if (subject.invitation === "Pending") return [offer("resend"), offer("editInvitation"), offer("revoke", true), offer("deleteInvitation", true)];
  if (subject.invitation === "Accepted") return [offer("openUser")];
  if (subject.user) return [offer("editUser"), offer("inactivate", true), offer("deleteUser", true)];
  return [offer("deleteInvitation", true)];
};

/** Every command the first screen and the views call, answered. */
export function everything() {
  const rows = [
    invitation(1),
    invitation(2, { status: "Accepted", createdByName: undefined, createdBy: "b3f1c2d4-0000-4000-8000-00000000abcd" }),
    invitation(3, { deliveryStatus: "failed", deliveryError: "mailbox unavailable" }),
  ];
  return {
    profiles: { profiles: [{ id: "p1", name: "Acme", baseUrl: "http://127.0.0.1:8080", orgId: id(7), accessKeyId: "key" }], selected: "p1" },
    status: { online: true, syncing: false, lastSynced: new Date().toISOString(), done: 0, clockOffsetMs: 0 },
    rules,
    catalog,
    capabilities: { principal: "admin", organization: "Acme", extended: true, actions: [] },
    offers: offersFor,
    invitation_window: ({ window }) => {
      const shown = rows.filter((r) => (!window.search || r.email.includes(window.search)) && (!window.delivery || r.deliveryStatus === window.delivery) && (!window.statuses.length || window.statuses.includes(r.status)));
      return { rows: shown.slice(window.offset, window.offset + window.limit), total: shown.length };
    },
    invitation_counts: { Pending: 2, Accepted: 1, Declined: 0, Expired: 0, Revoked: 0 },
    invitation_ids: () => rows.map((r) => r.id),
    user_window: ({ window }) => ({ rows: [user(1), user(2, { status: "Inactive" })].filter((u) => !window.statuses.length || window.statuses.includes(u.status)), total: 2 }),
    user_counts: { Active: 1, Inactive: 1 },
    invite_candidates: [{ email: "former@example.com", firstName: "Fay", lastName: "Former", reason: "Accepted" }],
    check_invite: [],
    mark_ready: null,
    sync_now: { online: true, syncing: false },
  };
}
