-- Blind indexes shrink from the full HMAC-SHA256 (64 hex characters) to its
-- first 128 bits (32 hex characters): the random-order index pages a bulk
-- import dirties are halved. The new value is a prefix of the old one, so
-- existing rows convert in place without the key.
UPDATE members SET citizen_bidx = substr(citizen_bidx, 1, 32), phone_bidx = substr(phone_bidx, 1, 32)
  WHERE length(citizen_bidx) = 64;
-- Member accounts log in as 'm:' || phone blind index.
UPDATE accounts SET username = substr(username, 1, 34)
  WHERE kind = 'member' AND username LIKE 'm:%' AND length(username) = 66;

-- Phone search always runs inside a subtree (org_path range), so the index
-- leads with org_path: an import into a few unions appends to a few places
-- instead of one random place per row.
DROP INDEX members_phone;
CREATE INDEX members_phone ON members(org_path, phone_bidx);
