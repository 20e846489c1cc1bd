// resp_writer.cpp: commands as RESP2 arrays of bulk strings (resp_writer.h).
//
// Numbers are written with std::to_chars: no locale, no allocation, and the
// same digits the reader's strict number rules accept.
//
// Deliberately left out: a size limit. The caller decides what it sends;
// the output buffer's own limit is where a runaway command would show.
#include "redis/resp_writer.h"

#include <charconv>

namespace {

// "<prefix><number>\r\n", the header line of an array or a bulk string.
void append_header(std::string& out, char prefix, uint64_t number) {
  char digits[24];
  const std::to_chars_result result = std::to_chars(digits, digits + sizeof digits, number);
  out.push_back(prefix);
  out.append(digits, static_cast<size_t>(result.ptr - digits));
  out.append("\r\n", 2);
}

// The exact size of one argument on the wire, so a command is one reserve.
size_t bulk_size(size_t length) {
  size_t digits = 1;
  for (size_t rest = length; rest >= 10; rest /= 10) ++digits;
  return 1 + digits + 2 + length + 2;
}

template <typename Iterator>
void append_arguments(std::string& out, Iterator begin, Iterator end, size_t count) {
  size_t total = 1 + 20 + 2;
  for (Iterator it = begin; it != end; ++it) total += bulk_size(std::string_view(*it).size());
  out.reserve(out.size() + total);
  append_array_header(out, count);
  for (Iterator it = begin; it != end; ++it) append_bulk(out, std::string_view(*it));
}

}  // namespace

void append_array_header(std::string& out, size_t count) {
  append_header(out, '*', count);
}

void append_bulk(std::string& out, std::string_view argument) {
  append_header(out, '$', argument.size());
  out.append(argument.data(), argument.size());
  out.append("\r\n", 2);
}

void append_bulk(std::string& out, int64_t argument) {
  char digits[24];
  const std::to_chars_result result = std::to_chars(digits, digits + sizeof digits, argument);
  append_bulk(out, std::string_view(digits, static_cast<size_t>(result.ptr - digits)));
}

void append_command(std::string& out, std::initializer_list<std::string_view> arguments) {
  append_arguments(out, arguments.begin(), arguments.end(), arguments.size());
}

void append_command(std::string& out, const std::string_view* arguments, size_t count) {
  append_arguments(out, arguments, arguments + count, count);
}

void append_command(std::string& out, const std::vector<std::string_view>& arguments) {
  append_arguments(out, arguments.begin(), arguments.end(), arguments.size());
}

void append_command(std::string& out, const std::vector<std::string>& arguments) {
  append_arguments(out, arguments.begin(), arguments.end(), arguments.size());
}
