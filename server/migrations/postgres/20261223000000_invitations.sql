-- Invitations to a site's staff: one-time links, stored as the hash of their token.
CREATE TABLE staff_invitations (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    site_id    TEXT COLLATE "C" NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    login      TEXT COLLATE "C" NOT NULL,
    role       TEXT COLLATE "C" NOT NULL CHECK (role IN ('admin', 'moderator')),
    invited_by TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX staff_invitations_site ON staff_invitations (site_id, expires_at);
