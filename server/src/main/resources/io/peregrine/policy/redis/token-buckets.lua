-- Takes tokens from several token buckets at once, all or none, timed by Redis's own clock.
--
-- KEYS: the buckets. ARGV, three per bucket: its capacity, its period in microseconds, and the
-- tokens wanted from it (1 for one call; a lease's size). A bucket refills whole at the end of
-- each period counted from its creation, as Bucket4j's refillIntervally(capacity, period) does,
-- and starts full. Its state is one string, "<tokens> <start of the current period, µs>",
-- expiring a second after the bucket would be full again: a bucket that is gone is a full one.
--
-- Returns {i, µs until bucket i refills} when bucket i (1-based, the first in order) is empty:
-- nothing is taken from any bucket. Otherwise {0, taken 1, µs until bucket 1 refills, taken 2, ...},
-- each bucket giving what was wanted or what it had left, at least one token.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tokens, starts = {}, {}
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[3 * i - 2])
  local period = tonumber(ARGV[3 * i - 1])
  local left, start = capacity, now
  local state = redis.call('GET', KEYS[i])
  if state then
    local t, s = string.match(state, '^(%d+) (%d+)$')
    left, start = tonumber(t), tonumber(s)
    if now - start >= period then
      start = start + math.floor((now - start) / period) * period
      left = capacity
    end
  end
  if left < 1 then
    return {i, start + period - now}
  end
  tokens[i], starts[i] = left, start
end
local out = {0}
for i = 1, #KEYS do
  local period = tonumber(ARGV[3 * i - 1])
  local taken = math.min(tonumber(ARGV[3 * i]), tokens[i])
  local refill = starts[i] + period - now
  redis.call('SET', KEYS[i], string.format('%d %d', tokens[i] - taken, starts[i]),
    'PX', math.ceil(refill / 1000) + 1000)
  out[2 * i] = taken
  out[2 * i + 1] = refill
end
return out
