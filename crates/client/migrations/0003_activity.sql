-- The organisation's audit trail (GET /auditlog), synced like the lists: a narrow table of what
-- the Activity tab filters, searches and sorts on, and each event's wire JSON by the same
-- rowid. `status` holds the action, so the in-memory search index (which keeps a status per
-- row) filters by action too. Events never change on the server except to erase a deleted
-- person's data, which comes back through the feed as a newer version of the same id.
CREATE TABLE activity (
    id               BLOB PRIMARY KEY,
    status           TEXT NOT NULL,
    dt_created       INTEGER NOT NULL,
    actor_id         TEXT,
    actor_name       TEXT NOT NULL,
    record_type      TEXT NOT NULL,
    record_id        BLOB,
    record_email     TEXT,
    search_text      TEXT NOT NULL,
    dt_last_modified INTEGER
);
CREATE TABLE activity_records (
    rowid            INTEGER PRIMARY KEY,
    record           BLOB NOT NULL   -- the JSON, LZ4-compressed
);
CREATE TRIGGER activity_records_follow AFTER DELETE ON activity BEGIN
    DELETE FROM activity_records WHERE rowid = old.rowid;
END;

-- "My invitations" for a person's profile: the Pending invitations addressed to them in every
-- organisation, replaced whole on each sync, so the bell shows its count offline too; and the
-- ids already announced by a desktop notification, so each is announced once.
CREATE TABLE account_invitations (
    id               BLOB PRIMARY KEY,
    record           TEXT NOT NULL
);
CREATE TABLE announced_invitations (
    id               BLOB PRIMARY KEY,
    dt_announced     INTEGER NOT NULL
);
