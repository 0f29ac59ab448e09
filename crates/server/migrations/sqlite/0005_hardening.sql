-- Hardening against hostile input.
-- Failed codes and passwords on an invitation (it locks at 10 until resent), and failed
-- passwords per account (exponential back-off), counted in the database so that they hold
-- however many processes serve the pages.
ALTER TABLE invitations ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN dt_login_blocked_until INTEGER;
-- Since when the account has had no live membership and no Pending invitation: it is purged
-- once that has lasted the retention period (--account-retention-days).
ALTER TABLE accounts ADD COLUMN dt_orphaned INTEGER;

-- Every one-time code sent, for the limits per invitation, per number and per organisation.
-- `mobile` is the number's digits (with a leading + if given). Rows go with a deleted invitation,
-- or after 90 days, the longest an invitation lives (so that "3 numbers" holds for its life).
CREATE TABLE code_sends (
    id             INTEGER PRIMARY KEY,
    org_id         TEXT NOT NULL,
    invitation_id  TEXT NOT NULL,
    mobile         TEXT NOT NULL,
    dt_sent        INTEGER NOT NULL
);
CREATE INDEX code_sends_invitation ON code_sends(invitation_id, dt_sent);
CREATE INDEX code_sends_mobile ON code_sends(mobile, dt_sent);
CREATE INDEX code_sends_org ON code_sends(org_id, dt_sent);

-- Keys the server signs with (the CSRF key), made once and shared by every process.
CREATE TABLE server_keys (
    name  TEXT PRIMARY KEY,
    key   BLOB NOT NULL
) WITHOUT ROWID;

-- Delivered and abandoned mail is purged after its retention period.
CREATE INDEX outbox_created ON outbox(dt_created) WHERE status <> 'queued';

-- Deleted records keep only what a tombstone needs.
UPDATE invitations SET email = '', first_name = NULL, last_name = NULL, contact_number = NULL,
    search_text = '', delivery_error = NULL, token_hash = NULL
 WHERE deleted = 1;
UPDATE users SET email = '', first_name = NULL, last_name = NULL, contact_number = NULL,
    search_text = ''
 WHERE deleted = 1;
DELETE FROM one_time_codes WHERE invitation_id IN (SELECT id FROM invitations WHERE deleted = 1);
DELETE FROM outbox WHERE invitation_id IN (SELECT id FROM invitations WHERE deleted = 1);

-- Accounts are matched to memberships and invitations by e-mail alone (retention).
CREATE INDEX users_email ON users(email) WHERE deleted = 0;
CREATE INDEX invitations_pending_email ON invitations(email) WHERE status = 'Pending' AND deleted = 0;
