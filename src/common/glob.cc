#include "magnetar/common/glob.h"

#include <cctype>
#include <utility>

namespace magnetar {
namespace {

char Fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches one '[...]' class starting after the '['. Advances `p` past the closing ']' (or to the
// end of an unterminated class, which Redis treats as closed there).
bool MatchClass(std::string_view pattern, size_t& p, char c, bool nocase) {
  bool negate = false;
  if (p < pattern.size() && pattern[p] == '^') {
    negate = true;
    ++p;
  }
  bool matched = false;
  while (p < pattern.size() && pattern[p] != ']') {
    if (pattern[p] == '\\' && p + 1 < pattern.size()) {
      ++p;
      if (Fold(pattern[p], nocase) == Fold(c, nocase)) matched = true;
    } else if (p + 2 < pattern.size() && pattern[p + 1] == '-') {
      char lo = Fold(pattern[p], nocase);
      char hi = Fold(pattern[p + 2], nocase);
      if (lo > hi) std::swap(lo, hi);
      char folded = Fold(c, nocase);
      if (folded >= lo && folded <= hi) matched = true;
      p += 2;
    } else if (Fold(pattern[p], nocase) == Fold(c, nocase)) {
      matched = true;
    }
    ++p;
  }
  if (p < pattern.size()) ++p;  // the ']'
  return matched != negate;
}

// Iterative matcher with single-star backtracking: on a mismatch, retry from the last '*' with
// one more character swallowed. Linear in practice and never recursive, so a hostile pattern
// cannot exhaust the stack.
bool Match(std::string_view pattern, std::string_view text, bool nocase) {
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      char pc = pattern[p];
      if (pc == '*') {
        while (p < pattern.size() && pattern[p] == '*') ++p;
        if (p == pattern.size()) return true;
        star_p = p;
        star_t = t;
        continue;
      }
      if (pc == '?') {
        ++p;
        ++t;
        continue;
      }
      if (pc == '[') {
        size_t next = p + 1;
        if (MatchClass(pattern, next, text[t], nocase)) {
          p = next;
          ++t;
          continue;
        }
      } else {
        if (pc == '\\' && p + 1 < pattern.size()) ++p, pc = pattern[p];
        if (Fold(pc, nocase) == Fold(text[t], nocase)) {
          ++p;
          ++t;
          continue;
        }
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase) {
  // Redis's matcher compares while both sides have characters left, so an empty text matches
  // only the empty pattern: not even "*" (KEYS * and SCAN skip matching, so they list an empty
  // key name) nor "**" or "?*".
  if (text.empty()) return pattern.empty();
  return Match(pattern, text, nocase);
}

}  // namespace magnetar
