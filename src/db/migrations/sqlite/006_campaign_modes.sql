-- Lottery mode, member groups and stock per vending machine for limited
-- campaigns. See docs/campaigns.md. Times are Unix ms.
-- Who may take part: "all" or names such as "needy,rural" (member/groups.h).
ALTER TABLE campaigns ADD COLUMN eligible_groups TEXT NOT NULL DEFAULT 'all';
ALTER TABLE campaigns ADD COLUMN mode TEXT NOT NULL DEFAULT 'first_come'
  CHECK (mode IN ('first_come', 'lottery'));
-- Lottery: the secret seed (sealed) and its SHA-256, published from the start;
-- the seed itself is revealed by the draw.
ALTER TABLE campaigns ADD COLUMN seed_enc TEXT;
ALTER TABLE campaigns ADD COLUMN seed_commitment TEXT;
ALTER TABLE campaigns ADD COLUMN drawn_at INTEGER;
ALTER TABLE campaigns ADD COLUMN draw_record TEXT;   -- JSON: seed, digests, counts
CREATE TABLE campaign_registrations (
  id            INTEGER PRIMARY KEY,
  campaign_id   INTEGER NOT NULL REFERENCES campaigns(id),
  member_id     INTEGER NOT NULL REFERENCES members(id),
  registered_at INTEGER NOT NULL,
  result        TEXT NOT NULL DEFAULT 'registered' CHECK (result IN ('registered', 'won', 'lost')),
  draw_rank     INTEGER,
  claim_id      INTEGER REFERENCES campaign_claims(id),
  UNIQUE (campaign_id, member_id)
);
CREATE INDEX campaign_registrations_member ON campaign_registrations(member_id, id);
CREATE TABLE campaign_machines (
  campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
  terminal_id  INTEGER NOT NULL REFERENCES terminals(id),
  stock        INTEGER NOT NULL CHECK (stock >= 0),
  -- A machine never hands out more than it was loaded with.
  handed_out   INTEGER NOT NULL DEFAULT 0 CHECK (handed_out >= 0 AND handed_out <= stock),
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (campaign_id, terminal_id)
);
