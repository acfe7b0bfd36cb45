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
  if (name == "!raw") return std::exchange(step.raw, true) == false;
  if (name == "!closes") return std::exchange(step.closes, true) == false;
  if (name == "!noreply") return std::exchange(step.no_reply, true) == false;
  return false;
}

// Parses one non-comment line into `step`; returns the problem, or "" when it is fine.
std::string ParseLine(std::string_view line, Step& step) {
  std::string storage;
  std::vector<std::pair<size_t, size_t>> spans;
  if (!resp::SplitInlineArgs(line, storage, spans)) return "unbalanced quotes";
  bool has_compare = false;
  size_t first = 0;
  // A leading word starting with '!' is a directive; commands never start with one.
  for (; first < spans.size(); ++first) {
    std::string_view word(storage.data() + spans[first].first, spans[first].second);
    if (!word.starts_with('!')) break;
    if (!ApplyDirective(word, step, has_compare)) {
      return "unknown or repeated directive '" + std::string(word) + "'";
    }
  }
  for (size_t i = first; i < spans.size(); ++i) {
    step.args.emplace_back(storage, spans[i].first, spans[i].second);
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
