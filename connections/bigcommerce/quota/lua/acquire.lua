-- The quota gate's acquire (run after prelude.lua, see redis_gate.py).
roll()
local token, reserve = ARGV[4], tonumber(ARGV[5])
if now < pause_until then save() return {0, num(pause_until - now)} end
local n = redis.call('ZCARD', inflight)
if left == nil or left - n > reserve then
  redis.call('ZADD', inflight, num(now), token)
  save()
  return {1, 0}
end
save()
if not reset_at then return {0, '50'} end
local wait = reset_at - now
if start and redis.call('ZCOUNT', inflight, '-inf', '(' .. num(start)) > 0 then
  wait = math.min(wait, 50)
end
return {0, num(math.max(wait, 1))}
