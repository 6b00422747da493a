-- Issue 22: when the server first told each device that an instrument version is retired (in
-- its answer to `POST /api/v1/sync/instruments`). A new record under a retired version is set
-- aside when the device that made it had been told before it made it; a record it began before
-- (offline, say) is stored. Kept across reports: the first telling is what counts.
CREATE TABLE device_retired_told (
    device     TEXT    NOT NULL,
    instrument TEXT    NOT NULL,
    edition    TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    told_at    INTEGER NOT NULL,
    PRIMARY KEY (device, instrument, edition, version)
);
