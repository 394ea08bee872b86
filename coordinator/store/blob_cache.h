#pragma once

// BlobCache: job inputs held in memory, so that leasing and verifying a tile slices A and
// B from RAM instead of reading them from SQLite range by range. (A large blob lives in
// a chain of overflow pages; reading one column block of B means k small reads, each of
// which walks that chain, which made every task cost milliseconds.)
//
// Blobs are content-addressed and immutable, so a cached copy never goes stale. The
// cache holds at most `capacityBytes`; the least recently used blobs go first. A blob
// larger than the capacity is read from the store each time. Thread-safe.

#include "coordinator/jobs/byte_range.h"
#include "coordinator/store/store.h"
#include "engine/status.h"

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>

namespace tributary::coordinator {

class BlobCache {
public:
    BlobCache(Store &store, std::uint64_t capacityBytes);

    // Appends the bytes of `ranges` of blob `sha256`, in order, to *data.
    engine::Status readRanges(const std::string &sha256, std::span<const ByteRange> ranges, std::string *data);

private:
    engine::Status load(const std::string &sha256, std::shared_ptr<const std::string> *blob);

    struct Entry {
        std::shared_ptr<const std::string> data;
        std::list<std::string>::iterator recency;
    };

    Store &m_store;
    const std::uint64_t m_capacityBytes;
    std::mutex m_mutex;
    std::unordered_map<std::string, Entry> m_entries; // guarded by m_mutex
    std::list<std::string> m_recency;                 // most recent first; guarded by m_mutex
    std::uint64_t m_bytes = 0;                        // guarded by m_mutex
};

} // namespace tributary::coordinator
