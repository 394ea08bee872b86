#pragma once

// InputCache: the job inputs (content-addressed blobs) a contributor has fetched, so that
// the many tasks of one job fetch A and B once, and a node that restarts does not fetch
// them again.
//
//   InputCache cache(cacheDirectory);
//   std::shared_ptr<const std::string> a;
//   grpc::Status status = cache.get(fetch, sha256, size, &a);
//
// Blobs live in memory (least recently used go first past memoryBytes) and, when a
// directory is given, on disk as files named by their SHA-256 (oldest go first past
// diskBytes). Every blob is checked against its name before it is used, from the network
// or from disk; a damaged file is fetched again. A fetch cut off half-way is kept as
// "<sha256>.part" and resumed from its end. Used from the contributor's thread only.

#include <grpcpp/support/status.h>

#include <QString>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

namespace tributary {

class InputCache {
public:
    // Appends the blob's bytes from data->size() on (NodeClient::fetchBlob).
    using Fetch = std::function<grpc::Status(const std::string &sha256, std::string *data)>;

    explicit InputCache(QString directory = {}, std::uint64_t memoryBytes = std::uint64_t(1) << 30,
                        std::uint64_t diskBytes = std::uint64_t(8) << 30);

    // The blob's bytes, from memory, disk or `fetch`. An error names what went wrong
    // (unreachable coordinator, wrong size, wrong digest).
    grpc::Status get(const Fetch &fetch, const std::string &sha256, std::uint64_t expectedSize,
                     std::shared_ptr<const std::string> *blob);

private:
    std::shared_ptr<const std::string> fromDisk(const std::string &sha256, std::uint64_t expectedSize);
    void remember(const std::string &sha256, std::shared_ptr<const std::string> blob);
    void store(const std::string &sha256, const std::string &data);
    void trimDisk();

    QString m_directory;
    std::uint64_t m_memoryBytes;
    std::uint64_t m_diskBytes;
    std::uint64_t m_bytes = 0;
    std::list<std::string> m_recency; // most recent first
    std::unordered_map<std::string, std::pair<std::shared_ptr<const std::string>, std::list<std::string>::iterator>>
        m_entries;
};

} // namespace tributary
