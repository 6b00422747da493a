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
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    device      TEXT    NOT NULL,
    device_seq  INTEGER NOT NULL,
    client      TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    refusal     TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (device, device_seq)
);

-- What the log already holds: each entry's client from its first change, a record's instrument
-- from its first `instrument` change.
INSERT INTO entities (entity, client)
SELECT e, client FROM (
    SELECT json_extract(body, '$.entity.type') || ':' || json_extract(body, '$.entity.id') AS e,
           client,
           ROW_NUMBER() OVER (PARTITION BY json_extract(body, '$.entity.type') || ':' || json_extract(body, '$.entity.id') ORDER BY seq) AS n
    FROM changes
) WHERE n = 1;

UPDATE entities SET instrument = (
    SELECT json_extract(c.body, '$.value') FROM changes c
    WHERE c.field = 'instrument'
      AND json_extract(c.body, '$.entity.type') || ':' || json_extract(c.body, '$.entity.id') = entities.entity
    ORDER BY c.seq LIMIT 1
);
