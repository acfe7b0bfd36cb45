// INFO through the dispatcher: sections, their field names and order (as Redis 7.0.15 prints
// them), and the figures that follow what clients did.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "magnetar/server/server.h"
#include "support/fake_connection.h"

namespace magnetar::server {
namespace {

using test_support::BulkPayload;
using test_support::FakeConnection;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

// One INFO reply split into sections: title -> (name, value) lines in order.
using Fields = std::vector<std::pair<std::string, std::string>>;
struct ParsedInfo {
  std::vector<std::string> titles;
  std::map<std::string, Fields> sections;

  std::vector<std::string> Names(const std::string& title) const {
    std::vector<std::string> names;
    for (const auto& [name, value] : sections.at(title)) names.push_back(name);
    return names;
  }
  std::string Value(const std::string& title, const std::string& name) const {
    for (const auto& [field, value] : sections.at(title)) {
      if (field == name) return value;
    }
    return "<missing>";
  }
};

ParsedInfo Parse(std::string_view text) {
  ParsedInfo info;
  std::string title;
  while (!text.empty()) {
    size_t end = text.find("\r\n");
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == text.npos ? text.size() : end + 2);
    if (line.starts_with("# ")) {
      title = line.substr(2);
      info.titles.push_back(title);
      info.sections[title];
    } else if (!line.empty()) {
      size_t colon = line.find(':');
      info.sections[title].emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
  }
  return info;
}

class InfoTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(connection_.Open(server_)); }

  std::string Run(std::initializer_list<std::string_view> args) { return connection_.Run(args); }
  ParsedInfo Info(std::initializer_list<std::string_view> args) {
    return Parse(BulkPayload(Run(args)));
  }

  Server server_{Config{}};
  FakeConnection connection_;
};

TEST_F(InfoTest, DefaultSectionsInRedisOrder) {
  ParsedInfo info = Info({"INFO"});
  EXPECT_THAT(info.titles,
              ElementsAre("Server", "Clients", "Memory", "Persistence", "Stats", "Replication",
                          "CPU", "Modules", "Errorstats", "Cluster", "Keyspace"));
  EXPECT_EQ(Info({"info", "default"}).titles, info.titles);
}

TEST_F(InfoTest, AllAndEverythingAddCommandstatsAndLatencystats) {
  std::vector<std::string> all = {
      "Server",  "Clients",      "Memory",     "Persistence",  "Stats",   "Replication", "CPU",
      "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"};
  EXPECT_EQ(Info({"info", "all"}).titles, all);
  EXPECT_EQ(Info({"info", "EVERYTHING"}).titles, all);
  EXPECT_EQ(Info({"info", "default", "commandstats", "latencystats"}).titles, all);
}

TEST_F(InfoTest, ErrorstatsCountsErrorRepliesByCode) {
  Run({"SET", "s", "v"});
  Run({"INCR", "s"});
  Run({"LPUSH", "s", "x"});
  Run({"GET"});
  std::string text(BulkPayload(Run({"INFO", "errorstats"})));
  EXPECT_EQ(text, "# Errorstats\r\nerrorstat_ERR:count=2\r\nerrorstat_WRONGTYPE:count=1\r\n");
  Run({"CONFIG", "RESETSTAT"});
  EXPECT_EQ(BulkPayload(Run({"INFO", "errorstats"})), "# Errorstats\r\n");
}

TEST_F(InfoTest, SeveralSectionsPrintOnceInRedisOrder) {
  std::string text(BulkPayload(Run({"info", "keyspace", "CPU", "cpu", "nosuchsection"})));
  EXPECT_TRUE(text.starts_with("# CPU\r\nused_cpu_sys:")) << text;
  EXPECT_THAT(text, HasSubstr("\r\n\r\n# Keyspace\r\n"));
  EXPECT_TRUE(text.ends_with("# Keyspace\r\n"));
  EXPECT_EQ(Parse(text).titles, (std::vector<std::string>{"CPU", "Keyspace"}));
}

TEST_F(InfoTest, UnknownSectionIsEmpty) { EXPECT_EQ(Run({"info", "nosuchsection"}), "$0\r\n\r\n"); }

TEST_F(InfoTest, Resp3RepliesWithVerbatimText) {
  Run({"hello", "3"});
  std::string reply = Run({"info", "cluster"});
  EXPECT_EQ(reply, "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
}

TEST_F(InfoTest, ServerSectionFieldsAsRedis) {
  ParsedInfo info = Info({"info", "server"});
  std::vector<std::string> names = info.Names("Server");
  ASSERT_EQ(names.back(), "magnetar_version");
  names.pop_back();
  EXPECT_THAT(names, ElementsAreArray({"redis_version",
                                       "redis_git_sha1",
                                       "redis_git_dirty",
                                       "redis_build_id",
                                       "redis_mode",
                                       "os",
                                       "arch_bits",
                                       "monotonic_clock",
                                       "multiplexing_api",
                                       "atomicvar_api",
                                       "gcc_version",
                                       "process_id",
                                       "process_supervised",
                                       "run_id",
                                       "tcp_port",
                                       "server_time_usec",
                                       "uptime_in_seconds",
                                       "uptime_in_days",
                                       "hz",
                                       "configured_hz",
                                       "lru_clock",
                                       "executable",
                                       "config_file",
                                       "io_threads_active"}));
  EXPECT_EQ(info.Value("Server", "redis_version"), "7.0.15");
  EXPECT_EQ(info.Value("Server", "magnetar_version"), "0.1.0");
  EXPECT_EQ(info.Value("Server", "redis_mode"), "standalone");
  EXPECT_EQ(info.Value("Server", "run_id"), server_.run_id());
  EXPECT_EQ(info.Value("Server", "tcp_port"), std::to_string(server_.config().port));
  EXPECT_EQ(info.Value("Server", "process_id"), std::to_string(getpid()));
}

TEST_F(InfoTest, ClientsSectionCountsConnections) {
  FakeConnection other("127.0.0.1:50001");
  ASSERT_TRUE(other.Open(server_));
  ParsedInfo info = Info({"info", "clients"});
  EXPECT_THAT(info.Names("Clients"),
              ElementsAre("connected_clients", "cluster_connections", "maxclients",
                          "client_recent_max_input_buffer", "client_recent_max_output_buffer",
                          "blocked_clients", "tracking_clients", "clients_in_timeout_table"));
  EXPECT_EQ(info.Value("Clients", "connected_clients"), "2");
  EXPECT_EQ(info.Value("Clients", "maxclients"), "10000");
}

TEST_F(InfoTest, MemorySectionFieldsAsRedis) {
  ParsedInfo info = Info({"info", "memory"});
  EXPECT_THAT(info.Names("Memory"), ElementsAreArray({"used_memory",
                                                      "used_memory_human",
                                                      "used_memory_rss",
                                                      "used_memory_rss_human",
                                                      "used_memory_peak",
                                                      "used_memory_peak_human",
                                                      "used_memory_peak_perc",
                                                      "used_memory_overhead",
                                                      "used_memory_startup",
                                                      "used_memory_dataset",
                                                      "used_memory_dataset_perc",
                                                      "allocator_allocated",
                                                      "allocator_active",
                                                      "allocator_resident",
                                                      "total_system_memory",
                                                      "total_system_memory_human",
                                                      "used_memory_lua",
                                                      "used_memory_vm_eval",
                                                      "used_memory_lua_human",
                                                      "used_memory_scripts_eval",
                                                      "number_of_cached_scripts",
                                                      "number_of_functions",
                                                      "number_of_libraries",
                                                      "used_memory_vm_functions",
                                                      "used_memory_vm_total",
                                                      "used_memory_vm_total_human",
                                                      "used_memory_functions",
                                                      "used_memory_scripts",
                                                      "used_memory_scripts_human",
                                                      "maxmemory",
                                                      "maxmemory_human",
                                                      "maxmemory_policy",
                                                      "allocator_frag_ratio",
                                                      "allocator_frag_bytes",
                                                      "allocator_rss_ratio",
                                                      "allocator_rss_bytes",
                                                      "rss_overhead_ratio",
                                                      "rss_overhead_bytes",
                                                      "mem_fragmentation_ratio",
                                                      "mem_fragmentation_bytes",
                                                      "mem_not_counted_for_evict",
                                                      "mem_replication_backlog",
                                                      "mem_total_replication_buffers",
                                                      "mem_clients_slaves",
                                                      "mem_clients_normal",
                                                      "mem_cluster_links",
                                                      "mem_aof_buffer",
                                                      "mem_allocator",
                                                      "active_defrag_running",
                                                      "lazyfree_pending_objects",
                                                      "lazyfreed_objects"}));
  uint64_t used = std::stoull(info.Value("Memory", "used_memory"));
  EXPECT_GT(used, 0u);
  EXPECT_GE(std::stoull(info.Value("Memory", "used_memory_peak")), used);
  EXPECT_GT(std::stoull(info.Value("Memory", "used_memory_rss")), 0u);
  EXPECT_GT(std::stoull(info.Value("Memory", "total_system_memory")), 0u);
  EXPECT_EQ(info.Value("Memory", "maxmemory_human"), "0B");
  EXPECT_EQ(info.Value("Memory", "maxmemory_policy"), "noeviction");
  EXPECT_TRUE(info.Value("Memory", "used_memory_peak_perc").ends_with("%"));
  std::string allocator = info.Value("Memory", "mem_allocator");
  EXPECT_TRUE(allocator == "jemalloc-5.3.0" || allocator == "libc" || allocator == "asan")
      << allocator;
}

TEST_F(InfoTest, UsedMemoryGrowsWithData) {
  uint64_t before = std::stoull(Info({"info", "memory"}).Value("Memory", "used_memory"));
  std::string big(4 << 20, 'x');
  Run({"set", "big", big});
  uint64_t after = std::stoull(Info({"info", "memory"}).Value("Memory", "used_memory"));
  EXPECT_GE(after, before + big.size());
}

TEST_F(InfoTest, PersistenceAndReplicationReportNoActivity) {
  ParsedInfo info = Info({"info", "persistence", "replication"});
  EXPECT_EQ(info.Names("Persistence").front(), "loading");
  EXPECT_EQ(info.Names("Persistence").size(), 30u);
  EXPECT_EQ(info.Value("Persistence", "loading"), "0");
  EXPECT_EQ(info.Value("Persistence", "aof_enabled"), "0");
  EXPECT_EQ(info.Value("Persistence", "rdb_last_bgsave_status"), "ok");
  EXPECT_EQ(info.Value("Replication", "role"), "master");
  EXPECT_EQ(info.Value("Replication", "connected_slaves"), "0");
  std::string replid = info.Value("Replication", "master_replid");
  EXPECT_EQ(replid.size(), 40u);
  EXPECT_EQ(replid.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(replid, server_.run_id());
}

TEST_F(InfoTest, ChangesSinceLastSaveCountEveryChangeSinceStartup) {
  EXPECT_EQ(Info({"info", "persistence"}).Value("Persistence", "rdb_changes_since_last_save"), "0");
  Run({"set", "a", "1"});
  Run({"mset", "b", "1", "c", "2"});
  Run({"del", "missing"});
  EXPECT_EQ(Info({"info", "persistence"}).Value("Persistence", "rdb_changes_since_last_save"), "3");
}

TEST_F(InfoTest, StatsFollowCommands) {
  Run({"set", "k", "v"});
  Run({"get", "k"});
  Run({"get", "missing"});
  Run({"nosuchcommand"});
  ParsedInfo info = Info({"info", "stats"});
  EXPECT_EQ(info.Names("Stats").size(), 50u);
  EXPECT_EQ(info.Names("Stats").front(), "total_connections_received");
  EXPECT_EQ(info.Value("Stats", "total_connections_received"), "1");
  EXPECT_EQ(info.Value("Stats", "total_commands_processed"), "4");
  EXPECT_EQ(info.Value("Stats", "keyspace_hits"), "1");
  EXPECT_EQ(info.Value("Stats", "keyspace_misses"), "1");
  EXPECT_EQ(info.Value("Stats", "total_error_replies"), "1");
  EXPECT_EQ(info.Value("Stats", "instantaneous_input_kbps"), "0.00");
}

TEST_F(InfoTest, CpuTimesHaveMicroseconds) {
  ParsedInfo info = Info({"info", "cpu"});
  EXPECT_THAT(info.Names("CPU"),
              ElementsAre("used_cpu_sys", "used_cpu_user", "used_cpu_sys_children",
                          "used_cpu_user_children", "used_cpu_sys_main_thread",
                          "used_cpu_user_main_thread"));
  for (const auto& [name, value] : info.sections.at("CPU")) {
    size_t dot = value.find('.');
    ASSERT_NE(dot, std::string::npos) << name;
    EXPECT_EQ(value.size() - dot - 1, 6u) << name << ":" << value;
  }
}

TEST_F(InfoTest, KeyspaceListsOnlyNonEmptyDatabases) {
  EXPECT_EQ(BulkPayload(Run({"info", "keyspace"})), "# Keyspace\r\n");
  Run({"set", "a", "1"});
  Run({"set", "b", "2"});
  Run({"select", "3"});
  Run({"set", "c", "3"});
  EXPECT_EQ(BulkPayload(Run({"info", "keyspace"})),
            "# Keyspace\r\ndb0:keys=2,expires=0,avg_ttl=0\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n");
  Run({"del", "c"});
  EXPECT_EQ(BulkPayload(Run({"info", "keyspace"})),
            "# Keyspace\r\ndb0:keys=2,expires=0,avg_ttl=0\r\n");
}

TEST_F(InfoTest, CommandstatsCountCallsFailuresAndRejections) {
  EXPECT_EQ(BulkPayload(Run({"info", "commandstats"})), "# Commandstats\r\n");
  Run({"get", "k"});
  Run({"get", "k"});
  Run({"client", "kill", "id", "x"});  // runs and fails
  Run({"client", "id", "extra"});      // refused: wrong number of arguments
  Run({"client"});                     // refused on the container itself
  std::string text(BulkPayload(Run({"info", "commandstats"})));
  EXPECT_THAT(text, HasSubstr("\r\ncmdstat_get:calls=2,usec="));
  EXPECT_THAT(text, HasSubstr(",rejected_calls=0,failed_calls=0\r\n"));
  EXPECT_THAT(text, HasSubstr("\r\ncmdstat_client|kill:calls=1,usec="));
  EXPECT_THAT(text, HasSubstr(",rejected_calls=0,failed_calls=1\r\n"));
  EXPECT_THAT(text, HasSubstr("\r\ncmdstat_client|id:calls=0,usec=0,usec_per_call=0.00,"
                              "rejected_calls=1,failed_calls=0\r\n"));
  EXPECT_THAT(text, HasSubstr("\r\ncmdstat_client:calls=0,usec=0,usec_per_call=0.00,"
                              "rejected_calls=1,failed_calls=0\r\n"));
  EXPECT_THAT(text, Not(HasSubstr("cmdstat_set:")));
}

}  // namespace
}  // namespace magnetar::server
