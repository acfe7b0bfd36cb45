// Finding the script files of a script-driven test (tests/diff/scripts, tests/diff/propagation)
// and naming one test after each.
#pragma once

#include <string>
#include <vector>

namespace magnetar::diff {

// The names of the *.redis scripts in `directory`, without the extension, sorted.
std::vector<std::string> ScriptNames(const std::string& directory);
// A script name as a test name: every byte but letters and digits becomes '_'.
std::string ScriptTestName(std::string name);

}  // namespace magnetar::diff
