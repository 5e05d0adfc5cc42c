-- Operations: the site of each audited action (so each town's staff can read its own), and
-- the token buckets of rate limits, shared by every instance on this database.

ALTER TABLE audit_log ADD COLUMN site_id TEXT COLLATE "C";
CREATE INDEX audit_log_by_site ON audit_log (site_id, id);

CREATE TABLE rate_buckets (
    key    TEXT COLLATE "C" PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    -- Unix milliseconds of the last refill.
    at     BIGINT NOT NULL
);
CREATE INDEX rate_buckets_by_age ON rate_buckets (at);
