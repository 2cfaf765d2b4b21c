-- bench_queue.lua - wrk script: GET a work queue with a logged-in session
-- cookie (env BENCH_COOKIE: "mc_session=..."), path in env BENCH_PATH.
-- Used by bench/run-dossier.sh; counts non-200 answers in done().
local cookie = os.getenv("BENCH_COOKIE") or ""
local path = os.getenv("BENCH_PATH") or "/api/v1/queues/receiver"
-- The pages as a browser asks for them, the API as a client does.
local accept = path:sub(1, 5) == "/api/" and "application/json" or
	"text/html,application/xhtml+xml"
local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	bad = 0
end

function request()
	return wrk.format("GET", path, { ["Cookie"] = cookie,
		["Accept"] = accept })
end

function response(status, headers, body)
	if status ~= 200 then
		bad = bad + 1
		if bad == 1 then
			io.stderr:write("bench_queue: status " .. status .. "\n")
		end
	end
end

function done(summary, latency, requests)
	local n = 0
	for _, t in ipairs(threads) do
		n = n + (t:get("bad") or 0)
	end
	io.write(string.format("not_200 %d\n", n))
end
