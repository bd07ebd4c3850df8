-- 0003: the investigator's own records: bookmarks (a note and tags on an
-- event), cases that group bookmarks, saved searches, and the
-- reviewer-activity log (PCI DSS 10.2.1.3: who looked at the audit trail).
-- None of these is ever read by searches, counts or reports of source events.

CREATE TABLE bookmarks (
    id          INTEGER PRIMARY KEY,
    -- An event's rowid moves when a source corrects its time; follow it.
    event_rowid INTEGER NOT NULL UNIQUE
                REFERENCES events(id) ON UPDATE CASCADE ON DELETE CASCADE,
    note        TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE cases (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT NOT NULL DEFAULT '',
    -- open, closed
    status      TEXT NOT NULL DEFAULT 'open',
    created_at  INTEGER NOT NULL,
    closed_at   INTEGER
) STRICT;

CREATE TABLE case_bookmarks (
    case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    bookmark_id INTEGER NOT NULL REFERENCES bookmarks(id) ON DELETE CASCADE,
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (case_id, bookmark_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX case_bookmarks_bookmark ON case_bookmarks(bookmark_id);

CREATE TABLE saved_searches (
    name       TEXT PRIMARY KEY COLLATE NOCASE,
    query      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Append-only and hash-chained: hash = SHA-256(previous hash || canonical
-- JSON of the entry). The triggers refuse edits and deletions; `vault
-- verify` recomputes the chain.
CREATE TABLE activity (
    seq     INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT '{}',
    hash    BLOB NOT NULL
) STRICT;

CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity
BEGIN
    SELECT RAISE(ABORT, 'the reviewer-activity log is append-only');
END;

CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity
BEGIN
    SELECT RAISE(ABORT, 'the reviewer-activity log is append-only');
END;
