#include "engine/sha256.h"

#include "engine/sha256_blocks.h"

#include <algorithm>
#include <cstring>

namespace tributary::engine {

namespace {

// FIPS 180-4, section 5.3.3.
constexpr std::array<std::uint32_t, 8> kInitialState = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

constexpr std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

// Chosen once: the SHA extensions where the CPU has them (several times faster; digests
// are the same bits either way, which engine_cpu's test checks).
detail::Sha256BlocksFunction blocksFunction()
{
    static const detail::Sha256BlocksFunction chosen = [] {
        const detail::Sha256BlocksFunction accelerated = detail::sha256BlocksAccelerated();
        return accelerated ? accelerated : &detail::sha256BlocksPortable;
    }();
    return chosen;
}

} // namespace

Sha256::Sha256() : m_state(kInitialState), m_buffer{} {}

void Sha256::update(std::span<const std::byte> data)
{
    const auto *bytes = reinterpret_cast<const std::uint8_t *>(data.data());
    std::size_t size = data.size();
    m_totalBytes += size;

    if (m_bufferSize > 0) {
        const std::size_t take = std::min(size, m_buffer.size() - m_bufferSize);
        std::memcpy(m_buffer.data() + m_bufferSize, bytes, take);
        m_bufferSize += take;
        bytes += take;
        size -= take;
        if (m_bufferSize < m_buffer.size())
            return;
        blocksFunction()(m_state.data(), m_buffer.data(), 1);
        m_bufferSize = 0;
    }
    if (size >= 64) {
        blocksFunction()(m_state.data(), bytes, size / 64);
        bytes += size / 64 * 64;
        size %= 64;
    }
    if (size > 0) {
        std::memcpy(m_buffer.data(), bytes, size);
        m_bufferSize = size;
    }
}

std::array<std::uint8_t, 32> Sha256::finish()
{
    const std::uint64_t totalBits = m_totalBytes * 8;

    // Padding: 0x80, zeros up to 56 mod 64, then the message length in bits, big-endian.
    std::array<std::uint8_t, 72> padding{};
    padding[0] = 0x80;
    const std::size_t zeros = (m_bufferSize < 56) ? 56 - m_bufferSize : 120 - m_bufferSize;
    for (int i = 0; i < 8; ++i)
        padding[zeros + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(totalBits >> (56 - 8 * i));
    update(std::as_bytes(std::span(padding.data(), zeros + 8)));

    std::array<std::uint8_t, 32> digest{};
    for (std::size_t i = 0; i < 8; ++i) {
        for (std::size_t b = 0; b < 4; ++b)
            digest[i * 4 + b] = static_cast<std::uint8_t>(m_state[i] >> (24 - 8 * b));
    }
    // Leave the object ready for a new message rather than in a half-finished state.
    *this = Sha256();
    return digest;
}

namespace {

void compressPortable(std::uint32_t *state, const std::uint8_t *block)
{
    std::array<std::uint32_t, 64> w{};
    for (std::size_t t = 0; t < 16; ++t) {
        w[t] = (std::uint32_t{block[4 * t]} << 24) | (std::uint32_t{block[4 * t + 1]} << 16)
               | (std::uint32_t{block[4 * t + 2]} << 8) | std::uint32_t{block[4 * t + 3]};
    }
    for (std::size_t t = 16; t < 64; ++t) {
        const std::uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        const std::uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }

    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (std::size_t t = 0; t < 64; ++t) {
        const std::uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        const std::uint32_t ch = (e & f) ^ (~e & g);
        const std::uint32_t t1 = h + s1 + ch + detail::kSha256RoundConstants[t] + w[t];
        const std::uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        const std::uint32_t t2 = s0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

} // namespace

namespace detail {

void sha256BlocksPortable(std::uint32_t *state, const std::uint8_t *blocks, std::size_t count)
{
    for (; count > 0; --count, blocks += 64)
        compressPortable(state, blocks);
}

} // namespace detail

std::string sha256Hex(std::span<const std::byte> data)
{
    Sha256 hash;
    hash.update(data);
    const auto digest = hash.finish();
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    text.reserve(64);
    for (std::uint8_t byte : digest) {
        text.push_back(kHex[byte >> 4]);
        text.push_back(kHex[byte & 0xf]);
    }
    return text;
}

} // namespace tributary::engine
