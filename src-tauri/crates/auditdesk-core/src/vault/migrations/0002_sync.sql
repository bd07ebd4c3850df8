-- 0002: sync runs (each run's window, page checkpoint, counts and error),
-- the index the re-poll of interim `attempted` events reads, and sources
-- that were removed but whose events stay as evidence.

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
CREATE INDEX sync_runs_source ON sync_runs(source_id, id);

CREATE INDEX events_interim ON events(source_id, occurred_at) WHERE outcome = 'attempted';

ALTER TABLE sources ADD COLUMN removed_at INTEGER;
