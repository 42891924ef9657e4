-- Many orders per POST: the body is a JSON array read once from the file given after "--" (benchmarks/lib.sh writes
-- one of 1,000 orders). Usage: wrk -s batch.lua URL -- /path/to/batch.json
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local req

function init(args)
   local file = assert(io.open(args[1], "rb"), "batch.lua: pass the body file after --")
   local body = file:read("*a")
   file:close()
   req = wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end

function request()
   return req
end
