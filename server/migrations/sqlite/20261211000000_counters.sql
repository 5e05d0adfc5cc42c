-- Counters kept by the database itself, in the transaction of each write, so that reading a
-- tally or a count never counts rows: a vote costs the same on an empty poll and on one of a
-- million ballots. Filled once here from the rows already stored.

ALTER TABLE polls ADD COLUMN voters INTEGER NOT NULL DEFAULT 0;
ALTER TABLE poll_options ADD COLUMN votes INTEGER NOT NULL DEFAULT 0;
UPDATE polls SET voters = (SELECT COUNT(*) FROM ballots b WHERE b.poll_id = polls.id);
UPDATE poll_options SET votes = (SELECT COUNT(*) FROM ballot_choices c
    WHERE c.poll_id = poll_options.poll_id AND c.option_id = poll_options.id);

CREATE TRIGGER ballots_count_insert AFTER INSERT ON ballots BEGIN
    UPDATE polls SET voters = voters + 1 WHERE id = new.poll_id;
END;
CREATE TRIGGER ballots_count_delete AFTER DELETE ON ballots BEGIN
    UPDATE polls SET voters = voters - 1 WHERE id = old.poll_id;
END;
CREATE TRIGGER ballot_choices_count_insert AFTER INSERT ON ballot_choices BEGIN
    UPDATE poll_options SET votes = votes + 1 WHERE id = new.option_id;
END;
CREATE TRIGGER ballot_choices_count_delete AFTER DELETE ON ballot_choices BEGIN
    UPDATE poll_options SET votes = votes - 1 WHERE id = old.option_id;
END;

-- Published comments of a thread, and published direct replies of a comment.
ALTER TABLE threads ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN reply_count INTEGER NOT NULL DEFAULT 0;
UPDATE threads SET comment_count = (SELECT COUNT(*) FROM comments c
    WHERE c.thread_id = threads.id AND c.status = 'published');
UPDATE comments SET reply_count = (SELECT COUNT(*) FROM comments r
    WHERE r.parent_id = comments.id AND r.status = 'published');

CREATE TRIGGER comments_count_insert AFTER INSERT ON comments
WHEN new.status = 'published' BEGIN
    UPDATE threads SET comment_count = comment_count + 1 WHERE id = new.thread_id;
    UPDATE comments SET reply_count = reply_count + 1 WHERE id = new.parent_id;
END;
CREATE TRIGGER comments_count_update AFTER UPDATE OF status ON comments
WHEN (old.status = 'published') <> (new.status = 'published') BEGIN
    UPDATE threads SET comment_count = comment_count
        + CASE WHEN new.status = 'published' THEN 1 ELSE -1 END WHERE id = new.thread_id;
    UPDATE comments SET reply_count = reply_count
        + CASE WHEN new.status = 'published' THEN 1 ELSE -1 END WHERE id = new.parent_id;
END;
CREATE TRIGGER comments_count_delete AFTER DELETE ON comments
WHEN old.status = 'published' BEGIN
    UPDATE threads SET comment_count = comment_count - 1 WHERE id = old.thread_id;
    UPDATE comments SET reply_count = reply_count - 1 WHERE id = old.parent_id;
END;

-- Published proposals of a box.
ALTER TABLE boxes ADD COLUMN proposal_count INTEGER NOT NULL DEFAULT 0;
UPDATE boxes SET proposal_count = (SELECT COUNT(*) FROM proposals p
    WHERE p.box_id = boxes.id AND p.visibility = 'published');

CREATE TRIGGER proposals_count_insert AFTER INSERT ON proposals
WHEN new.visibility = 'published' BEGIN
    UPDATE boxes SET proposal_count = proposal_count + 1 WHERE id = new.box_id;
END;
CREATE TRIGGER proposals_count_update AFTER UPDATE OF visibility ON proposals
WHEN (old.visibility = 'published') <> (new.visibility = 'published') BEGIN
    UPDATE boxes SET proposal_count = proposal_count
        + CASE WHEN new.visibility = 'published' THEN 1 ELSE -1 END WHERE id = new.box_id;
END;
CREATE TRIGGER proposals_count_delete AFTER DELETE ON proposals
WHEN old.visibility = 'published' BEGIN
    UPDATE boxes SET proposal_count = proposal_count - 1 WHERE id = old.box_id;
END;
