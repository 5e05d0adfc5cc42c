-- Device tokens earned with a proof of work: the salts of the solutions already spent
-- (each solves once), kept until their challenge would have expired anyway.
CREATE TABLE device_proofs (
    nonce      TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX device_proofs_by_expiry ON device_proofs (expires_at);
