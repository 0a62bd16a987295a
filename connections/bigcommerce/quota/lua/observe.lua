-- The quota gate's observe (run after prelude.lua, see redis_gate.py).
local since = tonumber(redis.call('ZSCORE', inflight, ARGV[4]))
redis.call('ZREM', inflight, ARGV[4])
local hl, rms = tonumber(ARGV[5]), tonumber(ARGV[6])
local q, w = tonumber(ARGV[7]), tonumber(ARGV[8])
strikes = 0
if q and q > 0 then quota = q end
if w and w > 0 then window = w end
roll()
local hi = now + rms
local lo = (since or now) + rms
if reset_at == nil or lo > reset_at + 10 then
  adopt(hl, lo, hi)
elseif reset_lo and hi < reset_lo - 10 then
  -- a late answer from an earlier window
else
  if left == nil or hl < left then left = hl end
  if reset_lo == nil or lo > reset_lo then reset_lo = lo end
  if since and start and since >= start then
    if est then reset_at, est = hi, false
    elseif hi < reset_at then reset_at = hi end
    if window then start = reset_at - window end
  elseif hi > reset_at then
    reset_at = hi
  end
end
save()
return 1
