#include "magnetar/commands/command_registry.h"

#include <gtest/gtest.h>

#include "server/command_families.h"

namespace magnetar::server {
namespace {

// Find remembers the last name it found: a pipeline repeats one. What it answers must not depend
// on what was asked before.
TEST(CommandRegistryTest, FindAnswersEachNameWhateverCameBefore) {
  commands::CommandRegistry registry;
  RegisterAllCommands(registry);
  commands::RegisteredCommand* get = registry.Find("get");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->spec->name, "get");
  EXPECT_EQ(registry.Find("GET"), get);
  EXPECT_EQ(registry.Find("GET"), get);
  EXPECT_EQ(registry.Find("gEt"), get);
  EXPECT_EQ(registry.Find("GEX"), nullptr);  // same length as the last one found
  EXPECT_EQ(registry.Find("SET")->spec->name, "set");
  EXPECT_EQ(registry.Find("SETX"), nullptr);
  EXPECT_EQ(registry.Find("SE"), nullptr);
  EXPECT_EQ(registry.Find("LPUSH")->spec->name, "lpush");
  EXPECT_EQ(registry.Find("LPUSHX")->spec->name, "lpushx");
  EXPECT_EQ(registry.Find("LPUSH")->spec->name, "lpush");
  // A name longer than what is remembered is found all the same, every time.
  EXPECT_EQ(registry.Find("GEORADIUSBYMEMBER_RO")->spec->name, "georadiusbymember_ro");
  EXPECT_EQ(registry.Find("GEORADIUSBYMEMBER_RO")->spec->name, "georadiusbymember_ro");
  EXPECT_EQ(registry.Find(std::string(40, 'x')), nullptr);
  EXPECT_EQ(registry.Find(""), nullptr);
}

}  // namespace
}  // namespace magnetar::server
