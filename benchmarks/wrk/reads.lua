-- Readers for benchmarks/reads-vs-writes.sh: each connection loops over statistics and listings, as the issue's 32
-- clients did: statistics of every market (the heaviest read), statistics of one market, a page of one market's
-- orders, a page of one user's orders. 50 markets and 1,000 users, as lib.sh's fill_orders writes them.
-- Usage: wrk -s reads.lua http://host:port/API/orders
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local n = 0
thread_id = 0
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("thread_id", counter)
end

function request()
   n = n + 1
   local k = n + thread_id * 7
   local kind = k % 4
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
