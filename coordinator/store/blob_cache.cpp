#include "coordinator/store/blob_cache.h"

namespace tributary::coordinator {

using engine::Status;

BlobCache::BlobCache(Store &store, std::uint64_t capacityBytes)
    : m_store(store)
    , m_capacityBytes(capacityBytes)
{
}

Status BlobCache::load(const std::string &sha256, std::shared_ptr<const std::string> *blob)
{
    {
        std::lock_guard lock(m_mutex);
        if (auto found = m_entries.find(sha256); found != m_entries.end()) {
            m_recency.splice(m_recency.begin(), m_recency, found->second.recency);
            *blob = found->second.data;
            return Status::ok();
        }
    }
    // Read outside the lock: two threads may load the same blob once each, which is
    // harmless, and no reader waits on another's disk read.
    std::optional<std::string> data;
    if (auto status = m_store.read([&](StoreTransaction &tx) { return tx.readBlob(sha256, &data); }); !status)
        return status;
    if (!data)
        return Status::error("blob " + sha256 + " is missing");
    auto loaded = std::make_shared<const std::string>(std::move(*data));
    *blob = loaded;
    if (loaded->size() > m_capacityBytes)
        return Status::ok();

    std::lock_guard lock(m_mutex);
    if (m_entries.contains(sha256))
        return Status::ok();
    m_recency.push_front(sha256);
    m_entries.emplace(sha256, Entry{loaded, m_recency.begin()});
    m_bytes += loaded->size();
    while (m_bytes > m_capacityBytes && !m_recency.empty()) {
        auto oldest = m_entries.find(m_recency.back());
        m_bytes -= oldest->second.data->size();
        m_entries.erase(oldest);
        m_recency.pop_back();
    }
    return Status::ok();
}

Status BlobCache::readRanges(const std::string &sha256, std::span<const ByteRange> ranges, std::string *data)
{
    std::shared_ptr<const std::string> blob;
    if (auto status = load(sha256, &blob); !status)
        return status;
    for (const ByteRange &range : ranges) {
        if (range.offset > blob->size() || range.size > blob->size() - range.offset)
            return Status::error("range " + std::to_string(range.offset) + "+" + std::to_string(range.size)
                + " is outside blob " + sha256 + " of " + std::to_string(blob->size()) + " bytes");
        data->append(*blob, range.offset, range.size);
    }
    return Status::ok();
}

} // namespace tributary::coordinator
