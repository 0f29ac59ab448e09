-- The local cache of one connection profile: what the tables show, online or offline.
-- Times are INTEGER microseconds (UTC); `record` keeps the whole wire JSON so that nothing the
-- server sent is lost, and the other columns are what the tables filter, search and sort on.

CREATE TABLE invitations (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL,
    name             TEXT NOT NULL,
    status           TEXT NOT NULL,
    dt_expiry        INTEGER,
    dt_end_access    INTEGER,
    dt_created       INTEGER,
    dt_last_modified INTEGER,
    dt_last_sent     INTEGER,
    search_text      TEXT NOT NULL,
    record           TEXT NOT NULL
);
CREATE INDEX invitations_status_created ON invitations(status, dt_created DESC);
CREATE INDEX invitations_created ON invitations(dt_created DESC);
CREATE INDEX invitations_email ON invitations(email);

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL,
    name             TEXT NOT NULL,
    status           TEXT NOT NULL,
    dt_end_access    INTEGER,
    dt_created       INTEGER,
    dt_last_modified INTEGER,
    search_text      TEXT NOT NULL,
    record           TEXT NOT NULL
);
CREATE INDEX users_status_created ON users(status, dt_created DESC);
CREATE INDEX users_email ON users(email);

-- One row per synced list ('invitations', 'users').
CREATE TABLE sync_state (
    list             TEXT PRIMARY KEY,
    cursor           INTEGER,
    dt_full_sync     INTEGER,
    dt_last_success  INTEGER,
    last_error       TEXT
);
