-- The reference Access API's schema. Times are INTEGER microseconds since the Unix epoch (UTC),
-- so they sort and compare exactly; ids are UUID text; id lists are JSON arrays.

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    dt_created  INTEGER NOT NULL
);

CREATE TABLE permission_policies (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organizations(id),
    name             TEXT NOT NULL,
    managed          INTEGER NOT NULL DEFAULT 0,
    statements       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    dt_created       INTEGER NOT NULL,
    dt_last_modified INTEGER NOT NULL
);
CREATE INDEX permission_policies_org ON permission_policies(org_id, name);

-- Machine principals that authenticate with client credentials. The secret is an argon2 hash.
CREATE TABLE service_users (
    id                    TEXT PRIMARY KEY,
    org_id                TEXT NOT NULL REFERENCES organizations(id),
    name                  TEXT NOT NULL,
    access_key_id         TEXT NOT NULL UNIQUE,
    secret_hash           TEXT NOT NULL,
    permission_policy_ids TEXT NOT NULL,
    dt_created            INTEGER NOT NULL
);

-- Bearer tokens, stored only as SHA-256 hashes (they are 32 random bytes, so a fast hash is
-- enough; argon2 is for the low-entropy secrets people choose).
CREATE TABLE access_tokens (
    token_hash   BLOB PRIMARY KEY,
    principal_id TEXT NOT NULL REFERENCES service_users(id),
    org_id       TEXT NOT NULL,
    dt_expires   INTEGER NOT NULL
) WITHOUT ROWID;

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
    seat_limit  INTEGER NOT NULL CHECK (seat_limit >= 0)
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
    version               INTEGER NOT NULL DEFAULT 1,
    email                 TEXT NOT NULL,
    first_name            TEXT,
    last_name             TEXT,
    contact_number        TEXT,
    status                TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
    permission_policy_ids TEXT NOT NULL,
    dt_end_access         INTEGER,
    business_id           TEXT,
    app_id                TEXT,
    subscription_id       TEXT,
    role_id               TEXT,
    dt_created            INTEGER NOT NULL,
    dt_last_modified      INTEGER NOT NULL,
    created_by            TEXT NOT NULL,
    last_modified_by      TEXT NOT NULL,
    deleted               INTEGER NOT NULL DEFAULT 0,
    search_text           TEXT NOT NULL
);
CREATE UNIQUE INDEX users_one_per_email ON users(org_id, email) WHERE deleted = 0;
CREATE INDEX users_created ON users(org_id, dt_created DESC, id DESC);
CREATE INDEX users_modified ON users(org_id, dt_last_modified);
CREATE INDEX users_seats ON users(subscription_id) WHERE status = 'Active' AND deleted = 0;

-- status holds Pending, Accepted, Declined, Revoked, or Expired once an expiry has been
-- written down; a Pending row past dt_expiry reads as Expired everywhere without being rewritten.
CREATE TABLE invitations (
    id                    TEXT PRIMARY KEY,
    org_id                TEXT NOT NULL REFERENCES organizations(id),
    version               INTEGER NOT NULL DEFAULT 1,
    email                 TEXT NOT NULL,
    first_name            TEXT,
    last_name             TEXT,
    contact_number        TEXT,
    permission_policy_ids TEXT NOT NULL,
    dt_end_access         INTEGER,
    dt_expiry             INTEGER NOT NULL,
    inviting_principal_id TEXT NOT NULL,
    status                TEXT NOT NULL
        CHECK (status IN ('Pending', 'Accepted', 'Declined', 'Expired', 'Revoked')),
    existing_user         INTEGER NOT NULL DEFAULT 0,
    business_id           TEXT,
    app_id                TEXT,
    subscription_id       TEXT,
    role_id               TEXT,
    dt_last_sent          INTEGER,
    send_count            INTEGER NOT NULL DEFAULT 1,
    dt_created            INTEGER NOT NULL,
    dt_last_modified      INTEGER NOT NULL,
    created_by            TEXT NOT NULL,
    last_modified_by      TEXT NOT NULL,
    deleted               INTEGER NOT NULL DEFAULT 0,
    search_text           TEXT NOT NULL
);
-- One live invitation per e-mail per organisation, enforced by the database itself.
CREATE UNIQUE INDEX invitations_one_live_per_email
    ON invitations(org_id, email) WHERE status = 'Pending' AND deleted = 0;
CREATE INDEX invitations_created ON invitations(org_id, dt_created DESC, id DESC);
CREATE INDEX invitations_modified ON invitations(org_id, dt_last_modified);
CREATE INDEX invitations_seats
    ON invitations(subscription_id, dt_expiry) WHERE status = 'Pending' AND deleted = 0;

-- A POST's first answer, kept so that a retry with the same key gets it again. Written in the
-- same transaction as the change it describes.
CREATE TABLE idempotency_keys (
    org_id        TEXT NOT NULL,
    principal_id  TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  BLOB NOT NULL,
    status        INTEGER NOT NULL,
    body          TEXT NOT NULL,
    dt_created    INTEGER NOT NULL,
    PRIMARY KEY (org_id, principal_id, key)
) WITHOUT ROWID;
