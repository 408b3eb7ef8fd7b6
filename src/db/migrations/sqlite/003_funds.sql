-- Money: the double-entry fund ledger, the medical mutual-aid plan and
-- critical-illness relief. Amounts are integer fen; dates 'YYYY-MM-DD';
-- times Unix ms (UTC). See docs/funds.md.

-- One posting = one ledger_txns row plus balanced ledger_entries rows. A
-- posting is unique per (fund, kind, ref): the same claim cannot be paid twice
-- even if two requests race past the status check.
CREATE TABLE ledger_txns (
  id        INTEGER PRIMARY KEY,
  fund      TEXT NOT NULL,            -- 'aid:<period id>' or 'relief:<year>'
  kind      TEXT NOT NULL,            -- e.g. 'aid.premium', 'aid.claim.approve', 'aid.claim.pay'
  ref_type  TEXT NOT NULL,
  ref_id    INTEGER NOT NULL,
  memo      TEXT,
  actor_id  INTEGER,
  at        INTEGER NOT NULL,
  UNIQUE (fund, kind, ref_type, ref_id)
);
CREATE TABLE ledger_entries (
  id         INTEGER PRIMARY KEY,
  txn_id     INTEGER NOT NULL REFERENCES ledger_txns(id),
  fund       TEXT NOT NULL,
  account    TEXT NOT NULL,           -- 'bank', 'premium_income', 'claims_expense', 'claims_payable', …
  debit_fen  INTEGER NOT NULL CHECK (debit_fen >= 0),
  credit_fen INTEGER NOT NULL CHECK (credit_fen >= 0),
  CHECK ((debit_fen = 0) <> (credit_fen = 0))
);
CREATE INDEX ledger_entries_txn ON ledger_entries(txn_id);
CREATE INDEX ledger_entries_fund ON ledger_entries(fund, account);
-- The ledger is append-only: corrections are new postings.
CREATE TRIGGER ledger_txns_no_update BEFORE UPDATE ON ledger_txns
BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_txns_no_delete BEFORE DELETE ON ledger_txns
BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;

-- Mutual-aid periods (互助期) run by an org for its subtree.
CREATE TABLE aid_periods (
  id            INTEGER PRIMARY KEY,
  org_id        INTEGER NOT NULL REFERENCES orgs(id),
  org_path      TEXT NOT NULL,
  number        INTEGER NOT NULL CHECK (number > 0),
  name          TEXT NOT NULL,
  premium_fen   INTEGER NOT NULL CHECK (premium_fen > 0),
  cap_fen       INTEGER NOT NULL CHECK (cap_fen > 0),
  waiting_days  INTEGER NOT NULL CHECK (waiting_days >= 0),
  enrol_start   TEXT NOT NULL,
  enrol_end     TEXT NOT NULL,
  cover_start   TEXT NOT NULL,
  cover_end     TEXT NOT NULL,
  rules_version INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  UNIQUE (org_id, number)
);
-- Every version of a period's rule set; claims record the version they were assessed by.
CREATE TABLE aid_rule_sets (
  period_id  INTEGER NOT NULL REFERENCES aid_periods(id),
  version    INTEGER NOT NULL,
  rules      TEXT NOT NULL,           -- JSON, validated on save (modules/aid/rules.h)
  created_by INTEGER,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (period_id, version)
);
CREATE TABLE aid_enrollments (
  id          INTEGER PRIMARY KEY,
  period_id   INTEGER NOT NULL REFERENCES aid_periods(id),
  member_id   INTEGER NOT NULL REFERENCES members(id),
  unit_id     INTEGER NOT NULL REFERENCES units(id),
  org_path    TEXT NOT NULL,
  premium_fen INTEGER NOT NULL,
  first_time  INTEGER NOT NULL,        -- 1: not enrolled in the previous period (waiting period applies)
  enrolled_on TEXT NOT NULL,
  created_by  INTEGER,
  created_at  INTEGER NOT NULL,
  UNIQUE (period_id, member_id)
);
CREATE INDEX aid_enrollments_member ON aid_enrollments(member_id);
CREATE INDEX aid_enrollments_path ON aid_enrollments(period_id, org_path, id);
CREATE TABLE aid_claims (
  id                 INTEGER PRIMARY KEY,
  period_id          INTEGER NOT NULL REFERENCES aid_periods(id),
  member_id          INTEGER NOT NULL REFERENCES members(id),
  unit_id            INTEGER NOT NULL,
  org_path           TEXT NOT NULL,
  admission          TEXT NOT NULL,
  discharge          TEXT NOT NULL,
  hospital           TEXT NOT NULL,
  diagnosis          TEXT NOT NULL,
  disease_code       TEXT,
  total_cost_fen     INTEGER NOT NULL,
  basic_paid_fen     INTEGER NOT NULL,
  critical_paid_fen  INTEGER NOT NULL,
  assistance_fen     INTEGER NOT NULL,
  self_paid_fen      INTEGER NOT NULL,  -- in-policy out-of-pocket
  documents          TEXT NOT NULL,     -- JSON array of {kind, name, size, sha256}
  status             TEXT NOT NULL CHECK (status IN ('submitted','returned','approved','rejected','paid')),
  amount_fen         INTEGER NOT NULL,  -- the assessed amount (0 when rejected)
  assessment         TEXT NOT NULL,     -- JSON: lines and reasons
  rules_version      INTEGER NOT NULL,
  filed_by           INTEGER NOT NULL,
  decided_by         INTEGER,
  decision_note      TEXT,
  paid_by            INTEGER,
  paid_at            INTEGER,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX aid_claims_period ON aid_claims(period_id, org_path, id);
CREATE INDEX aid_claims_member ON aid_claims(member_id, period_id);
CREATE INDEX aid_claims_status ON aid_claims(period_id, status);
-- Running totals per period and unit, kept in the same transactions as the
-- enrolments and payments, so the period report reads thousands of rows,
-- not hundreds of thousands.
CREATE TABLE aid_unit_totals (
  period_id    INTEGER NOT NULL,
  unit_id      INTEGER NOT NULL,
  org_path     TEXT NOT NULL,
  members      INTEGER NOT NULL DEFAULT 0,
  premium_fen  INTEGER NOT NULL DEFAULT 0,
  settlements  INTEGER NOT NULL DEFAULT 0,
  members_paid INTEGER NOT NULL DEFAULT 0,
  payout_fen   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (period_id, unit_id)
);

-- Critical-illness relief (大病救助): tiers per year, applications, payment batches.
CREATE TABLE relief_years (
  year         INTEGER PRIMARY KEY,
  tiers        TEXT NOT NULL,          -- JSON, validated on save (modules/relief/rules.h)
  updated_by   INTEGER,
  updated_at   INTEGER NOT NULL
);
CREATE TABLE relief_batches (
  id          INTEGER PRIMARY KEY,
  year        INTEGER NOT NULL,
  org_path    TEXT NOT NULL,
  name        TEXT NOT NULL,
  count       INTEGER NOT NULL,
  amount_fen  INTEGER NOT NULL,
  paid_by     INTEGER NOT NULL,
  paid_at     INTEGER NOT NULL
);
CREATE TABLE relief_applications (
  id                 INTEGER PRIMARY KEY,
  year               INTEGER NOT NULL,
  member_id          INTEGER NOT NULL REFERENCES members(id),
  unit_id            INTEGER NOT NULL,
  org_path           TEXT NOT NULL,
  region_code        TEXT NOT NULL,
  hospital           TEXT NOT NULL,
  diagnosis          TEXT NOT NULL,
  total_cost_fen     INTEGER NOT NULL,
  basic_fen          INTEGER NOT NULL,
  commercial_fen     INTEGER NOT NULL,
  secondary_fen      INTEGER NOT NULL,
  out_of_pocket_fen  INTEGER NOT NULL,
  aid_fen            INTEGER NOT NULL,
  tier               INTEGER NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('submitted','grassroots_reviewed','district_reviewed','approved','rejected','paid')),
  filed_by           INTEGER NOT NULL,
  grassroots_by      INTEGER,
  district_by        INTEGER,
  approved_by        INTEGER,
  decision_note      TEXT,
  batch_id           INTEGER REFERENCES relief_batches(id),
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
-- One grant per member per year: one application that is not rejected.
CREATE UNIQUE INDEX relief_one_per_year ON relief_applications(year, member_id) WHERE status <> 'rejected';
CREATE INDEX relief_applications_path ON relief_applications(year, org_path, id);
CREATE INDEX relief_applications_status ON relief_applications(year, status);
