-- 0006: new events reach the full-text index from the event writer
-- (`EventWriter`, which every import and sync goes through), tens of
-- thousands per statement in rowid order, instead of row by row from an
-- insert trigger. FTS5 writes its pending terms to a new segment at every
-- statement savepoint, which each multi-row insert into `events` opens, so
-- the trigger made one small segment per insert statement, to be merged
-- again and again: a fifth of a large import. Updates and deletes still
-- reach the index through their triggers, and `vault verify` checks that the
-- index finds every event by its type (`fulltext::coverage`).

DROP TRIGGER events_fts_after_insert;

-- Pending terms held in memory before a segment is written (default 1 MiB):
-- a bulk statement then writes a few large segments instead of many small.
INSERT INTO events_fts (events_fts, rank) VALUES ('hashsize', 16777216);
