-- Many orders per POST: a JSON array template read once from the file given after "--" (benchmarks/lib.sh writes one
-- of 1,000 orders), whose timestamps carry two placeholders filled per request: @S@ the current second and @N@ a
-- per-thread request counter, so timestamps grow from request to request as real traffic's do.
-- Usage: wrk -s batch.lua URL -- /path/to/batch.json
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local template
local headers = { ["Content-Type"] = "application/json" }
local n = 0
thread_id = 0 -- a global: setup() sets it per thread with thread:set
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("thread_id", counter)
end

function init(args)
   local file = assert(io.open(args[1], "rb"), "batch.lua: pass the body file after --")
   template = file:read("*a")
   file:close()
end

function request()
   n = n + 1
   local body = template:gsub("@S@", os.date("!%Y-%m-%dT%H:%M:%S"))
   body = body:gsub("@N@", string.format("%d%02d", thread_id % 10, n % 100))
   return wrk.format("POST", nil, headers, body)
end
