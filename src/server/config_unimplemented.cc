#include "config_unimplemented.h"

#include <algorithm>
#include <string>

#include "config_values.h"

namespace magnetar::server {
namespace {

// The values are those of Redis 7.0.15's `CONFIG GET *` with no configuration file, except where
// a comment says what Magnetar does instead. A directive that becomes implemented moves to the
// directive table (config_directives.cc) and leaves this one; a test checks that no name is in
// both.
constexpr UnimplementedDirective kUnimplemented[] = {
    {"acl-pubsub-default", "resetchannels"},
    {"aclfile", ""},
    {"acllog-max-len", "128"},
    {"active-defrag-cycle-max", "25"},
    {"active-defrag-cycle-min", "1"},
    {"active-defrag-ignore-bytes", "104857600"},
    {"active-defrag-max-scan-fields", "1000"},
    {"active-defrag-threshold-lower", "10"},
    {"active-defrag-threshold-upper", "100"},
    {"active-expire-effort", "1"},
    {"activedefrag", "no"},
    {"activerehashing", "yes"},
    {"always-show-logo", "no"},
    {"aof-disable-auto-gc", "no"},
    {"aof_rewrite_cpulist", ""},
    {"bgsave_cpulist", ""},
    {"bind-source-addr", ""},
    {"bio_cpulist", ""},
    {"busy-reply-threshold", "5000"},
    {"cluster-allow-pubsubshard-when-down", "yes"},
    {"cluster-allow-reads-when-down", "no"},
    {"cluster-allow-replica-migration", "yes"},
    {"cluster-announce-bus-port", "0"},
    {"cluster-announce-hostname", ""},
    {"cluster-announce-ip", ""},
    {"cluster-announce-port", "0"},
    {"cluster-announce-tls-port", "0"},
    {"cluster-config-file", "nodes.conf"},
    {"cluster-enabled", "no"},
    {"cluster-link-sendbuf-limit", "0"},
    {"cluster-migration-barrier", "1"},
    {"cluster-node-timeout", "15000"},
    {"cluster-port", "0"},
    {"cluster-preferred-endpoint-type", "ip"},
    {"cluster-replica-no-failover", "no"},
    {"cluster-replica-validity-factor", "10"},
    {"cluster-require-full-coverage", "yes"},
    {"cluster-slave-no-failover", "no"},
    {"cluster-slave-validity-factor", "10"},
    {"crash-log-enabled", "no"},       // no crash handler prints a stack trace
    {"crash-memcheck-enabled", "no"},  // no memory test after a crash
    {"disable-thp", "no"},             // transparent huge pages are left as the system sets them
    {"dynamic-hz", "no"},              // the cron runs at hz whatever the number of clients
    {"enable-module-command", "no"},
    {"enable-protected-configs", "no"},
    {"ignore-warnings", ""},
    {"io-threads", "1"},
    {"io-threads-do-reads", "no"},
    {"jemalloc-bg-thread", "yes"},
    {"lazyfree-lazy-server-del", "no"},
    {"lazyfree-lazy-user-flush", "no"},
    {"lua-time-limit", "5000"},
    {"maxmemory-clients", "0"},
    {"oom-score-adj", "no"},
    {"oom-score-adj-values", "0 200 800"},
    {"proc-title-template", "{title} {listen-addr} {server-mode}"},
    {"propagation-error-behavior", "ignore"},
    {"repl-disable-tcp-nodelay", "no"},
    {"replica-announced", "yes"},
    {"replica-ignore-disk-write-errors", "no"},
    {"replica-ignore-maxmemory", "yes"},
    {"replica-lazy-flush", "no"},
    {"server_cpulist", ""},
    {"set-proc-title", "no"},  // the process title is left as started
    {"shutdown-on-sigint", "default"},
    {"shutdown-on-sigterm", "default"},
    {"shutdown-timeout", "10"},
    {"slave-ignore-maxmemory", "yes"},
    {"slave-lazy-flush", "no"},
    {"socket-mark-id", "0"},
    {"stream-node-max-bytes", "4096"},
    {"stream-node-max-entries", "100"},
    {"supervised", "no"},
    {"syslog-enabled", "no"},
    {"syslog-facility", "local0"},
    {"syslog-ident", "redis"},
    {"tls-auth-clients", "yes"},
    {"tls-ca-cert-dir", ""},
    {"tls-ca-cert-file", ""},
    {"tls-cert-file", ""},
    {"tls-ciphers", ""},
    {"tls-ciphersuites", ""},
    {"tls-client-cert-file", ""},
    {"tls-client-key-file", ""},
    {"tls-client-key-file-pass", ""},
    {"tls-cluster", "no"},
    {"tls-dh-params-file", ""},
    {"tls-key-file", ""},
    {"tls-key-file-pass", ""},
    {"tls-port", "0"},
    {"tls-prefer-server-ciphers", "no"},
    {"tls-protocols", ""},
    {"tls-replication", "no"},
    {"tls-session-cache-size", "20480"},
    {"tls-session-cache-timeout", "300"},
    {"tls-session-caching", "yes"},
    {"tracking-table-max-keys", "1000000"},
};
static_assert(std::ranges::is_sorted(kUnimplemented, {}, &UnimplementedDirective::name));

}  // namespace

std::span<const UnimplementedDirective> UnimplementedDirectives() { return kUnimplemented; }

const UnimplementedDirective* FindUnimplementedDirective(std::string_view name) {
  std::string lower = LowerCase(name);
  auto found = std::ranges::lower_bound(kUnimplemented, std::string_view(lower), {},
                                        &UnimplementedDirective::name);
  if (found == std::end(kUnimplemented) || found->name != lower) return nullptr;
  return &*found;
}

}  // namespace magnetar::server
