#include "coordinator/coordinator.h"

#include "coordinator/blob_cache.h"
#include "coordinator/cpu_backend_pool.h"
#include "coordinator/id_generator.h"
#include "coordinator/job_events.h"
#include "coordinator/job_service.h"
#include "coordinator/node_service.h"
#include "coordinator/sqlite_store.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace tributary::coordinator {

namespace {

// Results and tiles travel in single messages; GemmJob keeps each under half of this.
constexpr int kMaxReceiveMessageBytes = 64 * 1024 * 1024;
// How long shutdown() lets calls in progress finish before cancelling them.
constexpr std::chrono::milliseconds kShutdownGrace { 2000 };

// "host:port" a local client can dial for a server listening on listenAddress: wildcard
// hosts become the loopback address.
std::string dialAddress(const std::string &listenAddress, int port)
{
    std::string host;
    if (!listenAddress.empty() && listenAddress.front() == '[') {
        host = listenAddress.substr(0, listenAddress.find(']') + 1);
    } else if (const auto colon = listenAddress.rfind(':'); colon != std::string::npos) {
        host = listenAddress.substr(0, colon);
    }
    if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::" || host == "[::0]")
        host = "127.0.0.1";
    return host + ":" + std::to_string(port);
}

} // namespace

class CoordinatorImpl {
public:
    explicit CoordinatorImpl(CoordinatorOptions options);
    ~CoordinatorImpl();

    engine::Status start();
    int port() const;
    std::string address() const;
    void shutdown();
    void wait();

private:
    void log(engine::LogLevel level, const std::string &message) const
    {
        if (m_options.log)
            m_options.log(level, message);
    }

    const CoordinatorOptions m_options;
    const std::shared_ptr<Clock> m_clock;
    JobEvents m_events;
    IdGenerator m_ids;
    CpuBackendPool m_cpu;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<BlobCache> m_inputs;
    std::unique_ptr<NodeService> m_nodeService;
    std::unique_ptr<JobService> m_jobService;
    std::unique_ptr<grpc::Server> m_server;

    // start() and shutdown() run one at a time; m_stateMutex guards what wait() and the
    // getters read.
    std::mutex m_lifecycleMutex;
    mutable std::mutex m_stateMutex;
    std::condition_variable m_stoppedChanged;
    bool m_started = false;
    bool m_stopped = false;
    int m_port = 0;
    std::string m_address;
};

CoordinatorImpl::CoordinatorImpl(CoordinatorOptions options)
    : m_options(std::move(options))
    , m_clock(m_options.clock ? m_options.clock : std::make_shared<SystemClock>())
    , m_cpu(m_options.log)
{
}

CoordinatorImpl::~CoordinatorImpl()
{
    shutdown();
}

engine::Status CoordinatorImpl::start()
{
    std::lock_guard lifecycle(m_lifecycleMutex);
    {
        std::lock_guard lock(m_stateMutex);
        if (m_started || m_stopped)
            return engine::Status::error("a coordinator can be started only once");
    }
    if (m_options.leaseDuration.count() <= 0 || m_options.leaseDuration.count() > UINT32_MAX)
        return engine::Status::error("lease duration must be between 1 ms and 2^32 - 1 ms");
    if (m_options.maxAttempts < 1)
        return engine::Status::error("maxAttempts must be at least 1");

    std::unique_ptr<SqliteStore> store;
    if (auto status = SqliteStore::open(m_options.databasePath, &store); !status)
        return status;
    m_store = std::move(store);
    m_inputs = std::make_unique<BlobCache>(*m_store, m_options.inputCacheBytes);

    const ServiceContext context { *m_store, *m_inputs, *m_clock, m_events, m_cpu, m_ids, m_options.log,
        m_options.leaseDuration, static_cast<std::uint32_t>(m_options.maxAttempts) };
    m_nodeService = std::make_unique<NodeService>(context);
    m_jobService = std::make_unique<JobService>(context);

    int selectedPort = 0;
    grpc::ServerBuilder builder;
    // TLS comes later; until then the coordinator is meant for loopback and trusted LANs.
    builder.AddListeningPort(m_options.listenAddress, grpc::InsecureServerCredentials(), &selectedPort);
    builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
    // Without this, a second coordinator on the same port would silently share it.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.RegisterService(m_nodeService.get());
    builder.RegisterService(m_jobService.get());
    m_server = builder.BuildAndStart();
    if (!m_server || selectedPort == 0) {
        if (m_server)
            m_server->Shutdown();
        m_server.reset();
        m_jobService.reset();
        m_nodeService.reset();
        m_store.reset();
        return engine::Status::error("cannot listen on " + m_options.listenAddress);
    }

    {
        std::lock_guard lock(m_stateMutex);
        m_started = true;
        m_port = selectedPort;
        m_address = dialAddress(m_options.listenAddress, selectedPort);
    }
    log(engine::LogLevel::Info,
        "listening on " + m_options.listenAddress + " (port " + std::to_string(selectedPort) + "), database "
            + m_options.databasePath);
    return engine::Status::ok();
}

int CoordinatorImpl::port() const
{
    std::lock_guard lock(m_stateMutex);
    return m_port;
}

std::string CoordinatorImpl::address() const
{
    std::lock_guard lock(m_stateMutex);
    return m_address;
}

void CoordinatorImpl::shutdown()
{
    std::lock_guard lifecycle(m_lifecycleMutex);
    {
        std::lock_guard lock(m_stateMutex);
        if (m_stopped)
            return;
    }
    // Watchers first: they would otherwise hold the server's Shutdown for a whole poll.
    m_events.shutdown();
    if (m_server) {
        m_server->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
        m_server->Wait();
        log(engine::LogLevel::Info, "stopped");
    }
    // The server before the services it calls, the services before the store they use.
    m_server.reset();
    m_jobService.reset();
    m_nodeService.reset();
    m_store.reset();
    {
        std::lock_guard lock(m_stateMutex);
        m_stopped = true;
        m_port = 0;
    }
    m_stoppedChanged.notify_all();
}

void CoordinatorImpl::wait()
{
    std::unique_lock lock(m_stateMutex);
    m_stoppedChanged.wait(lock, [this] { return m_stopped; });
}

Coordinator::Coordinator(CoordinatorOptions options)
    : m_impl(std::make_unique<CoordinatorImpl>(std::move(options)))
{
}

Coordinator::~Coordinator() = default;

engine::Status Coordinator::start()
{
    return m_impl->start();
}

int Coordinator::port() const
{
    return m_impl->port();
}

std::string Coordinator::address() const
{
    return m_impl->address();
}

void Coordinator::shutdown()
{
    m_impl->shutdown();
}

void Coordinator::wait()
{
    m_impl->wait();
}

} // namespace tributary::coordinator
