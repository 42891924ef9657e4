-- Readers for benchmarks/reads-vs-writes.sh: each connection loops over statistics and listings, as the issue's 32
-- clients did: statistics of every market (the heaviest read), statistics of one market, a page of one market's
-- orders, a page of one user's orders. 50 markets and 1,000 users, as lib.sh's fill_orders writes them.
-- Usage: wrk -s reads.lua http://host:port/API/orders
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local n = 0 -- per wrk thread: each thread's connections take turns through the same mix

function request()
   n = n + 1
   local kind = n % 4
   local k = math.floor(n / 4) -- so every kind meets every market and user
   local path
   if kind == 0 then
      path = "/API/orders/stats"
   elseif kind == 1 then
      path = string.format("/API/orders/stats?market=MKT%d-USD", k % 50)
   elseif kind == 2 then
      path = string.format("/API/orders?market=MKT%d-USD&limit=100", k % 50)
   else
      path = string.format("/API/orders?username=user%d&limit=100", k % 1000)
   end
   return wrk.format("GET", path)
end
