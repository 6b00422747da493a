-- When each field last changed (the server's clock, the newest change folded into it): a device
-- that bootstraps shows when each client and record was last updated without their history.
-- The state is folded again from the log on the next start, so every row gets its time.
ALTER TABLE state ADD COLUMN at BIGINT NOT NULL DEFAULT 0;
DELETE FROM state;
UPDATE server_info SET value = '0' WHERE key = 'state_seq';
