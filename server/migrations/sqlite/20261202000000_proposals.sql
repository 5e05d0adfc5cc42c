-- Proposal boxes: boxes and their categories, proposals (ideas or questions) with a full-text
-- index, supports, the status history and the box events kept for webhooks. One support per
-- participant per proposal is a primary key; the `supports` counter and the threshold event
-- change in the same transaction as the support rows. Listings page with COUNT and
-- LIMIT/OFFSET over the indexes below, one per sort order.

CREATE TABLE boxes (
    id             TEXT PRIMARY KEY NOT NULL,
    site_id        TEXT NOT NULL REFERENCES sites (id),
    title          TEXT NOT NULL,
    description    TEXT,
    mode           TEXT NOT NULL CHECK (mode IN ('ideas', 'questions')),
    threshold      INTEGER CHECK (threshold IS NULL OR threshold >= 1),
    pre_moderation INTEGER NOT NULL DEFAULT 0,
    opens_at       TEXT,
    closes_at      TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX boxes_by_site ON boxes (site_id);

CREATE TABLE box_categories (
    box_id   TEXT NOT NULL REFERENCES boxes (id) ON DELETE CASCADE,
    id       TEXT NOT NULL,
    position INTEGER NOT NULL,
    label    TEXT NOT NULL,
    PRIMARY KEY (box_id, id),
    UNIQUE (box_id, position)
);

CREATE TABLE proposals (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    box_id               TEXT NOT NULL REFERENCES boxes (id) ON DELETE CASCADE,
    title                TEXT NOT NULL,
    -- Markdown source and sanitized HTML of the description (empty for questions).
    text                 TEXT NOT NULL DEFAULT '',
    html                 TEXT NOT NULL DEFAULT '',
    category             TEXT,
    place                TEXT,
    -- NULL for seeded proposals; the participant pseudonym otherwise.
    author_id            INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    author_name          TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted',
        'under_review', 'accepted', 'rejected', 'implemented', 'duplicate', 'answered')),
    duplicate_of         INTEGER REFERENCES proposals (id),
    visibility           TEXT NOT NULL CHECK (visibility IN ('published', 'pending', 'hidden')),
    answer               TEXT,
    answer_html          TEXT,
    answered_at          TEXT,
    supports             INTEGER NOT NULL DEFAULT 0 CHECK (supports >= 0),
    threshold_reached_at TEXT,
    thread_id            TEXT REFERENCES threads (id),
    created_at           TEXT NOT NULL,
    FOREIGN KEY (box_id, category) REFERENCES box_categories (box_id, id)
);
-- One index per listing order (`newest` also serves the staff queue, oldest first).
CREATE INDEX proposals_by_supports ON proposals (box_id, visibility, supports DESC, id);
CREATE INDEX proposals_by_id ON proposals (box_id, visibility, id);
CREATE INDEX proposals_by_answered ON proposals (box_id, visibility, answered_at, id);

-- Full-text search over title and description, kept in sync by the triggers below. Accents
-- are folded so that "velo" finds "vélo"; the prefix index serves "word"* queries.
CREATE VIRTUAL TABLE proposals_fts USING fts5 (
    title, text,
    content = 'proposals', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3'
);
CREATE TRIGGER proposals_fts_insert AFTER INSERT ON proposals BEGIN
    INSERT INTO proposals_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER proposals_fts_delete AFTER DELETE ON proposals BEGIN
    INSERT INTO proposals_fts (proposals_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER proposals_fts_update AFTER UPDATE OF title, text ON proposals BEGIN
    INSERT INTO proposals_fts (proposals_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO proposals_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;

CREATE TABLE proposal_supports (
    proposal_id    INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (proposal_id, participant_id)
);

-- Each change of status: who made it (a staff name shown to residents), when, from and to.
CREATE TABLE proposal_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL
);
CREATE INDEX proposal_history_by_proposal ON proposal_history (proposal_id, id);

-- Things a future webhook announces (`threshold_reached`), oldest first per box.
CREATE TABLE box_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    box_id      TEXT NOT NULL REFERENCES boxes (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    supports    INTEGER NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX box_events_by_box ON box_events (box_id, id);
