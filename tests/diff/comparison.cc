#include "comparison.h"

#include <algorithm>
#include <vector>

#include "support/resp_reply.h"

namespace magnetar::diff {

using test_support::IsAggregate;
using test_support::SplitReply;

std::string Comparable(std::string_view reply, Compare mode) {
  switch (mode) {
    case Compare::kExact:
      return std::string(reply);
    case Compare::kShape:
      return ReplyShape(reply);
    case Compare::kSorted:
      return SortedReply(reply);
    case Compare::kSkip:
      return "";
  }
  return "";
}

namespace {

using Path = std::vector<std::string_view>;

// `reply` with the elements the `paths` (each from its component `at` on) name replaced by their
// shape. All paths are applied in one walk, since a replaced element is no longer RESP.
std::string Mask(std::string_view reply, const std::vector<Path>& paths, size_t at) {
  for (const Path& path : paths) {
    if (at == path.size()) {
      std::string shape = "<";
      shape += ReplyShape(reply);
      shape += '>';
      return shape;
    }
  }
  if (reply.size() < 2 || !IsAggregate(reply[0]) || reply[1] == '-') return std::string(reply);
  test_support::ReplyParts parts = SplitReply(reply);
  std::string masked(parts.header);
  for (size_t i = 0; i < parts.elements.size(); ++i) {
    std::vector<Path> chosen;
    for (const Path& path : paths) {
      if (path[at] == "*" || path[at] == std::to_string(i)) chosen.push_back(path);
    }
    masked +=
        chosen.empty() ? std::string(parts.elements[i]) : Mask(parts.elements[i], chosen, at + 1);
  }
  return masked;
}

}  // namespace

std::string MaskedReply(std::string_view reply, const std::vector<std::string>& paths) {
  if (paths.empty()) return std::string(reply);
  std::vector<Path> split;
  for (const std::string& text : paths) {
    Path& path = split.emplace_back();
    for (std::string_view rest = text; !rest.empty();) {
      size_t dot = rest.find('.');
      path.push_back(rest.substr(0, dot));
      rest.remove_prefix(dot == std::string_view::npos ? rest.size() : dot + 1);
    }
  }
  return Mask(reply, split, 0);
}

std::string ReplyShape(std::string_view reply) {
  if (reply.empty()) return "";
  if (reply.starts_with("$-1\r\n") || reply.starts_with("*-1\r\n")) return std::string(reply, 0, 3);
  if (!IsAggregate(reply[0])) return std::string(1, reply[0]);
  test_support::ReplyParts parts = SplitReply(reply);
  std::string shape(parts.header.substr(0, parts.header.size() - 2));
  shape += '[';
  for (size_t i = 0; i < parts.elements.size(); ++i) {
    if (i > 0) shape += ' ';
    shape += ReplyShape(parts.elements[i]);
  }
  shape += ']';
  return shape;
}

std::string SortedReply(std::string_view reply, bool flat_pairs) {
  if (reply.empty() || !IsAggregate(reply[0])) return std::string(reply);
  test_support::ReplyParts parts = SplitReply(reply);
  const size_t step = flat_pairs || reply[0] == '%' || reply[0] == '|' ? 2 : 1;
  std::vector<std::string> entries;
  for (size_t i = 0; i < parts.elements.size(); i += step) {
    std::string entry(parts.elements[i]);
    if (step == 2 && i + 1 < parts.elements.size()) entry += parts.elements[i + 1];
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end());
  std::string sorted(parts.header);
  for (const std::string& entry : entries) sorted += entry;
  return sorted;
}

}  // namespace magnetar::diff
