-- The local cache of one connection profile: what the tables show, online or offline.
-- Times are INTEGER microseconds (UTC). Each list is two tables: a narrow one with the columns
-- the tables filter, search and sort on (so a search scans a few MB, not the whole JSON), and
-- one keeping each record's whole wire JSON by the same rowid, so nothing the server sent is
-- lost. The column order puts what every filter reads first. Ids are the UUID's 16 bytes. The
-- query indexes (newest first, e-mail prefix) are made by the cache code: see List::indexes.

CREATE TABLE invitations (
    id               BLOB PRIMARY KEY,
    status           TEXT NOT NULL,
    dt_expiry        INTEGER,
    search_text      TEXT NOT NULL,
    email            TEXT NOT NULL,
    name             TEXT NOT NULL,
    dt_end_access    INTEGER,
    dt_created       INTEGER,
    dt_last_modified INTEGER,
    dt_last_sent     INTEGER
);
CREATE TABLE invitation_records (
    rowid            INTEGER PRIMARY KEY,
    record           BLOB NOT NULL   -- the JSON, LZ4-compressed
);
CREATE TRIGGER invitation_records_follow AFTER DELETE ON invitations BEGIN
    DELETE FROM invitation_records WHERE rowid = old.rowid;
END;

-- The same columns as invitations, so one statement writes either; a user has no expiry and
-- is never sent, so those two stay NULL.
CREATE TABLE users (
    id               BLOB PRIMARY KEY,
    status           TEXT NOT NULL,
    dt_expiry        INTEGER,
    search_text      TEXT NOT NULL,
    email            TEXT NOT NULL,
    name             TEXT NOT NULL,
    dt_end_access    INTEGER,
    dt_created       INTEGER,
    dt_last_modified INTEGER,
    dt_last_sent     INTEGER
);
CREATE TABLE user_records (
    rowid            INTEGER PRIMARY KEY,
    record           BLOB NOT NULL   -- the JSON, LZ4-compressed
);
CREATE TRIGGER user_records_follow AFTER DELETE ON users BEGIN
    DELETE FROM user_records WHERE rowid = old.rowid;
END;

-- What the invite form and the seat panel read offline: permission policies, businesses, apps,
-- subscriptions (with their seat figures) and roles, each as its wire JSON. `parent_id` is the
-- business of an app and the app of a subscription or role. Replaced whole on every sync.
CREATE TABLE catalog (
    kind             TEXT NOT NULL,
    id               TEXT NOT NULL,
    parent_id        TEXT,
    name             TEXT NOT NULL,
    record           TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX catalog_parent ON catalog(kind, parent_id);

-- Who this profile signs in as and what it may do (GET /me), so the app hides what the
-- principal may not do while offline too.
CREATE TABLE principal (
    only_row         INTEGER PRIMARY KEY CHECK (only_row = 1),
    record           TEXT NOT NULL,
    dt_fetched       INTEGER NOT NULL
);

-- One row per synced list ('invitations', 'users', 'catalog').
CREATE TABLE sync_state (
    list             TEXT PRIMARY KEY,
    cursor           INTEGER,
    dt_full_sync     INTEGER,
    dt_last_success  INTEGER,
    last_error       TEXT
);
