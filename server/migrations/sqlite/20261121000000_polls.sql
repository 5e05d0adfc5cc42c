-- Sites, polls and votes. Integrity rules live here: one ballot per participant per poll,
-- one row per chosen option, and a chosen option must belong to the ballot's poll.

CREATE TABLE sites (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE site_origins (
    site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    origin  TEXT NOT NULL,
    PRIMARY KEY (site_id, origin)
);
CREATE INDEX site_origins_by_origin ON site_origins (origin);

CREATE TABLE polls (
    id                 TEXT PRIMARY KEY NOT NULL,
    site_id            TEXT NOT NULL REFERENCES sites (id),
    question           TEXT NOT NULL,
    description        TEXT,
    kind               TEXT NOT NULL CHECK (kind IN ('single', 'multiple')),
    max_choices        INTEGER NOT NULL CHECK (max_choices >= 1),
    opens_at           TEXT,
    closes_at          TEXT,
    results_visibility TEXT NOT NULL CHECK (results_visibility IN ('after_vote', 'always', 'after_close')),
    created_at         TEXT NOT NULL
);
CREATE INDEX polls_by_site ON polls (site_id);

CREATE TABLE poll_options (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    poll_id  TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label    TEXT NOT NULL,
    UNIQUE (poll_id, position),
    -- Target of ballot_choices' composite foreign key.
    UNIQUE (poll_id, id)
);

-- A participant is a site-scoped pseudonym: `key` = sha256(site_id ":" token), never the token.
CREATE TABLE participants (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id    TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (site_id, key)
);

CREATE TABLE ballots (
    poll_id        TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    cast_at        TEXT NOT NULL,
    PRIMARY KEY (poll_id, participant_id)
);

CREATE TABLE ballot_choices (
    poll_id        TEXT NOT NULL,
    participant_id INTEGER NOT NULL,
    option_id      INTEGER NOT NULL,
    PRIMARY KEY (poll_id, participant_id, option_id),
    FOREIGN KEY (poll_id, participant_id) REFERENCES ballots (poll_id, participant_id) ON DELETE CASCADE,
    FOREIGN KEY (poll_id, option_id) REFERENCES poll_options (poll_id, id)
);
CREATE INDEX ballot_choices_by_option ON ballot_choices (poll_id, option_id);
