-- The audit trail: one row per change, written in the change's own transaction, never
-- updated. `dt_last_modified` is the commit-ordered stamp the feed (`modifiedSince`) walks, as
-- for invitations; `deleted` is always 0 and is here only because the shared pager reads it.
CREATE TABLE audit_events (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL,
    dt_created        INTEGER NOT NULL,
    dt_last_modified  INTEGER NOT NULL,
    deleted           INTEGER NOT NULL DEFAULT 0,
    actor_id          TEXT,
    actor_kind        TEXT NOT NULL,
    actor_name        TEXT NOT NULL,
    action            TEXT NOT NULL,
    record_type       TEXT NOT NULL,
    record_id         TEXT,
    record_email      TEXT,
    client_address    TEXT,
    user_agent        TEXT,
    changes           TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX audit_events_newest ON audit_events(org_id, dt_created DESC, id DESC);
CREATE INDEX audit_events_feed ON audit_events(org_id, dt_last_modified, id);
CREATE INDEX audit_events_record ON audit_events(org_id, record_id, dt_created DESC);
CREATE INDEX audit_events_actor ON audit_events(org_id, actor_id, dt_created DESC);
CREATE INDEX audit_events_action ON audit_events(org_id, action, dt_created DESC);
CREATE INDEX audit_events_email ON audit_events(org_id, record_email, dt_created DESC);
-- The retention purge walks audit_events_newest, organisation by organisation.

-- Read only and Helpdesk read everything but the audit trail (`managed::READABLE`).
UPDATE permission_policies SET statements = '[{"effect":"ALLOW","action":["config:retrieve"],"resource":["config:orgUserInvitation/*","config:orgUser/*","config:permissionPolicy/*","config:business/*","config:organization"]}]'
 WHERE managed = 1 AND name = 'Read only';
UPDATE permission_policies SET statements = '[{"effect":"ALLOW","action":["config:retrieve"],"resource":["config:orgUserInvitation/*","config:orgUser/*","config:permissionPolicy/*","config:business/*","config:organization"]},{"effect":"ALLOW","action":["config:update"],"resource":["config:orgUserInvitation/resend"]}]'
 WHERE managed = 1 AND name = 'Helpdesk';
