-- wrk script for bench/card_http.sh: replays the pre-signed requests in
-- order, each nonce once (SIGNED_FILE, written by bench/card_sign.mjs, and
-- BODY come from the environment). Running out of nonces repeats the last
-- one, which the server refuses as a replay (counted as non-2xx).
local body = os.getenv("BODY")
local signed, terminal_id, timestamp = {}, nil, nil
local n = 0
for line in io.lines(os.getenv("SIGNED_FILE")) do
  n = n + 1
  if n == 2 then
    terminal_id, timestamp = line:match("^(%S+) (%S+)$")
  elseif n > 2 then
    local nonce, sig = line:match("^(%S+) (%S+)$")
    signed[#signed + 1] = { nonce, sig }
  end
end
-- The requests are formatted once in init (before wrk starts its clock), so
-- the load generator pays per request what it pays for nginx's static GET:
-- formatting them in Lua as they are sent made wrk, not the server, the
-- bottleneck.
local prepared = {}
function init(args)
  for k, s in ipairs(signed) do
    prepared[k] = wrk.format("POST", nil, {
      ["Content-Type"] = "application/json",
      ["X-Terminal-Id"] = terminal_id,
      ["X-Timestamp"] = timestamp,
      ["X-Nonce"] = s[1],
      ["X-Signature"] = s[2],
    }, body)
  end
  signed = nil
end
local i = 0
request = function()
  i = i + 1
  return prepared[i] or prepared[#prepared]
end
