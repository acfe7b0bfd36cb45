#include "magnetar/server/pubsub.h"

namespace magnetar::server {

size_t PubSub::Publish(std::string_view, std::string_view) { return 0; }

}  // namespace magnetar::server
