-- Numbers that move when what endpoints keep in memory changes: they read it again then.

-- A box's published titles change (a proposal published, retitled, hidden or deleted):
-- similar-title look-ups.
ALTER TABLE boxes ADD COLUMN titles_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION civique_titles_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE boxes SET titles_version = titles_version + 1 WHERE id = OLD.box_id;
    ELSE
        UPDATE boxes SET titles_version = titles_version + 1 WHERE id = NEW.box_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER proposals_titles_insert AFTER INSERT ON proposals
    FOR EACH ROW WHEN (NEW.visibility = 'published') EXECUTE FUNCTION civique_titles_changed();
CREATE TRIGGER proposals_titles_update AFTER UPDATE OF title, visibility ON proposals
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title
        OR OLD.visibility IS DISTINCT FROM NEW.visibility)
    EXECUTE FUNCTION civique_titles_changed();
CREATE TRIGGER proposals_titles_delete AFTER DELETE ON proposals
    FOR EACH ROW WHEN (OLD.visibility = 'published') EXECUTE FUNCTION civique_titles_changed();

-- A thread's comments change (posted, edited, moderated, marked useful, deleted): endpoints
-- keep the first page anonymous readers see in memory and build it again when this moves.
ALTER TABLE threads ADD COLUMN comments_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION civique_comments_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE threads SET comments_version = comments_version + 1 WHERE id = OLD.thread_id;
    ELSE
        UPDATE threads SET comments_version = comments_version + 1 WHERE id = NEW.thread_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER comments_version AFTER INSERT OR UPDATE OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION civique_comments_changed();
