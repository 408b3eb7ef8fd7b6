-- Limited campaigns (限量发放): stock, claims with pickup codes, pickups at
-- vending machines. See docs/campaigns.md. Times are Unix ms.
CREATE TABLE campaigns (
  id              INTEGER PRIMARY KEY,
  org_id          INTEGER NOT NULL REFERENCES orgs(id),
  org_path        TEXT NOT NULL,
  name            TEXT NOT NULL,
  stock           INTEGER NOT NULL CHECK (stock > 0),
  -- The database itself refuses to oversell: claimed never passes stock.
  claimed         INTEGER NOT NULL DEFAULT 0 CHECK (claimed >= 0 AND claimed <= stock),
  per_member      INTEGER NOT NULL DEFAULT 1 CHECK (per_member > 0),
  starts_at       INTEGER NOT NULL,
  ends_at         INTEGER NOT NULL,
  code_valid_ms   INTEGER NOT NULL CHECK (code_valid_ms > 0),
  in_service_only INTEGER NOT NULL DEFAULT 1,
  created_by      INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX campaigns_path ON campaigns(org_path, id);
CREATE TABLE campaign_claims (
  id           INTEGER PRIMARY KEY,
  campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
  member_id    INTEGER NOT NULL REFERENCES members(id),
  seq          INTEGER NOT NULL,            -- the member's 1st, 2nd … claim in the campaign
  code_bidx    TEXT NOT NULL UNIQUE,        -- blind index of the pickup code
  code_enc     TEXT NOT NULL,               -- the code, sealed (shown again to its member)
  status       TEXT NOT NULL CHECK (status IN ('claimed','redeemed')),
  claimed_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  redeemed_at  INTEGER,
  terminal_id  INTEGER,
  UNIQUE (campaign_id, member_id, seq)
);
CREATE INDEX campaign_claims_member ON campaign_claims(member_id, id);
CREATE INDEX campaign_claims_campaign ON campaign_claims(campaign_id, status);
