-- People sign in as themselves (OAuth 2.0 for native apps, authorization code with PKCE):
-- codes, refresh-token families and access tokens of a membership (a users row), password
-- resets, and a second factor. Every token and code is stored only as its SHA-256.

CREATE TABLE oauth_codes (
    code_hash       BLOB PRIMARY KEY,
    client_id       TEXT NOT NULL,
    redirect_uri    TEXT NOT NULL,
    code_challenge  TEXT NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users(id),
    -- The refresh-token family the code starts: a replayed code ends it (RFC 6749 §4.1.2).
    family_id       TEXT NOT NULL,
    dt_expires      INTEGER NOT NULL,
    used            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX oauth_codes_expires ON oauth_codes(dt_expires);

-- A family is every refresh token rotated from one sign-in; a rotated token used again
-- (stolen, replayed) ends the whole family.
CREATE TABLE refresh_tokens (
    token_hash  BLOB PRIMARY KEY,
    family_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    client_id   TEXT NOT NULL,
    dt_expires  INTEGER NOT NULL,
    dt_rotated  INTEGER
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
CREATE INDEX refresh_tokens_account ON refresh_tokens(account_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens(dt_expires);

CREATE TABLE person_tokens (
    token_hash  BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    family_id   TEXT NOT NULL,
    dt_expires  INTEGER NOT NULL
);
CREATE INDEX person_tokens_family ON person_tokens(family_id);
CREATE INDEX person_tokens_user ON person_tokens(user_id);
CREATE INDEX person_tokens_expires ON person_tokens(dt_expires);

CREATE TABLE password_resets (
    token_hash  BLOB PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    dt_expires  INTEGER NOT NULL,
    used        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX password_resets_account ON password_resets(account_id);
CREATE INDEX password_resets_expires ON password_resets(dt_expires);

-- The TOTP secret (RFC 6238), once confirmed with a code; a pending one until then.
ALTER TABLE accounts ADD COLUMN totp_secret BLOB;
ALTER TABLE accounts ADD COLUMN totp_pending_secret BLOB;
ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER;

CREATE TABLE recovery_codes (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    code_hash   BLOB NOT NULL,
    used        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, code_hash)
);

ALTER TABLE organizations ADD COLUMN require_second_factor INTEGER NOT NULL DEFAULT 0;
