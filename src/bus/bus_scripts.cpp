// bus_scripts.cpp: the scripts' text (bus_scripts.h). Each begins by
// naming its KEYS and ARGV, since Lua gives them only by position.
#include "bus/bus_scripts.h"

#include <cstdio>

#include "http/sha1.h"

namespace {

// Redis's clock in milliseconds, as a line every script that needs it shares.
#define NOW_MS \
  "local t = redis.call('TIME')\n" \
  "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

// excerpt-begin: say-script
// KEYS: meta, history, channel. ARGV: a new epoch (used only if the room has
// none), history length, the JSON before the seq, the JSON after it, the
// latest time (Redis's clock, ms) the message may still be published, and
// the say's token. After the deadline the node may have told the sender
// "unavailable", so a command that waited that long (Redis was frozen,
// then thawed) must not publish the message as well.
const char kSay[] =
    NOW_MS
    "if now > tonumber(ARGV[5]) then return redis.error_reply('LATE the node gave up on this message') end\n"
    "local epoch = redis.call('HGET', KEYS[1], 'epoch')\n"
    "if not epoch then\n"
    "  epoch = ARGV[1]\n"
    "  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)\n"
    "end\n"
    "local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)\n"
    "local payload = 'M ' .. epoch .. ' ' .. seq .. ' ' .. ARGV[6] .. ' ' .. ARGV[3] .. seq .. ARGV[4]\n"
    "local keep = tonumber(ARGV[2])\n"
    "if keep > 0 then\n"
    "  redis.call('LPUSH', KEYS[2], payload)\n"
    "  redis.call('LTRIM', KEYS[2], 0, keep - 1)\n"
    "end\n"
    "redis.call('PEXPIRE', KEYS[1], 604800000)\n"
    "redis.call('PEXPIRE', KEYS[2], 604800000)\n"
    "redis.call('PUBLISH', KEYS[3], payload)\n"
    "return seq\n";
// excerpt-end: say-script

// KEYS: members, channel. ARGV: the JSON before the count, after it, and
// "1" if the count goes in between (renamed has none).
const char kNotice[] =
    "local payload = 'N ' .. ARGV[1]\n"
    "if ARGV[3] == '1' then payload = payload .. redis.call('HLEN', KEYS[1]) end\n"
    "redis.call('PUBLISH', KEYS[2], payload .. ARGV[2])\n"
    "return 1\n";

// excerpt-begin: presence-script
// KEYS: members, channel, gate. ARGV: the JSON before the count, after it,
// the presence interval (ms). A room's count goes out at most once per
// interval, whichever node asks first: every node with members in a busy
// room asks each interval, and n nodes each publishing to n subscribers
// would be n * n messages per room per interval. The count is read here, so
// the one that goes out includes every node's joins and leaves so far.
// Returns 1 when published, 0 when the gate was shut (asked again later).
const char kPresence[] =
    "if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[3]) then return 0 end\n"
    "redis.call('PUBLISH', KEYS[2], 'N ' .. ARGV[1] .. redis.call('HLEN', KEYS[1]) .. ARGV[2])\n"
    "return 1\n";
// excerpt-end: presence-script

// excerpt-begin: claim-script
// KEYS: members, nodes. ARGV: folded name, "NODE ID NAME", member id, node,
// presence ttl (ms). A name is free if nobody holds it, the same member
// holds it (a new spelling), or its holder's node has stopped renewing its
// presence. Returns {1 granted or 0 taken, the member count}.
const char kClaim[] =
    NOW_MS
    "local held = redis.call('HGET', KEYS[1], ARGV[1])\n"
    "if held then\n"
    "  local node, id = string.match(held, '^(%S+) (%S+) ')\n"
    "  local expiry = redis.call('ZSCORE', KEYS[2], node)\n"
    "  if id ~= ARGV[3] and expiry and tonumber(expiry) >= now then\n"
    "    return {0, redis.call('HLEN', KEYS[1])}\n"
    "  end\n"
    "end\n"
    "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
    "local ttl = tonumber(ARGV[5])\n"
    "redis.call('ZADD', KEYS[2], now + ttl, ARGV[4])\n"
    "redis.call('PEXPIRE', KEYS[1], 4 * ttl)\n"
    "redis.call('PEXPIRE', KEYS[2], 4 * ttl)\n"
    "return {1, redis.call('HLEN', KEYS[1])}\n";
// excerpt-end: claim-script

// KEYS: members. ARGV: folded name, member id.
const char kRelease[] =
    "local held = redis.call('HGET', KEYS[1], ARGV[1])\n"
    "if held and select(2, string.match(held, '^(%S+) (%S+) ')) == ARGV[2] then\n"
    "  redis.call('HDEL', KEYS[1], ARGV[1])\n"
    "end\n"
    "return redis.call('HLEN', KEYS[1])\n";

// KEYS: meta, history, members. ARGV: a new epoch (used only if the room
// has none), history length, the presence threshold. Returns {epoch, seq,
// history newest first, member values (only if the room is at most the
// threshold), member count}.
const char kLoad[] =
    "local epoch = redis.call('HGET', KEYS[1], 'epoch')\n"
    "if not epoch then\n"
    "  epoch = ARGV[1]\n"
    "  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)\n"
    "end\n"
    "local seq = redis.call('HGET', KEYS[1], 'seq')\n"
    "local keep = tonumber(ARGV[2])\n"
    "local history = {}\n"
    "if keep > 0 then history = redis.call('LRANGE', KEYS[2], 0, keep - 1) end\n"
    "local count = redis.call('HLEN', KEYS[3])\n"
    "local members = {}\n"
    "if count <= tonumber(ARGV[3]) then members = redis.call('HVALS', KEYS[3]) end\n"
    "return {epoch, seq, history, members, count}\n";

// excerpt-begin: refresh-script
// KEYS: nodes, members, channel. ARGV: node, presence ttl (ms), the room's
// name as a JSON string, the presence threshold. Renews this node's
// presence in the room; any node whose presence has expired (it died, or
// lost Redis for longer than the ttl) loses its members here, and the room
// hears of each as left with reason "timeout" (a presence count instead, in
// a large room). Returns how many members were dropped.
const char kRefresh[] =
    NOW_MS
    "local ttl = tonumber(ARGV[2])\n"
    "redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])\n"
    "redis.call('PEXPIRE', KEYS[1], 4 * ttl)\n"
    "redis.call('PEXPIRE', KEYS[2], 4 * ttl)\n"
    "local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)\n"
    "if #dead == 0 then return 0 end\n"
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)\n"
    "local is_dead = {}\n"
    "for _, node in ipairs(dead) do is_dead[node] = true end\n"
    "local all = redis.call('HGETALL', KEYS[2])\n"
    "local gone = {}\n"
    "for i = 1, #all, 2 do\n"
    "  local node, id, name = string.match(all[i + 1], '^(%S+) (%S+) (.*)$')\n"
    "  if node == nil or is_dead[node] then\n"
    "    redis.call('HDEL', KEYS[2], all[i])\n"
    "    gone[#gone + 1] = {id, name}\n"
    "  end\n"
    "end\n"
    "local count = redis.call('HLEN', KEYS[2])\n"
    "if count + #gone > tonumber(ARGV[4]) then\n"
    "  if #gone > 0 then\n"
    "    redis.call('PUBLISH', KEYS[3], 'N {\"type\":\"presence\",\"room\":' .. ARGV[3] ..\n"
    "                ',\"member_count\":' .. count .. '}')\n"
    "  end\n"
    "  return #gone\n"
    "end\n"
    "local left = count + #gone\n"
    "for _, member in ipairs(gone) do\n"
    "  left = left - 1\n"
    "  if member[1] then\n"
    "    redis.call('PUBLISH', KEYS[3], 'N {\"type\":\"left\",\"room\":' .. ARGV[3] .. ',\"id\":' .. member[1] ..\n"
    "                ',\"name\":' .. cjson.encode(member[2]) .. ',\"member_count\":' .. left ..\n"
    "                ',\"reason\":\"timeout\"}')\n"
    "  end\n"
    "end\n"
    "return #gone\n";
// excerpt-end: refresh-script

// KEYS: members. ARGV: node.
const char kPurge[] =
    "local all = redis.call('HGETALL', KEYS[1])\n"
    "for i = 1, #all, 2 do\n"
    "  if string.match(all[i + 1], '^(%S+) ') == ARGV[1] then redis.call('HDEL', KEYS[1], all[i]) end\n"
    "end\n"
    "return redis.call('HLEN', KEYS[1])\n";

// KEYS: members, nodes. ARGV: node, presence ttl (ms), then folded name and
// value pairs. A name another live member took meanwhile is left to it.
const char kEnroll[] =
    NOW_MS
    "local ttl = tonumber(ARGV[2])\n"
    "redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])\n"
    "for i = 3, #ARGV, 2 do redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end\n"
    "redis.call('PEXPIRE', KEYS[1], 4 * ttl)\n"
    "redis.call('PEXPIRE', KEYS[2], 4 * ttl)\n"
    "return redis.call('HLEN', KEYS[1])\n";

// KEYS: node-counter. ARGV: "PREFIX node:", this process's identity, ttl
// (ms), the number it holds now ("0" for none). Keeps the number if nobody
// else holds it; otherwise hands out the next free one (1 to 2^21 - 1, so
// an id of node * 2^32 + n stays an exact JavaScript number). Returns {the
// number (0: none free), Redis's clock in ms}: the node reckons the say
// script's deadlines on Redis's clock from it.
const char kNode[] =
    NOW_MS
    "if ARGV[4] ~= '0' then\n"
    "  local holder = redis.call('GET', ARGV[1] .. ARGV[4])\n"
    "  if not holder or holder == ARGV[2] then\n"
    "    redis.call('SET', ARGV[1] .. ARGV[4], ARGV[2], 'PX', ARGV[3])\n"
    "    return {tonumber(ARGV[4]), now}\n"
    "  end\n"
    "end\n"
    "for i = 1, 1000 do\n"
    "  local n = (redis.call('INCR', KEYS[1]) - 1) % 2097151 + 1\n"
    "  if redis.call('SET', ARGV[1] .. n, ARGV[2], 'NX', 'PX', ARGV[3]) then return {n, now} end\n"
    "end\n"
    "return {0, now}\n";

// excerpt-begin: seek-script
// KEYS: the waiting list. ARGV: "PREFIX direct:", the seeker's node, id,
// last partner ("0": none) and token, and an entry of its own to remove
// first ("" for none: one left from before a reconnect). Takes the oldest
// waiting entry that the seeker has not just left (and that has not just
// left the seeker) and tells both nodes of the pair, each on its own
// channel; a waiter whose node no longer listens (PUBLISH reached nobody:
// it died) is dropped and the next one tried. With no one to take, the
// seeker waits at the end of the list. Returns 1 paired, 0 waiting, -1
// when the seeker's own node does not listen (the waiter is told).
const char kSeek[] =
    "if ARGV[6] ~= '' then redis.call('LREM', KEYS[1], 0, ARGV[6]) end\n"
    "local entries = redis.call('LRANGE', KEYS[1], 0, 15)\n"
    "for _, entry in ipairs(entries) do\n"
    "  local node, id, last, token = string.match(entry, '^(%S+) (%S+) (%S+) (%S+)$')\n"
    "  if id == nil or id == ARGV[3] then\n"
    "    redis.call('LREM', KEYS[1], 0, entry)\n"
    "  elseif id ~= ARGV[4] and last ~= ARGV[3] then\n"
    "    redis.call('LREM', KEYS[1], 1, entry)\n"
    "    if redis.call('PUBLISH', ARGV[1] .. node, 'P ' .. id .. ' ' .. token .. ' ' .. ARGV[3] .. ' ' .. ARGV[2]) > 0 then\n"
    "      if redis.call('PUBLISH', ARGV[1] .. ARGV[2], 'P ' .. ARGV[3] .. ' ' .. ARGV[5] .. ' ' .. id .. ' ' .. node) > 0 then\n"
    "        return 1\n"
    "      end\n"
    "      redis.call('PUBLISH', ARGV[1] .. node, 'L ' .. id .. ' ' .. ARGV[3])\n"
    "      return -1\n"
    "    end\n"
    "  end\n"
    "end\n"
    "redis.call('RPUSH', KEYS[1], ARGV[2] .. ' ' .. ARGV[3] .. ' ' .. ARGV[4] .. ' ' .. ARGV[5])\n"
    "return 0\n";
// excerpt-end: seek-script

#undef NOW_MS

BusScript make(const char* name, const char* body) {
  Sha1Digest digest = sha1(body);
  char hex[41];
  for (size_t i = 0; i < digest.size(); ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  return BusScript{name, body, std::string(hex, 40)};
}

}  // namespace

BusScripts::BusScripts()
    : say(make("say", kSay)),
      notice(make("notice", kNotice)),
      presence(make("presence", kPresence)),
      claim(make("claim", kClaim)),
      release(make("release", kRelease)),
      load(make("load", kLoad)),
      refresh(make("refresh", kRefresh)),
      purge(make("purge", kPurge)),
      enroll(make("enroll", kEnroll)),
      node(make("node", kNode)),
      seek(make("seek", kSeek)) {}
