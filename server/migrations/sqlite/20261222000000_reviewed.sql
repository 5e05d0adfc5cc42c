-- How many reports a comment had when staff last acted on it (approve, hide, restore,
-- delete, pin): a reported comment leaves the console's review queue then, and comes back
-- with a newer report.
ALTER TABLE comments ADD COLUMN reviewed_reports INTEGER NOT NULL DEFAULT 0;
