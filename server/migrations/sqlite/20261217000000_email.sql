-- Verified e-mail addresses: a third participation level, and the nonces of the codes
-- already used (each code serves once; a nonce is kept until its code would have expired
-- anyway). No address is stored: participants are named by a keyed hash of theirs.
--
-- SQLite cannot change a CHECK constraint in place: each participation column is replaced
-- by one that also takes 'email' (a column's own CHECK does not stop DROP COLUMN).
ALTER TABLE polls ADD COLUMN participation_level TEXT NOT NULL DEFAULT 'device'
    CHECK (participation_level IN ('device', 'site', 'email'));
UPDATE polls SET participation_level = participation;
ALTER TABLE polls DROP COLUMN participation;
ALTER TABLE polls RENAME COLUMN participation_level TO participation;

ALTER TABLE boxes ADD COLUMN participation_level TEXT NOT NULL DEFAULT 'device'
    CHECK (participation_level IN ('device', 'site', 'email'));
UPDATE boxes SET participation_level = participation;
ALTER TABLE boxes DROP COLUMN participation;
ALTER TABLE boxes RENAME COLUMN participation_level TO participation;

CREATE TABLE email_codes (
    nonce      TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX email_codes_by_expiry ON email_codes (expires_at);
