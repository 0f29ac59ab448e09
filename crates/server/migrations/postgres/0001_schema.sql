-- The reference Access API's schema on PostgreSQL: the same tables, columns (in the same
-- order, since rows are read by position) and rules as SQLite's migrations 0001–0006 leave.
-- Times are BIGINT microseconds since the Unix epoch (UTC); ids are UUID text; id lists are
-- JSON arrays in text; flags are 0/1. So one store reads and writes both.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    dt_created  BIGINT NOT NULL
);

CREATE TABLE permission_policies (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organizations(id),
    name             TEXT NOT NULL,
    managed          BIGINT NOT NULL DEFAULT 0,
    statements       TEXT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    dt_created       BIGINT NOT NULL,
    dt_last_modified BIGINT NOT NULL
);
CREATE INDEX permission_policies_org ON permission_policies(org_id, name);

CREATE TABLE service_users (
    id                    TEXT PRIMARY KEY,
    org_id                TEXT NOT NULL REFERENCES organizations(id),
    name                  TEXT NOT NULL,
    access_key_id         TEXT NOT NULL UNIQUE,
    secret_hash           TEXT NOT NULL,
    permission_policy_ids TEXT NOT NULL,
    dt_created            BIGINT NOT NULL
);

CREATE TABLE access_tokens (
    token_hash   BYTEA PRIMARY KEY,
    principal_id TEXT NOT NULL REFERENCES service_users(id),
    org_id       TEXT NOT NULL,
    dt_expires   BIGINT NOT NULL
);
CREATE INDEX access_tokens_expires ON access_tokens(dt_expires);

CREATE TABLE businesses (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations(id),
    name       TEXT NOT NULL
);
CREATE INDEX businesses_org ON businesses(org_id, name);

CREATE TABLE apps (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    business_id TEXT NOT NULL REFERENCES businesses(id),
    name        TEXT NOT NULL
);
CREATE INDEX apps_business ON apps(business_id, name);

CREATE TABLE subscriptions (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    app_id      TEXT NOT NULL REFERENCES apps(id),
    name        TEXT NOT NULL,
    seat_limit  BIGINT NOT NULL CHECK (seat_limit >= 0)
);
CREATE INDEX subscriptions_app ON subscriptions(app_id, name);

CREATE TABLE roles (
    id      TEXT PRIMARY KEY,
    org_id  TEXT NOT NULL REFERENCES organizations(id),
    app_id  TEXT NOT NULL REFERENCES apps(id),
    name    TEXT NOT NULL
);
CREATE INDEX roles_app ON roles(app_id, name);

CREATE TABLE users (
    id                    TEXT PRIMARY KEY,
    org_id                TEXT NOT NULL REFERENCES organizations(id),
    version               BIGINT NOT NULL DEFAULT 1,
    email                 TEXT NOT NULL,
    first_name            TEXT,
    last_name             TEXT,
    contact_number        TEXT,
    status                TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
    permission_policy_ids TEXT NOT NULL,
    dt_end_access         BIGINT,
    business_id           TEXT,
    app_id                TEXT,
    subscription_id       TEXT,
    role_id               TEXT,
    dt_created            BIGINT NOT NULL,
    dt_last_modified      BIGINT NOT NULL,
    created_by            TEXT NOT NULL,
    last_modified_by      TEXT NOT NULL,
    deleted               BIGINT NOT NULL DEFAULT 0,
    search_text           TEXT NOT NULL
);
CREATE UNIQUE INDEX users_one_per_email ON users(org_id, email) WHERE deleted = 0;
CREATE INDEX users_created ON users(org_id, dt_created DESC, id DESC);
CREATE INDEX users_modified ON users(org_id, dt_last_modified, id);
CREATE INDEX users_seats ON users(subscription_id) WHERE status = 'Active' AND deleted = 0;
CREATE INDEX users_email ON users(email) WHERE deleted = 0;
CREATE INDEX users_status_created ON users(org_id, status, dt_created DESC, id DESC)
    WHERE deleted = 0;
CREATE INDEX users_search ON users USING gist (search_text gist_trgm_ops(siglen = 64));

-- status holds Pending, Accepted, Declined, Revoked, or Expired once an expiry has been
-- written down; a Pending row past dt_expiry reads as Expired everywhere without being rewritten.
CREATE TABLE invitations (
    id                    TEXT PRIMARY KEY,
    org_id                TEXT NOT NULL REFERENCES organizations(id),
    version               BIGINT NOT NULL DEFAULT 1,
    email                 TEXT NOT NULL,
    first_name            TEXT,
    last_name             TEXT,
    contact_number        TEXT,
    permission_policy_ids TEXT NOT NULL,
    dt_end_access         BIGINT,
    dt_expiry             BIGINT NOT NULL,
    inviting_principal_id TEXT NOT NULL,
    status                TEXT NOT NULL
        CHECK (status IN ('Pending', 'Accepted', 'Declined', 'Expired', 'Revoked')),
    existing_user         BIGINT NOT NULL DEFAULT 0,
    business_id           TEXT,
    app_id                TEXT,
    subscription_id       TEXT,
    role_id               TEXT,
    dt_last_sent          BIGINT,
    send_count            BIGINT NOT NULL DEFAULT 1,
    dt_created            BIGINT NOT NULL,
    dt_last_modified      BIGINT NOT NULL,
    created_by            TEXT NOT NULL,
    last_modified_by      TEXT NOT NULL,
    deleted               BIGINT NOT NULL DEFAULT 0,
    search_text           TEXT NOT NULL,
    token_hash            BYTEA,
    delivery_status       TEXT CHECK (delivery_status IN ('queued', 'sent', 'failed')),
    delivery_error        TEXT,
    failed_attempts       BIGINT NOT NULL DEFAULT 0
);
-- One live invitation per e-mail per organisation, enforced by the database itself.
CREATE UNIQUE INDEX invitations_one_live_per_email
    ON invitations(org_id, email) WHERE status = 'Pending' AND deleted = 0;
CREATE INDEX invitations_created ON invitations(org_id, dt_created DESC, id DESC);
CREATE INDEX invitations_modified ON invitations(org_id, dt_last_modified, id);
CREATE INDEX invitations_seats
    ON invitations(subscription_id, dt_expiry) WHERE status = 'Pending' AND deleted = 0;
CREATE UNIQUE INDEX invitations_token ON invitations(token_hash) WHERE token_hash IS NOT NULL;
CREATE INDEX invitations_pending_email ON invitations(email) WHERE status = 'Pending' AND deleted = 0;
CREATE INDEX invitations_status_created ON invitations(org_id, status, dt_created DESC, id DESC)
    WHERE deleted = 0;
CREATE INDEX invitations_pending_expiry ON invitations(org_id, dt_expiry)
    WHERE status = 'Pending' AND deleted = 0;
-- GiST rather than GIN: a GIN scan reads the whole posting list of every trigram of the
-- search, and trigrams shared by most rows ("son", "exa") made a search of 1M rows take
-- 36 ms; GiST signatures answer the same search in about 1 ms (BENCHMARKS.md).
CREATE INDEX invitations_search ON invitations USING gist (search_text gist_trgm_ops(siglen = 64));

CREATE TABLE idempotency_keys (
    org_id        TEXT NOT NULL,
    principal_id  TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  BYTEA NOT NULL,
    status        BIGINT NOT NULL,
    body          TEXT NOT NULL,
    dt_created    BIGINT NOT NULL,
    PRIMARY KEY (org_id, principal_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(dt_created);

CREATE TABLE outbox (
    id               BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    org_id           TEXT NOT NULL,
    invitation_id    TEXT,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    text_body        TEXT NOT NULL,
    html_body        TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT,
    dt_created       BIGINT NOT NULL,
    dt_next_attempt  BIGINT NOT NULL,
    dt_sent          BIGINT
);
CREATE INDEX outbox_due ON outbox(dt_next_attempt) WHERE status = 'queued';
CREATE INDEX outbox_created ON outbox(dt_created) WHERE status <> 'queued';
CREATE INDEX outbox_invitation ON outbox(invitation_id);

CREATE TABLE accounts (
    id                      TEXT PRIMARY KEY,
    email                   TEXT NOT NULL UNIQUE,
    first_name              TEXT NOT NULL,
    last_name               TEXT NOT NULL,
    mobile                  TEXT NOT NULL,
    password_hash           TEXT NOT NULL,
    dt_created              BIGINT NOT NULL,
    failed_logins           BIGINT NOT NULL DEFAULT 0,
    dt_login_blocked_until  BIGINT,
    dt_orphaned             BIGINT
);

CREATE TABLE one_time_codes (
    invitation_id   TEXT PRIMARY KEY REFERENCES invitations(id),
    mobile          TEXT NOT NULL,
    code_hash       BYTEA NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    dt_expires      BIGINT NOT NULL
);

CREATE TABLE code_sends (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    org_id         TEXT NOT NULL,
    invitation_id  TEXT NOT NULL,
    mobile         TEXT NOT NULL,
    dt_sent        BIGINT NOT NULL
);
CREATE INDEX code_sends_invitation ON code_sends(invitation_id, dt_sent);
CREATE INDEX code_sends_mobile ON code_sends(mobile, dt_sent);
CREATE INDEX code_sends_org ON code_sends(org_id, dt_sent);

CREATE TABLE server_keys (
    name  TEXT PRIMARY KEY,
    key   BYTEA NOT NULL
);

CREATE TABLE send_counts (
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    window_start  BIGINT NOT NULL,
    sends         BIGINT NOT NULL,
    PRIMARY KEY (scope, key, window_start)
);
