-- The current state of every field: its register, with every change of it folded in, written in
-- the same transaction as the log. A device's first sync reads this (a bootstrap) instead of
-- replaying the whole history; the log after the bootstrap's position brings the rest. Filled
-- from the existing log when the server starts (see db/state.rs).
CREATE TABLE state (
    entity   TEXT    NOT NULL, -- 'client:<id>' or 'record:<id>'
    field    TEXT    NOT NULL,
    client   TEXT    NOT NULL,
    register TEXT    NOT NULL, -- a Register as JSON
    seq      INTEGER NOT NULL, -- the log position folded in (the newest of its push)
    PRIMARY KEY (entity, field)
);
CREATE INDEX state_by_client ON state (client, entity, field);

-- How far the log is folded into the state (a log position, as text like every server_info
-- value): read and written by the folding transaction, read by a bootstrap with its rows.
INSERT INTO server_info (key, value) VALUES ('state_seq', '0');
