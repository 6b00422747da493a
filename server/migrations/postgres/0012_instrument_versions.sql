-- Issue 22: instrument versions as data. Every version of every instrument the server accepts
-- records for, with its definition (the canonical JSON of `domain/instruments/`' format) and
-- the SHA-256 of it. The compiled-in ones are seeded at start as published (`builtin` = 1).
-- A draft is replaced by a new upload of the same version; a published or retired version's
-- definition never changes (the trigger below refuses it, whatever code runs).
CREATE TABLE instrument_versions (
    instrument   TEXT    NOT NULL,
    edition      TEXT    NOT NULL,
    version      BIGINT  NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
    definition   TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    builtin      BIGINT  NOT NULL DEFAULT 0,
    uploaded_at  BIGINT  NOT NULL,
    uploaded_by  TEXT,
    published_at BIGINT,
    published_by TEXT,
    retired_at   BIGINT,
    retired_by   TEXT,
    PRIMARY KEY (instrument, edition, version)
);

CREATE FUNCTION instrument_versions_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'a published instrument version is never deleted';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND OLD.builtin = 0
       AND (NEW.definition <> OLD.definition OR NEW.sha256 <> OLD.sha256) THEN
        RAISE EXCEPTION 'a published instrument version never changes';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER instrument_versions_immutable
BEFORE UPDATE OR DELETE ON instrument_versions
FOR EACH ROW EXECUTE FUNCTION instrument_versions_guard();

-- Which versions each device last said it holds (reported at each sync).
CREATE TABLE device_instruments (
    device      TEXT    NOT NULL,
    instrument  TEXT    NOT NULL,
    edition     TEXT    NOT NULL,
    version     BIGINT  NOT NULL,
    reported_at BIGINT  NOT NULL,
    PRIMARY KEY (device, instrument, edition, version)
);
