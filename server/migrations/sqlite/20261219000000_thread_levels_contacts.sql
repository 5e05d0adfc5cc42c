-- Comment threads choose their participation level too: device (the default), site
-- accounts or verified e-mail addresses. A proposal's thread takes its box's.
ALTER TABLE threads ADD COLUMN participation TEXT NOT NULL DEFAULT 'device'
    CHECK (participation IN ('device', 'site', 'email'));
UPDATE threads SET participation = (SELECT b.participation FROM proposals p
    JOIN boxes b ON b.id = p.box_id WHERE p.thread_id = threads.id)
    WHERE id IN (SELECT thread_id FROM proposals WHERE thread_id IS NOT NULL);

-- Residents who verified their address and asked to be told when the town answers them:
-- the address, kept for that only, erased with the resident's data.
CREATE TABLE contacts (
    participant_id INTEGER PRIMARY KEY NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    address        TEXT NOT NULL,
    lang           TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
