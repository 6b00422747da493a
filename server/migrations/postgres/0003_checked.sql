-- What the server knows of every client and record from the changes it stored: the client it
-- belongs to and, for a record, its instrument (the InstrumentRef as JSON). Written in the same
-- transaction as the changes; every pushed change is checked against it.
CREATE TABLE entities (
    entity     TEXT PRIMARY KEY NOT NULL, -- 'client:<id>' or 'record:<id>'
    client     TEXT NOT NULL,
    instrument TEXT
);

-- Changes the server did not store, each with why (a Refusal as JSON): never applied, never
-- dropped, kept for a person to look at. The device's number is acknowledged all the same, so
-- one refused change never holds back the rest of its outbox.
CREATE TABLE quarantine (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device      TEXT   NOT NULL,
    device_seq  BIGINT NOT NULL,
    client      TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    refusal     TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    UNIQUE (device, device_seq)
);

-- What the log already holds: each entry's client from its first change, a record's instrument
-- from its first `instrument` change.
INSERT INTO entities (entity, client)
SELECT DISTINCT ON (e) e, client FROM (
    SELECT (body::jsonb -> 'entity' ->> 'type') || ':' || (body::jsonb -> 'entity' ->> 'id') AS e,
           client, seq
    FROM changes
) x ORDER BY e, seq;

UPDATE entities SET instrument = (
    SELECT (c.body::jsonb -> 'value')::text FROM changes c
    WHERE c.field = 'instrument'
      AND (c.body::jsonb -> 'entity' ->> 'type') || ':' || (c.body::jsonb -> 'entity' ->> 'id') = entities.entity
    ORDER BY c.seq LIMIT 1
);
