-- The append-only log of every accepted change, in the server's own sequence. Pulls read it
-- after a cursor; nothing is ever updated or deleted here.
CREATE TABLE changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    device      TEXT    NOT NULL,
    device_seq  INTEGER NOT NULL,
    client      TEXT    NOT NULL,
    field       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (device, device_seq)
);

-- Each device's last stored change number, written in the same transaction as its changes.
CREATE TABLE devices (
    device   TEXT    PRIMARY KEY NOT NULL,
    last_seq INTEGER NOT NULL
);
