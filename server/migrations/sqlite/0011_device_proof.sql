-- Issue 19: a device proves it is itself. Each device makes 256 random bits and registers them
-- at its first sign-in (or enrolment); only their SHA-256 is kept, like a session token's, so a
-- copy of the database lets nobody act as a device. Every later sign-in naming the device, and
-- every request of its sessions, must present them. NULL: a device from before, not yet
-- registered (its next sign-in or request registers one).
ALTER TABLE devices ADD COLUMN proof_hash TEXT;

-- The numbers of the changes a writer sent as audit notes (they go to the audit log, not the
-- change log): with `changes` and `quarantine`, what the server holds of each writer, so that a
-- number it does not hold is stored when it comes, never acknowledged unseen.
CREATE TABLE noted (
    device     TEXT    NOT NULL,
    device_seq INTEGER NOT NULL,
    PRIMARY KEY (device, device_seq)
);
