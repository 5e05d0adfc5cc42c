-- Retention per site: months after a poll or box closes, or a thread is locked, before the
-- personal data residents left there is erased by the endpoint's scheduled task. A thread
-- remembers when it was locked; those locked before this migration count from now.
ALTER TABLE sites ADD COLUMN retention_months BIGINT NOT NULL DEFAULT 12
    CHECK (retention_months BETWEEN 1 AND 120);
ALTER TABLE threads ADD COLUMN locked_at TEXT COLLATE "C";
UPDATE threads SET locked_at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    WHERE locked;
