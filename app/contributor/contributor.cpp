#include "app/contributor/contributor.h"

#include "app/client/channel.h"
#include "app/client/node_client.h"
#include "app/logging_categories.h"
#include "app/storage/task_history.h"
#include "coordinator/jobs/train_round.h"
#include "engine/sha256.h"

#include <QDateTime>
#include <QElapsedTimer>

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>
#include <vector>

namespace tributary {

static_assert(std::endian::native == std::endian::little,
              "the protocol carries little-endian fp32; add byte swapping for big-endian hosts");

namespace {

constexpr int kMinBackoffMs = 250;
constexpr int kMaxBackoffMs = 5000;
// While paused, how often the gate is looked at again: a resume takes effect within this.
constexpr int kPausedPollMs = 200;
// A throttle's rest between tasks is capped, so that a long task never parks the device.
constexpr int kMaxRestMs = 10'000;

v1::BackendKind toProto(engine::BackendKind kind)
{
    switch (kind) {
    case engine::BackendKind::Cpu: return v1::BACKEND_KIND_CPU;
    case engine::BackendKind::Vulkan: return v1::BACKEND_KIND_VULKAN;
    case engine::BackendKind::Cuda: return v1::BACKEND_KIND_CUDA;
    }
    return v1::BACKEND_KIND_UNSPECIFIED;
}

v1::Reproducibility toProto(engine::Reproducibility value)
{
    switch (value) {
    case engine::Reproducibility::Untested: return v1::REPRODUCIBILITY_UNTESTED;
    case engine::Reproducibility::Exact: return v1::REPRODUCIBILITY_EXACT;
    case engine::Reproducibility::Failed: return v1::REPRODUCIBILITY_FAILED;
    }
    return v1::REPRODUCIBILITY_UNSPECIFIED;
}


} // namespace

Contributor::Contributor(const engine::Engine &engine, Options options, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_options(std::move(options))
    , m_stepTimer(this)
    , m_inputs(m_options.inputCacheDirectory)
{
    m_stepTimer.setSingleShot(true);
    connect(&m_stepTimer, &QTimer::timeout, this, &Contributor::step);
}

Contributor::~Contributor() = default;

QString Contributor::stateName(State state)
{
    switch (state) {
    case State::Stopped: return QStringLiteral("stopped");
    case State::Connecting: return QStringLiteral("connecting");
    case State::Idle: return QStringLiteral("waiting for work");
    case State::Working: return QStringLiteral("working");
    case State::Disconnected: return QStringLiteral("disconnected");
    case State::Paused: return QStringLiteral("paused");
    }
    return QStringLiteral("unknown");
}

void Contributor::setGate(const Gate &gate)
{
    QMutexLocker lock(&m_gateMutex);
    m_gate = gate;
    m_gate.dutyCycle = std::clamp(gate.dutyCycle, 0.1, 1.0);
}

Contributor::Gate Contributor::gate() const
{
    QMutexLocker lock(&m_gateMutex);
    return m_gate;
}

void Contributor::start()
{
    if (m_running)
        return;
    // The backend is opened here, on the contributor's thread, which is the one that uses it.
    if (!m_backend) {
        std::string error;
        m_backend = m_engine.open(m_options.deviceId.toStdString(), &error);
        if (!m_backend) {
            const QString reason = QStringLiteral("cannot use device %1: %2")
                                       .arg(m_options.deviceId, QString::fromStdString(error));
            qCWarning(lcContributor).noquote() << reason;
            setState(State::Stopped, reason);
            Q_EMIT finished(false, reason);
            return;
        }
    }
    if (!m_client)
        m_client = std::make_unique<client::NodeClient>(m_options.coordinator, std::chrono::seconds(5));
    m_running = true;
    qCInfo(lcContributor).noquote() << "contributing" << QString::fromStdString(m_backend->device().name)
                                    << "(" + m_options.deviceId + ") to" << m_options.coordinator.address;
    setState(State::Connecting);
    scheduleStep(0);
}

void Contributor::stop()
{
    m_running = false;
    m_stepTimer.stop();
    setState(State::Stopped);
}

void Contributor::scheduleStep(int delayMs)
{
    if (m_running)
        m_stepTimer.start(delayMs);
}

void Contributor::setState(State state, const QString &detail)
{
    if (state == m_state && detail.isEmpty())
        return;
    m_state = state;
    Q_EMIT stateChanged(state, detail);
}

void Contributor::connectionFailed(const QString &what)
{
    m_backoffMs = m_backoffMs == 0 ? kMinBackoffMs : std::min(m_backoffMs * 2, kMaxBackoffMs);
    qCDebug(lcContributor).noquote() << what << "- retrying in" << m_backoffMs << "ms";
    setState(State::Disconnected, what);
    scheduleStep(m_backoffMs);
}

void Contributor::step()
{
    if (!m_running)
        return;
    if (!ensureRegistered() || !submitPending())
        return;
    if (const Gate gate = this->gate(); !gate.open) {
        // A result already computed was submitted above; nothing new starts.
        if (m_state != State::Paused)
            qCInfo(lcContributor).noquote() << m_options.deviceId << "paused:" << gate.reason;
        setState(State::Paused, gate.reason);
        scheduleStep(kPausedPollMs);
        return;
    }

    v1::LeaseTasksRequest request;
    request.set_node_id(m_options.nodeId.toStdString());
    request.set_device_id(m_options.deviceId.toStdString());
    request.set_max_tasks(1);
    v1::LeaseTasksResponse response;
    const grpc::Status status = m_client->leaseTasks(request, &response);
    if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED
        || status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
        // Retrying cannot help: the account or the node is refused. Say so and stop.
        const QString reason = client::describeStatus(status);
        qCWarning(lcContributor).noquote() << "the coordinator refuses this node:" << reason;
        m_running = false;
        setState(State::Stopped, reason);
        Q_EMIT finished(false, reason);
        return;
    }
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
        // The coordinator no longer knows this node (e.g. a fresh database): register again.
        m_registered = false;
        scheduleStep(0);
        return;
    }
    if (!status.ok()) {
        connectionFailed(client::describeStatus(status));
        return;
    }
    m_backoffMs = 0;
    if (response.tasks().empty()) {
        setState(State::Idle);
        scheduleStep(std::max<int>(int(response.retry_after_ms()), 50));
        return;
    }
    for (const v1::Task &task : response.tasks())
        runTask(task);
    if (!submitPending())
        return;
    if (m_options.maxTasks > 0 && m_acceptedTasks >= m_options.maxTasks) {
        m_running = false;
        const QString reason = QStringLiteral("completed %1 tasks").arg(m_acceptedTasks);
        setState(State::Stopped, reason);
        Q_EMIT finished(true, reason);
        return;
    }
    // Throttled: rest so that computing takes dutyCycle of the time.
    const double duty = gate().dutyCycle;
    const int restMs = duty < 1.0 ? int(double(m_lastComputeMs) * (1.0 - duty) / duty) : 0;
    scheduleStep(std::min(restMs, kMaxRestMs));
}

bool Contributor::handBackIfClosed(const v1::Task &task)
{
    const Gate gate = this->gate();
    if (gate.open)
        return false;
    const QString taskId = QString::fromStdString(task.task_id());
    const QString jobId = QString::fromStdString(task.job_id());
    v1::ReleaseTasksRequest request;
    request.set_node_id(m_options.nodeId.toStdString());
    request.set_reason(gate.reason.left(200).toStdString());
    v1::TaskRef *ref = request.add_tasks();
    ref->set_task_id(task.task_id());
    ref->set_attempt(task.attempt());
    v1::ReleaseTasksResponse response;
    // If the coordinator cannot be told, the lease simply runs out: the task is not lost.
    if (const grpc::Status status = m_client->releaseTasks(request, &response); !status.ok())
        qCWarning(lcContributor).noquote() << "handing back task" << taskId << "failed:" << client::describeStatus(status);
    qCInfo(lcContributor).noquote() << "handed back task" << taskId << "of job" << jobId << "-" << gate.reason;
    recordRun(m_currentRun, TaskRun::Outcome::HandedBack, gate.reason);
    Q_EMIT taskHandedBack(taskId, jobId, gate.reason);
    return true;
}

bool Contributor::ensureRegistered()
{
    if (m_registered)
        return true;
    setState(State::Connecting);
    v1::RegisterRequest request;
    request.set_node_name(m_options.nodeName.toStdString());
    request.set_client_version(TRIBUTARY_VERSION);
    request.set_node_id(m_options.nodeId.toStdString());
    for (const engine::DeviceInfo &device : m_engine.devices()) {
        v1::Device *out = request.add_devices();
        out->set_id(device.id);
        out->set_backend(toProto(device.backend));
        out->set_name(device.name);
        out->set_vendor(device.vendor);
        out->set_memory_bytes(device.memoryBytes);
        out->set_available(device.available);
        out->set_unavailable_reason(device.unavailableReason);
        out->set_is_software(device.isSoftware);
        out->set_reproducibility(toProto(device.reproducibility));
    }
    v1::RegisterResponse response;
    const grpc::Status status = m_client->registerNode(request, &response);
    if (!status.ok()) {
        connectionFailed(client::describeStatus(status));
        return false;
    }
    m_registered = true;
    m_backoffMs = 0;
    m_options.nodeId = QString::fromStdString(response.node_id());
    m_leaseKeeper.reset();
    m_leaseKeeper = std::make_unique<LeaseKeeper>(*m_client, response.node_id(),
                                                  std::chrono::milliseconds(response.lease_duration_ms()));
    qCInfo(lcContributor).noquote() << "registered as node" << m_options.nodeId;
    Q_EMIT registered(m_options.nodeId);
    setState(State::Idle);
    return true;
}

void Contributor::runTask(const v1::Task &task)
{
    const QString taskId = QString::fromStdString(task.task_id());
    const QString jobId = QString::fromStdString(task.job_id());
    setState(State::Working, taskId);
    Q_EMIT taskStarted(taskId, jobId);
    m_currentRun = TaskRun {};
    m_currentRun.taskId = taskId;
    m_currentRun.jobId = jobId;
    m_currentRun.attempt = task.attempt();
    m_currentRun.deviceId = m_options.deviceId;
    m_currentRun.startedMs = QDateTime::currentMSecsSinceEpoch();
    m_currentRun.flops = task.flops();
    // What a verified run pays: one credit unit per 1000 counted FLOPs, rounded up (the
    // coordinator's pricing, coordinator/ledger/pricing.h).
    m_currentRun.creditUnits = qint64((task.flops() + 999) / 1000);

    if (!task.has_gemm_tile() && !task.has_train_round()) {
        // A task kind this build does not know: let its lease run out so that a newer node takes it.
        qCWarning(lcContributor).noquote() << "task" << taskId << "has a kind this version cannot run";
        recordRun(m_currentRun, TaskRun::Outcome::Failed, QStringLiteral("unsupported task kind"));
        Q_EMIT taskFinished(taskId, jobId, false, 0, QStringLiteral("unsupported task kind"));
        return;
    }
    // Keep the lease while the inputs download and the tile computes; released when this
    // function returns, before the result is submitted.
    m_leaseKeeper->hold(task.task_id(), task.attempt());
    struct Release {
        LeaseKeeper &keeper;
        ~Release() { keeper.release(); }
    } release{*m_leaseKeeper};
    if (handBackIfClosed(task))
        return;
    TaskInputs inputs;
    if (const grpc::Status fetched = fetchInputs(task, &inputs); !fetched.ok()) {
        // Unreachable coordinator or a bad input: the lease runs out and the task is retried.
        const QString message = client::describeStatus(fetched);
        qCWarning(lcContributor).noquote() << "task" << taskId << "inputs:" << message;
        recordRun(m_currentRun, TaskRun::Outcome::Failed, message);
        Q_EMIT taskFinished(taskId, jobId, false, 0, message);
        return;
    }
    // The inputs may have taken a while to arrive: look at the gate once more.
    if (handBackIfClosed(task))
        return;

    QElapsedTimer timer;
    timer.start();
    std::string output;
    const engine::Status status = compute(task, inputs, &output);
    const qint64 computeNs = timer.nsecsElapsed();
    const qint64 computeMs = computeNs / 1'000'000;
    m_lastComputeMs = computeMs;
    // Energy: the measured draw over the compute time (0 = not measured).
    if (const std::optional<double> power = gate().powerW)
        m_currentRun.energyWh = *power * double(computeNs) / 3.6e12;
    v1::SubmitResultsRequest submit;
    submit.set_node_id(m_options.nodeId.toStdString());
    v1::TaskResult *result = submit.add_results();
    result->set_task_id(task.task_id());
    result->set_attempt(task.attempt());
    result->set_device_id(m_options.deviceId.toStdString());
    result->set_compute_ms(quint64(computeMs));
    if (!status) {
        // Tell the coordinator, so that the task goes to another node now rather than
        // when the lease runs out.
        const QString message = QString::fromStdString(status.message());
        qCWarning(lcContributor).noquote() << "task" << taskId << "failed:" << message;
        result->set_error(status.message());
    } else {
        result->set_output_sha256(engine::sha256Hex(std::as_bytes(std::span(output.data(), output.size()))));
        result->set_output(std::move(output));
    }
    m_pendingSubmit = std::move(submit);
    m_pendingJobId = jobId;
    m_pendingRun = m_currentRun;
    m_pendingRun->finishedMs = QDateTime::currentMSecsSinceEpoch();
}

void Contributor::recordRun(TaskRun run, TaskRun::Outcome outcome, const QString &message)
{
    if (!m_options.history)
        return;
    if (run.finishedMs == 0)
        run.finishedMs = QDateTime::currentMSecsSinceEpoch();
    run.outcome = outcome;
    run.message = message;
    m_options.history->record(run);
}

grpc::Status Contributor::fetchBlob(const v1::BlobRef &ref, std::shared_ptr<const std::string> *blob)
{
    const InputCache::Fetch fetch = [this](const std::string &sha256, std::string *data) {
        return m_client->fetchBlob(sha256, data);
    };
    return m_inputs.get(fetch, ref.sha256(), ref.size(), blob);
}

grpc::Status Contributor::fetchInputs(const v1::Task &task, TaskInputs *inputs)
{
    if (task.has_train_round()) {
        const v1::TrainRoundTask &round = task.train_round();
        if (auto status = fetchBlob(round.parameters(), &inputs->parameters); !status.ok())
            return status;
        if (!round.optimizer_state().sha256().empty())
            if (auto status = fetchBlob(round.optimizer_state(), &inputs->state); !status.ok())
                return status;
        if (auto status = fetchBlob(round.shard().features(), &inputs->features); !status.ok())
            return status;
        return fetchBlob(round.shard().labels(), &inputs->labels);
    }
    const v1::GemmTileTask &tile = task.gemm_tile();
    std::shared_ptr<const std::string> aBlob, bBlob;
    v1::BlobRef a, b;
    a.set_sha256(tile.a_sha256());
    a.set_size(tile.a_size());
    b.set_sha256(tile.b_sha256());
    b.set_size(tile.b_size());
    if (auto status = fetchBlob(a, &aBlob); !status.ok())
        return status;
    if (auto status = fetchBlob(b, &bBlob); !status.ok())
        return status;
    const std::uint64_t m = tile.m(), n = tile.n(), k = tile.k();
    if (tile.row0() + std::uint64_t(tile.rows()) > m || tile.col0() + std::uint64_t(tile.cols()) > n
        || aBlob->size() != m * k * sizeof(float) || bBlob->size() != k * n * sizeof(float))
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the tile does not fit its input matrices");
    const auto *aValues = reinterpret_cast<const float *>(aBlob->data());
    const auto *bValues = reinterpret_cast<const float *>(bBlob->data());
    inputs->a.assign(aValues + tile.row0() * k, aValues + (tile.row0() + std::uint64_t(tile.rows())) * k);
    inputs->b.resize(k * tile.cols());
    for (std::uint64_t p = 0; p < k; ++p) {
        const float *row = bValues + p * n + tile.col0();
        std::copy(row, row + tile.cols(), inputs->b.begin() + std::ptrdiff_t(p * tile.cols()));
    }
    return grpc::Status::OK;
}

engine::Status Contributor::compute(const v1::Task &task, const TaskInputs &inputs, std::string *output)
{
    if (task.has_train_round()) {
        static const std::string none;
        return coordinator::runTrainRound(*m_backend, task.train_round(), *inputs.parameters,
                                          inputs.state ? *inputs.state : none, *inputs.features, *inputs.labels, output);
    }
    const v1::GemmTileTask &tile = task.gemm_tile();
    const engine::GemmShape shape{int(tile.rows()), int(tile.cols()), int(tile.k())};
    std::vector<float> c(std::size_t(tile.rows()) * tile.cols());
    if (engine::Status status = m_backend->gemm(inputs.a, inputs.b, c, shape); !status)
        return status;
    output->assign(reinterpret_cast<const char *>(c.data()), c.size() * sizeof(float));
    return engine::Status::ok();
}

bool Contributor::submitPending()
{
    if (!m_pendingSubmit)
        return true;
    v1::SubmitResultsResponse response;
    const grpc::Status status = m_client->submitResults(*m_pendingSubmit, &response);
    const QString taskId = QString::fromStdString(m_pendingSubmit->results(0).task_id());
    const qint64 computeMs = qint64(m_pendingSubmit->results(0).compute_ms());
    const bool nodeError = !m_pendingSubmit->results(0).error().empty();
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE
        || status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
        // Keep the result: the coordinator may come back while our lease is still valid.
        connectionFailed(client::describeStatus(status));
        return false;
    }
    m_pendingSubmit.reset();
    const std::optional<TaskRun> run = std::exchange(m_pendingRun, std::nullopt);
    const auto record = [&](TaskRun::Outcome outcome, const QString &message) {
        if (run)
            recordRun(*run, outcome, message);
    };
    if (!status.ok()) {
        // The lease was lost (expired, or the task was re-assigned): the work is discarded.
        const QString message = client::describeStatus(status);
        qCWarning(lcContributor).noquote() << "result for" << taskId << "not taken:" << message;
        record(TaskRun::Outcome::Rejected, message);
        Q_EMIT taskFinished(taskId, m_pendingJobId, false, computeMs, message);
        return true;
    }
    if (response.outcomes_size() != 1) {
        record(TaskRun::Outcome::Rejected, QStringLiteral("no outcome"));
        Q_EMIT taskFinished(taskId, m_pendingJobId, false, computeMs, QStringLiteral("no outcome"));
        return true;
    }
    const v1::SubmitOutcome &outcome = response.outcomes(0);
    const bool accepted = !nodeError
        && (outcome.outcome() == v1::SubmitOutcome::OUTCOME_ACCEPTED
            || outcome.outcome() == v1::SubmitOutcome::OUTCOME_DUPLICATE);
    if (accepted)
        ++m_acceptedTasks;
    // Accepted means recorded: the credits are pending until the ledger pays the run.
    record(nodeError ? TaskRun::Outcome::Failed
                     : accepted ? TaskRun::Outcome::Pending : TaskRun::Outcome::Rejected,
        QString::fromStdString(outcome.message()));
    qCDebug(lcContributor).noquote() << "task" << taskId << (accepted ? "accepted" : "rejected")
                                     << QString::fromStdString(outcome.message());
    Q_EMIT taskFinished(taskId, m_pendingJobId, accepted, computeMs,
                        QString::fromStdString(outcome.message()));
    return true;
}

} // namespace tributary
