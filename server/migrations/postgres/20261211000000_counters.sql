-- Counters kept by the database itself, in the transaction of each write, so that reading a
-- tally or a count never counts rows: a vote costs the same on an empty poll and on one of a
-- million ballots. Filled once here from the rows already stored.

ALTER TABLE polls ADD COLUMN voters BIGINT NOT NULL DEFAULT 0;
ALTER TABLE poll_options ADD COLUMN votes BIGINT NOT NULL DEFAULT 0;
UPDATE polls SET voters = (SELECT COUNT(*) FROM ballots b WHERE b.poll_id = polls.id);
UPDATE poll_options SET votes = (SELECT COUNT(*) FROM ballot_choices c
    WHERE c.poll_id = poll_options.poll_id AND c.option_id = poll_options.id);

CREATE FUNCTION civique_count_ballots() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE polls SET voters = voters + 1 WHERE id = NEW.poll_id;
    ELSE
        UPDATE polls SET voters = voters - 1 WHERE id = OLD.poll_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ballots_count AFTER INSERT OR DELETE ON ballots
    FOR EACH ROW EXECUTE FUNCTION civique_count_ballots();

CREATE FUNCTION civique_count_choices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE poll_options SET votes = votes + 1 WHERE id = NEW.option_id;
    ELSE
        UPDATE poll_options SET votes = votes - 1 WHERE id = OLD.option_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ballot_choices_count AFTER INSERT OR DELETE ON ballot_choices
    FOR EACH ROW EXECUTE FUNCTION civique_count_choices();

-- Published comments of a thread, and published direct replies of a comment.
ALTER TABLE threads ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN reply_count BIGINT NOT NULL DEFAULT 0;
UPDATE threads SET comment_count = (SELECT COUNT(*) FROM comments c
    WHERE c.thread_id = threads.id AND c.status = 'published');
UPDATE comments SET reply_count = (SELECT COUNT(*) FROM comments r
    WHERE r.parent_id = comments.id AND r.status = 'published');

CREATE FUNCTION civique_count_comments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta BIGINT := 0;
    changed comments;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := NEW;
        delta := CASE WHEN NEW.status = 'published' THEN 1 ELSE 0 END;
    ELSIF TG_OP = 'DELETE' THEN
        changed := OLD;
        delta := CASE WHEN OLD.status = 'published' THEN -1 ELSE 0 END;
    ELSE
        changed := NEW;
        delta := (CASE WHEN NEW.status = 'published' THEN 1 ELSE 0 END)
               - (CASE WHEN OLD.status = 'published' THEN 1 ELSE 0 END);
    END IF;
    IF delta <> 0 THEN
        UPDATE threads SET comment_count = comment_count + delta WHERE id = changed.thread_id;
        UPDATE comments SET reply_count = reply_count + delta WHERE id = changed.parent_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER comments_count AFTER INSERT OR DELETE OR UPDATE OF status ON comments
    FOR EACH ROW EXECUTE FUNCTION civique_count_comments();

-- Published proposals of a box.
ALTER TABLE boxes ADD COLUMN proposal_count BIGINT NOT NULL DEFAULT 0;
UPDATE boxes SET proposal_count = (SELECT COUNT(*) FROM proposals p
    WHERE p.box_id = boxes.id AND p.visibility = 'published');

CREATE FUNCTION civique_count_proposals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta BIGINT := 0;
    target TEXT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        target := NEW.box_id;
        delta := CASE WHEN NEW.visibility = 'published' THEN 1 ELSE 0 END;
    ELSIF TG_OP = 'DELETE' THEN
        target := OLD.box_id;
        delta := CASE WHEN OLD.visibility = 'published' THEN -1 ELSE 0 END;
    ELSE
        target := NEW.box_id;
        delta := (CASE WHEN NEW.visibility = 'published' THEN 1 ELSE 0 END)
               - (CASE WHEN OLD.visibility = 'published' THEN 1 ELSE 0 END);
    END IF;
    IF delta <> 0 THEN
        UPDATE boxes SET proposal_count = proposal_count + delta WHERE id = target;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER proposals_count AFTER INSERT OR DELETE OR UPDATE OF visibility ON proposals
    FOR EACH ROW EXECUTE FUNCTION civique_count_proposals();
