#include "engine/training/shuffle.h"

#include <numeric>
#include <utility>

namespace tributary::engine::training {

std::uint64_t splitmix64(std::uint64_t *state)
{
    std::uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

std::vector<std::int64_t> shuffledIndices(std::int64_t count, std::uint64_t seed)
{
    std::vector<std::int64_t> order(std::size_t(count > 0 ? count : 0));
    std::iota(order.begin(), order.end(), std::int64_t(0));
    std::uint64_t state = seed;
    // The modulo's bias (< 2^-40 for these sizes) does not matter; its determinism does.
    for (std::size_t i = order.size(); i > 1; --i) {
        const std::size_t j = std::size_t(splitmix64(&state) % i);
        std::swap(order[i - 1], order[j]);
    }
    return order;
}

} // namespace tributary::engine::training
