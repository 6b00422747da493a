-- Issue 22: instrument versions as data. Every version of every instrument the server accepts
-- records for, with its definition (the canonical JSON of `domain/instruments/`' format) and
-- the SHA-256 of it. The compiled-in ones are seeded at start as published (`builtin` = 1).
-- A draft is replaced by a new upload of the same version; a published or retired version's
-- definition never changes (the trigger below refuses it, whatever code runs).
CREATE TABLE instrument_versions (
    instrument   TEXT    NOT NULL,
    edition      TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
    definition   TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    builtin      INTEGER NOT NULL DEFAULT 0,
    uploaded_at  INTEGER NOT NULL,
    uploaded_by  TEXT,
    published_at INTEGER,
    published_by TEXT,
    retired_at   INTEGER,
    retired_by   TEXT,
    PRIMARY KEY (instrument, edition, version)
);

CREATE TRIGGER instrument_versions_immutable
BEFORE UPDATE OF definition, sha256 ON instrument_versions
WHEN OLD.status <> 'draft' AND OLD.builtin = 0
BEGIN
    SELECT RAISE(ABORT, 'a published instrument version never changes');
END;

CREATE TRIGGER instrument_versions_kept
BEFORE DELETE ON instrument_versions
WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a published instrument version is never deleted');
END;

-- Which versions each device last said it holds (reported at each sync).
CREATE TABLE device_instruments (
    device      TEXT    NOT NULL,
    instrument  TEXT    NOT NULL,
    edition     TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    reported_at INTEGER NOT NULL,
    PRIMARY KEY (device, instrument, edition, version)
);
