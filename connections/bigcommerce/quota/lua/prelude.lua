-- Shared by every quota script: read the state, forget stale reservations, roll the window.
-- It mirrors LocalQuotaGate (times in ms); keep the two in step.
-- KEYS: state hash, inflight sorted set. ARGV[1..3]: now (ms, '' = Redis TIME), inflight
-- ttl (ms), key ttl (ms); ARGV[4..] are the script's own.
local state, inflight = KEYS[1], KEYS[2]
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local inflight_ttl, key_ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', inflight, '-inf', '(' .. string.format('%.17g', now - inflight_ttl))
local f = redis.call('HMGET', state, 'left', 'reset_at', 'est', 'quota', 'window',
                     'pause_until', 'strikes', 'start', 'reset_lo')
local left, reset_at, est = tonumber(f[1]), tonumber(f[2]), f[3] == '1'
local quota, window = tonumber(f[4]), tonumber(f[5])
local pause_until, strikes = tonumber(f[6]) or 0, tonumber(f[7]) or 0
local start, reset_lo = tonumber(f[8]), tonumber(f[9])
local function roll()
  if reset_at and now >= reset_at then
    if quota and window then
      left, reset_at, est, start = quota, now + window, true, now
      if reset_lo then reset_lo = reset_lo + window end
    else
      left, reset_at, est, start, reset_lo = nil, nil, false, nil, nil
    end
  end
end
local function adopt(l, lo, hi)
  left, reset_at, reset_lo, est = l, hi, lo, false
  if window then start = hi - window else start = now end
end
local function num(x) return string.format('%.17g', x) end
local function save()
  local vals = {left = left, reset_at = reset_at, quota = quota, window = window,
                pause_until = pause_until, strikes = strikes, start = start,
                reset_lo = reset_lo}
  for k, v in pairs(vals) do redis.call('HSET', state, k, num(v)) end
  for _, k in ipairs({'left', 'reset_at', 'quota', 'window', 'start', 'reset_lo'}) do
    if vals[k] == nil then redis.call('HDEL', state, k) end
  end
  redis.call('HSET', state, 'est', est and '1' or '0')
  redis.call('PEXPIRE', state, key_ttl)
  if redis.call('EXISTS', inflight) == 1 then redis.call('PEXPIRE', inflight, key_ttl) end
end
