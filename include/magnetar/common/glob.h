// Glob matching with Redis's rules (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE): '*', '?',
// '[...]' with '^' negation and 'a-z' ranges, and '\' escaping the next character.
#pragma once

#include <string_view>

namespace magnetar {

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace magnetar
