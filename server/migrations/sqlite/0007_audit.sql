-- The audit log (issue 11): who did what to whose data, when. Ids and actions only, never a
-- field's value. Append-only: each entry's hash covers the one before it (see the domain's
-- `audit` module), and these triggers refuse any change or deletion of a written entry.
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY, -- 1, 2, 3, … in the order written
    at        INTEGER NOT NULL,    -- the server's clock (ms)
    action    TEXT    NOT NULL,
    person    TEXT,
    device    TEXT,
    client    TEXT,
    entity    TEXT,
    device_at INTEGER,             -- the device's clock (ms), for what it recorded offline
    detail    TEXT    NOT NULL,    -- a JSON array of ids and codes
    prev      TEXT    NOT NULL,    -- the hash of the entry before (hex)
    hash      TEXT    NOT NULL     -- this entry's hash (hex)
);
CREATE INDEX audit_by_client ON audit (client, at);
CREATE INDEX audit_by_person ON audit (person, at);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- How many entries have been written, kept beside the log so that a check can tell a removed
-- last entry from a log that simply ends there.
INSERT INTO server_info (key, value) VALUES ('audit_seq', '0');
