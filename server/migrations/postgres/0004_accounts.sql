-- People who sign in, with one role each: 'admin' (manages people and devices, reads no client
-- data), 'coach' (reads and writes the clients assigned to them), 'office' (every client).
-- A password is stored only as its Argon2id hash (PHC string).
CREATE TABLE people (
    id            TEXT    PRIMARY KEY NOT NULL,
    login         TEXT    NOT NULL UNIQUE, -- lower-cased
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'coach', 'office')),
    password_hash TEXT    NOT NULL,
    disabled      BIGINT NOT NULL DEFAULT 0,
    -- Sign-in failures since failed_since; 5 within 15 minutes lock the account until locked_until.
    failures      BIGINT NOT NULL DEFAULT 0,
    failed_since  BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

-- Sessions: only the SHA-256 of the token the browser holds is stored, so every server instance
-- on one database honours them and a copy of the database signs no one in.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY NOT NULL,
    person     TEXT    NOT NULL REFERENCES people (id),
    device     TEXT    NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_person ON sessions (person);

-- One-time links: the first administrator's set-up link, and device enrolment codes.
CREATE TABLE one_time_codes (
    code_hash  TEXT    PRIMARY KEY NOT NULL,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('setup', 'enroll')),
    created_by TEXT,
    label      TEXT, -- an enrolment code: the name the device will have
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    used_at    BIGINT
);

-- Which coaches serve which client.
CREATE TABLE assignments (
    person      TEXT    NOT NULL REFERENCES people (id),
    client      TEXT    NOT NULL,
    assigned_at BIGINT NOT NULL,
    PRIMARY KEY (person, client)
);
CREATE INDEX assignments_by_client ON assignments (client);

-- Devices as the admin pages show them. A device known only from its pushes has no name yet.
ALTER TABLE devices ADD COLUMN name TEXT;
ALTER TABLE devices ADD COLUMN state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'revoked', 'retired'));
ALTER TABLE devices ADD COLUMN enrolled_at BIGINT;
ALTER TABLE devices ADD COLUMN last_seen BIGINT;
ALTER TABLE devices ADD COLUMN last_person TEXT;
-- A row of this table is also each writer's (a tab's run of the app pushes under a writer id of
-- its own): the device whose session first pushed under it owns it, and no other may push as it.
ALTER TABLE devices ADD COLUMN owner TEXT;
-- Scope hand-overs are numbered per device; the device echoes the last it finished.
ALTER TABLE devices ADD COLUMN scope_token BIGINT NOT NULL DEFAULT 0;

-- The clients each device holds (for people whose scope is a list of clients). 'sending': the
-- client's history was sent in hand-over `token` and the device has not yet said it stored it;
-- 'held': it has; 'leaving': the device was told in `token` to send what it has unsent for the
-- client and delete it, and has not yet said it did.
CREATE TABLE held (
    device TEXT    NOT NULL,
    client TEXT    NOT NULL,
    state  TEXT    NOT NULL CHECK (state IN ('sending', 'held', 'leaving')),
    token  BIGINT NOT NULL,
    PRIMARY KEY (device, client)
);

-- A pull for a list of clients reads each client's changes after the cursor.
CREATE INDEX changes_by_client ON changes (client, seq);
CREATE INDEX entities_by_client ON entities (client);

-- What an administrator decided about a change set aside: 'accepted' (it was stored in the log
-- then, as if pushed by them) or 'discarded' (kept here, never applied). NULL while undecided.
ALTER TABLE quarantine ADD COLUMN decision TEXT CHECK (decision IN ('accepted', 'discarded'));
ALTER TABLE quarantine ADD COLUMN decided_by TEXT;
ALTER TABLE quarantine ADD COLUMN decided_at BIGINT;
