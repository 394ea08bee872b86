#pragma once

// SHA-256, for content addresses and result digests. Results are compared across
// machines by digest, so this is the one hash every component uses.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace tributary::engine {

class Sha256 {
public:
    Sha256();
    void update(std::span<const std::byte> data);
    std::array<std::uint8_t, 32> finish();

private:
    std::array<std::uint32_t, 8> m_state;
    std::array<std::uint8_t, 64> m_buffer;
    std::size_t m_bufferSize = 0;
    std::uint64_t m_totalBytes = 0;
};

// Lower-case hex SHA-256 of a byte range.
std::string sha256Hex(std::span<const std::byte> data);

} // namespace tributary::engine
