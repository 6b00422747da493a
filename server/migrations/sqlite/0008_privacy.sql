-- 利用停止 and erase (issue 11). A stopped client is served to no device and refused in pushes;
-- an erased one has nothing left but this row (ids and times), so that a device coming back
-- later is still told to delete it, and a late change for it is refused.
CREATE TABLE stopped (
    client       TEXT    PRIMARY KEY NOT NULL,
    stopped_at   BIGINT  NOT NULL,
    stopped_by   TEXT,
    retain_until BIGINT  NOT NULL,
    erased_at    BIGINT,
    erased_by    TEXT
);

-- The stopped clients each office device confirmed deleting (an office device reads every
-- client, so it has no `held` rows to hand one over with).
CREATE TABLE gone (
    device TEXT NOT NULL,
    client TEXT NOT NULL,
    PRIMARY KEY (device, client)
);
