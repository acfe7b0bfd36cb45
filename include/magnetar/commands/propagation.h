// What a command asks the propagator to send to the AOF and replicas in place of, or besides, the
// command as the client sent it. By default a command that changed data (the keyspace's dirty
// counter moved) is propagated as sent; a command whose effect is not deterministic or depends on
// the time rewrites itself (SET EX -> SET PXAT, INCRBYFLOAT -> SET, GETDEL -> DEL), and one that
// makes several writes lists them (SPOP with a count -> one SREM each). Rewritten commands use
// Redis's upper-case names, as Redis writes them to its AOF.
//
// One Propagation serves one command. Nothing here allocates unless a command rewrites itself
// while something listens (an AOF or a replica): otherwise what it is told is dropped at once.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace magnetar::commands {

class Propagation {
 public:
  explicit Propagation(bool listening = true) : listening_(listening) {}

  // False when nothing will read what this records: a command may skip building its rewrite.
  bool listening() const { return listening_; }

  struct Write {
    size_t db;
    std::vector<std::string> argv;
  };

  // Propagate `argv` instead of the command as sent, if the command changed data.
  void Rewrite(std::initializer_list<std::string_view> argv) { Rewrite(Span(argv)); }
  void Rewrite(std::span<const std::string_view> argv) {
    if (!listening_) return;
    rewritten_ = true;
    rewrite_.assign(argv.begin(), argv.end());
  }
  // Propagate `argv` against database `db` as one write of this command, in call order, ahead of
  // the command's own (rewritten) form unless Prevent() drops that.
  void Also(size_t db, std::initializer_list<std::string_view> argv) { Also(db, Span(argv)); }
  void Also(size_t db, std::span<const std::string_view> argv) {
    if (!listening_) return;
    also_.push_back({db, std::vector<std::string>(argv.begin(), argv.end())});
  }
  // Do not propagate the command itself (its Also() writes still go).
  void Prevent() { prevented_ = true; }

  void Reset() {
    rewritten_ = prevented_ = false;
    rewrite_.clear();
    also_.clear();
  }
  bool rewritten() const { return rewritten_; }
  bool prevented() const { return prevented_; }
  const std::vector<std::string>& rewrite() const { return rewrite_; }
  const std::vector<Write>& also() const { return also_; }

 private:
  static std::span<const std::string_view> Span(std::initializer_list<std::string_view> argv) {
    return {argv.begin(), argv.size()};
  }

  bool listening_;
  bool rewritten_ = false;
  bool prevented_ = false;
  std::vector<std::string> rewrite_;
  std::vector<Write> also_;
};

}  // namespace magnetar::commands
