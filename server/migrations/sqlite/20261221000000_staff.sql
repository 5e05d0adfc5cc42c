-- Staff of the console: accounts (argon2id password hashes), their role on each site, and
-- their sessions (a hash of the cookie's token, never the token).
CREATE TABLE staff_accounts (
    id              INTEGER PRIMARY KEY,
    login           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    endpoint_admin  INTEGER NOT NULL DEFAULT 0,
    disabled        INTEGER NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT NOT NULL
);
CREATE TABLE staff_roles (
    account_id INTEGER NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    site_id    TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'moderator')),
    PRIMARY KEY (account_id, site_id)
);
CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX staff_sessions_account ON staff_sessions (account_id);
