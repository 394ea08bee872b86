#pragma once

// CpuBackendPool: CPU backends for verifying results on gRPC threads. A Backend is used
// by one thread at a time, and several SubmitResult calls verify at once, so each call
// borrows one and gives it back; the pool grows to the number of concurrent callers.
//
//   std::string error;
//   CpuBackendPool::Handle cpu = pool.acquire(&error);
//   if (!cpu) ... error;
//   cpu->gemm(...);                        // returned to the pool when `cpu` goes
//
// The engine (device discovery) is created on first use, so a coordinator that never
// verifies anything never probes for GPUs.

#include "engine/backend.h"
#include "engine/engine.h"
#include "engine/log.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tributary::coordinator {

class CpuBackendPool {
public:
    explicit CpuBackendPool(engine::LogCallback log);
    ~CpuBackendPool();

    CpuBackendPool(const CpuBackendPool &) = delete;
    CpuBackendPool &operator=(const CpuBackendPool &) = delete;

    class Handle {
    public:
        Handle() = default;
        Handle(CpuBackendPool *pool, std::unique_ptr<engine::Backend> backend)
            : m_pool(pool)
            , m_backend(std::move(backend))
        {
        }
        Handle(Handle &&) = default;
        Handle &operator=(Handle &&) = delete;
        ~Handle()
        {
            if (m_backend)
                m_pool->release(std::move(m_backend));
        }

        explicit operator bool() const { return m_backend != nullptr; }
        engine::Backend *operator->() const { return m_backend.get(); }
        engine::Backend &operator*() const { return *m_backend; }

    private:
        CpuBackendPool *m_pool = nullptr;
        std::unique_ptr<engine::Backend> m_backend;
    };

    // A backend for this thread's exclusive use; empty with *error set when the CPU
    // backend cannot be opened.
    Handle acquire(std::string *error);

private:
    void release(std::unique_ptr<engine::Backend> backend);

    engine::LogCallback m_log;
    std::mutex m_mutex;
    std::unique_ptr<engine::Engine> m_engine;
    std::vector<std::unique_ptr<engine::Backend>> m_idle;
};

} // namespace tributary::coordinator
