-- bench_intake.lua - wrk script: POST /api/v1/dossiers with a bearer token
-- (env BENCH_TOKEN) and a unique Idempotency-Key per request, receiving
-- 2.000908 (Cấp bản sao từ sổ gốc, 1 working day) at Cảnh Thụy's desk.
-- Used by bench/run-dossier.sh; counts non-201 answers in done().
local token = os.getenv("BENCH_TOKEN") or ""
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local threads = {}
local counter = 0

local body = [[{"desk":"07738","procedure":"2.000908","channel":"truc_tiep",
"applicant":{"kind":"person","name":"Nguyễn Thị Lan","id_number":"027190001234",
"birth_year":1990,"sex":"F","phone":"0912345678","address_unit":"07738",
"address_street":"Số 12 đường Lê Lợi"},
"components":[{"seq":1,"mode":"original","originals":1},
{"seq":2,"mode":"original","originals":1}]}]]

function setup(thread)
	thread:set("id", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	bad = 0
end

function request()
	counter = counter + 1
	local h = {
		["Authorization"] = "Bearer " .. token,
		["Content-Type"] = "application/json",
		["Idempotency-Key"] = string.format("bench-%s-%d-%d", run, id or 0, counter),
	}
	return wrk.format("POST", "/api/v1/dossiers", h, body)
end

function response(status, headers, body)
	if status ~= 201 then
		bad = bad + 1
		if bad == 1 then
			io.stderr:write("bench_intake: status " .. status .. ": " ..
				string.sub(body or "", 1, 300) .. "\n")
		end
	end
end

function done(summary, latency, requests)
	local n = 0
	for _, t in ipairs(threads) do
		n = n + (t:get("bad") or 0)
	end
	io.write(string.format("not_201 %d\n", n))
end
