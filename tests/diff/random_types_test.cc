// Seeded random command sequences over lists, hashes, sets, sorted sets and HyperLogLogs, sent to
// magnetar-server and
// redis-server alike, every reply compared. The scripts in tests/diff/scripts check chosen cases;
// these find the ones nobody thought of: a command on a value that an earlier random command left
// in an unusual state, an encoding conversion in the middle of a sequence, WRONGTYPE from every
// command (the commands pick keys of other types and a string key now and then).
//
// Both servers run with small encoding limits (16 set members, hash fields or sorted-set members,
// 16-byte hash values and members, 4 elements per list node) so that short sequences cross them, up
// by adding and back by DEL and rebuild, and OBJECT ENCODING is among the commands. Members are
// small integers, words, longer strings and integer edge cases, so intsets meet non-integers.
//
// Replies that Redis itself leaves to chance are compared by the rules in docs/testing.md
// ("Random command sequences"): hash-table order is sorted, random picks are compared by shape
// and checked for membership on Magnetar, and SPOP's victims are compared by shape and then made
// the same on Magnetar, so the two servers hold the same data again for the next command.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "comparison.h"
#include "magnetar/common/numbers.h"
#include "support/resp_client.h"
#include "support/resp_reply.h"
#include "support/server_process.h"

namespace magnetar::diff {
namespace {

using test_support::Escape;
using test_support::RespClient;
using test_support::ServerKind;
using test_support::ServerProcess;
using test_support::SplitReply;

constexpr int kCommandsPerSeed = 2500;
// Commands printed before a difference, to show how the keys got there.
constexpr size_t kContextCommands = 12;

// How a command's replies are compared.
enum class Rule {
  kExact,
  // Elements in the key's own order, which for Redis's hashtable encoding is its hash order:
  // compared sorted when Redis reports the key as "hashtable", exactly otherwise.
  kKeyOrder,
  // kKeyOrder for a flat RESP2 field/value array (HGETALL): sorted as pairs.
  kKeyOrderPairs,
  // A set computed from several keys (SINTER, SUNION, SDIFF): always sorted.
  kSorted,
  // SRANDMEMBER, HRANDFIELD: the shape, then each element must be in the key on Magnetar.
  kRandomMembers,
  kRandomFields,
  // SPOP: the shape, then Magnetar's set is given Redis's members.
  kPop,
};

struct Command {
  Command() = default;
  Command(std::vector<std::string> command_args, Rule command_rule = Rule::kExact,
          std::string rule_key = {})
      : args(std::move(command_args)), rule(command_rule), key(std::move(rule_key)) {}

  std::vector<std::string> args;
  Rule rule = Rule::kExact;
  std::string key;  // the key the rule concerns
};

class Generator {
 public:
  explicit Generator(uint32_t seed) : random_(seed) {}

  Command Next() {
    using Make = Command (Generator::*)();
    // Writes that add come more often than those that remove, so values grow past the limits.
    static constexpr Make kMakers[] = {
        &Generator::Push,       &Generator::Push,        &Generator::Push,
        &Generator::ListPop,    &Generator::ListRead,    &Generator::ListRead,
        &Generator::ListEdit,   &Generator::ListMove,    &Generator::HashSet,
        &Generator::HashSet,    &Generator::HashSet,     &Generator::HashDel,
        &Generator::HashRead,   &Generator::HashRead,    &Generator::HashIncr,
        &Generator::HashRandom, &Generator::SetAdd,      &Generator::SetAdd,
        &Generator::SetAdd,     &Generator::SetRemove,   &Generator::SetRead,
        &Generator::SetRead,    &Generator::SetRandom,   &Generator::SetAlgebra,
        &Generator::ZSetAdd,    &Generator::ZSetAdd,     &Generator::ZSetIncr,
        &Generator::ZSetRemove, &Generator::ZSetRead,    &Generator::ZSetRead,
        &Generator::ZSetRange,  &Generator::ZSetAlgebra, &Generator::HyperLogLog,
        &Generator::Generic,    &Generator::Generic,     &Generator::Generic,
    };
    return (this->*kMakers[Uniform(0, std::size(kMakers) - 1)])();
  }

 private:
  int64_t Uniform(int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random_);
  }
  bool Chance(double probability) {
    return std::uniform_real_distribution<double>(0, 1)(random_) < probability;
  }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Uniform(0, N - 1)];
  }

  static constexpr std::string_view kAllKeys[] = {"list:a", "list:b", "hash:a", "hash:b",
                                                  "set:a",  "set:b",  "set:c",  "zset:a",
                                                  "zset:b", "pf:a",   "pf:b",   "str"};

  // A key of the wanted family most of the time, else any key: another type or the string.
  std::string Key(std::string_view family) {
    if (Chance(0.05)) return std::string(Pick(kAllKeys));
    int copies = family == "set" ? 3 : 2;
    return fmt::format("{}:{}", family, static_cast<char>('a' + Uniform(0, copies - 1)));
  }

  // What a member, field or value may be. Most writes use plain ones, so values stay in their
  // compact encodings for a while; a few bring in what converts them.
  enum class Kind { kAny, kPlain, kInteger };

  std::string Member(Kind kind = Kind::kAny) {
    if (kind == Kind::kInteger) return std::to_string(Uniform(0, 40));
    if (kind == Kind::kPlain) {
      return Chance(0.5) ? std::to_string(Uniform(0, 40))
                         : std::string(1, static_cast<char>('a' + Uniform(0, 11)));
    }
    static constexpr std::string_view kEdges[] = {"-1",
                                                  "01",
                                                  "1.5",
                                                  "-0",
                                                  "9223372036854775807",
                                                  "-9223372036854775808",
                                                  "9223372036854775808",
                                                  "",
                                                  " 1",
                                                  "0x10"};
    double draw = std::uniform_real_distribution<double>(0, 1)(random_);
    if (draw < 0.45) return std::to_string(Uniform(0, 40));
    if (draw < 0.75) return std::string(1, static_cast<char>('a' + Uniform(0, 11)));
    if (draw < 0.85) return fmt::format("a-value-longer-than-16-bytes-{}", Uniform(0, 5));
    return std::string(Pick(kEdges));
  }

  // Mostly counts the commands accept, sometimes one they refuse.
  std::string Count() {
    static constexpr std::string_view kCounts[] = {"0", "1", "2", "3", "5", "20"};
    static constexpr std::string_view kOdd[] = {"-1", "-3", "-20", "x", "99999999999999999999"};
    return std::string(Chance(0.8) ? Pick(kCounts) : Pick(kOdd));
  }

  std::string Index() { return std::to_string(Uniform(-8, 8)); }

  void AddMembers(Command& command, int most, Kind kind = Kind::kAny) {
    int n = static_cast<int>(Uniform(Chance(0.05) ? 0 : 1, most));
    for (int i = 0; i < n; ++i) command.args.push_back(Member(kind));
  }

  Command Push() {
    static constexpr std::string_view kNames[] = {"LPUSH", "RPUSH",  "LPUSH",
                                                  "RPUSH", "LPUSHX", "RPUSHX"};
    Command command{{std::string(Pick(kNames)), Key("list")}};
    AddMembers(command, 6);
    return command;
  }

  Command ListPop() {
    Command command{{Chance(0.5) ? "LPOP" : "RPOP", Key("list")}};
    if (Chance(0.5)) command.args.push_back(Count());
    return command;
  }

  Command ListRead() {
    std::string key = Key("list");
    switch (Uniform(0, 3)) {
      case 0:
        return {{"LLEN", key}};
      case 1:
        return {{"LINDEX", key, Index()}};
      case 2:
        return {{"LRANGE", key, Index(), Chance(0.3) ? "-1" : Index()}};
      default: {
        Command command{{"LPOS", key, Member()}};
        if (Chance(0.4)) command.args.insert(command.args.end(), {"RANK", Count()});
        if (Chance(0.4)) command.args.insert(command.args.end(), {"COUNT", Count()});
        if (Chance(0.3)) command.args.insert(command.args.end(), {"MAXLEN", Count()});
        return command;
      }
    }
  }

  Command ListEdit() {
    std::string key = Key("list");
    switch (Uniform(0, 3)) {
      case 0:
        return {{"LSET", key, Index(), Member()}};
      case 1:
        return {{"LINSERT", key, Chance(0.5) ? "BEFORE" : "AFTER", Member(), Member()}};
      case 2:
        return {{"LREM", key, Count(), Member()}};
      default:
        // Mostly wide ranges, so a trim does not empty the list every time.
        return {{"LTRIM", key, std::to_string(Uniform(-3, 2)), std::to_string(Uniform(-1, 30))}};
    }
  }

  Command ListMove() {
    auto end = [this] { return std::string(Chance(0.5) ? "LEFT" : "RIGHT"); };
    switch (Uniform(0, 2)) {
      case 0:
        return {{"LMOVE", Key("list"), Key("list"), end(), end()}};
      case 1:
        return {{"RPOPLPUSH", Key("list"), Key("list")}};
      default: {
        Command command{{"LMPOP", "2", Key("list"), Key("list"), end()}};
        if (Chance(0.5)) command.args.insert(command.args.end(), {"COUNT", Count()});
        return command;
      }
    }
  }

  Command HashSet() {
    static constexpr std::string_view kNames[] = {"HSET", "HSET", "HMSET", "HSETNX"};
    Command command{{std::string(Pick(kNames)), Key("hash")}};
    int pairs = command.args[0] == "HSETNX" ? 1 : static_cast<int>(Uniform(1, 5));
    Kind kind = Chance(0.9) ? Kind::kPlain : Kind::kAny;
    for (int i = 0; i < pairs; ++i) {
      command.args.insert(command.args.end(), {Member(kind), Member(kind)});
    }
    return command;
  }

  Command HashDel() {
    Command command{{"HDEL", Key("hash")}};
    AddMembers(command, 4);
    return command;
  }

  Command HashRead() {
    std::string key = Key("hash");
    switch (Uniform(0, 7)) {
      case 0:
        return {{"HGET", key, Member()}};
      case 1: {
        Command command{{"HMGET", key}};
        AddMembers(command, 4);
        return command;
      }
      case 2:
        return {{"HLEN", key}};
      case 3:
        return {{"HSTRLEN", key, Member()}};
      case 4:
        return {{"HEXISTS", key, Member()}};
      case 5:
        return {{"HKEYS", key}, Rule::kKeyOrder, key};
      case 6:
        return {{"HVALS", key}, Rule::kKeyOrder, key};
      default:
        return {{"HGETALL", key}, Rule::kKeyOrderPairs, key};
    }
  }

  Command HashIncr() {
    static constexpr std::string_view kFloats[] = {"1.5", "-0.25", "1e3", "x", "inf", "3"};
    if (Chance(0.5)) return {{"HINCRBY", Key("hash"), Member(), std::to_string(Uniform(-5, 5))}};
    return {{"HINCRBYFLOAT", Key("hash"), Member(), std::string(Pick(kFloats))}};
  }

  Command HashRandom() {
    std::string key = Key("hash");
    Command command{{"HRANDFIELD", key}, Rule::kRandomFields, key};
    if (Chance(0.7)) command.args.push_back(Count());
    if (command.args.size() == 3 && Chance(0.4)) command.args.push_back("WITHVALUES");
    return command;
  }

  Command SetAdd() {
    Command command{{"SADD", Key("set")}};
    AddMembers(command, 8, Chance(0.9) ? Kind::kInteger : Kind::kAny);
    return command;
  }

  Command SetRemove() {
    switch (Uniform(0, 2)) {
      case 0: {
        Command command{{"SREM", Key("set")}};
        AddMembers(command, 4);
        return command;
      }
      case 1:
        return {{"SMOVE", Key("set"), Key("set"), Member()}};
      default: {
        std::string key = Key("set");
        Command command{{"SPOP", key}, Rule::kPop, key};
        if (Chance(0.6)) command.args.push_back(Count());
        return command;
      }
    }
  }

  Command SetRead() {
    std::string key = Key("set");
    switch (Uniform(0, 3)) {
      case 0:
        return {{"SCARD", key}};
      case 1:
        return {{"SISMEMBER", key, Member()}};
      case 2: {
        Command command{{"SMISMEMBER", key}};
        AddMembers(command, 4);
        return command;
      }
      default:
        return {{"SMEMBERS", key}, Rule::kKeyOrder, key};
    }
  }

  Command SetRandom() {
    std::string key = Key("set");
    Command command{{"SRANDMEMBER", key}, Rule::kRandomMembers, key};
    if (Chance(0.7)) command.args.push_back(Count());
    return command;
  }

  Command SetAlgebra() {
    static constexpr std::string_view kReads[] = {"SINTER", "SUNION", "SDIFF"};
    static constexpr std::string_view kStores[] = {"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"};
    int keys = static_cast<int>(Uniform(1, 3));
    Command command;
    switch (Uniform(0, 2)) {
      case 0:
        command = {{std::string(Pick(kReads))}, Rule::kSorted};
        break;
      case 1:
        command = {{std::string(Pick(kStores)), Key("set")}};
        break;
      default:
        command = {{"SINTERCARD", std::to_string(keys)}};
        break;
    }
    for (int i = 0; i < keys; ++i) command.args.push_back(Key("set"));
    if (command.args[0] == "SINTERCARD" && Chance(0.5)) {
      command.args.insert(command.args.end(), {"LIMIT", Count()});
    }
    return command;
  }

  // A sorted set's score: mostly small integers, sometimes fractions, infinities or exponents, now
  // and then one that is refused.
  std::string Score() {
    static constexpr std::string_view kScores[] = {"1.5", "-2.25", "-inf", "+inf", "inf", "1e2"};
    static constexpr std::string_view kOdd[] = {"x", "nan", "(1", ""};
    if (Chance(0.02)) return std::string(Pick(kOdd));
    return Chance(0.8) ? std::to_string(Uniform(-5, 20)) : std::string(Pick(kScores));
  }

  // A score range's end: inclusive or exclusive, infinite, or malformed.
  std::string ScoreBound() {
    static constexpr std::string_view kBounds[] = {"-inf", "+inf",  "(1",  "(5",
                                                   "(2.5", "(-inf", "1.5", "x"};
    return Chance(0.6) ? std::to_string(Uniform(-3, 15)) : std::string(Pick(kBounds));
  }

  // Lex ranges are defined only over members of one score (Redis leaves the rest unspecified), so
  // the lex commands use a set of their own whose members all score 0. No other command touches
  // it; its range deletions empty it now and then.
  static constexpr std::string_view kLexKey = "zset:lex";

  // A lexicographic range's end.
  std::string LexBound() {
    static constexpr std::string_view kBounds[] = {"-",  "+",  "[a", "(a", "[c", "(f",
                                                   "[1", "(3", "[",  "a",  "[z", "(1"};
    return std::string(Pick(kBounds));
  }

  Command ZSetAdd() {
    static constexpr std::string_view kFlags[] = {"NX", "XX", "GT", "LT", "CH", "INCR"};
    if (Chance(0.25)) {
      Command command{{"ZADD", std::string(kLexKey)}};
      for (int i = static_cast<int>(Uniform(1, 4)); i > 0; --i) {
        command.args.insert(command.args.end(), {"0", Member()});
      }
      return command;
    }
    Command command{{"ZADD", Key("zset")}};
    if (Chance(0.3)) command.args.push_back(std::string(Pick(kFlags)));
    if (Chance(0.1)) command.args.push_back(std::string(Pick(kFlags)));
    int pairs = static_cast<int>(Uniform(1, 4));
    Kind kind = Chance(0.9) ? Kind::kPlain : Kind::kAny;
    for (int i = 0; i < pairs; ++i)
      command.args.insert(command.args.end(), {Score(), Member(kind)});
    return command;
  }

  Command ZSetIncr() { return {{"ZINCRBY", Key("zset"), Score(), Member(Kind::kPlain)}}; }

  Command ZSetRemove() {
    std::string key = Key("zset");
    switch (Uniform(0, 5)) {
      case 0: {
        Command command{{"ZREM", key}};
        AddMembers(command, 4, Kind::kPlain);
        return command;
      }
      case 1:
        return {{"ZREMRANGEBYRANK", key, Index(), Index()}};
      case 2:
        return {{"ZREMRANGEBYSCORE", key, ScoreBound(), ScoreBound()}};
      case 3:
        return {{"ZREMRANGEBYLEX", std::string(kLexKey), LexBound(), LexBound()}};
      case 4: {
        Command command{{Chance(0.5) ? "ZPOPMIN" : "ZPOPMAX", key}};
        if (Chance(0.5)) command.args.push_back(Count());
        return command;
      }
      default: {
        Command command{{"ZMPOP", "2", key, Key("zset"), Chance(0.5) ? "MIN" : "MAX"}};
        if (Chance(0.5)) command.args.insert(command.args.end(), {"COUNT", Count()});
        return command;
      }
    }
  }

  Command ZSetRead() {
    std::string key = Key("zset");
    switch (Uniform(0, 6)) {
      case 0:
        return {{"ZSCORE", key, Member(Kind::kPlain)}};
      case 1: {
        Command command{{"ZMSCORE", key}};
        AddMembers(command, 3, Kind::kPlain);
        return command;
      }
      case 2:
        return {{Chance(0.5) ? "ZRANK" : "ZREVRANK", key, Member(Kind::kPlain)}};
      case 3:
        return {{"ZCARD", key}};
      case 4:
        return {{"ZCOUNT", key, ScoreBound(), ScoreBound()}};
      case 5:
        return {{"ZLEXCOUNT", std::string(kLexKey), LexBound(), LexBound()}};
      default:
        return {{"ZSCORE", key, Member()}};
    }
  }

  // ZRANGE in its forms, and the older range commands.
  Command ZSetRange() {
    std::string key = Key("zset");
    Command command;
    switch (Uniform(0, 4)) {
      case 0:
        command = {{"ZRANGE", key, Index(), Index()}};
        break;
      case 1:
        command = {{"ZRANGE", key, ScoreBound(), ScoreBound(), "BYSCORE"}};
        break;
      case 2:
        command = {{"ZRANGE", std::string(kLexKey), LexBound(), LexBound(), "BYLEX"}};
        break;
      case 3:
        command = {
            {Chance(0.5) ? "ZRANGEBYSCORE" : "ZREVRANGEBYSCORE", key, ScoreBound(), ScoreBound()}};
        break;
      default:
        command = {{Chance(0.5) ? "ZRANGEBYLEX" : "ZREVRANGEBYLEX", std::string(kLexKey),
                    LexBound(), LexBound()}};
        break;
    }
    if (command.args[0] == "ZRANGE" && Chance(0.3)) command.args.push_back("REV");
    if (Chance(0.3)) command.args.insert(command.args.end(), {"LIMIT", Index(), Count()});
    if (!command.args[0].ends_with("LEX") && Chance(0.4)) command.args.push_back("WITHSCORES");
    return command;
  }

  Command ZSetAlgebra() {
    static constexpr std::string_view kReads[] = {"ZUNION", "ZINTER", "ZDIFF"};
    static constexpr std::string_view kStores[] = {"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"};
    static constexpr std::string_view kAggregates[] = {"SUM", "MIN", "MAX"};
    int keys = static_cast<int>(Uniform(1, 3));
    Command command;
    switch (Uniform(0, 3)) {
      case 0:
        command = {{std::string(Pick(kReads)), std::to_string(keys)}};
        break;
      case 1:
        command = {{std::string(Pick(kStores)), Key("zset"), std::to_string(keys)}};
        break;
      case 2:
        command = {{"ZINTERCARD", std::to_string(keys)}};
        break;
      default:
        return {{"ZRANGESTORE", Key("zset"), Key("zset"), Index(), Index()}};
    }
    // A set among the inputs counts each member with score 1.
    for (int i = 0; i < keys; ++i) command.args.push_back(Chance(0.15) ? Key("set") : Key("zset"));
    const bool diff = command.args[0].starts_with("ZDIFF");
    if (command.args[0] == "ZINTERCARD") {
      if (Chance(0.5)) command.args.insert(command.args.end(), {"LIMIT", Count()});
      return command;
    }
    if (!diff && Chance(0.3)) {
      command.args.push_back("WEIGHTS");
      for (int i = 0; i < keys; ++i) command.args.push_back(std::to_string(Uniform(-2, 3)));
    }
    if (!diff && Chance(0.3)) {
      command.args.insert(command.args.end(), {"AGGREGATE", std::string(Pick(kAggregates))});
    }
    if (!command.args[0].ends_with("STORE") && Chance(0.5)) command.args.push_back("WITHSCORES");
    return command;
  }

  // The keys written are HyperLogLog keys only: one created elsewhere would answer OBJECT ENCODING
  // by its history in Redis (see Generic). The keys read may be of any type.
  Command HyperLogLog() {
    auto target = [this] { return fmt::format("pf:{}", Chance(0.5) ? 'a' : 'b'); };
    switch (Uniform(0, 3)) {
      case 0:
      case 1: {
        Command command{{"PFADD", target()}};
        AddMembers(command, 6);
        return command;
      }
      case 2:
        return {{"PFCOUNT", Key("pf"), Key("pf")}};
      default:
        return {{"PFMERGE", target(), Key("pf"), Key("pf")}};
    }
  }

  Command Generic() {
    std::string key(Pick(kAllKeys));
    switch (Uniform(0, 5)) {
      case 0:
      case 1:
        // A HyperLogLog's string encoding follows its history in Redis, its length here
        // (docs/compatibility.md).
        if (key.starts_with("pf:")) return {{"TYPE", key}};
        return {{"OBJECT", "ENCODING", key}};
      case 2:
        return {{"TYPE", key}};
      case 3:
      case 4:
        // Each key goes every few hundred commands: values grow past the limits first, then
        // start small again.
        return {{Chance(0.5) ? "DEL" : "UNLINK", key}};
      default:
        if (Chance(0.5)) return {{"SET", Chance(0.95) ? "str" : key, Member()}};
        return {{Chance(0.5) ? "GET" : "EXISTS", key}};
    }
  }

  std::mt19937 random_;
};

// The payload of a bulk string reply element.
std::string Text(std::string_view element) {
  size_t end = element.find("\r\n");
  return std::string(element.substr(end + 2, element.size() - end - 4));
}

// The strings a reply names: one for a bulk, each element of an aggregate (of a RESP3 pair, its
// first); `pairs` takes every other element of a flat field/value array.
std::vector<std::string> Names(std::string_view reply, bool pairs) {
  if (reply[0] == '$')
    return reply.starts_with("$-1") ? std::vector<std::string>{} : std::vector{Text(reply)};
  if (!test_support::IsAggregate(reply[0])) return {};
  std::vector<std::string> names;
  std::vector<std::string_view> elements = SplitReply(reply).elements;
  for (size_t i = 0; i < elements.size(); i += pairs ? 2 : 1) {
    std::string_view element = elements[i];
    names.push_back(element[0] == '*' ? Text(SplitReply(element).elements[0]) : Text(element));
  }
  return names;
}

bool AllIntegers(const std::vector<std::string>& members) {
  return std::all_of(members.begin(), members.end(),
                     [](const std::string& member) { return ParseInt64(member).has_value(); });
}

class RandomTypesTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  void SetUp() override {
    if (test_support::ServerBinary(ServerKind::kRedis).empty()) {
      GTEST_SKIP() << "redis-server is not installed (set REDIS_SERVER to its path)";
    }
    std::string error;
    magnetar_ = ServerProcess::Start({.kind = ServerKind::kMagnetar, .directives = {}}, error);
    ASSERT_NE(magnetar_, nullptr) << error;
    redis_ = ServerProcess::Start({.kind = ServerKind::kRedis, .directives = {}}, error);
    ASSERT_NE(redis_, nullptr) << error;
    ASSERT_TRUE(ours_.Connect(magnetar_->port())) << ours_.error();
    ASSERT_TRUE(theirs_.Connect(redis_->port())) << theirs_.error();
    for (RespClient* client : {&ours_, &theirs_}) {
      ASSERT_EQ(client->Call({"CONFIG", "SET", "set-max-intset-entries", "16",
                              "hash-max-listpack-entries", "16", "hash-max-listpack-value", "16",
                              "zset-max-listpack-entries", "16", "zset-max-listpack-value", "16",
                              "list-max-listpack-size", "4"}),
                "+OK\r\n");
    }
  }

  void TearDown() override {
    if (magnetar_) {
      EXPECT_TRUE(magnetar_->Alive())
          << "magnetar-server " << magnetar_->ExitDescription() << "; log:\n"
          << magnetar_->LogTail();
    }
  }

  static std::string Call(RespClient& client, const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    return client.Call(views);
  }

  // Holds the two replies to `command` against each other by its rule; "" when they agree, else
  // what differs. May send Magnetar more commands (membership checks, SPOP's repair).
  std::string Check(const Command& command, const std::string& ours, const std::string& theirs) {
    switch (command.rule) {
      case Rule::kExact:
        return ours == theirs ? "" : "byte for byte";
      case Rule::kKeyOrder:
      case Rule::kKeyOrderPairs: {
        if (ours == theirs) return "";
        if (Call(theirs_, {"OBJECT", "ENCODING", command.key}) != "$9\r\nhashtable\r\n") {
          return "in the key's order (Redis's encoding is ordered)";
        }
        bool pairs = command.rule == Rule::kKeyOrderPairs;
        return SortedReply(ours, pairs) == SortedReply(theirs, pairs) ? "" : "sorted";
      }
      case Rule::kSorted:
        return SortedReply(ours) == SortedReply(theirs) ? "" : "sorted";
      case Rule::kRandomMembers:
      case Rule::kRandomFields: {
        if (ReplyShape(ours) != ReplyShape(theirs)) return "by shape";
        bool fields = command.rule == Rule::kRandomFields;
        // WITHVALUES: RESP2 flattens the pairs, RESP3 nests them (Names takes their fields).
        bool pairs = fields && command.args.size() == 4 && !resp3_;
        std::vector<std::string> names = Names(ours, pairs);
        if (names.empty()) return "";
        std::vector<std::string> check{fields ? "HMGET" : "SMISMEMBER", command.key};
        check.insert(check.end(), names.begin(), names.end());
        std::string found = Call(ours_, check);
        bool missing = found.find(fields ? "$-1\r\n" : ":0\r\n") != std::string::npos ||
                       found.find("_\r\n") != std::string::npos;
        return missing ? "Magnetar picked an element the key does not hold" : "";
      }
      case Rule::kPop: {
        if (ReplyShape(ours) != ReplyShape(theirs)) return "by shape";
        std::vector<std::string> mine = Names(ours, false), redis = Names(theirs, false);
        std::sort(mine.begin(), mine.end());
        std::sort(redis.begin(), redis.end());
        if (mine == redis) return "";
        // Whether the members that stayed are all integers decides the encoding when Redis
        // rebuilds the set; it is chance only when that differs between the two.
        const bool alike = AllIntegers(Names(Call(ours_, {"SMEMBERS", command.key}), false)) ==
                           AllIntegers(Names(Call(theirs_, {"SMEMBERS", command.key}), false));
        std::vector<std::string> remove{"SREM", command.key}, add{"SADD", command.key};
        std::set_difference(redis.begin(), redis.end(), mine.begin(), mine.end(),
                            std::back_inserter(remove));
        std::set_difference(mine.begin(), mine.end(), redis.begin(), redis.end(),
                            std::back_inserter(add));
        const std::vector<std::string> encoding{"OBJECT", "ENCODING", command.key};
        // An intset loses members first, so that it does not grow past its limit on the way; a
        // hashtable gains them first, since removing every member it kept would delete the key
        // and the SADD would create a new set in a new encoding.
        const bool intset = Call(ours_, encoding) == "$6\r\nintset\r\n";
        if (!intset && add.size() > 2) Call(ours_, add);
        if (remove.size() > 2) Call(ours_, remove);
        if (intset && add.size() > 2) Call(ours_, add);
        const std::string their_encoding = Call(theirs_, encoding);
        if (Call(ours_, encoding) == their_encoding) return "";
        if (alike) return "by the encoding the pop left (the members that stayed are alike)";
        if (their_encoding == "$6\r\nintset\r\n") {
          std::vector<std::string> rebuild{"SADD", command.key};
          std::vector<std::string> members = Names(Call(theirs_, {"SMEMBERS", command.key}), false);
          rebuild.insert(rebuild.end(), members.begin(), members.end());
          Call(ours_, {"DEL", command.key});
          Call(ours_, rebuild);
        } else {
          Call(ours_, {"SADD", command.key, "not-an-integer"});
          Call(ours_, {"SREM", command.key, "not-an-integer"});
        }
        return "";
      }
    }
    return "";
  }

  std::unique_ptr<ServerProcess> magnetar_, redis_;
  RespClient ours_{std::chrono::seconds(5)}, theirs_{std::chrono::seconds(5)};
  bool resp3_ = false;
};

TEST_P(RandomTypesTest, RepliesMatchRedis) {
  const uint32_t seed = GetParam();
  // Odd seeds speak RESP3, where maps, sets and doubles have their own types.
  if (seed % 2 == 1) {
    ASSERT_EQ(ReplyShape(Call(ours_, {"HELLO", "3"})), ReplyShape(Call(theirs_, {"HELLO", "3"})));
    resp3_ = true;
  }
  Generator generator(seed);
  std::deque<std::string> recent;
  for (int i = 0; i < kCommandsPerSeed; ++i) {
    Command command = generator.Next();
    const std::string ours = Call(ours_, command.args);
    const std::string theirs = Call(theirs_, command.args);
    std::string text;
    for (const std::string& arg : command.args) text += " \"" + Escape(arg) + "\"";
    std::string difference = Check(command, ours, theirs);
    if (!difference.empty()) {
      std::string context;
      for (const std::string& line : recent) context += "\n   " + line;
      // The two servers no longer hold the same data, so what follows would only repeat this.
      FAIL() << "seed " << seed << ", command #" << i << ":" << text << "\n  compared "
             << difference << "\n  magnetar: \"" << Escape(ours) << "\"\n  redis:    \""
             << Escape(theirs) << "\"\n  after:" << context;
    }
    recent.push_back(text);
    if (recent.size() > kContextCommands) recent.pop_front();
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomTypesTest, ::testing::Range(1u, 9u),
                         [](const ::testing::TestParamInfo<uint32_t>& info) {
                           return fmt::format("seed{}", info.param);
                         });

}  // namespace
}  // namespace magnetar::diff
