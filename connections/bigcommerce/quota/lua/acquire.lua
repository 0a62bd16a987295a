-- The quota gate's acquire (run after prelude.lua, see redis_gate.py).
-- KEYS[3], KEYS[4]: waiters by rank, waiters by when to forget them (sorted sets).
roll()
local token, reserve = ARGV[4], tonumber(ARGV[5])
local priority, aging, grace = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local waiters, forget = KEYS[3], KEYS[4]
local gone = redis.call('ZRANGEBYSCORE', forget, '-inf', '(' .. num(now))
for _, w in ipairs(gone) do
  redis.call('ZREM', waiters, w)
  redis.call('ZREM', forget, w)
end
-- Rank: when it began waiting plus its class times the aging time (lower goes first).
local rank = tonumber(redis.call('ZSCORE', waiters, token)) or (now + priority * aging)
local function wait(ms)
  ms = math.max(ms, 1)
  redis.call('ZADD', waiters, num(rank), token)
  redis.call('ZADD', forget, num(now + ms + grace), token)
  redis.call('PEXPIRE', waiters, key_ttl)
  redis.call('PEXPIRE', forget, key_ttl)
  save()
  return {0, num(ms)}
end
if now < pause_until then return wait(pause_until - now) end
local n = redis.call('ZCARD', inflight)
local ahead = redis.call('ZCOUNT', waiters, '-inf', '(' .. num(rank))
if left == nil or left - n - reserve > ahead then
  redis.call('ZADD', inflight, num(now), token)
  redis.call('ZREM', waiters, token)
  redis.call('ZREM', forget, token)
  save()
  return {1, 0}
end
if left - n - reserve > 0 then return wait(50) end -- the free units are the betters'
if not reset_at then return wait(50) end
local ms = reset_at - now
if start and redis.call('ZCOUNT', inflight, '-inf', '(' .. num(start)) > 0 then
  ms = math.min(ms, 50)
end
return wait(ms)
