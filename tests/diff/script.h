// Differential test scripts (tests/diff/scripts/*.redis): one command per line in redis-cli
// syntax, run against Magnetar and against real Redis with every reply compared byte for byte.
// docs/testing.md describes the format; in short:
//
//   # a comment
//   SET key "two words\x00with a NUL"
//   !shape TIME                compare the reply's types and sizes, not its values
//   !sorted SMEMBERS s         compare the elements in sorted order (hash order differs)
//   !skip CLIENT ID            run it, compare nothing but that both replied
//   !mask=*.0,*.4 SLOWLOG GET  compare the elements at these paths by shape only (volatile fields)
//   !closes QUIT               the server must close the connection after the reply
//   !raw "PING\r\n"            send these bytes as they are (inline commands, bad protocol)
//   !noreply !raw "*2\r\n"     send without reading a reply
//   @2 SUBSCRIBE ch            run on the script's second connection (the first is @1)
//   @2 !read                   send nothing, read the next reply or message on connection 2
//
// Directives come first on a line and may be combined.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace magnetar::diff {

// How a step's replies are held against each other.
enum class Compare { kExact, kShape, kSorted, kSkip };

struct Step {
  int line = 0;      // 1-based line number in the script
  std::string text;  // the line as written, for failure messages
  Compare compare = Compare::kExact;
  bool raw = false;       // args holds one word: bytes to send as they are
  bool closes = false;    // the server must close the connection after replying
  bool no_reply = false;  // send only; a later step reads what follows
  bool read = false;      // send nothing, read one reply (a message pushed to a subscriber)
  int connection = 1;     // which of the script's connections the step uses, from 1
  // Paths into the reply whose elements compare by shape only: indexes into nested aggregates
  // separated by dots, "*" for every element ("*.0": the first element of each top-level one).
  std::vector<std::string> masks;
  std::vector<std::string> args;
};

// Parses a script. On a bad line returns false with `error` naming the line and the problem.
bool ParseScript(std::string_view text, std::vector<Step>& steps, std::string& error);

}  // namespace magnetar::diff
