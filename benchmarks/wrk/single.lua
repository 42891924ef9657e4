-- One order per POST, in time order as a trading system sends them: each order's timestamp is the current second
-- plus a per-thread counter, so timestamps grow as they would in production (a ring of fixed timestamps would make
-- every insert into the (market, timestamp) index land in the middle of it, which real traffic never does).
-- 50 markets and 1,000 users, as in benchmarks/read. No clientOrderId: every 201 is a new row.
-- Usage: wrk -s single.lua URL
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local headers = { ["Content-Type"] = "application/json" }
-- A caller's key (OrderAccess:Callers), when the host has callers: run.sh with CALLERS=1 sets it.
local caller_key = os.getenv("ORDER_CALLER_KEY")
if caller_key and caller_key ~= "" then headers["x-api-key"] = caller_key end
local n = 0
thread_id = 0 -- a global: setup() sets it per thread with thread:set
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("thread_id", counter)
end

function request()
   n = n + 1
   local body = string.format(
      '{"timestamp":"%s.%d%06dZ","username":"user%d","market":"MKT%d-USD","side":"%s","size":0.%d,"price":43000.%08d}',
      os.date("!%Y-%m-%dT%H:%M:%S"), thread_id % 10, n % 1000000, (n * 7 + thread_id) % 1000, (n * 13) % 50,
      (n % 2 == 0) and "buy" or "sell", n % 9 + 1, n * 7919 % 100000000)
   return wrk.format("POST", nil, headers, body)
end
