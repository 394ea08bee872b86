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
//
// The gate (setGate(), from any thread; DeviceSupervisor sets it from the device's
// policy about once a second) says whether it may compute now: closed, it leases nothing
// and hands a task it has not started computing back to the coordinator at once; on a
// throttle it rests between tasks so that it computes only the gate's share of the time.
// A closed gate takes effect within a fraction of a second, except on a task already
// computing, which finishes first (tasks are short tiles; longer kinds will checkpoint).

#include "app/client/channel.h"
#include "app/contributor/input_cache.h"
#include "app/contributor/lease_keeper.h"
#include "app/storage/task_run.h"
#include "engine/backend.h"
#include "engine/engine.h"
#include "tributary/v1/node.pb.h"

#include <QMutex>
#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>
#include <optional>

namespace tributary::client {
class NodeClient;
}

namespace tributary {

class TaskHistory;

class Contributor : public QObject {
    Q_OBJECT
public:
    enum class State {
        Stopped = 1,  // not started, or stopped
        Connecting,   // registering with the coordinator
        Idle,         // connected, no task available
        Working,      // running a task
        Disconnected, // the coordinator cannot be reached; retrying
        Paused,       // the gate is closed (the policy, or the user): computing nothing
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
        // Where every task run is recorded (pending until the ledger pays it); may be
        // null. Must outlive the contributor; its record() is thread-safe.
        TaskHistory *history = nullptr;
    };

    // May the contributor compute now, and how much.
    struct Gate {
        bool open = true;
        double dutyCycle = 1.0; // share of the time spent computing, when open (0.1 .. 1)
        QString reason; // why it is closed or throttled, for the state's detail
        // The device's power draw as last measured (NVIDIA: NVML), for the energy each
        // run used; unset where the device does not report it.
        std::optional<double> powerW;
    };

    // `engine` must outlive the contributor; only its const, thread-safe API is used.
    Contributor(const engine::Engine &engine, Options options, QObject *parent = nullptr);
    ~Contributor() override;

    State state() const { return m_state; }
    static QString stateName(State state);

    // Thread-safe; takes effect at the contributor's next step (within ~0.2 s).
    void setGate(const Gate &gate);
    Gate gate() const;

public Q_SLOTS:
    void start();
    void stop();

Q_SIGNALS:
    void stateChanged(tributary::Contributor::State state, const QString &detail);
    void registered(const QString &nodeId);
    void taskStarted(const QString &taskId, const QString &jobId);
    void taskFinished(const QString &taskId, const QString &jobId, bool accepted, qint64 computeMs,
                      const QString &message);
    // A leased task went back to the coordinator unfinished because the gate closed.
    void taskHandedBack(const QString &taskId, const QString &jobId, const QString &reason);
    // The contributor stopped by itself: `completed` when maxTasks was reached, false
    // when the device could not be opened (the reason says why).
    void finished(bool completed, const QString &reason);

private:
    void step();
    bool ensureRegistered();
    bool submitPending();
    void runTask(const v1::Task &task);
    // Returns the task to the coordinator when the gate has closed; true if it did.
    bool handBackIfClosed(const v1::Task &task);
    // Records the run begun in runTask() in the history, ended now with `outcome`.
    void recordRun(TaskRun run, TaskRun::Outcome outcome, const QString &message);
    // What a task computes from: a GEMM tile's rows of A and columns of B, or a training
    // round's parameters, optimizer state and shard (blobs held by the input cache).
    struct TaskInputs {
        std::vector<float> a, b;
        std::shared_ptr<const std::string> parameters, state, features, labels;
    };
    grpc::Status fetchBlob(const v1::BlobRef &ref, std::shared_ptr<const std::string> *blob);
    grpc::Status fetchInputs(const v1::Task &task, TaskInputs *inputs);
    // Runs the task on the device; its output bytes as the protocol defines them.
    engine::Status compute(const v1::Task &task, const TaskInputs &inputs, std::string *output);
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
    mutable QMutex m_gateMutex;
    Gate m_gate;
    qint64 m_lastComputeMs = 0; // the last task's compute time, for the throttle's rest
    TaskRun m_currentRun; // the task runTask() works on, for the history
    std::optional<TaskRun> m_pendingRun; // the run whose result m_pendingSubmit carries
};

} // namespace tributary
