-- Verified e-mail addresses: a third participation level, and the nonces of the codes
-- already used (each code serves once; a nonce is kept until its code would have expired
-- anyway). No address is stored: participants are named by a keyed hash of theirs.
ALTER TABLE polls DROP CONSTRAINT polls_participation_check;
ALTER TABLE polls ADD CONSTRAINT polls_participation_check
    CHECK (participation IN ('device', 'site', 'email'));

ALTER TABLE boxes DROP CONSTRAINT boxes_participation_check;
ALTER TABLE boxes ADD CONSTRAINT boxes_participation_check
    CHECK (participation IN ('device', 'site', 'email'));

CREATE TABLE email_codes (
    nonce      TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX email_codes_by_expiry ON email_codes (expires_at);
