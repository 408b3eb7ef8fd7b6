-- Offers (惠工服务): merchants, offers with their price rule, eligibility,
-- per-member limits, window and budget, the terminals that serve each
-- merchant, and redemptions uploaded by those terminals. See docs/offers.md.
-- Money is integer fen; times are Unix ms; local_day / local_month are
-- Asia/Shanghai dates ('2026-07-01', '2026-07') of the redemption.
CREATE TABLE merchants (
  id           INTEGER PRIMARY KEY,
  org_id       INTEGER NOT NULL REFERENCES orgs(id),
  org_path     TEXT NOT NULL,
  name         TEXT NOT NULL,
  credit_code  TEXT,                       -- GB 32100, optional
  region_code  TEXT NOT NULL,              -- GB/T 2260: where the merchant serves
  address      TEXT,
  category     TEXT NOT NULL CHECK (category IN ('transport','supermarket','online_shop','department_store',
                                                 'restaurant','meal_delivery','hotel','convenience_store',
                                                 'cinema','other')),
  status       TEXT NOT NULL CHECK (status IN ('active','suspended')),
  created_by   INTEGER,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX merchants_path ON merchants(org_path, id);

-- A terminal (till, gate) serves at most one merchant and redeems only that
-- merchant's offers.
CREATE TABLE merchant_terminals (
  terminal_id  INTEGER PRIMARY KEY REFERENCES terminals(id),
  merchant_id  INTEGER NOT NULL REFERENCES merchants(id),
  bound_by     INTEGER,
  bound_at     INTEGER NOT NULL
);
CREATE INDEX merchant_terminals_merchant ON merchant_terminals(merchant_id);

CREATE TABLE offers (
  id              INTEGER PRIMARY KEY,
  merchant_id     INTEGER NOT NULL REFERENCES merchants(id),
  org_id          INTEGER NOT NULL REFERENCES orgs(id),   -- the funding org; its subtree's members may use it
  org_path        TEXT NOT NULL,
  name            TEXT NOT NULL,
  description     TEXT,
  kind            TEXT NOT NULL CHECK (kind IN ('fixed','percent','free')),
  price_fen       INTEGER,   -- fixed: what the member pays
  pay_percent     INTEGER,   -- percent: the share of the original amount the member pays
  value_fen       INTEGER,   -- free: the item's value covered
  eligible_groups TEXT NOT NULL,            -- 'all' or a comma list of new_employment, needy, rural
  limit_per_day   INTEGER CHECK (limit_per_day > 0),     -- NULL: no limit
  limit_per_month INTEGER CHECK (limit_per_month > 0),
  limit_total     INTEGER CHECK (limit_total > 0),
  starts_at       INTEGER NOT NULL,
  ends_at         INTEGER NOT NULL,
  budget_fen      INTEGER CHECK (budget_fen > 0),        -- NULL: no budget cap
  -- Subsidies granted so far. The database itself refuses to overspend.
  budget_used_fen INTEGER NOT NULL DEFAULT 0 CHECK (budget_used_fen >= 0 AND
                                                    (budget_fen IS NULL OR budget_used_fen <= budget_fen)),
  status          TEXT NOT NULL CHECK (status IN ('active','paused')),
  created_by      INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  CHECK ((kind = 'fixed' AND price_fen IS NOT NULL AND price_fen >= 0 AND pay_percent IS NULL AND value_fen IS NULL) OR
         (kind = 'percent' AND pay_percent IS NOT NULL AND pay_percent BETWEEN 1 AND 99 AND price_fen IS NULL AND value_fen IS NULL) OR
         (kind = 'free' AND value_fen IS NOT NULL AND value_fen > 0 AND price_fen IS NULL AND pay_percent IS NULL)),
  CHECK (ends_at > starts_at)
);
CREATE INDEX offers_path ON offers(org_path, id);
CREATE INDEX offers_merchant ON offers(merchant_id, id);

-- One row per (terminal, redemption id), accepted or refused: a replayed
-- upload finds its first answer here. offer_id is the id the terminal named
-- (a refused row may name an offer that does not exist).
CREATE TABLE offer_redemptions (
  id               INTEGER PRIMARY KEY,
  terminal_id      INTEGER NOT NULL REFERENCES terminals(id),
  redemption_id    TEXT NOT NULL,           -- the terminal's own id for the sale
  offer_id         INTEGER NOT NULL,
  merchant_id      INTEGER,
  member_id        INTEGER REFERENCES members(id),
  member_path      TEXT,                    -- the member's org path at the time (report scope)
  original_fen     INTEGER NOT NULL CHECK (original_fen >= 0),
  member_pays_fen  INTEGER NOT NULL CHECK (member_pays_fen >= 0),
  subsidy_fen      INTEGER NOT NULL CHECK (subsidy_fen >= 0),
  redeemed_at      INTEGER NOT NULL,        -- when the till accepted it
  uploaded_at      INTEGER NOT NULL,
  local_day        TEXT NOT NULL,
  local_month      TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('accepted','refused')),
  code             TEXT,                    -- refused: why (offer.limit_reached …)
  detail           TEXT,
  CHECK (member_pays_fen + subsidy_fen = original_fen),
  CHECK (status = 'refused' OR (member_id IS NOT NULL AND code IS NULL)),
  UNIQUE (terminal_id, redemption_id)
);
CREATE INDEX offer_redemptions_limits ON offer_redemptions(offer_id, member_id, local_day);
CREATE INDEX offer_redemptions_member ON offer_redemptions(member_id, id);
CREATE INDEX offer_redemptions_day ON offer_redemptions(local_day, member_path);
