-- The network a report came from (its daily keyed hash, never an address): reports hide a
-- comment only when they come from enough distinct networks, so a handful of fresh tokens
-- from one place cannot hide anyone. NULL when the network was not known.
ALTER TABLE comment_reports ADD COLUMN network TEXT;
