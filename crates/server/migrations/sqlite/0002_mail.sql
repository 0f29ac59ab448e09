-- Invitation e-mail: the invite token (stored only as a SHA-256 hash), delivery state, and an
-- outbox written in the same transaction as the change that sends mail, so that a down SMTP
-- server delays mail but loses none.

ALTER TABLE invitations ADD COLUMN token_hash BLOB;
ALTER TABLE invitations ADD COLUMN delivery_status TEXT
    CHECK (delivery_status IN ('queued', 'sent', 'failed'));
ALTER TABLE invitations ADD COLUMN delivery_error TEXT;
CREATE UNIQUE INDEX invitations_token ON invitations(token_hash) WHERE token_hash IS NOT NULL;

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    org_id           TEXT NOT NULL,
    invitation_id    TEXT,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    text_body        TEXT NOT NULL,
    html_body        TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    dt_created       INTEGER NOT NULL,
    dt_next_attempt  INTEGER NOT NULL,
    dt_sent          INTEGER
);
CREATE INDEX outbox_due ON outbox(dt_next_attempt) WHERE status = 'queued';
