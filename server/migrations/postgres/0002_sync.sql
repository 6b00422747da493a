-- The append-only log of every accepted change, in the server's own sequence. Pulls read it
-- after a cursor; nothing is ever updated or deleted here. Pushes are serialised by a
-- transaction-level advisory lock, so sequence numbers become visible in order and a pull never
-- skips a change that commits later with a smaller number.
CREATE TABLE changes (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device      TEXT   NOT NULL,
    device_seq  BIGINT NOT NULL,
    client      TEXT   NOT NULL,
    field       TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    UNIQUE (device, device_seq)
);

-- Each device's last stored change number, written in the same transaction as its changes.
CREATE TABLE devices (
    device   TEXT   PRIMARY KEY NOT NULL,
    last_seq BIGINT NOT NULL
);
