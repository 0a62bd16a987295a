-- The quota gate's on_429 (run after prelude.lua, see redis_gate.py).
roll()
local since = tonumber(redis.call('ZSCORE', inflight, ARGV[4]))
redis.call('ZREM', inflight, ARGV[4])
local rms = tonumber(ARGV[5])
if rms then
  adopt(0, (since or now) + rms, now + rms)
else
  local pause = math.min(tonumber(ARGV[7]), tonumber(ARGV[6]) * (2 ^ strikes))
  strikes = strikes + 1
  if now + pause > pause_until then pause_until = now + pause end
end
save()
return 1
