#include "coordinator/id_generator.h"

#include <cinttypes>
#include <cstdio>

namespace tributary::coordinator {

IdGenerator::IdGenerator()
{
    std::random_device device;
    std::seed_seq seed { device(), device(), device(), device() };
    m_random.seed(seed);
}

std::string IdGenerator::next(std::string_view prefix)
{
    std::uint64_t value = 0;
    {
        std::lock_guard lock(m_mutex);
        value = m_random();
    }
    char digits[17];
    std::snprintf(digits, sizeof digits, "%016" PRIx64, value);
    std::string id(prefix);
    id += '-';
    id += digits;
    return id;
}

} // namespace tributary::coordinator
