//! The Lua scripts Redis runs: taking a slot, giving one back, holding every slot.

/// Takes the earliest slot that keeps every window within its limit, when it is no further
/// than the allowed wait. `KEYS[1]`: the state hash (`blocked`: no slot before this);
/// `KEYS[2]`: the members seen, scored by their last reservation; `KEYS[3]`: each member's
/// windows (`length:limit;...`); `KEYS[4]`: the reservations given up before they ran;
/// `KEYS[5..]`: one sorted set of reservations per window, scored by slot time. `ARGV[1]`:
/// the longest wait; `ARGV[2]`: this member's id; `ARGV[3]`: this reservation's id;
/// `ARGV[4]`: how long a member counts after its last reservation; `ARGV[5]`: this member's
/// windows; then the length (margin included) and the length key of each window. Every
/// window is held to the lowest limit any member seen has for its length. Times are
/// microseconds on the server's clock. Returns `{taken, delay, slot, members, lowered}`:
/// `taken` is 1, 0 (too far) or 2 (given up by its caller before it ran: nothing taken).
pub(crate) const RESERVE_SCRIPT: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local member_window = tonumber(ARGV[4])
local member_ttl = math.ceil(member_window / 1000) + 1
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - member_window)
for _, id in ipairs(gone) do
  redis.call('HDEL', KEYS[3], id)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - member_window)
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[5])
redis.call('PEXPIRE', KEYS[2], member_ttl)
redis.call('PEXPIRE', KEYS[3], member_ttl)
local members = redis.call('ZCARD', KEYS[2])
if redis.call('SREM', KEYS[4], ARGV[3]) == 1 then
  return {2, 0, 0, members, 0}
end
local lowest = {}
local all = redis.call('HGETALL', KEYS[3])
for k = 2, #all, 2 do
  for length, limit in string.gmatch(all[k], '(%d+):(%d+)') do
    limit = tonumber(limit)
    if lowest[length] == nil or limit < lowest[length] then
      lowest[length] = limit
    end
  end
end
local lowered = 0
local slot = math.max(now, tonumber(redis.call('HGET', KEYS[1], 'blocked') or 0))
for i = 5, #KEYS do
  local length = tonumber(ARGV[2 * i - 4])
  local limit = lowest[ARGV[2 * i - 3]]
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - length)
  local count = redis.call('ZCARD', KEYS[i])
  if count > 0 then
    local last = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')
    slot = math.max(slot, tonumber(last[2]))
  end
  if count >= limit then
    local anchor = redis.call('ZRANGE', KEYS[i], count - limit, count - limit, 'WITHSCORES')
    slot = math.max(slot, tonumber(anchor[2]) + length)
  end
end
local mine = {}
for length, limit in string.gmatch(ARGV[5], '(%d+):(%d+)') do
  limit = tonumber(limit)
  if mine[length] == nil or limit < mine[length] then
    mine[length] = limit
  end
end
for length, limit in pairs(mine) do
  if lowest[length] < limit then
    lowered = 1
  end
end
local delay = slot - now
if delay > tonumber(ARGV[1]) then
  return {0, delay, slot, members, lowered}
end
local longest = 0
for i = 5, #KEYS do
  local length = tonumber(ARGV[2 * i - 4])
  redis.call('ZADD', KEYS[i], slot, ARGV[3])
  redis.call('PEXPIRE', KEYS[i], math.ceil((delay + length) / 1000) + 1)
  longest = math.max(longest, length)
end
local ttl = math.ceil((delay + longest) / 1000) + 1
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {1, delay, slot, members, lowered}
";

/// Gives back a reservation its caller gave up on (its answer never came): removes it from
/// every window, or, when it has not run yet (a frozen server runs it later), marks it so
/// that it takes nothing when it does. `KEYS[1]`: the given-up set; `KEYS[2..]`: the
/// windows. `ARGV[1]`: the reservation's id; `ARGV[2]`: how long the mark is kept (ms).
/// Returns how many windows held it.
pub(crate) const RELEASE_SCRIPT: &str = r"
local removed = 0
for i = 2, #KEYS do
  removed = removed + redis.call('ZREM', KEYS[i], ARGV[1])
end
if removed == 0 and #KEYS > 1 then
  redis.call('SADD', KEYS[1], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return removed
";

/// Holds every reservation for `ARGV[1]` microseconds from now, unless one is held longer
/// already. `KEYS[1]`: the state hash.
pub(crate) const HOLD_SCRIPT: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local hold = tonumber(ARGV[1])
if now + hold > tonumber(redis.call('HGET', KEYS[1], 'blocked') or 0) then
  redis.call('HSET', KEYS[1], 'blocked', string.format('%.0f', now + hold))
  local ttl = math.ceil(hold / 1000) + 1
  if redis.call('PTTL', KEYS[1]) < ttl then
    redis.call('PEXPIRE', KEYS[1], ttl)
  end
end
return 0
";
