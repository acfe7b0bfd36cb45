// GET /metrics: the server's figures in Prometheus's text format (0.0.4), under the names that
// prometheus-redis-exporter gives them, so that dashboards built on the exporter work unchanged.
// Like the exporter, it reads INFO's fields (every section, from the same writers INFO uses), so
// both report the same counters; SLOWLOG, LATENCY LATEST and CONFIG figures come from the same
// state their commands read. Magnetar adds one family the exporter lacks:
// redis_command_latency_seconds, a histogram of each command's durations (latency-tracking).
#pragma once

#include <string>

namespace magnetar::server {

class Server;

std::string RenderPrometheusMetrics(Server& server);

}  // namespace magnetar::server
