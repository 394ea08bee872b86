#pragma once

// InputCache: the job inputs (content-addressed blobs) a contributor has fetched, kept in
// memory so that the many tasks of one job fetch A and B once. Each blob is checked
// against its SHA-256 before it is used; the least recently used go first once the cache
// holds more than its capacity. Used from the contributor's thread only.

#include "app/client/node_client.h"

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

namespace tributary {

class InputCache {
public:
    explicit InputCache(std::uint64_t capacityBytes = std::uint64_t(1) << 30);

    // The blob's bytes, fetched through `client` when not cached. An error names what
    // went wrong (unreachable coordinator, wrong size, wrong digest).
    grpc::Status get(client::NodeClient &client, const std::string &sha256, std::uint64_t expectedSize,
                     std::shared_ptr<const std::string> *blob);

private:
    std::uint64_t m_capacityBytes;
    std::uint64_t m_bytes = 0;
    std::list<std::string> m_recency; // most recent first
    std::unordered_map<std::string, std::pair<std::shared_ptr<const std::string>, std::list<std::string>::iterator>>
        m_entries;
    // A fetch cut off half-way resumes from what arrived.
    std::unordered_map<std::string, std::string> m_partial;
};

} // namespace tributary
