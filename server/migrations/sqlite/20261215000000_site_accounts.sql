-- Site accounts (SSO): the secret a site's own website signs its users' tokens with (NULL:
-- the site takes none), the nonces of the tokens already exchanged (each is single-use; a
-- nonce is kept until its token would have expired anyway), and the participation level
-- each poll and proposal box collects its votes, proposals and supports at.
ALTER TABLE sites ADD COLUMN sso_secret TEXT;

CREATE TABLE sso_nonces (
    site_id    TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    nonce      TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, nonce)
);
CREATE INDEX sso_nonces_by_expiry ON sso_nonces (expires_at);

ALTER TABLE polls ADD COLUMN participation TEXT NOT NULL DEFAULT 'device'
    CHECK (participation IN ('device', 'site'));

ALTER TABLE boxes ADD COLUMN participation TEXT NOT NULL DEFAULT 'device'
    CHECK (participation IN ('device', 'site'));
