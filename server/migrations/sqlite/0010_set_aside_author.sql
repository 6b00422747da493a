-- Who pushed each change set aside (issue 19): the person whose session pushed it and the device
-- of that session. Accepting a change checks its author's right to write it at that time; the
-- set-aside store is bounded per device by its undecided rows. Rows set aside before this have
-- neither (NULL): they cannot be accepted, only discarded.
ALTER TABLE quarantine ADD COLUMN pushed_by TEXT;
ALTER TABLE quarantine ADD COLUMN pushed_device TEXT;
CREATE INDEX quarantine_undecided_by_device ON quarantine (pushed_device) WHERE decision IS NULL;
