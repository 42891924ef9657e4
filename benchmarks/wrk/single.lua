-- One order per POST: a ring of 256 prebuilt requests whose orders differ a little (user, side, size, price,
-- timestamp), so the generator spends its CPU on sockets rather than on formatting. No clientOrderId: every 201 is a
-- new row. Usage: wrk -s single.lua URL
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local ring = {}
local next_index = 1

function init(args)
   local users = { "alice", "bob", "carol", "dave" }
   local headers = { ["Content-Type"] = "application/json" }
   for i = 1, 256 do
      local body = string.format(
         '{"timestamp":"2026-11-27T10:15:%02d.%06dZ","username":"%s","market":"BTC-USD","side":"%s","size":0.%d,"price":43000.%08d}',
         i % 60, i * 3907 % 1000000, users[i % 4 + 1], (i % 2 == 0) and "buy" or "sell", i % 9 + 1, i * 7919)
      ring[i] = wrk.format("POST", nil, headers, body)
   end
end

function request()
   local r = ring[next_index]
   next_index = next_index % #ring + 1
   return r
end
