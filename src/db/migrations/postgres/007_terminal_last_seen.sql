-- When a terminal last made a request that checked out (Unix ms), written at
-- most once a minute per terminal: the console shows which machines are
-- silent. See docs/terminals.md.
ALTER TABLE terminals ADD COLUMN last_seen_at BIGINT;
