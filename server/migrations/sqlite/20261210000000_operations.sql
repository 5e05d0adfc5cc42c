-- Operations: the site of each audited action (so each town's staff can read its own), and
-- the token buckets of rate limits, kept in the database so that they hold for every
-- instance and across restarts.

ALTER TABLE audit_log ADD COLUMN site_id TEXT;
CREATE INDEX audit_log_by_site ON audit_log (site_id, id);

CREATE TABLE rate_buckets (
    key    TEXT PRIMARY KEY NOT NULL,
    tokens REAL NOT NULL,
    -- Unix milliseconds of the last refill.
    at     INTEGER NOT NULL
);
CREATE INDEX rate_buckets_by_age ON rate_buckets (at);
