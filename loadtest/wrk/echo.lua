-- tools/call of echo over Streamable HTTP for wrk, every answer checked: HTTP 200 and the echoed
-- text in the body, or it counts as bad. Run by `loadtest/run external`; by hand:
--
--   wrk -t1 -c64 -d5s -s loadtest/wrk/echo.lua http://127.0.0.1:PORT/mcp ERA SESSION PAYLOAD
--
-- ERA is 2025-11-25 (SESSION: the Mcp-Session-Id of an initialized session, shared by every
-- connection of every thread) or 2026-07-28 (SESSION: -, each request carries its version and
-- capabilities in _meta and the Mcp-Method / Mcp-Name headers). PAYLOAD: the message's length.
-- Each thread numbers its requests from its own billion, so that no two requests in flight share
-- an id. done() prints one line, `wrk-result name=value ...`, latencies in microseconds.

local threads = {}

function setup(thread)
  thread:set("first_id", #threads * 1000000000)
  table.insert(threads, thread)
end

function init(args)
  local era, session, payload = args[1], args[2], tonumber(args[3])
  if era == nil or session == nil or payload == nil then
    error("arguments: ERA SESSION PAYLOAD (after the URL)")
  end
  local message = string.rep("x", payload)
  expected = '"text":"' .. message .. '"'
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json, text/event-stream"
  wrk.headers["MCP-Protocol-Version"] = era
  local meta = ""
  if era == "2026-07-28" then
    wrk.headers["Mcp-Method"] = "tools/call"
    wrk.headers["Mcp-Name"] = "echo"
    meta = ',"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
      .. '"io.modelcontextprotocol/clientCapabilities":{}}'
  else
    wrk.headers["Mcp-Session-Id"] = session
  end
  head = '{"jsonrpc":"2.0","id":'
  tail = ',"method":"tools/call","params":{"name":"echo","arguments":{"message":"' .. message .. '"}'
    .. meta .. '}}'
  id = first_id
  bad = 0
end

function request()
  id = id + 1
  return wrk.format(nil, nil, nil, head .. string.format("%d", id) .. tail)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, expected, 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format("wrk-result requests=%d micros=%d bad=%d connect=%d read=%d write=%d status=%d timeout=%d"
    .. " p50=%d p99=%d p999=%d max=%d\n",
    summary.requests, summary.duration, total_bad, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
