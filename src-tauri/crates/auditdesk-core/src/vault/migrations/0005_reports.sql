-- 0005: generated reports, with their PDF, the evidence manifest they
-- printed (count and Merkle root), and the PDF's own SHA-256, by which
-- `report verify FILE.pdf` finds the report again.

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
CREATE INDEX reports_pdf_sha256 ON reports(pdf_sha256);
