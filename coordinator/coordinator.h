#pragma once

// Coordinator: the gRPC server that splits jobs into tasks, leases them to contributors'
// nodes, verifies results, pays for them and assembles them, over a SQLite store.
//
// The desktop app embeds one on 127.0.0.1; `tributary-coordinator` runs one standalone.
//
//   tributary::coordinator::CoordinatorOptions options;
//   options.listenAddress = "127.0.0.1:0";          // port 0: pick a free one
//   options.databasePath = "/var/lib/tributary/coordinator.db";
//   tributary::coordinator::Coordinator coordinator(options);
//   if (auto status = coordinator.start(); !status) { /* status.message() says why */ }
//   connect clients to coordinator.address();
//   coordinator.shutdown();                           // also done by the destructor
//
// State lives in the database: a coordinator killed at any moment and started again on
// the same file loses no completed task, result or credit. Leases that were open when it
// died run out and their tasks are leased again.
//
// Every call needs an account's token. On first start the coordinator creates an
// administrator account; with adminTokenFile set it writes that token there (mode 0600)
// and reads it back on later starts.

#include "coordinator/clock.h"
#include "engine/log.h"
#include "engine/status.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace tributary::coordinator {

class CoordinatorImpl;

struct CoordinatorOptions {
    // host:port; port 0 picks a free port, readable from port() after start().
    std::string listenAddress = "127.0.0.1:0";
    // SQLite file, created when missing. ":memory:" for a throwaway coordinator.
    std::string databasePath;
    // How long a node holds a leased task without a heartbeat.
    std::chrono::milliseconds leaseDuration { 15000 };
    // A task that failed verification or whose lease ran out this many times fails its job
    // (a job spec may set its own limit).
    int maxAttempts = 5;
    // Retry backoff after a failed attempt: base, doubling, capped.
    std::chrono::milliseconds retryBackoffBase { 1000 };
    std::chrono::milliseconds retryBackoffMax { 60000 };
    // How often leases and deadlines are checked without a node asking.
    std::chrono::milliseconds sweepInterval { 500 };
    // TLS: PEM files. Required for a listen address other than loopback unless
    // allowInsecure is set.
    std::string tlsCertPath;
    std::string tlsKeyPath;
    bool allowInsecure = false;
    // Where the administrator's token is kept (written on first start); empty: not kept,
    // use createAccount() in process.
    std::string adminTokenFile;
    // Credits each new account starts with, in credit units (10^9 per credit).
    std::int64_t initialGrantUnits = 1000LL * 1000000000LL;
    // The largest blob (uploaded output or job input) the coordinator accepts.
    std::uint64_t maxBlobBytes = std::uint64_t(256) << 20;
    // Memory for job inputs kept ready to slice into task payloads (least recently used
    // go first).
    std::uint64_t inputCacheBytes = std::uint64_t(512) << 20;
    engine::LogCallback log;
    // Where leases and timestamps read the time; null means the system clock. Tests pass
    // a clock they advance by hand.
    std::shared_ptr<Clock> clock;
};

class Coordinator {
public:
    explicit Coordinator(CoordinatorOptions options);
    ~Coordinator();

    Coordinator(const Coordinator &) = delete;
    Coordinator &operator=(const Coordinator &) = delete;

    // Opens (or creates) the database, recovers its state and starts serving.
    engine::Status start();

    // The port actually bound, once started; 0 before.
    int port() const;
    // "host:port" that a client on this machine can dial, once started.
    std::string address() const;

    // Creates an account in process (the desktop app's local account, tests), with the
    // initial grant; *token is its only copy. Only after start().
    engine::Status createAccount(const std::string &name, bool isAdmin, std::string *accountId, std::string *token);

    // Stops accepting calls, ends open streams and closes the database. Idempotent.
    void shutdown();
    // Blocks until shutdown() is called from another thread or a signal handler.
    void wait();

private:
    std::unique_ptr<CoordinatorImpl> m_impl;
};

} // namespace tributary::coordinator
