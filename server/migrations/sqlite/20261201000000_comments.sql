-- Comment threads: per-site comment settings, threads, comments, useful votes, reports and
-- the staff audit log. One useful vote and one report per participant per comment are
-- primary keys; listings page with keyset conditions on the indexes below (never OFFSET).

ALTER TABLE sites ADD COLUMN auto_threads INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN report_threshold INTEGER NOT NULL DEFAULT 3 CHECK (report_threshold >= 1);
-- One word per line.
ALTER TABLE sites ADD COLUMN blocked_words TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN blocked_words_action TEXT NOT NULL DEFAULT 'reject'
    CHECK (blocked_words_action IN ('reject', 'review'));

CREATE TABLE threads (
    id             TEXT PRIMARY KEY NOT NULL,
    site_id        TEXT NOT NULL REFERENCES sites (id),
    title          TEXT NOT NULL,
    pre_moderation INTEGER NOT NULL DEFAULT 0,
    max_depth      INTEGER NOT NULL DEFAULT 3 CHECK (max_depth BETWEEN 1 AND 10),
    locked         INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);
CREATE INDEX threads_by_site ON threads (site_id);

CREATE TABLE comments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id      TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    parent_id      INTEGER REFERENCES comments (id),
    depth          INTEGER NOT NULL CHECK (depth >= 0),
    -- NULL for staff (official) comments; the participant pseudonym otherwise.
    author_id      INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    author_name    TEXT NOT NULL,
    reply_to_name  TEXT,
    text           TEXT NOT NULL,
    html           TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('published', 'pending', 'hidden', 'deleted')),
    removal_reason TEXT,
    official       INTEGER NOT NULL DEFAULT 0,
    pinned         INTEGER NOT NULL DEFAULT 0,
    useful_count   INTEGER NOT NULL DEFAULT 0,
    report_count   INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    edited_at      TEXT
);
-- Top-level pages by age, and by usefulness (parent_id IS NULL is an index equality).
CREATE INDEX comments_page_by_id ON comments (thread_id, parent_id, pinned, id);
CREATE INDEX comments_page_by_useful ON comments (thread_id, parent_id, pinned, useful_count, id);
CREATE INDEX comments_count ON comments (thread_id, status);
CREATE INDEX comments_replies ON comments (parent_id, status, id);

CREATE TABLE comment_useful (
    comment_id     INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    PRIMARY KEY (comment_id, participant_id)
);

CREATE TABLE comment_reports (
    comment_id     INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    reason         TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (comment_id, participant_id)
);

CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    reason TEXT,
    at     TEXT NOT NULL
);
