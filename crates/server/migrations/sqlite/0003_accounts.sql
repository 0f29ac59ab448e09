-- People who accepted an invitation: one account per e-mail across organisations (membership
-- is the users table), with an argon2 password hash; and the one-time codes sent to a new
-- person's mobile number while they accept.

CREATE TABLE accounts (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    mobile          TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    dt_created      INTEGER NOT NULL
);

-- At most one code per invitation; a new code replaces the old one.
CREATE TABLE one_time_codes (
    invitation_id   TEXT PRIMARY KEY REFERENCES invitations(id),
    mobile          TEXT NOT NULL,
    code_hash       BLOB NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    dt_expires      INTEGER NOT NULL
) WITHOUT ROWID;
