-- Invitations to a site's staff: one-time links, stored as the hash of their token.
CREATE TABLE staff_invitations (
    token_hash TEXT PRIMARY KEY,
    site_id    TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    login      TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'moderator')),
    invited_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX staff_invitations_site ON staff_invitations (site_id, expires_at);
