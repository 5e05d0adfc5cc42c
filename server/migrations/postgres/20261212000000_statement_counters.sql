-- Ballot counters kept once per statement instead of once per row. The writer sends a batch
-- of up to 64 ballots as one statement; with row-level triggers each ballot updated the same
-- poll row and option rows again (64 new row versions of one poll per batch). Statement-level
-- triggers read the rows the statement inserted or deleted (transition tables) and update
-- each touched poll and option once, by the number of its rows.
--
-- PostgreSQL allows transition tables only on single-event triggers, hence one trigger for
-- inserts and one for deletes. For `INSERT … ON CONFLICT DO UPDATE` the new table holds only
-- the rows actually inserted, so a changed vote does not count its voter twice.

DROP TRIGGER ballots_count ON ballots;
DROP FUNCTION civique_count_ballots();
DROP TRIGGER ballot_choices_count ON ballot_choices;
DROP FUNCTION civique_count_choices();

CREATE FUNCTION civique_count_ballots_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE polls p SET voters = p.voters + n.rows
    FROM (SELECT poll_id, COUNT(*) AS rows FROM added GROUP BY poll_id) n
    WHERE p.id = n.poll_id;
    RETURN NULL;
END $$;
CREATE TRIGGER ballots_added AFTER INSERT ON ballots
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION civique_count_ballots_added();

CREATE FUNCTION civique_count_ballots_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE polls p SET voters = p.voters - n.rows
    FROM (SELECT poll_id, COUNT(*) AS rows FROM removed GROUP BY poll_id) n
    WHERE p.id = n.poll_id;
    RETURN NULL;
END $$;
CREATE TRIGGER ballots_removed AFTER DELETE ON ballots
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION civique_count_ballots_removed();

CREATE FUNCTION civique_count_choices_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE poll_options o SET votes = o.votes + n.rows
    FROM (SELECT option_id, COUNT(*) AS rows FROM added GROUP BY option_id) n
    WHERE o.id = n.option_id;
    RETURN NULL;
END $$;
CREATE TRIGGER ballot_choices_added AFTER INSERT ON ballot_choices
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION civique_count_choices_added();

CREATE FUNCTION civique_count_choices_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE poll_options o SET votes = o.votes - n.rows
    FROM (SELECT option_id, COUNT(*) AS rows FROM removed GROUP BY option_id) n
    WHERE o.id = n.option_id;
    RETURN NULL;
END $$;
CREATE TRIGGER ballot_choices_removed AFTER DELETE ON ballot_choices
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION civique_count_choices_removed();
