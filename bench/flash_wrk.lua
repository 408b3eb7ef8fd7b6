-- wrk script for bench/flash_claims.sh: every request is another member's
-- claim (TOKENS_FILE has "member_id token" lines from `gonghui loadtest
-- members`; CAMPAIGN is the campaign id), with an Idempotency-Key of its
-- own. Past the last member it starts again, and those repeats are refused
-- as already claimed (counted as non-2xx).
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do
  local id, token = line:match("^(%S+) (%S+)$")
  tokens[#tokens + 1] = { id, token }
end
local path = "/api/v1/campaigns/" .. os.getenv("CAMPAIGN") .. "/claims"
-- Formatted once in init, before wrk starts its clock (see card_wrk.lua).
local prepared = {}
function init(args)
  for k, t in ipairs(tokens) do
    prepared[k] = wrk.format("POST", path, {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. t[2],
      ["Idempotency-Key"] = "bench-" .. t[1],
    }, "{}")
  end
  tokens = nil
end
local i = 0
request = function()
  i = i + 1
  return prepared[(i - 1) % #prepared + 1]
end
