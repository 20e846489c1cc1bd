// resp_writer.h: commands for a Redis server, written as RESP2 (redis.io,
// "Redis serialization protocol specification": "Sending commands to a Redis
// server").
//
// A client sends every command as an array of bulk strings:
//
//   append_command(out, {"PUBLISH", "room:lobby", payload})
//   -> *3\r\n$7\r\nPUBLISH\r\n$10\r\nroom:lobby\r\n$N\r\n<payload>\r\n
//
// Bulk strings carry their length, so arguments are binary safe: a payload
// may hold CR, LF or NUL. The writer appends to a std::string the caller owns
// (the connection's output buffer), so several commands can be pipelined in
// one write.
//
// For a command assembled piece by piece (EVALSHA with a variable number of
// keys, say), append_array_header() followed by that many append_bulk()
// calls writes the same bytes.
//
// Deliberately left out: the inline command form ("PING\r\n"), which Redis
// accepts only for humans at a terminal, and any knowledge of which commands
// exist.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

// "*<count>\r\n": the start of a command of count arguments.
void append_array_header(std::string& out, size_t count);
// "$<length>\r\n<bytes>\r\n": one argument.
void append_bulk(std::string& out, std::string_view argument);
// One argument in decimal, as Redis wants numbers (EXPIRE key 60).
void append_bulk(std::string& out, int64_t argument);

// A whole command: an array header, then each argument as a bulk string.
void append_command(std::string& out, std::initializer_list<std::string_view> arguments);
void append_command(std::string& out, const std::string_view* arguments, size_t count);
void append_command(std::string& out, const std::vector<std::string_view>& arguments);
void append_command(std::string& out, const std::vector<std::string>& arguments);
