#include "magnetar/commands/arg_parser.h"

#include "magnetar/common/numbers.h"

namespace magnetar::commands {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    // Different bytes are equal ignoring case only as the two cases of one letter.
    unsigned lower = x | 0x20u;
    if ((x ^ y) != 0x20 || lower < 'a' || lower > 'z') return false;
  }
  return true;
}

std::string_view ArgParser::Next() {
  if (!HasNext()) {
    Fail(OpStatus::kSyntaxError);
    return {};
  }
  return args_[pos_++];
}

bool ArgParser::NextIs(std::string_view keyword) {
  if (!HasNext() || !EqualsIgnoreCase(args_[pos_], keyword)) return false;
  ++pos_;
  return true;
}

int64_t ArgParser::NextInt64() {
  std::string_view text = Next();
  if (!ok()) return 0;
  auto value = ParseInt64(text);
  if (!value) Fail(OpStatus::kNotInteger);
  return value.value_or(0);
}

double ArgParser::NextDouble() {
  std::string_view text = Next();
  if (!ok()) return 0;
  auto value = ParseDouble(text);
  if (!value) Fail(OpStatus::kNotFloat);
  return value.value_or(0);
}

void ArgParser::Fail(OpStatus status) {
  if (status_ == OpStatus::kOk) status_ = status;
}

}  // namespace magnetar::commands
