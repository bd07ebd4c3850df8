CREATE INDEX case_bookmarks_bookmark ON case_bookmarks(bookmark_id);

CREATE INDEX event_facets_key ON event_facets(event_key);

CREATE INDEX event_versions_event ON event_versions(event_rowid, seq);

CREATE INDEX events_interim ON events(source_id, occurred_at) WHERE outcome = 'attempted';

CREATE INDEX reports_pdf_sha256 ON reports(pdf_sha256);

CREATE INDEX sync_runs_source ON sync_runs(source_id, id);

CREATE TABLE activity (
    seq     INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT '{}',
    hash    BLOB NOT NULL
) STRICT;

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

CREATE TABLE case_bookmarks (
    case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    bookmark_id INTEGER NOT NULL REFERENCES bookmarks(id) ON DELETE CASCADE,
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (case_id, bookmark_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE cases (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT NOT NULL DEFAULT '',
    -- open, closed
    status      TEXT NOT NULL DEFAULT 'open',
    created_at  INTEGER NOT NULL,
    closed_at   INTEGER
) STRICT;

CREATE TABLE event_facets (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL,
    type      TEXT NOT NULL,
    category  TEXT NOT NULL,
    severity  INTEGER NOT NULL,
    outcome   TEXT NOT NULL,
    -- The label a result row shows: e-mail, else name, else id.
    user      TEXT
, event_key INTEGER NOT NULL DEFAULT 0) STRICT;

CREATE TABLE event_versions (
    seq          INTEGER PRIMARY KEY,
    event_rowid  INTEGER NOT NULL REFERENCES events(id) ON UPDATE CASCADE ON DELETE CASCADE,
    outcome      TEXT NOT NULL,
    content_hash BLOB NOT NULL,
    chain_hash   BLOB NOT NULL,
    recorded_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE event_who (
    id            INTEGER PRIMARY KEY,
    user_id       TEXT,
    user_email    TEXT,
    user_name     TEXT,
    ip            TEXT,
    route         TEXT,
    resource_type TEXT,
    resource_id   TEXT,
    resource_name TEXT,
    org_id        TEXT,
    env_id        TEXT,
    tags          TEXT NOT NULL
) STRICT;

CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES sources(id),
    event_id        TEXT NOT NULL,
    occurred_at     INTEGER NOT NULL,
    type            TEXT NOT NULL,
    category        TEXT NOT NULL,
    severity        INTEGER NOT NULL,
    outcome         TEXT NOT NULL,
    user_id         TEXT,
    user_email      TEXT,
    user_name       TEXT,
    user_role       TEXT,
    ip              TEXT,
    route           TEXT,
    resource_type   TEXT,
    resource_id     TEXT,
    resource_name   TEXT,
    action          TEXT,
    description     TEXT,
    request_id      TEXT,
    session_id      TEXT,
    stack           TEXT,
    region          TEXT,
    org_id          TEXT,
    env_id          TEXT,
    tags            TEXT NOT NULL DEFAULT '[]',
    details         TEXT,
    raw             TEXT NOT NULL,
    content_hash    BLOB NOT NULL,
    first_seen_at   INTEGER NOT NULL,
    last_changed_at INTEGER NOT NULL,
    -- The first 8 bytes of SHA-256(event_id): the lookup key for an event
    -- id. Its index is half the size of one on the id text (UUIDs), which
    -- keeps it in cache during a large import; the writer keeps (source,
    -- event id) unique and `vault verify` checks that it is.
    event_key       INTEGER NOT NULL
) STRICT;

CREATE VIRTUAL TABLE events_fts USING fts5(
    type, description, actor, ip, resource, details,
    content = 'event_search_text',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    columnsize = 0
);

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES sources(id),
    file_name   TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    format      TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    records     INTEGER NOT NULL,
    new         INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL
) STRICT;

CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL,
    period_start INTEGER NOT NULL,
    period_end   INTEGER NOT NULL,
    scope        TEXT NOT NULL DEFAULT '',
    as_of        INTEGER NOT NULL,
    -- pending, generating, completed, failed
    status       TEXT NOT NULL,
    progress     REAL NOT NULL DEFAULT 0,
    error        TEXT,
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    events       INTEGER,
    merkle_root  TEXT,
    pages        INTEGER,
    pdf_sha256   TEXT,
    pdf          BLOB
) STRICT;

CREATE TABLE saved_searches (
    name       TEXT PRIMARY KEY COLLATE NOCASE,
    query      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    config      TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
, removed_at INTEGER) STRICT;

CREATE TABLE sync_runs (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    -- running (or killed while running), completed, failed
    status       TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    window_start INTEGER NOT NULL,
    window_stop  INTEGER NOT NULL,
    -- The first page not yet committed: where a resumed run goes on.
    next_page    INTEGER NOT NULL DEFAULT 1,
    pages        INTEGER NOT NULL DEFAULT 0,
    requests     INTEGER NOT NULL DEFAULT 0,
    retries      INTEGER NOT NULL DEFAULT 0,
    events       INTEGER NOT NULL DEFAULT 0,
    new          INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    unchanged    INTEGER NOT NULL DEFAULT 0,
    resumes      INTEGER NOT NULL DEFAULT 0,
    error        TEXT
) STRICT;

CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity
BEGIN
    SELECT RAISE(ABORT, 'the reviewer-activity log is append-only');
END;

CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity
BEGIN
    SELECT RAISE(ABORT, 'the reviewer-activity log is append-only');
END;

CREATE TRIGGER event_copies_after_delete AFTER DELETE ON events BEGIN
    DELETE FROM event_facets WHERE id = old.id;
    DELETE FROM event_who WHERE id = old.id;
END;

CREATE TRIGGER event_copies_after_insert AFTER INSERT ON events BEGIN
    INSERT INTO event_facets (id, source_id, type, category, severity, outcome, user, event_key)
    VALUES (new.id, new.source_id, new.type, new.category, new.severity, new.outcome,
            coalesce(new.user_email, new.user_name, new.user_id), new.event_key);
    INSERT INTO event_who VALUES (new.id, new.user_id, new.user_email, new.user_name, new.ip,
        new.route, new.resource_type, new.resource_id, new.resource_name, new.org_id,
        new.env_id, new.tags);
END;

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

CREATE VIEW event_search_text AS
SELECT
    e.id AS id,
    e.type AS type,
    e.description AS description,
    concat_ws(' ', e.user_id, e.user_email, e.user_name, e.user_role) AS actor,
    e.ip AS ip,
    concat_ws(' ', e.route, e.resource_type, e.resource_id, e.resource_name, e.action,
              e.request_id, e.session_id, e.org_id, e.env_id, e.stack, e.region) AS resource,
    (SELECT group_concat(j.atom, ' ') FROM json_tree(e.details) AS j
      WHERE j.type IN ('text', 'integer', 'real')) AS details
FROM events AS e;

