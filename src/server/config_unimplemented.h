// The Redis 7.0 directives Magnetar does not implement yet, as CONFIG GET shows them: tools read
// settings such as `appendfsync` or `cluster-enabled` to decide how to talk to a server (and
// redis-benchmark warns when it cannot), so each reports the value that describes what Magnetar
// does. For most that is Redis's default; where Magnetar behaves otherwise (it has no dynamic hz,
// for one) the value says so.
#pragma once

#include <span>
#include <string_view>

namespace magnetar::server {

struct UnimplementedDirective {
  std::string_view name;   // lower case, as CONFIG GET * lists it
  std::string_view value;  // as CONFIG GET shows it
};

// Sorted by name.
std::span<const UnimplementedDirective> UnimplementedDirectives();

// The unimplemented directive called `name` (any case), or null.
const UnimplementedDirective* FindUnimplementedDirective(std::string_view name);

}  // namespace magnetar::server
