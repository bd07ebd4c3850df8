-- 0008: one trigger per event change keeps both narrow search copies
-- (`event_facets`, `event_who`) instead of one trigger per copy. SQLite
-- runs each trigger as a sub-program with its own frame for every row; at a
-- million inserted events the second invocation cost ~2 % of an import.
-- The statements are those of 0004 and 0007, unchanged.

DROP TRIGGER event_facets_after_insert;
DROP TRIGGER event_who_after_insert;

CREATE TRIGGER event_copies_after_insert AFTER INSERT ON events BEGIN
    INSERT INTO event_facets (id, source_id, type, category, severity, outcome, user, event_key)
    VALUES (new.id, new.source_id, new.type, new.category, new.severity, new.outcome,
            coalesce(new.user_email, new.user_name, new.user_id), new.event_key);
    INSERT INTO event_who VALUES (new.id, new.user_id, new.user_email, new.user_name, new.ip,
        new.route, new.resource_type, new.resource_id, new.resource_name, new.org_id,
        new.env_id, new.tags);
END;

DROP TRIGGER event_facets_after_update;
DROP TRIGGER event_who_after_update;

CREATE TRIGGER event_copies_after_update AFTER UPDATE ON events BEGIN
    DELETE FROM event_facets WHERE id = old.id;
    INSERT INTO event_facets (id, source_id, type, category, severity, outcome, user, event_key)
    VALUES (new.id, new.source_id, new.type, new.category, new.severity, new.outcome,
            coalesce(new.user_email, new.user_name, new.user_id), new.event_key);
    DELETE FROM event_who WHERE id = old.id;
    INSERT INTO event_who VALUES (new.id, new.user_id, new.user_email, new.user_name, new.ip,
        new.route, new.resource_type, new.resource_id, new.resource_name, new.org_id,
        new.env_id, new.tags);
END;

DROP TRIGGER event_facets_after_delete;
DROP TRIGGER event_who_after_delete;

CREATE TRIGGER event_copies_after_delete AFTER DELETE ON events BEGIN
    DELETE FROM event_facets WHERE id = old.id;
    DELETE FROM event_who WHERE id = old.id;
END;
