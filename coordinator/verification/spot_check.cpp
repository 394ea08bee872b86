#include "coordinator/verification/spot_check.h"

#include <algorithm>

namespace tributary::coordinator {

double spotCheckProbability(double p, std::uint32_t verifiedStreak)
{
    if (verifiedStreak < kTrustedStreak)
        return p;
    return std::max(p * double(kTrustedStreak) / double(verifiedStreak), p / 10.0);
}

double spotCheckDraw(std::string_view taskId, std::uint32_t attempt)
{
    // FNV-1a over the id, then splitmix64's finaliser to spread the bits.
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (char c : taskId) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ull;
    }
    hash ^= attempt;
    hash += 0x9e3779b97f4a7c15ull;
    hash = (hash ^ (hash >> 30)) * 0xbf58476d1ce4e5b9ull;
    hash = (hash ^ (hash >> 27)) * 0x94d049bb133111ebull;
    hash ^= hash >> 31;
    return double(hash >> 11) * 0x1.0p-53;
}

} // namespace tributary::coordinator
