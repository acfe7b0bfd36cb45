#include "magnetar/resp/request_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace magnetar::resp {
namespace {

using ::testing::ElementsAre;

using Request = std::vector<std::string>;

// Feeds `stream` to a parser the way a connection does: bytes arrive in chunks of `chunk` bytes,
// every complete request is taken out, consumed bytes are dropped from the front.
struct Feed {
  std::vector<Request> requests;
  std::string error;
};

Feed FeedStream(const std::string& stream, size_t chunk, const ParserLimits& limits = {}) {
  RequestParser parser(limits);
  Feed feed;
  std::string buffer;
  size_t sent = 0;
  while (sent < stream.size() || !buffer.empty()) {
    if (sent < stream.size()) {
      size_t n = std::min(chunk, stream.size() - sent);
      buffer.append(stream, sent, n);
      sent += n;
    }
    while (true) {
      ParseStatus status = parser.Parse(buffer);
      if (status == ParseStatus::kNeedMore) break;
      if (status == ParseStatus::kError) {
        feed.error = parser.error();
        return feed;
      }
      auto args = parser.args();
      if (!args.empty()) feed.requests.emplace_back(args.begin(), args.end());
      buffer.erase(0, parser.consumed());
    }
    if (sent == stream.size()) break;
  }
  return feed;
}

TEST(RequestParserTest, PipelinedStreamSplitAtEveryByte) {
  const std::string stream =
      "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n"  // a value containing CRLF
      "PING\r\n"
      "*1\r\n$4\r\nPING\r\n"
      "*0\r\n"  // an empty request is skipped
      "ECHO \"a b\"\n"
      "*2\r\n$3\r\nGET\r\n$0\r\n\r\n";
  const std::vector<Request> expected = {
      {"SET", "key", "va\r\nl"}, {"PING"}, {"PING"}, {"ECHO", "a b"}, {"GET", ""}};
  for (size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    Feed feed = FeedStream(stream, chunk);
    EXPECT_EQ(feed.error, "") << "chunk " << chunk;
    EXPECT_EQ(feed.requests, expected) << "chunk " << chunk;
  }
}

TEST(RequestParserTest, InlineQuotingAndEscapes) {
  Feed feed = FeedStream("SET \"a\\x41\\n\" 'it\\'s' plain\r\n  \r\n", 1024);
  ASSERT_EQ(feed.error, "");
  ASSERT_EQ(feed.requests.size(), 1u);
  EXPECT_THAT(feed.requests[0], ElementsAre("SET", "aA\n", "it's", "plain"));
}

TEST(RequestParserTest, InlineWithoutCarriageReturn) {
  EXPECT_THAT(FeedStream("PING\nPING\n", 3).requests,
              ElementsAre(Request{"PING"}, Request{"PING"}));
}

TEST(RequestParserTest, UnbalancedQuotes) {
  EXPECT_EQ(FeedStream("SET \"a b\r\n", 64).error,
            "ERR Protocol error: unbalanced quotes in request");
  EXPECT_EQ(FeedStream("SET 'a\r\n", 64).error, "ERR Protocol error: unbalanced quotes in request");
  // A closing quote must be followed by a space.
  EXPECT_EQ(FeedStream("SET \"a\"b\r\n", 64).error,
            "ERR Protocol error: unbalanced quotes in request");
}

TEST(RequestParserTest, ExpectedDollar) {
  EXPECT_EQ(FeedStream("*2\r\nx\r\n", 64).error, "ERR Protocol error: expected '$', got 'x'");
}

TEST(RequestParserTest, InvalidMultibulkLength) {
  EXPECT_EQ(FeedStream("*abc\r\n", 64).error, "ERR Protocol error: invalid multibulk length");
  EXPECT_EQ(FeedStream("*2147483648\r\n", 64).error,
            "ERR Protocol error: invalid multibulk length");
}

TEST(RequestParserTest, HugeMultibulkCountWaitsForArguments) {
  ParserLimits limits;
  RequestParser parser(limits);
  EXPECT_EQ(parser.Parse("*10000000\r\n$4\r\nPING\r\n"), ParseStatus::kNeedMore);
}

TEST(RequestParserTest, QueryBufferLimitCountsUnparsedBytesAndWholeBulks) {
  ParserLimits limits;
  limits.max_query_buffer = 64;
  RequestParser parser(limits);
  // Many small complete arguments do not add up...
  std::string many = "*100\r\n";
  for (int i = 0; i < 50; ++i) many += "$3\r\nabc\r\n";
  EXPECT_EQ(parser.Parse(many), ParseStatus::kNeedMore);
  // ...but one bulk longer than the limit does, as soon as its header is seen.
  RequestParser big(limits);
  EXPECT_EQ(big.Parse("*2\r\n$3\r\nGET\r\n$63\r\n"), ParseStatus::kOverflow);
  // And so does an unfinished line.
  RequestParser line(limits);
  EXPECT_EQ(line.Parse("*1\r\n$" + std::string(70, '1')), ParseStatus::kOverflow);
}

// A request that arrives whole takes a shortcut through the parser; it must decide everything
// exactly as the incremental path does for the same bytes arriving one at a time.
TEST(RequestParserTest, WholeRequestsParseAsIncrementalOnes) {
  ParserLimits limits;
  limits.max_bulk_len = 1000;
  const std::vector<std::string> streams = {
      "*2\r\n$3\r\nGET\r\n$0\r\n\r\n",
      "*1\r\n$03\r\nGET\r\n",
      "*01\r\n$3\r\nGET\r\n",
      "*+1\r\n$3\r\nGET\r\n",
      "*1\r\n$+3\r\nGET\r\n",
      "*1\r\n$1001\r\n" + std::string(1001, 'x') + "\r\n",
      "*1\r\n$1000\r\n" + std::string(1000, 'x') + "\r\n",
      "*1\r\n$0000000003\r\nGET\r\n",
      "*1000000000\r\n$3\r\nGET\r\n",
      "*2\r\n$3\r\nGET\r\n:3\r\nkey\r\n",
      "*1\r\n$3 \r\nGET\r\n",
      "*1\r\n$3\r\nGETxx*1\r\n$4\r\nPING\r\n",
      "*1\r\n$3\n\nGET\r\n",
  };
  for (const std::string& stream : streams) {
    Feed whole = FeedStream(stream, stream.size(), limits);
    Feed split = FeedStream(stream, 1, limits);
    EXPECT_EQ(whole.error, split.error) << stream;
    EXPECT_EQ(whole.requests, split.requests) << stream;
  }
}

TEST(RequestParserTest, NulByteHidesTheLineEnd) {
  ParserLimits limits;
  RequestParser parser(limits);
  EXPECT_EQ(parser.Parse(std::string_view("PI\0NG\r\n", 8)), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.Parse(std::string_view("*1\0\r\n", 6)), ParseStatus::kNeedMore);
}

TEST(RequestParserTest, InvalidBulkLength) {
  EXPECT_EQ(FeedStream("*1\r\n$1099511627776\r\n", 64).error,
            "ERR Protocol error: invalid bulk length");
  EXPECT_EQ(FeedStream("*1\r\n$-1\r\n", 64).error, "ERR Protocol error: invalid bulk length");
  ParserLimits small;
  small.max_bulk_len = 10;
  EXPECT_EQ(FeedStream("*1\r\n$11\r\n", 64, small).error,
            "ERR Protocol error: invalid bulk length");
  EXPECT_EQ(FeedStream("*1\r\n$10\r\n0123456789\r\n", 64, small).requests.size(), 1u);
}

TEST(RequestParserTest, TooBigInlineAndHeaders) {
  ParserLimits limits;
  limits.max_inline_len = 16;
  EXPECT_EQ(FeedStream(std::string(17, 'a'), 64, limits).error,
            "ERR Protocol error: too big inline request");
  EXPECT_EQ(FeedStream("*" + std::string(17, '1'), 64, limits).error,
            "ERR Protocol error: too big mbulk count string");
  EXPECT_EQ(FeedStream("*1\r\n$" + std::string(17, '1'), 64, limits).error,
            "ERR Protocol error: too big bulk count string");
}

TEST(RequestParserTest, UnauthenticatedLimits) {
  ParserLimits limits;
  RequestParser parser(limits);
  parser.set_auth_required(true);
  EXPECT_EQ(parser.Parse("*11\r\n"), ParseStatus::kError);
  EXPECT_EQ(parser.error(), "ERR Protocol error: unauthenticated multibulk length");
  EXPECT_EQ(parser.Parse("*1\r\n$16385\r\n"), ParseStatus::kError);
  EXPECT_EQ(parser.error(), "ERR Protocol error: unauthenticated bulk length");
  EXPECT_EQ(parser.Parse("*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"), ParseStatus::kRequest);
}

TEST(RequestParserTest, BytesWantedAnnouncesBigBulk) {
  ParserLimits limits;
  RequestParser parser(limits);
  EXPECT_EQ(parser.Parse("*1\r\n$1000\r\nab"), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.bytes_wanted(), 4u + 7u + 1000u + 2u);
}

TEST(SplitInlineArgsTest, EmbeddedNulEndsTheLine) {
  std::string storage;
  std::vector<std::pair<size_t, size_t>> spans;
  ASSERT_TRUE(SplitInlineArgs(std::string_view("a b\0c", 5), storage, spans));
  EXPECT_EQ(spans.size(), 2u);
}

// Parses the front of `buffer` the way a connection runs a request, and takes it out.
Request RunFront(RequestParser& parser, std::string_view& buffer) {
  EXPECT_EQ(parser.Parse(buffer), ParseStatus::kRequest);
  auto args = parser.args();
  buffer.remove_prefix(parser.consumed());
  return Request(args.begin(), args.end());
}

TEST(RequestParserLookAheadTest, RequestsLookedAtRunWithTheArgumentsOfAFreshParse) {
  const std::string batch =
      "*3\r\n$5\r\nLPUSH\r\n$6\r\nmylist\r\n$3\r\nxxx\r\n"
      "*2\r\n$3\r\nGET\r\n$0\r\n\r\n"
      "*1\r\n$4\r\nPING\r\n"
      "PING\r\n"  // inline: the look-ahead stops here
      "*1\r\n$4\r\nPING\r\n";
  const ParserLimits limits;
  RequestParser parser(limits);
  ASSERT_EQ(parser.LookAhead(batch, 16), 3u);
  EXPECT_THAT(parser.looked_ahead(1), ElementsAre("GET", ""));
  EXPECT_EQ(parser.looked_ahead_bytes(), batch.find("PING\r\n*1"));
  std::string_view rest = batch;
  EXPECT_THAT(RunFront(parser, rest), ElementsAre("LPUSH", "mylist", "xxx"));
  EXPECT_THAT(RunFront(parser, rest), ElementsAre("GET", ""));
  EXPECT_THAT(RunFront(parser, rest), ElementsAre("PING"));
  EXPECT_THAT(RunFront(parser, rest), ElementsAre("PING"));
  EXPECT_THAT(RunFront(parser, rest), ElementsAre("PING"));
  EXPECT_TRUE(rest.empty());
}

TEST(RequestParserLookAheadTest, AtMostTheCountAskedForIsLookedAt) {
  std::string batch;
  for (int i = 0; i < 5; ++i) batch += "*1\r\n$4\r\nPING\r\n";
  const ParserLimits limits;
  RequestParser parser(limits);
  EXPECT_EQ(parser.LookAhead(batch, 2), 2u);
  EXPECT_EQ(parser.looked_ahead_bytes(), 2 * batch.size() / 5);
}

// A request passed from another address than where it was looked at is parsed afresh: what is
// there now is what runs.
TEST(RequestParserLookAheadTest, BytesElsewhereAreParsedAfresh) {
  std::string batch = "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n";
  const ParserLimits limits;
  RequestParser parser(limits);
  ASSERT_EQ(parser.LookAhead(batch, 16), 2u);
  std::string moved = "*2\r\n$3\r\nGET\r\n$1\r\nc\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n";
  std::string_view rest = moved;
  EXPECT_THAT(RunFront(parser, rest), ElementsAre("GET", "c"));
  EXPECT_THAT(RunFront(parser, rest), ElementsAre("GET", "b"));
  // Dropped: the original bytes are parsed afresh too.
  batch[batch.size() - 3] = 'z';
  rest = std::string_view(batch).substr(batch.size() / 2);
  EXPECT_THAT(RunFront(parser, rest), ElementsAre("GET", "z"));
}

// A request looked at while its size was allowed runs under the limits of the moment it runs:
// a client that must authenticate again may not send 11 arguments.
TEST(RequestParserLookAheadTest, LimitsThatChangedMeanAFreshParse) {
  std::string eleven = "*11\r\n";
  for (int i = 0; i < 11; ++i) eleven += "$1\r\nx\r\n";
  const std::string batch = "*1\r\n$4\r\nPING\r\n" + eleven;
  const ParserLimits limits;
  RequestParser parser(limits);
  ASSERT_EQ(parser.LookAhead(batch, 16), 2u);
  std::string_view rest = batch;
  EXPECT_THAT(RunFront(parser, rest), ElementsAre("PING"));
  parser.set_auth_required(true);
  EXPECT_EQ(parser.Parse(rest), ParseStatus::kError);
  EXPECT_EQ(parser.error(), "ERR Protocol error: unauthenticated multibulk length");

  ParserLimits changing;
  RequestParser bulk_parser(changing);
  const std::string gets = "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$5\r\nabcde\r\n";
  ASSERT_EQ(bulk_parser.LookAhead(gets, 16), 2u);
  rest = gets;
  EXPECT_THAT(RunFront(bulk_parser, rest), ElementsAre("GET", "a"));
  changing.max_bulk_len = 4;  // CONFIG SET proto-max-bulk-len
  EXPECT_EQ(bulk_parser.Parse(rest), ParseStatus::kError);
  EXPECT_EQ(bulk_parser.error(), "ERR Protocol error: invalid bulk length");
}

TEST(RequestParserLookAheadTest, NothingIsLookedAtWhileARequestIsHalfParsed) {
  const ParserLimits limits;
  RequestParser parser(limits);
  EXPECT_EQ(parser.Parse("*2\r\n$3\r\nGET\r\n"), ParseStatus::kNeedMore);
  const std::string rest = "*2\r\n$3\r\nGET\r\n$1\r\na\r\n";
  EXPECT_EQ(parser.LookAhead(rest, 16), 0u);
}

}  // namespace
}  // namespace magnetar::resp
