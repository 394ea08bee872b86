#include "app/contributor/input_cache.h"

#include "engine/sha256.h"

namespace tributary {

InputCache::InputCache(std::uint64_t capacityBytes)
    : m_capacityBytes(capacityBytes)
{
}

grpc::Status InputCache::get(client::NodeClient &client, const std::string &sha256, std::uint64_t expectedSize,
                             std::shared_ptr<const std::string> *blob)
{
    if (auto found = m_entries.find(sha256); found != m_entries.end()) {
        m_recency.splice(m_recency.begin(), m_recency, found->second.second);
        *blob = found->second.first;
        return grpc::Status::OK;
    }
    std::string &data = m_partial[sha256];
    if (const grpc::Status status = client.fetchBlob(sha256, &data); !status.ok())
        return status;
    std::string fetched = std::move(data);
    m_partial.erase(sha256);
    if (fetched.size() != expectedSize)
        return grpc::Status(grpc::StatusCode::DATA_LOSS,
                            "blob " + sha256 + " has " + std::to_string(fetched.size()) + " bytes, expected "
                                + std::to_string(expectedSize));
    if (engine::sha256Hex(std::as_bytes(std::span(fetched.data(), fetched.size()))) != sha256)
        return grpc::Status(grpc::StatusCode::DATA_LOSS, "blob " + sha256 + " does not hash to its name");

    auto shared = std::make_shared<const std::string>(std::move(fetched));
    m_recency.push_front(sha256);
    m_entries.emplace(sha256, std::make_pair(shared, m_recency.begin()));
    m_bytes += shared->size();
    while (m_bytes > m_capacityBytes && m_recency.size() > 1) {
        const std::string oldest = m_recency.back();
        m_recency.pop_back();
        m_bytes -= m_entries[oldest].first->size();
        m_entries.erase(oldest);
    }
    *blob = std::move(shared);
    return grpc::Status::OK;
}

} // namespace tributary
