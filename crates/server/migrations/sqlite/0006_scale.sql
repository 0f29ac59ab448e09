-- Search and filters that stay fast at a million invitations, and send limits that hold
-- however many processes serve the API.

-- Substring search by e-mail or name: trigram indexes of search_text, kept by triggers. A
-- search of three characters or more looks its rows up here instead of reading the
-- organisation's every row (`store::search`).
CREATE VIRTUAL TABLE invitations_search USING fts5(
    search_text, content = 'invitations', content_rowid = 'rowid', tokenize = 'trigram');
CREATE TRIGGER invitations_search_insert AFTER INSERT ON invitations BEGIN
    INSERT INTO invitations_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER invitations_search_delete AFTER DELETE ON invitations BEGIN
    INSERT INTO invitations_search (invitations_search, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER invitations_search_update AFTER UPDATE OF search_text ON invitations BEGIN
    INSERT INTO invitations_search (invitations_search, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO invitations_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
INSERT INTO invitations_search (invitations_search) VALUES ('rebuild');

CREATE VIRTUAL TABLE users_search USING fts5(
    search_text, content = 'users', content_rowid = 'rowid', tokenize = 'trigram');
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF search_text ON users BEGIN
    INSERT INTO users_search (users_search, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO users_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
INSERT INTO users_search (users_search) VALUES ('rebuild');

-- A status filter walks its own status in the list's order.
CREATE INDEX invitations_status_created ON invitations(org_id, status, dt_created DESC, id DESC)
    WHERE deleted = 0;
CREATE INDEX users_status_created ON users(org_id, status, dt_created DESC, id DESC)
    WHERE deleted = 0;
-- Expired is also Pending past its expiry: found by expiry, not by reading every Pending row.
CREATE INDEX invitations_pending_expiry ON invitations(org_id, dt_expiry)
    WHERE status = 'Pending' AND deleted = 0;

-- Sends counted per fixed window (an organisation's per minute, a recipient's per hour), in
-- the database so that every instance counts the same sends. Windows past are purged.
CREATE TABLE send_counts (
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    window_start  INTEGER NOT NULL,
    sends         INTEGER NOT NULL,
    PRIMARY KEY (scope, key, window_start)
) WITHOUT ROWID;
