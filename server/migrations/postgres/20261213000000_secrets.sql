-- Secrets of the endpoint, made at first start and shared by all its instances: the key of
-- the daily hashes of residents' networks (their addresses are never stored).
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
