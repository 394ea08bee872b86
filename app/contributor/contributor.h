#pragma once

// Contributor: the runtime that shares one device with the network. It registers the
// node's devices with a coordinator, leases tasks for its device, runs them on the
// engine and submits the results, over and over, until stopped.
//
// It is a worker object: move it to its own thread (ContributorRunner does) and drive it
// with start()/stop() through queued calls; it reports through signals.
//
// A coordinator that goes away is retried with backoff; a result computed while the
// coordinator was down is kept and submitted once it is back, so no work is lost.

#include "app/client/channel.h"
#include "app/contributor/input_cache.h"
#include "app/contributor/lease_keeper.h"
#include "engine/backend.h"
#include "engine/engine.h"
#include "tributary/v1/node.pb.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>
#include <optional>

namespace tributary::client {
class NodeClient;
}

namespace tributary {

class Contributor : public QObject {
    Q_OBJECT
public:
    enum class State {
        Stopped = 1,  // not started, or stopped
        Connecting,   // registering with the coordinator
        Idle,         // connected, no task available
        Working,      // running a task
        Disconnected, // the coordinator cannot be reached; retrying
    };
    Q_ENUM(State)

    struct Options {
        client::Endpoint coordinator; // address and token
        QString deviceId;           // an engine device id, e.g. "cpu:0", "vulkan:0"
        QString nodeName;           // shown to the coordinator's operator
        QString nodeId;             // from an earlier registration; empty for a new node
        int maxTasks = 0;           // stop after this many accepted tasks; 0 = never
        // Where fetched job inputs are kept across restarts; empty: memory only.
        QString inputCacheDirectory;
    };

    // `engine` must outlive the contributor; only its const, thread-safe API is used.
    Contributor(const engine::Engine &engine, Options options, QObject *parent = nullptr);
    ~Contributor() override;

    State state() const { return m_state; }
    static QString stateName(State state);

public Q_SLOTS:
    void start();
    void stop();

Q_SIGNALS:
    void stateChanged(tributary::Contributor::State state, const QString &detail);
    void registered(const QString &nodeId);
    void taskStarted(const QString &taskId, const QString &jobId);
    void taskFinished(const QString &taskId, const QString &jobId, bool accepted, qint64 computeMs,
                      const QString &message);
    // The contributor stopped by itself: `completed` when maxTasks was reached, false
    // when the device could not be opened (the reason says why).
    void finished(bool completed, const QString &reason);

private:
    void step();
    bool ensureRegistered();
    bool submitPending();
    void runTask(const v1::Task &task);
    // Cuts the tile's rows of A and columns of B out of the cached inputs.
    grpc::Status tileInputs(const v1::GemmTileTask &tile, std::vector<float> *a, std::vector<float> *b);
    void setState(State state, const QString &detail = {});
    void scheduleStep(int delayMs);
    void connectionFailed(const QString &what);

    const engine::Engine &m_engine;
    Options m_options;
    std::unique_ptr<engine::Backend> m_backend;
    std::unique_ptr<client::NodeClient> m_client;
    // Renews the running task's lease while this thread computes; after m_client, which it uses.
    std::unique_ptr<LeaseKeeper> m_leaseKeeper;
    QTimer m_stepTimer;
    State m_state = State::Stopped;
    bool m_running = false;
    bool m_registered = false;
    int m_backoffMs = 0;
    int m_acceptedTasks = 0;
    // A computed result the coordinator has not acknowledged yet.
    std::optional<v1::SubmitResultsRequest> m_pendingSubmit;
    InputCache m_inputs;
    QString m_pendingJobId;
};

} // namespace tributary
