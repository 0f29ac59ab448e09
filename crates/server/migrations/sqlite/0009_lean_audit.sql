-- Three index entries fewer for every event, since each one costs a create about as much as
-- the event's row itself (BENCHMARKS.md, "the trail's indexes"):
-- - nothing looks an event up by its id (pages walk the indexes below, the erasure the time
--   index), so the table keeps SQLite's own rowid as its key; ids are v7, unique by how they
--   are made;
-- - an event's stamp is when it was made and its place in the feed alike, and it never moves
--   (an erasure edits it in place, `audit::erase_personal_data`): one time index serves the
--   newest-first pages, walked forwards, and the feed, walked backwards;
-- - the e-mail filter finds its events through the records they are about (an event with an
--   e-mail is always about an invitation or a member of its organisation), one record index
--   walk per record: `audit::list`.
CREATE TABLE audit_events_lean (
    id                TEXT NOT NULL,
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
INSERT INTO audit_events_lean (id, org_id, dt_created, dt_last_modified, deleted, actor_id,
        actor_kind, actor_name, action, record_type, record_id, record_email, client_address,
        user_agent, changes)
    SELECT id, org_id, dt_created, dt_created, deleted, actor_id, actor_kind, actor_name,
           action, record_type, record_id, record_email, client_address, user_agent, changes
      FROM audit_events ORDER BY dt_created, id;
DROP TABLE audit_events;
ALTER TABLE audit_events_lean RENAME TO audit_events;
-- Each index ends in the pages' own order (newest first, then id), so a page, filtered or
-- not, reads its rows in order from one index; without `id DESC` SQLite walks every event of
-- the organisation newest first instead, testing each.
CREATE INDEX audit_events_time ON audit_events(org_id, dt_last_modified DESC, id DESC);
CREATE INDEX audit_events_record ON audit_events(org_id, record_id, dt_last_modified DESC, id DESC);
CREATE INDEX audit_events_actor ON audit_events(org_id, actor_id, dt_last_modified DESC, id DESC);
CREATE INDEX audit_events_action ON audit_events(org_id, action, dt_last_modified DESC, id DESC);
