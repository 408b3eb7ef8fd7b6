-- Foundation schema: orgs, units, members, accounts, sessions, terminals,
-- audit trail, idempotency keys. Times are Unix ms (UTC); dates 'YYYY-MM-DD'.

CREATE TABLE orgs (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  level       TEXT NOT NULL CHECK (level IN ('national','province','city','county','grassroots','industry')),
  parent_id   INTEGER REFERENCES orgs(id),
  region_code TEXT NOT NULL,
  path        TEXT NOT NULL UNIQUE,   -- materialised path '/1/7/42/': subtree = path range
  depth       INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX orgs_parent ON orgs(parent_id);

CREATE TABLE units (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  credit_code TEXT NOT NULL UNIQUE,
  region_code TEXT NOT NULL,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  org_path    TEXT NOT NULL,
  industry    TEXT,
  headcount   INTEGER CHECK (headcount IS NULL OR headcount >= 0),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX units_org_path ON units(org_path, id);

CREATE TABLE members (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL,
  citizen_enc       TEXT NOT NULL,   -- XChaCha20-Poly1305, see core/crypto.h
  citizen_bidx      TEXT NOT NULL,   -- HMAC-SHA256 blind index
  citizen_masked    TEXT NOT NULL,
  sex               TEXT NOT NULL CHECK (sex IN ('M','F')),
  birth_date        TEXT NOT NULL,
  phone_enc         TEXT NOT NULL,
  phone_bidx        TEXT NOT NULL,
  phone_masked      TEXT NOT NULL,
  unit_id           INTEGER NOT NULL REFERENCES units(id),
  org_id            INTEGER NOT NULL REFERENCES orgs(id),
  org_path          TEXT NOT NULL,
  household         TEXT NOT NULL CHECK (household IN ('urban','rural')),
  employment_form   TEXT NOT NULL,
  employment_status TEXT NOT NULL,
  ethnic_group      TEXT,
  education         TEXT,
  political_status  TEXT,
  needy_status      TEXT,
  needy_detail      TEXT,            -- assessment inputs (JSON), see docs/members.md
  status            TEXT NOT NULL CHECK (status IN ('active','transferred','suspended','ended')),
  card_no           TEXT UNIQUE,
  physical_card_no  TEXT UNIQUE,
  joined_at         INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);
-- Real-name rule: one active member per citizen ID.
CREATE UNIQUE INDEX members_active_citizen ON members(citizen_bidx) WHERE status = 'active';
CREATE INDEX members_phone ON members(phone_bidx);
CREATE INDEX members_org_path ON members(org_path, id);
CREATE INDEX members_unit ON members(unit_id, id);

CREATE TABLE member_history (
  id         INTEGER PRIMARY KEY,
  member_id  INTEGER NOT NULL REFERENCES members(id),
  status     TEXT NOT NULL,
  event      TEXT NOT NULL,          -- joined, status, transfer
  org_id     INTEGER NOT NULL,
  unit_id    INTEGER NOT NULL,
  reason     TEXT,
  actor_id   INTEGER,
  at         INTEGER NOT NULL
);
CREATE INDEX member_history_member ON member_history(member_id, id);

CREATE TABLE member_transfers (
  id            INTEGER PRIMARY KEY,
  member_id     INTEGER NOT NULL REFERENCES members(id),
  from_unit_id  INTEGER NOT NULL,
  from_org_id   INTEGER NOT NULL,
  from_org_path TEXT NOT NULL,
  to_unit_id    INTEGER NOT NULL,
  to_org_id     INTEGER NOT NULL,
  to_org_path   TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('requested','accepted','refused','cancelled')),
  reason        TEXT,
  note          TEXT,
  requested_by  INTEGER NOT NULL,
  requested_at  INTEGER NOT NULL,
  decided_by    INTEGER,
  decided_at    INTEGER
);
CREATE UNIQUE INDEX member_transfers_open ON member_transfers(member_id) WHERE status = 'requested';
CREATE INDEX member_transfers_to ON member_transfers(to_org_path, id);
CREATE INDEX member_transfers_from ON member_transfers(from_org_path, id);

CREATE TABLE accounts (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('staff','member')),
  username      TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  org_id        INTEGER REFERENCES orgs(id),
  member_id     INTEGER REFERENCES members(id),
  roles         TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
  failed_count  INTEGER NOT NULL DEFAULT 0,
  locked_until  INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX accounts_member ON accounts(member_id) WHERE member_id IS NOT NULL;

CREATE TABLE sessions (
  token_hash   TEXT PRIMARY KEY,      -- hex SHA-256 of the bearer token
  account_id   INTEGER NOT NULL REFERENCES accounts(id),
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL       -- absolute expiry
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE terminals (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  kind       TEXT NOT NULL,
  org_id     INTEGER NOT NULL REFERENCES orgs(id),
  secret_enc TEXT NOT NULL,
  status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
  created_at INTEGER NOT NULL
);

CREATE TABLE terminal_nonces (
  terminal_id INTEGER NOT NULL,
  nonce       TEXT NOT NULL,
  at          INTEGER NOT NULL,
  PRIMARY KEY (terminal_id, nonce)
);
CREATE INDEX terminal_nonces_at ON terminal_nonces(at);

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor_kind  TEXT NOT NULL,
  actor_id    INTEGER,
  actor_name  TEXT,
  action      TEXT NOT NULL,
  object_type TEXT,
  object_id   TEXT,
  org_path    TEXT,
  result      TEXT NOT NULL,
  detail      TEXT,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE idempotency_keys (
  scope        TEXT NOT NULL,          -- the caller, e.g. 'staff:12'
  key          TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status       INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  body         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
);

CREATE TABLE region_additions (
  code       TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  added_by   INTEGER,
  created_at INTEGER NOT NULL
);

CREATE TABLE credit_code_overrides (
  code       TEXT PRIMARY KEY,
  reason     TEXT NOT NULL,
  added_by   INTEGER,
  created_at INTEGER NOT NULL
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
