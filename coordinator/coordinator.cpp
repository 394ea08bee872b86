#include "coordinator/coordinator.h"

#include "coordinator/accounts.h"
#include "coordinator/cpu_backend_pool.h"
#include "coordinator/id_generator.h"
#include "coordinator/jobs/job_kinds.h"
#include "coordinator/services/account_service.h"
#include "coordinator/services/blob_service.h"
#include "coordinator/services/job_events.h"
#include "coordinator/services/job_service.h"
#include "coordinator/services/ledger_service.h"
#include "coordinator/services/node_service.h"
#include "coordinator/store/blob_cache.h"
#include "coordinator/store/sqlite_store.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace tributary::coordinator {

namespace {

// Results and tiles travel in single messages; GemmJob keeps each under half of this.
constexpr int kMaxReceiveMessageBytes = 64 * 1024 * 1024;
// How long shutdown() lets calls in progress finish before cancelling them.
constexpr std::chrono::milliseconds kShutdownGrace { 2000 };

std::string hostOf(const std::string &address)
{
    if (!address.empty() && address.front() == '[')
        return address.substr(0, address.find(']') + 1);
    if (const auto colon = address.rfind(':'); colon != std::string::npos)
        return address.substr(0, colon);
    return address;
}

// "host:port" a local client can dial for a server listening on listenAddress: wildcard
// hosts become the loopback address.
std::string dialAddress(const std::string &listenAddress, int port)
{
    std::string host = hostOf(listenAddress);
    if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::" || host == "[::0]")
        host = "127.0.0.1";
    return host + ":" + std::to_string(port);
}

bool isLoopback(const std::string &listenAddress)
{
    const std::string host = hostOf(listenAddress);
    return host == "localhost" || host.starts_with("127.") || host == "[::1]";
}

engine::Status readFile(const std::string &path, std::string *text)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return engine::Status::error("cannot read " + path);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    *text = buffer.str();
    return engine::Status::ok();
}

} // namespace

class CoordinatorImpl {
public:
    explicit CoordinatorImpl(CoordinatorOptions options);
    ~CoordinatorImpl();

    engine::Status start();
    int port() const;
    std::string address() const;
    engine::Status createAccount(const std::string &name, bool isAdmin, std::string *accountId, std::string *token);
    void shutdown();
    void wait();

private:
    void log(engine::LogLevel level, const std::string &message) const
    {
        if (m_options.log)
            m_options.log(level, message);
    }
    engine::Status ensureAdministrator();
    engine::Status serverCredentials(std::shared_ptr<grpc::ServerCredentials> *credentials) const;
    void sweepLoop();

    const CoordinatorOptions m_options;
    const std::shared_ptr<Clock> m_clock;
    JobEvents m_events;
    IdGenerator m_ids;
    CpuBackendPool m_cpu;
    JobKinds m_kinds;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<BlobCache> m_inputs;
    std::unique_ptr<Authenticator> m_auth;
    std::unique_ptr<Scheduler> m_scheduler;
    std::unique_ptr<Verifier> m_verifier;
    std::unique_ptr<NodeService> m_nodeService;
    std::unique_ptr<JobService> m_jobService;
    std::unique_ptr<AccountService> m_accountService;
    std::unique_ptr<LedgerService> m_ledgerService;
    std::unique_ptr<BlobService> m_blobService;
    std::unique_ptr<grpc::Server> m_server;
    std::thread m_sweeper;

    // start() and shutdown() run one at a time; m_stateMutex guards what wait(), the
    // getters and the sweeper read.
    std::mutex m_lifecycleMutex;
    mutable std::mutex m_stateMutex;
    std::condition_variable m_stoppedChanged;
    bool m_started = false;
    bool m_stopping = false;
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

engine::Status CoordinatorImpl::serverCredentials(std::shared_ptr<grpc::ServerCredentials> *credentials) const
{
    const bool wantsTls = !m_options.tlsCertPath.empty() || !m_options.tlsKeyPath.empty();
    if (!wantsTls) {
        if (!isLoopback(m_options.listenAddress) && !m_options.allowInsecure)
            return engine::Status::error("listening on " + m_options.listenAddress
                + " without TLS would send tokens in the clear: give --tls-cert and --tls-key, or --insecure on a "
                  "trusted network");
        *credentials = grpc::InsecureServerCredentials();
        return engine::Status::ok();
    }
    if (m_options.tlsCertPath.empty() || m_options.tlsKeyPath.empty())
        return engine::Status::error("TLS needs both a certificate (--tls-cert) and a private key (--tls-key)");
    grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
    if (auto status = readFile(m_options.tlsCertPath, &pair.cert_chain); !status)
        return engine::Status::error("TLS certificate: " + status.message());
    if (auto status = readFile(m_options.tlsKeyPath, &pair.private_key); !status)
        return engine::Status::error("TLS private key: " + status.message());
    if (pair.cert_chain.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
        return engine::Status::error("TLS certificate " + m_options.tlsCertPath + " is not a PEM certificate");
    if (pair.private_key.find("PRIVATE KEY-----") == std::string::npos)
        return engine::Status::error("TLS private key " + m_options.tlsKeyPath + " is not a PEM private key");
    grpc::SslServerCredentialsOptions options;
    options.pem_key_cert_pairs.push_back(std::move(pair));
    *credentials = grpc::SslServerCredentials(options);
    return engine::Status::ok();
}

engine::Status CoordinatorImpl::ensureAdministrator()
{
    if (m_options.adminTokenFile.empty())
        return engine::Status::ok();
    std::string existing;
    if (readFile(m_options.adminTokenFile, &existing)) {
        while (!existing.empty() && (existing.back() == '\n' || existing.back() == '\r'))
            existing.pop_back();
        std::optional<AccountRecord> account;
        const std::string hash = Authenticator::tokenHash(existing);
        if (auto status = m_store->read([&](StoreTransaction &tx) { return tx.findAccountByToken(hash, &account); });
            !status)
            return status;
        if (account && account->isAdmin)
            return engine::Status::ok();
        return engine::Status::error("the token in " + m_options.adminTokenFile
            + " is not an administrator's token of this database; remove the file to create a new administrator");
    }
    AccountRecord admin;
    std::string token;
    if (auto status = coordinator::createAccount(*m_store, m_ids, "admin-" + m_ids.next("a").substr(2, 8), true,
            m_options.initialGrantUnits, m_clock->nowMs(), &admin, &token);
        !status)
        return status;
    // Created 0600 from the start: the token is never readable by others, not even briefly.
    const int fd = ::open(m_options.adminTokenFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const std::string line = token + "\n";
    const bool written = fd >= 0 && ::write(fd, line.data(), line.size()) == ssize_t(line.size());
    if (fd >= 0)
        ::close(fd);
    if (!written)
        return engine::Status::error("cannot write the administrator's token to " + m_options.adminTokenFile);
    log(engine::LogLevel::Info, "created administrator " + admin.name + "; its token is in " + m_options.adminTokenFile);
    return engine::Status::ok();
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
    std::shared_ptr<grpc::ServerCredentials> credentials;
    if (auto status = serverCredentials(&credentials); !status)
        return status;

    std::unique_ptr<SqliteStore> store;
    if (auto status = SqliteStore::open(m_options.databasePath, &store); !status)
        return status;
    m_store = std::move(store);
    if (auto status = ensureAdministrator(); !status)
        return status;
    m_inputs = std::make_unique<BlobCache>(*m_store, m_options.inputCacheBytes);
    m_auth = std::make_unique<Authenticator>(*m_store);
    const RetryBackoff backoff { m_options.retryBackoffBase, m_options.retryBackoffMax };
    m_scheduler = std::make_unique<Scheduler>(SchedulerOptions { m_options.leaseDuration, backoff });
    VerifierOptions verifierOptions;
    verifierOptions.backoff = backoff;
    JobKindContext kindContext { *m_inputs, m_cpu };
    const auto kindOf = [this](const JobRecord &job) -> const JobKind * { return m_kinds.forJob(job); };
    verifierOptions.assemble = [kindOf, kindContext](StoreTransaction &tx, JobRecord &job) mutable {
        const JobKind *kind = kindOf(job);
        return kind ? kind->assemble(tx, kindContext, job) : engine::Status::error("job " + job.id + " has unknown kind " + job.kind);
    };
    verifierOptions.resultsAgree = [kindOf](StoreTransaction &tx, const JobRecord &job, const AttemptRecord &a,
                                       const AttemptRecord &b, bool *agree) {
        const JobKind *kind = kindOf(job);
        return kind ? kind->resultsAgree(tx, job, a, b, agree) : engine::Status::error("job " + job.id + " has unknown kind " + job.kind);
    };
    verifierOptions.taskAccepted = [kindOf, kindContext](StoreTransaction &tx, JobRecord &job, const TaskRecord &task,
                                       std::int64_t nowMs) mutable {
        const JobKind *kind = kindOf(job);
        return kind ? kind->taskAccepted(tx, kindContext, job, task, nowMs) : engine::Status::error("job " + job.id + " has unknown kind " + job.kind);
    };
    m_verifier = std::make_unique<Verifier>(std::move(verifierOptions));

    ServiceLimits limits;
    limits.defaultMaxAttempts = static_cast<std::uint32_t>(m_options.maxAttempts);
    limits.maxBlobBytes = m_options.maxBlobBytes;
    limits.initialGrantUnits = m_options.initialGrantUnits;
    const ServiceContext context { *m_store, *m_inputs, *m_clock, m_events, m_cpu, m_ids, *m_auth, *m_scheduler,
        *m_verifier, m_kinds, limits, m_options.log };
    m_nodeService = std::make_unique<NodeService>(context);
    m_jobService = std::make_unique<JobService>(context);
    m_accountService = std::make_unique<AccountService>(context);
    m_ledgerService = std::make_unique<LedgerService>(context);
    m_blobService = std::make_unique<BlobService>(context);

    int selectedPort = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort(m_options.listenAddress, credentials, &selectedPort);
    builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
    // Without this, a second coordinator on the same port would silently share it.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    // gRPC's defaults (1 to 2 polling threads) make the server start and end a thread for
    // most calls under load; keeping a few ready costs a little memory and saves that.
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 4);
    builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 8);
    builder.RegisterService(m_nodeService.get());
    builder.RegisterService(m_jobService.get());
    builder.RegisterService(m_accountService.get());
    builder.RegisterService(m_ledgerService.get());
    builder.RegisterService(m_blobService.get());
    m_server = builder.BuildAndStart();
    if (!m_server || selectedPort == 0) {
        if (m_server)
            m_server->Shutdown();
        m_server.reset();
        return engine::Status::error("cannot listen on " + m_options.listenAddress);
    }

    {
        std::lock_guard lock(m_stateMutex);
        m_started = true;
        m_port = selectedPort;
        m_address = dialAddress(m_options.listenAddress, selectedPort);
    }
    m_sweeper = std::thread([this] { sweepLoop(); });
    log(engine::LogLevel::Info,
        "listening on " + m_options.listenAddress + " (port " + std::to_string(selectedPort) + ", "
            + (m_options.tlsCertPath.empty() ? "no TLS" : "TLS") + "), database " + m_options.databasePath);
    return engine::Status::ok();
}

void CoordinatorImpl::sweepLoop()
{
    pthread_setname_np(pthread_self(), "coord-sweeper");
    std::unique_lock lock(m_stateMutex);
    while (!m_stopping) {
        m_stoppedChanged.wait_for(lock, m_options.sweepInterval, [this] { return m_stopping; });
        if (m_stopping)
            break;
        lock.unlock();
        std::vector<std::string> ended;
        const std::int64_t now = m_clock->nowMs();
        if (auto status = m_store->write([&](StoreTransaction &tx) { return m_scheduler->sweep(tx, now, &ended); });
            !status)
            log(engine::LogLevel::Error, "sweeping leases: " + status.message());
        for (const std::string &jobId : ended)
            log(engine::LogLevel::Warning, "job " + jobId + " ended: its deadline passed or it ran out of attempts");
        if (!ended.empty())
            m_events.notify();
        lock.lock();
    }
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

engine::Status CoordinatorImpl::createAccount(
    const std::string &name, bool isAdmin, std::string *accountId, std::string *token)
{
    {
        std::lock_guard lock(m_stateMutex);
        if (!m_started || m_stopped)
            return engine::Status::error("the coordinator is not running");
    }
    AccountRecord account;
    if (auto status = coordinator::createAccount(
            *m_store, m_ids, name, isAdmin, m_options.initialGrantUnits, m_clock->nowMs(), &account, token);
        !status)
        return status;
    *accountId = account.id;
    return engine::Status::ok();
}

void CoordinatorImpl::shutdown()
{
    std::lock_guard lifecycle(m_lifecycleMutex);
    {
        std::lock_guard lock(m_stateMutex);
        if (m_stopped)
            return;
        m_stopping = true;
    }
    m_stoppedChanged.notify_all();
    if (m_sweeper.joinable())
        m_sweeper.join();
    // Watchers first: they would otherwise hold the server's Shutdown for a whole poll.
    m_events.shutdown();
    if (m_server) {
        m_server->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
        m_server->Wait();
        log(engine::LogLevel::Info, "stopped");
    }
    // The server before the services it calls, the services before the store they use.
    m_server.reset();
    m_blobService.reset();
    m_ledgerService.reset();
    m_accountService.reset();
    m_jobService.reset();
    m_nodeService.reset();
    m_verifier.reset();
    m_scheduler.reset();
    m_auth.reset();
    m_inputs.reset();
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

engine::Status Coordinator::createAccount(const std::string &name, bool isAdmin, std::string *accountId, std::string *token)
{
    return m_impl->createAccount(name, isAdmin, accountId, token);
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
