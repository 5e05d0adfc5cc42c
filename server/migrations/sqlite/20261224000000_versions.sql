-- Numbers that move when what endpoints keep in memory changes: they read it again then.

-- A box's published titles change (a proposal published, retitled, hidden or deleted):
-- similar-title look-ups.
ALTER TABLE boxes ADD COLUMN titles_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER proposals_titles_insert AFTER INSERT ON proposals
WHEN new.visibility = 'published' BEGIN
    UPDATE boxes SET titles_version = titles_version + 1 WHERE id = new.box_id;
END;
CREATE TRIGGER proposals_titles_update AFTER UPDATE OF title, visibility ON proposals
WHEN old.title IS NOT new.title OR old.visibility IS NOT new.visibility BEGIN
    UPDATE boxes SET titles_version = titles_version + 1 WHERE id = new.box_id;
END;
CREATE TRIGGER proposals_titles_delete AFTER DELETE ON proposals
WHEN old.visibility = 'published' BEGIN
    UPDATE boxes SET titles_version = titles_version + 1 WHERE id = old.box_id;
END;

-- A thread's comments change (posted, edited, moderated, marked useful, deleted): endpoints
-- keep the first page anonymous readers see in memory and build it again when this moves.
ALTER TABLE threads ADD COLUMN comments_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER comments_version_insert AFTER INSERT ON comments BEGIN
    UPDATE threads SET comments_version = comments_version + 1 WHERE id = new.thread_id;
END;
CREATE TRIGGER comments_version_update AFTER UPDATE ON comments BEGIN
    UPDATE threads SET comments_version = comments_version + 1 WHERE id = new.thread_id;
END;
CREATE TRIGGER comments_version_delete AFTER DELETE ON comments BEGIN
    UPDATE threads SET comments_version = comments_version + 1 WHERE id = old.thread_id;
END;
