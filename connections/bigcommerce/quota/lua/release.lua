-- The quota gate's release (run after prelude.lua, see redis_gate.py).
roll()
strikes = 0
if redis.call('ZREM', inflight, ARGV[4]) == 1 and left and left > 0 then left = left - 1 end
save()
return 1
