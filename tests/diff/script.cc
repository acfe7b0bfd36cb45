#include "script.h"

#include <utility>

#include "magnetar/resp/request_parser.h"

namespace magnetar::diff {
namespace {

// Applies one "!name" directive to `step`; false if the name is unknown or the comparison mode
// is given twice.
bool ApplyDirective(std::string_view name, Step& step, bool& has_compare) {
  static constexpr std::pair<std::string_view, Compare> kCompareModes[] = {
      {"!shape", Compare::kShape}, {"!sorted", Compare::kSorted}, {"!skip", Compare::kSkip}};
  for (auto [directive, mode] : kCompareModes) {
    if (name != directive) continue;
    if (has_compare) return false;
    has_compare = true;
    step.compare = mode;
    return true;
  }
  if (name.starts_with("!mask=") && step.masks.empty()) {
    for (std::string_view rest = name.substr(6); !rest.empty();) {
      size_t comma = rest.find(',');
      step.masks.emplace_back(rest.substr(0, comma));
      rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    }
    return !step.masks.empty();
  }
  if (name == "!raw") return std::exchange(step.raw, true) == false;
  if (name == "!closes") return std::exchange(step.closes, true) == false;
  if (name == "!noreply") return std::exchange(step.no_reply, true) == false;
  if (name == "!read") return std::exchange(step.read, true) == false;
  return false;
}

// "@N" picks connection N (1 to kMaxConnections); false if the word is no such number.
bool ApplyConnection(std::string_view word, Step& step) {
  constexpr int kMaxConnections = 64;
  if (word.size() < 2 || word.size() > 3) return false;
  int number = 0;
  for (char c : word.substr(1)) {
    if (c < '0' || c > '9') return false;
    number = number * 10 + (c - '0');
  }
  if (number < 1 || number > kMaxConnections) return false;
  step.connection = number;
  return true;
}

// Parses one non-comment line into `step`; returns the problem, or "" when it is fine.
std::string ParseLine(std::string_view line, Step& step) {
  std::string storage;
  std::vector<std::pair<size_t, size_t>> spans;
  if (!resp::SplitInlineArgs(line, storage, spans)) return "unbalanced quotes";
  bool has_compare = false;
  size_t first = 0;
  bool has_connection = false;
  // A leading word starting with '!' is a directive, one starting with '@' a connection number;
  // commands never start with either.
  for (; first < spans.size(); ++first) {
    std::string_view word(storage.data() + spans[first].first, spans[first].second);
    if (word.starts_with('@')) {
      if (std::exchange(has_connection, true) || !ApplyConnection(word, step)) {
        return "bad or repeated connection '" + std::string(word) + "'";
      }
      continue;
    }
    if (!word.starts_with('!')) break;
    if (!ApplyDirective(word, step, has_compare)) {
      return "unknown or repeated directive '" + std::string(word) + "'";
    }
  }
  for (size_t i = first; i < spans.size(); ++i) {
    step.args.emplace_back(storage, spans[i].first, spans[i].second);
  }
  if (step.read) {
    if (!step.args.empty() || step.raw || step.no_reply) return "!read sends nothing";
    return "";
  }
  if (step.args.empty()) return "a directive without a command";
  if (step.raw && step.args.size() != 1) return "!raw takes one quoted word of bytes";
  if (step.no_reply && (step.closes || has_compare)) {
    return "!noreply reads no reply to compare or to close after";
  }
  return "";
}

}  // namespace

bool ParseScript(std::string_view text, std::vector<Step>& steps, std::string& error) {
  int number = 0;
  while (!text.empty()) {
    ++number;
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line[start] == '#') continue;
    Step step;
    step.line = number;
    step.text = std::string(line.substr(start));
    std::string problem = ParseLine(line, step);
    if (!problem.empty()) {
      error = "line " + std::to_string(number) + ": " + problem + ": " + step.text;
      return false;
    }
    steps.push_back(std::move(step));
  }
  return true;
}

}  // namespace magnetar::diff
