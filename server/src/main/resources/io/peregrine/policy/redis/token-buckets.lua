-- Decides a batch of calls in order, each taking tokens from its token buckets all or none,
-- timed by Redis's own clock.
--
-- KEYS: the buckets of every call, call after call. ARGV[1]: the number of calls; then, per call,
-- the number of its buckets followed by three values per bucket: its capacity, its period in
-- microseconds, and the tokens wanted from it (1 for one call; a lease's size). A bucket refills
-- whole at the end of each period counted from its creation, as Bucket4j's
-- refillIntervally(capacity, period) does, and starts full. Its state is one string,
-- "<tokens> <start of the current period, us>", expiring a second after the bucket would be full
-- again: a bucket that is gone is a full one.
--
-- Returns, call after call: {i, us until bucket i refills} when bucket i of the call (1-based, the
-- first in order) is empty, nothing being taken from any of its buckets; otherwise
-- {0, taken 1, us until bucket 1 refills, taken 2, ...}, each bucket giving what was wanted or what
-- it had left, at least one token. A bucket several calls share is read once and written once:
-- each call sees what the calls before it in the batch left.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local left, start, period = {}, {}, {}
local written = {}

-- The bucket's tokens and period start as of now, read from Redis the first time the batch meets it.
local function refill(key, capacity, p)
  if left[key] == nil then
    local l, s = capacity, now
    local state = redis.call('GET', key)
    if state then
      local t, st = string.match(state, '^(%d+) (%d+)$')
      l, s = tonumber(t), tonumber(st)
    end
    left[key], start[key] = l, s
  end
  if now - start[key] >= p then
    start[key] = start[key] + math.floor((now - start[key]) / p) * p
    left[key] = capacity
  end
end

local out = {}
local k, a = 0, 1
for _ = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[a + 1])
  local base = a + 1
  local refused = 0
  for i = 1, n do
    local key, p = KEYS[k + i], tonumber(ARGV[base + 3 * i - 1])
    refill(key, tonumber(ARGV[base + 3 * i - 2]), p)
    if left[key] < 1 then
      out[#out + 1] = i
      out[#out + 1] = start[key] + p - now
      refused = i
      break
    end
  end
  if refused == 0 then
    out[#out + 1] = 0
    for i = 1, n do
      local key, p = KEYS[k + i], tonumber(ARGV[base + 3 * i - 1])
      local taken = math.min(tonumber(ARGV[base + 3 * i]), left[key])
      left[key] = left[key] - taken
      if period[key] == nil then
        written[#written + 1] = key
      end
      period[key] = p
      out[#out + 1] = taken
      out[#out + 1] = start[key] + p - now
    end
  end
  k = k + n
  a = base + 3 * n
end
for _, key in ipairs(written) do
  local refill_in = start[key] + period[key] - now
  redis.call('SET', key, string.format('%d %d', left[key], start[key]), 'PX', math.ceil(refill_in / 1000) + 1000)
end
return out
