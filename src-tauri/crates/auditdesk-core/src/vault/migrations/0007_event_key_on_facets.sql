-- 0007: the event-id lookup key is indexed on the narrow `event_facets`
-- copy instead of on `events`. A large first import drops that index while
-- it loads (the keys are random, so keeping it current puts every insert on
-- a random page) and builds it again before it commits; building it reads
-- the whole table it sits on, which for `events` (raw JSON and all) was a
-- tenth of a million-event import, and for `event_facets` is a few dozen
-- MiB. Lookups by event id now go key → `event_facets` rowid → `events`.
-- `events.event_key` stays as the row's own record of its key, which
-- `vault verify` checks against the id and against this copy.

ALTER TABLE event_facets ADD COLUMN event_key INTEGER NOT NULL DEFAULT 0;

-- A copy row without its event (which `vault verify` reports as drift)
-- gets key 0 rather than failing the migration and locking the vault out.
UPDATE event_facets
SET event_key = coalesce((SELECT e.event_key FROM events AS e WHERE e.id = event_facets.id), 0);

-- A writer that never reached `finish` may have left it dropped.
DROP INDEX IF EXISTS events_key;

CREATE INDEX event_facets_key ON event_facets(event_key);

DROP TRIGGER event_facets_after_insert;

CREATE TRIGGER event_facets_after_insert AFTER INSERT ON events BEGIN
    INSERT INTO event_facets (id, source_id, type, category, severity, outcome, user, event_key)
    VALUES (new.id, new.source_id, new.type, new.category, new.severity, new.outcome,
            coalesce(new.user_email, new.user_name, new.user_id), new.event_key);
END;

DROP TRIGGER event_facets_after_update;

CREATE TRIGGER event_facets_after_update AFTER UPDATE ON events BEGIN
    DELETE FROM event_facets WHERE id = old.id;
    INSERT INTO event_facets (id, source_id, type, category, severity, outcome, user, event_key)
    VALUES (new.id, new.source_id, new.type, new.category, new.severity, new.outcome,
            coalesce(new.user_email, new.user_name, new.user_id), new.event_key);
END;
