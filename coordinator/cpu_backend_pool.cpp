#include "coordinator/cpu_backend_pool.h"

namespace tributary::coordinator {

namespace {
// The reference device; the engine always lists it.
constexpr const char *kCpuDevice = "cpu:0";
} // namespace

CpuBackendPool::CpuBackendPool(engine::LogCallback log)
    : m_log(std::move(log))
{
}

CpuBackendPool::~CpuBackendPool()
{
    // Backends before the engine that opened them.
    m_idle.clear();
    m_engine.reset();
}

CpuBackendPool::Handle CpuBackendPool::acquire(std::string *error)
{
    std::lock_guard lock(m_mutex);
    if (!m_idle.empty()) {
        auto backend = std::move(m_idle.back());
        m_idle.pop_back();
        return Handle(this, std::move(backend));
    }
    if (!m_engine)
        m_engine = std::make_unique<engine::Engine>(m_log);
    auto backend = m_engine->open(kCpuDevice, error);
    if (!backend)
        return Handle();
    return Handle(this, std::move(backend));
}

void CpuBackendPool::release(std::unique_ptr<engine::Backend> backend)
{
    std::lock_guard lock(m_mutex);
    m_idle.push_back(std::move(backend));
}

} // namespace tributary::coordinator
