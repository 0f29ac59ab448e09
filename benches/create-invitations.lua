-- wrk script: every request creates a new invitation with its own e-mail and Idempotency-Key.
-- TOKEN, POLICY and ORG_PATH come from the environment (see create-invitations.sh).

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  failures = 0
  token = os.getenv("TOKEN")
  policy = os.getenv("POLICY")
  path = os.getenv("ORG_PATH") .. "/invitations"
end

function request()
  counter = counter + 1
  local email = string.format("load-%d-%d@example.com", id, counter)
  local body = string.format(
    '{"email":"%s","firstName":"Load","lastName":"Test %d","contactNumber":"+1 555 0100","permissionPolicyIds":["%s"]}',
    email, counter, policy)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = email,
  }, body)
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
  end
  io.write(string.format("creates: %d in %.1f s = %.0f/s, non-200: %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), failed,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
