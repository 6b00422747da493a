-- Facts about this server's database itself, such as the id it was created with.
CREATE TABLE server_info (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
