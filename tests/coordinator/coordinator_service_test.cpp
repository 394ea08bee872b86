// Tests of the coordinator through its gRPC services, as a node and a client see it: a
// Coordinator on 127.0.0.1:0 with a temporary database, raw gRPC stubs, and tiles computed
// with the engine's CPU backend.
//
// Most tests drive time with a FakeClock, so leases run out exactly when a test says so;
// leaseExpiresInRealTime uses the system clock with a 200 ms lease.

#include "coordinator/coordinator.h"
#include "engine/engine.h"
#include "engine/random_fill.h"
#include "engine/sha256.h"

#include "tributary/v1/job.grpc.pb.h"
#include "tributary/v1/node.grpc.pb.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace tributary;
using namespace tributary::coordinator;

namespace {

constexpr std::int64_t kStartMs = 1'700'000'000'000;

class FakeClock final : public Clock {
public:
    std::int64_t nowMs() const override { return m_now.load(); }
    void advance(std::int64_t ms) { m_now += ms; }

private:
    std::atomic<std::int64_t> m_now { kStartMs };
};

std::span<const std::byte> bytesOf(const std::string &text)
{
    return std::as_bytes(std::span(text.data(), text.size()));
}

std::string sha256Of(const std::string &bytes)
{
    return engine::sha256Hex(bytesOf(bytes));
}

std::vector<float> floatsOf(const std::string &bytes)
{
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    return values;
}

std::string bytesOfFloats(const std::vector<float> &values)
{
    return std::string(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(float));
}

v1::SubmitJobRequest gemmRequest(std::uint32_t m, std::uint32_t n, std::uint32_t k, std::uint32_t tileM,
    std::uint32_t tileN, std::uint64_t seed = 42)
{
    v1::SubmitJobRequest request;
    request.mutable_spec()->set_name("test gemm");
    v1::GemmJobSpec *gemm = request.mutable_spec()->mutable_gemm();
    gemm->set_m(m);
    gemm->set_n(n);
    gemm->set_k(k);
    gemm->set_tile_m(tileM);
    gemm->set_tile_n(tileN);
    gemm->set_seed(seed);
    return request;
}

// A coordinator with its stubs.
struct Harness {
    std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
    std::unique_ptr<Coordinator> coordinator;
    std::unique_ptr<v1::NodeService::Stub> nodes;
    std::unique_ptr<v1::JobService::Stub> jobs;
};

} // namespace

class CoordinatorServiceTest : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::string m_dbPath;
    std::unique_ptr<engine::Engine> m_engine;
    std::unique_ptr<engine::Backend> m_cpu;

    // Starts a coordinator on m_dbPath. realClock: the system clock instead of a fake one.
    void start(Harness &h, std::chrono::milliseconds lease = std::chrono::milliseconds(10000),
        int maxAttempts = 5, bool realClock = false)
    {
        CoordinatorOptions options;
        options.listenAddress = "127.0.0.1:0";
        options.databasePath = m_dbPath;
        options.leaseDuration = lease;
        options.maxAttempts = maxAttempts;
        if (!realClock)
            options.clock = h.clock;
        h.coordinator = std::make_unique<Coordinator>(options);
        const engine::Status status = h.coordinator->start();
        QVERIFY2(status, status.message().c_str());
        QVERIFY(h.coordinator->port() > 0);
        QCOMPARE(h.coordinator->address(), "127.0.0.1:" + std::to_string(h.coordinator->port()));
        auto channel = grpc::CreateChannel(h.coordinator->address(), grpc::InsecureChannelCredentials());
        h.nodes = v1::NodeService::NewStub(channel);
        h.jobs = v1::JobService::NewStub(channel);
    }

    static std::string registerNode(Harness &h, const std::string &name, const std::string &knownId = {})
    {
        v1::RegisterRequest request;
        request.set_node_name(name);
        request.set_client_version("test");
        request.set_node_id(knownId);
        v1::Device *device = request.add_devices();
        device->set_id("cpu:0");
        device->set_backend(v1::BACKEND_KIND_CPU);
        device->set_available(true);
        v1::RegisterResponse response;
        grpc::ClientContext context;
        const grpc::Status status = h.nodes->Register(&context, request, &response);
        return status.ok() ? response.node_id() : std::string();
    }

    static grpc::Status lease(Harness &h, const std::string &nodeId, std::uint32_t maxTasks,
        v1::LeaseTasksResponse *response, const std::string &deviceId = "cpu:0")
    {
        v1::LeaseTasksRequest request;
        request.set_node_id(nodeId);
        request.set_device_id(deviceId);
        request.set_max_tasks(maxTasks);
        grpc::ClientContext context;
        return h.nodes->LeaseTasks(&context, request, response);
    }

    static grpc::Status submit(Harness &h, const std::string &nodeId, const v1::Task &task,
        const std::string &output, v1::SubmitResultResponse *response, std::uint32_t attempt = 0,
        const std::string &sha256 = {})
    {
        v1::SubmitResultRequest request;
        request.set_node_id(nodeId);
        request.set_task_id(task.task_id());
        request.set_attempt(attempt ? attempt : task.attempt());
        request.set_output(output);
        request.set_output_sha256(sha256.empty() ? sha256Of(output) : sha256);
        request.set_device_id("cpu:0");
        request.set_compute_ms(1);
        grpc::ClientContext context;
        return h.nodes->SubmitResult(&context, request, response);
    }

    static grpc::Status getJob(Harness &h, const std::string &jobId, v1::JobStatus *status)
    {
        v1::GetJobRequest request;
        request.set_job_id(jobId);
        grpc::ClientContext context;
        return h.jobs->GetJob(&context, request, status);
    }

    static grpc::Status getResult(Harness &h, const std::string &jobId, v1::JobResult *result)
    {
        v1::GetJobRequest request;
        request.set_job_id(jobId);
        grpc::ClientContext context;
        return h.jobs->GetJobResult(&context, request, result);
    }

    static std::string submitJob(
        Harness &h, const v1::SubmitJobRequest &request, std::uint32_t *taskCount = nullptr)
    {
        v1::SubmitJobResponse response;
        grpc::ClientContext context;
        const grpc::Status status = h.jobs->SubmitJob(&context, request, &response);
        if (taskCount)
            *taskCount = response.task_count();
        return status.ok() ? response.job_id() : std::string();
    }

    // What an honest node computes for a task: the tile on the CPU backend.
    std::string computeTile(const v1::Task &task)
    {
        const v1::GemmTileTask &tile = task.gemm_tile();
        std::vector<float> c(std::size_t(tile.m()) * tile.n());
        const engine::Status status = m_cpu->gemm(floatsOf(tile.a()), floatsOf(tile.b()), c,
            { static_cast<int>(tile.m()), static_cast<int>(tile.n()), static_cast<int>(tile.k()) });
        return status ? bytesOfFloats(c) : std::string();
    }

    // The whole product on the CPU backend, from inputs generated as the protocol says.
    std::string fullProduct(std::uint32_t m, std::uint32_t n, std::uint32_t k, std::uint64_t seed)
    {
        std::vector<float> a(std::size_t(m) * k), b(std::size_t(k) * n), c(std::size_t(m) * n);
        engine::fillUniform(a, seed);
        engine::fillUniform(b, seed + 1);
        const engine::Status status
            = m_cpu->gemm(a, b, c, { static_cast<int>(m), static_cast<int>(n), static_cast<int>(k) });
        return status ? bytesOfFloats(c) : std::string();
    }

    // Leases everything there is to one node and submits correct results.
    void runToCompletion(Harness &h, const std::string &nodeId)
    {
        for (;;) {
            v1::LeaseTasksResponse leased;
            const grpc::Status status = lease(h, nodeId, 8, &leased);
            QVERIFY2(status.ok(), status.error_message().c_str());
            if (leased.tasks().empty())
                return;
            for (const v1::Task &task : leased.tasks()) {
                v1::SubmitResultResponse response;
                QVERIFY(submit(h, nodeId, task, computeTile(task), &response).ok());
                QCOMPARE(response.outcome(), v1::SubmitResultResponse::OUTCOME_ACCEPTED);
            }
        }
    }

private slots:
    void initTestCase()
    {
        m_engine = std::make_unique<engine::Engine>();
        std::string error;
        m_cpu = m_engine->open("cpu:0", &error);
        QVERIFY2(m_cpu, error.c_str());
    }

    void cleanupTestCase()
    {
        m_cpu.reset();
        m_engine.reset();
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_dbPath = m_dir->filePath("coordinator.db").toStdString();
    }

    void cleanup() { m_dir.reset(); }

    void startFailures()
    {
        CoordinatorOptions options;
        options.databasePath = m_dir->filePath("no/such/dir/coordinator.db").toStdString();
        Coordinator noDatabase(options);
        engine::Status status = noDatabase.start();
        QVERIFY(!status);
        QVERIFY2(status.message().starts_with("cannot open database " + options.databasePath + ": "),
            status.message().c_str());
        QCOMPARE(noDatabase.port(), 0);

        Harness h;
        start(h);
        options.databasePath = m_dir->filePath("other.db").toStdString();
        options.listenAddress = "127.0.0.1:" + std::to_string(h.coordinator->port());
        Coordinator portTaken(options);
        status = portTaken.start();
        QVERIFY(!status);
        QCOMPARE(status.message(), "cannot listen on " + options.listenAddress);

        // shutdown() is idempotent, and wait() returns once it has run.
        std::thread waiter([&] { h.coordinator->wait(); });
        h.coordinator->shutdown();
        waiter.join();
        h.coordinator->shutdown();
        QCOMPARE(h.coordinator->port(), 0);
    }

    void invalidSpecs_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("mentions");
        const auto row = [](const char *name, const v1::SubmitJobRequest &request, const char *mentions) {
            const std::string bytes = request.SerializeAsString();
            QTest::newRow(name) << QByteArray(bytes.data(), qsizetype(bytes.size())) << QString(mentions);
        };
        row("no spec", v1::SubmitJobRequest(), "spec");
        v1::SubmitJobRequest noKind;
        noKind.mutable_spec()->set_name("nothing to do");
        row("no kind", noKind, "spec.kind");
        row("m zero", gemmRequest(0, 8, 8, 4, 4), "spec.gemm.m");
        row("n zero", gemmRequest(8, 0, 8, 4, 4), "spec.gemm.n");
        row("k zero", gemmRequest(8, 8, 0, 4, 4), "spec.gemm.k");
        row("tile_m zero", gemmRequest(8, 8, 8, 0, 4), "spec.gemm.tile_m");
        row("tile_n zero", gemmRequest(8, 8, 8, 4, 0), "spec.gemm.tile_n");
        row("k too large", gemmRequest(8, 8, 16385, 4, 4), "spec.gemm.k");
        row("over 1 GiB", gemmRequest(16384, 16384, 16384, 64, 64), "spec.gemm");
        row("tile output too large", gemmRequest(4096, 4096, 4, 4096, 4096), "tile_m");
        row("too many tasks", gemmRequest(4096, 4096, 4, 1, 1), "tile_m");
    }

    void invalidSpecs()
    {
        QFETCH(QByteArray, request);
        QFETCH(QString, mentions);
        Harness h;
        start(h);
        v1::SubmitJobRequest parsed;
        QVERIFY(parsed.ParseFromArray(request.constData(), int(request.size())));
        v1::SubmitJobResponse response;
        grpc::ClientContext context;
        const grpc::Status status = h.jobs->SubmitJob(&context, parsed, &response);
        QCOMPARE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY2(QString::fromStdString(status.error_message()).contains(mentions),
            status.error_message().c_str());
    }

    void unknownIds()
    {
        Harness h;
        start(h);
        v1::JobStatus job;
        QCOMPARE(getJob(h, "job-nope", &job).error_code(), grpc::StatusCode::NOT_FOUND);
        v1::JobResult result;
        QCOMPARE(getResult(h, "job-nope", &result).error_code(), grpc::StatusCode::NOT_FOUND);
        {
            v1::GetJobRequest request;
            request.set_job_id("job-nope");
            grpc::ClientContext context;
            auto reader = h.jobs->WatchJob(&context, request);
            v1::JobStatus status;
            QVERIFY(!reader->Read(&status));
            QCOMPARE(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
        }

        v1::HeartbeatRequest heartbeat;
        heartbeat.set_node_id("node-nope");
        v1::HeartbeatResponse heartbeatResponse;
        grpc::ClientContext heartbeatContext;
        QCOMPARE(h.nodes->Heartbeat(&heartbeatContext, heartbeat, &heartbeatResponse).error_code(),
            grpc::StatusCode::NOT_FOUND);
        v1::LeaseTasksResponse leased;
        QCOMPARE(lease(h, "node-nope", 1, &leased).error_code(), grpc::StatusCode::NOT_FOUND);

        const std::string nodeId = registerNode(h, "a");
        QVERIFY(!nodeId.empty());
        v1::Task missing;
        missing.set_task_id("task-nope");
        missing.set_attempt(1);
        v1::SubmitResultResponse submitted;
        QCOMPARE(submit(h, nodeId, missing, "x", &submitted).error_code(), grpc::StatusCode::NOT_FOUND);

        // A node id this coordinator never issued gets a fresh one.
        const std::string fresh = registerNode(h, "b", "node-from-another-life");
        QVERIFY(!fresh.empty());
        QVERIFY(fresh != "node-from-another-life");
        QVERIFY(fresh != nodeId);
    }

    void fullJob()
    {
        Harness h;
        start(h);
        const std::uint32_t m = 96, n = 80, k = 64;
        std::uint32_t taskCount = 0;
        const std::string jobId = submitJob(h, gemmRequest(m, n, k, 32, 32, 7), &taskCount);
        QVERIFY(!jobId.empty());
        QCOMPARE(taskCount, 9u); // 3 × 3 tiles, the last column 16 wide

        v1::JobStatus status;
        QVERIFY(getJob(h, jobId, &status).ok());
        QCOMPARE(status.state(), v1::JOB_STATE_QUEUED);
        QCOMPARE(status.name(), std::string("test gemm"));
        QCOMPARE(status.tasks_total(), 9u);
        QCOMPARE(status.tasks_done(), 0u);
        QCOMPARE(status.created_unix_ms(), std::uint64_t(kStartMs));

        // Watch from the start; the first status comes at once.
        grpc::ClientContext watchContext;
        v1::GetJobRequest watchRequest;
        watchRequest.set_job_id(jobId);
        auto watch = h.jobs->WatchJob(&watchContext, watchRequest);
        std::vector<v1::JobStatus> watched(1);
        QVERIFY(watch->Read(&watched[0]));
        QCOMPARE(watched[0].state(), v1::JOB_STATE_QUEUED);
        std::thread watcher([&] {
            v1::JobStatus next;
            while (watch->Read(&next))
                watched.push_back(next);
        });
        // If a check below fails, end the stream so that the watcher can be joined.
        struct Join {
            grpc::ClientContext &context;
            std::thread &thread;
            ~Join()
            {
                if (thread.joinable()) {
                    context.TryCancel();
                    thread.join();
                }
            }
        } joinWatcher { watchContext, watcher };

        const std::string nodeA = registerNode(h, "a");
        const std::string nodeB = registerNode(h, "b");
        QVERIFY(!nodeA.empty() && !nodeB.empty() && nodeA != nodeB);

        v1::LeaseTasksResponse leasedA, leasedB;
        QCOMPARE(lease(h, nodeA, 4, &leasedA, "cuda:7").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY(lease(h, nodeA, 4, &leasedA).ok());
        QCOMPARE(leasedA.tasks_size(), 4);
        QVERIFY(lease(h, nodeB, 100, &leasedB).ok());
        QCOMPARE(leasedB.tasks_size(), 5);
        v1::LeaseTasksResponse none;
        QVERIFY(lease(h, nodeA, 4, &none).ok());
        QCOMPARE(none.tasks_size(), 0);
        QCOMPARE(none.retry_after_ms(), 500u);

        // Payloads are the tiles' rows of A and columns of B, A from seed and B from seed + 1.
        std::vector<float> a(std::size_t(m) * k), b(std::size_t(k) * n);
        engine::fillUniform(a, 7);
        engine::fillUniform(b, 8);
        std::set<std::string> taskIds;
        std::vector<v1::Task> all(leasedA.tasks().begin(), leasedA.tasks().end());
        all.insert(all.end(), leasedB.tasks().begin(), leasedB.tasks().end());
        for (std::size_t i = 0; i < all.size(); ++i) {
            const v1::Task &task = all[i];
            taskIds.insert(task.task_id());
            QCOMPARE(task.job_id(), jobId);
            QCOMPARE(task.attempt(), 1u);
            QCOMPARE(task.lease_expires_unix_ms(), std::uint64_t(kStartMs + 10000));
            const v1::GemmTileTask &tile = task.gemm_tile();
            const std::uint32_t row0 = std::uint32_t(i / 3) * 32, col0 = std::uint32_t(i % 3) * 32;
            QCOMPARE(tile.m(), 32u);
            QCOMPARE(tile.n(), i % 3 == 2 ? 16u : 32u);
            QCOMPARE(tile.k(), k);
            const std::vector<float> tileA = floatsOf(tile.a()), tileB = floatsOf(tile.b());
            QCOMPARE(tileA.size(), std::size_t(tile.m()) * k);
            QCOMPARE(tileB.size(), std::size_t(k) * tile.n());
            QVERIFY(std::memcmp(tileA.data(), &a[std::size_t(row0) * k], tileA.size() * sizeof(float)) == 0);
            for (std::uint32_t p = 0; p < k; ++p)
                QVERIFY(std::memcmp(&tileB[std::size_t(p) * tile.n()], &b[std::size_t(p) * n + col0],
                            tile.n() * sizeof(float))
                    == 0);
        }
        QCOMPARE(taskIds.size(), std::size_t(9));
        QVERIFY(getJob(h, jobId, &status).ok());
        QCOMPARE(status.tasks_leased(), 9u);

        v1::JobResult early;
        QCOMPARE(getResult(h, jobId, &early).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

        // Only the holder may submit.
        v1::Task first = leasedA.tasks(0);
        const std::string firstOutput = computeTile(first);
        v1::SubmitResultResponse response;
        QCOMPARE(submit(h, nodeB, first, firstOutput, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

        // A flipped bit, honestly hashed: rejected by recomputation, and leased again.
        std::string corrupted = firstOutput;
        corrupted[5] = char(corrupted[5] ^ 0x01);
        QVERIFY(submit(h, nodeA, first, corrupted, &response).ok());
        QCOMPARE(response.outcome(), v1::SubmitResultResponse::OUTCOME_REJECTED);
        QVERIFY2(response.message().find("differ") != std::string::npos, response.message().c_str());
        v1::LeaseTasksResponse again;
        QVERIFY(lease(h, nodeB, 1, &again).ok());
        QCOMPARE(again.tasks_size(), 1);
        QCOMPARE(again.tasks(0).task_id(), first.task_id());
        QCOMPARE(again.tasks(0).attempt(), 2u);
        // The old attempt is gone for good.
        QCOMPARE(submit(h, nodeA, first, firstOutput, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

        // A digest that does not match the bytes is rejected too.
        first = again.tasks(0);
        QVERIFY(submit(h, nodeB, first, firstOutput, &response, 0, std::string(64, '0')).ok());
        QCOMPARE(response.outcome(), v1::SubmitResultResponse::OUTCOME_REJECTED);
        QVERIFY2(response.message().find("output_sha256") != std::string::npos, response.message().c_str());
        QVERIFY(lease(h, nodeA, 1, &again).ok());
        QCOMPARE(again.tasks_size(), 1);
        QCOMPARE(again.tasks(0).attempt(), 3u);
        first = again.tasks(0);

        // Heartbeats renew the node's own leases and revoke the rest.
        v1::HeartbeatRequest heartbeat;
        heartbeat.set_node_id(nodeA);
        heartbeat.add_task_ids(first.task_id());
        heartbeat.add_task_ids(leasedB.tasks(0).task_id());
        v1::HeartbeatResponse beat;
        grpc::ClientContext beatContext;
        QVERIFY(h.nodes->Heartbeat(&beatContext, heartbeat, &beat).ok());
        QCOMPARE(beat.revoked_task_ids_size(), 1);
        QCOMPARE(beat.revoked_task_ids(0), leasedB.tasks(0).task_id());

        // Correct results, with a duplicate on the way.
        QVERIFY(submit(h, nodeA, first, firstOutput, &response).ok());
        QCOMPARE(response.outcome(), v1::SubmitResultResponse::OUTCOME_ACCEPTED);
        QVERIFY(submit(h, nodeA, first, firstOutput, &response).ok());
        QCOMPARE(response.outcome(), v1::SubmitResultResponse::OUTCOME_DUPLICATE);
        for (int i = 1; i < leasedA.tasks_size(); ++i) {
            QVERIFY(submit(h, nodeA, leasedA.tasks(i), computeTile(leasedA.tasks(i)), &response).ok());
            QCOMPARE(response.outcome(), v1::SubmitResultResponse::OUTCOME_ACCEPTED);
        }
        for (const v1::Task &task : leasedB.tasks()) {
            QVERIFY(submit(h, nodeB, task, computeTile(task), &response).ok());
            QCOMPARE(response.outcome(), v1::SubmitResultResponse::OUTCOME_ACCEPTED);
        }

        // The watch ends by itself once the job is COMPLETED, having seen the progress.
        watcher.join();
        QVERIFY(watch->Finish().ok());
        QVERIFY(watched.size() >= 3);
        for (std::size_t i = 1; i < watched.size(); ++i)
            QVERIFY(watched[i].tasks_done() >= watched[i - 1].tasks_done());
        std::set<std::uint32_t> doneCounts;
        for (const auto &each : watched)
            doneCounts.insert(each.tasks_done());
        QVERIFY(doneCounts.size() >= 2);
        QCOMPARE(watched.back().state(), v1::JOB_STATE_COMPLETED);
        QCOMPARE(watched.back().tasks_done(), 9u);
        for (std::size_t i = 0; i + 1 < watched.size(); ++i)
            QVERIFY(watched[i].state() != v1::JOB_STATE_COMPLETED);

        QVERIFY(getJob(h, jobId, &status).ok());
        QCOMPARE(status.state(), v1::JOB_STATE_COMPLETED);
        QCOMPARE(status.tasks_done(), 9u);
        QCOMPARE(status.tasks_leased(), 0u);
        QCOMPARE(status.finished_unix_ms(), std::uint64_t(kStartMs));
        QVERIFY(status.message().empty());

        v1::JobResult result;
        QVERIFY(getResult(h, jobId, &result).ok());
        QCOMPARE(result.job_id(), jobId);
        QCOMPARE(result.rows(), m);
        QCOMPARE(result.cols(), n);
        QVERIFY(result.verified());
        const std::string expected = fullProduct(m, n, k, 7);
        QCOMPARE(result.data().size(), expected.size());
        QVERIFY(result.data() == expected); // bitwise
        QCOMPARE(result.sha256(), sha256Of(expected));
        QCOMPARE(status.result_sha256(), result.sha256());

        // A late duplicate of an accepted attempt changes nothing.
        QVERIFY(submit(h, nodeB, leasedB.tasks(4), computeTile(leasedB.tasks(4)), &response).ok());
        QCOMPARE(response.outcome(), v1::SubmitResultResponse::OUTCOME_DUPLICATE);
    }

    void heartbeatKeepsLease()
    {
        Harness h;
        start(h, std::chrono::milliseconds(1000));
        const std::string jobId = submitJob(h, gemmRequest(16, 16, 8, 16, 16));
        QVERIFY(!jobId.empty());
        const std::string nodeA = registerNode(h, "a"), nodeB = registerNode(h, "b");
        v1::LeaseTasksResponse leased, other;
        QVERIFY(lease(h, nodeA, 1, &leased).ok());
        QCOMPARE(leased.tasks_size(), 1);

        h.clock->advance(800);
        v1::HeartbeatRequest heartbeat;
        heartbeat.set_node_id(nodeA);
        heartbeat.add_task_ids(leased.tasks(0).task_id());
        v1::HeartbeatResponse beat;
        {
            grpc::ClientContext context;
            QVERIFY(h.nodes->Heartbeat(&context, heartbeat, &beat).ok());
        }
        QCOMPARE(beat.revoked_task_ids_size(), 0);

        // Past the original expiry, but renewed until 800 + 1000.
        h.clock->advance(800);
        QVERIFY(lease(h, nodeB, 1, &other).ok());
        QCOMPARE(other.tasks_size(), 0);

        h.clock->advance(200);
        QVERIFY(lease(h, nodeB, 1, &other).ok());
        QCOMPARE(other.tasks_size(), 1);
        QCOMPARE(other.tasks(0).attempt(), 2u);
        {
            grpc::ClientContext context;
            QVERIFY(h.nodes->Heartbeat(&context, heartbeat, &beat).ok());
        }
        QCOMPARE(beat.revoked_task_ids_size(), 1);
    }

    void leaseExpiresInRealTime()
    {
        Harness h;
        start(h, std::chrono::milliseconds(200), 5, true);
        const std::string jobId = submitJob(h, gemmRequest(32, 32, 32, 32, 32));
        QVERIFY(!jobId.empty());
        const std::string nodeA = registerNode(h, "a"), nodeB = registerNode(h, "b");

        QElapsedTimer sinceLease;
        v1::LeaseTasksResponse leasedA, leasedB;
        QVERIFY(lease(h, nodeA, 1, &leasedA).ok());
        sinceLease.start();
        QCOMPARE(leasedA.tasks_size(), 1);
        QVERIFY(lease(h, nodeB, 1, &leasedB).ok());
        if (sinceLease.elapsed() < 150) // otherwise the lease may legitimately have run out already
            QCOMPARE(leasedB.tasks_size(), 0);

        // Wait for the lease to run out: node-b gets the task, one attempt later. QTRY
        // evaluates its condition once more after success, so the lease is taken only once.
        bool takenOver = false;
        const auto takeOver = [&] {
            if (!takenOver)
                takenOver = lease(h, nodeB, 1, &leasedB).ok() && leasedB.tasks_size() == 1;
            return takenOver;
        };
        QTRY_VERIFY_WITH_TIMEOUT(takeOver(), 10000);
        QVERIFY(sinceLease.elapsed() >= 200);
        QCOMPARE(leasedB.tasks(0).task_id(), leasedA.tasks(0).task_id());
        QCOMPARE(leasedB.tasks(0).attempt(), 2u);

        const std::string output = computeTile(leasedA.tasks(0));
        v1::SubmitResultResponse response;
        QCOMPARE(submit(h, nodeA, leasedA.tasks(0), output, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
        QVERIFY(submit(h, nodeB, leasedB.tasks(0), output, &response).ok());
        QCOMPARE(response.outcome(), v1::SubmitResultResponse::OUTCOME_ACCEPTED);
        v1::JobStatus status;
        QVERIFY(getJob(h, jobId, &status).ok());
        QCOMPARE(status.state(), v1::JOB_STATE_COMPLETED);
    }

    void rejectionsFailJob()
    {
        Harness h;
        start(h, std::chrono::milliseconds(10000), 2);
        const std::string jobId = submitJob(h, gemmRequest(8, 8, 8, 8, 8));
        QVERIFY(!jobId.empty());
        const std::string nodeId = registerNode(h, "a");
        v1::SubmitResultResponse response;
        for (std::uint32_t attempt = 1; attempt <= 2; ++attempt) {
            v1::LeaseTasksResponse leased;
            QVERIFY(lease(h, nodeId, 1, &leased).ok());
            QCOMPARE(leased.tasks_size(), 1);
            QCOMPARE(leased.tasks(0).attempt(), attempt);
            QVERIFY(submit(h, nodeId, leased.tasks(0), std::string(8 * 8 * 4, '\0'), &response).ok());
            QCOMPARE(response.outcome(), v1::SubmitResultResponse::OUTCOME_REJECTED);
        }
        QVERIFY2(response.message().find("job failed") != std::string::npos, response.message().c_str());

        v1::JobStatus status;
        QVERIFY(getJob(h, jobId, &status).ok());
        QCOMPARE(status.state(), v1::JOB_STATE_FAILED);
        QVERIFY2(status.message().find("task 0") != std::string::npos, status.message().c_str());
        v1::JobResult result;
        const grpc::Status resultStatus = getResult(h, jobId, &result);
        QCOMPARE(resultStatus.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
        QVERIFY(resultStatus.error_message().find("FAILED") != std::string::npos);
        v1::LeaseTasksResponse leased;
        QVERIFY(lease(h, nodeId, 1, &leased).ok());
        QCOMPARE(leased.tasks_size(), 0);

        // Watching a finished job: one status, then the stream ends.
        v1::GetJobRequest request;
        request.set_job_id(jobId);
        grpc::ClientContext context;
        auto watch = h.jobs->WatchJob(&context, request);
        QVERIFY(watch->Read(&status));
        QCOMPARE(status.state(), v1::JOB_STATE_FAILED);
        QVERIFY(!watch->Read(&status));
        QVERIFY(watch->Finish().ok());
    }

    void expiredLeasesFailJob()
    {
        Harness h;
        start(h, std::chrono::milliseconds(1000), 1);
        const std::string jobId = submitJob(h, gemmRequest(8, 8, 8, 8, 8));
        const std::string nodeA = registerNode(h, "a"), nodeB = registerNode(h, "b");
        v1::LeaseTasksResponse leased;
        QVERIFY(lease(h, nodeA, 1, &leased).ok());
        QCOMPARE(leased.tasks_size(), 1);
        h.clock->advance(1000);
        QVERIFY(lease(h, nodeB, 1, &leased).ok());
        QCOMPARE(leased.tasks_size(), 0);
        v1::JobStatus status;
        QVERIFY(getJob(h, jobId, &status).ok());
        QCOMPARE(status.state(), v1::JOB_STATE_FAILED);
        QVERIFY2(status.message().find("lease ran out") != std::string::npos, status.message().c_str());
    }

    void restartKeepsState()
    {
        std::string completedJob, openJob, nodeId, resultSha, resultData;
        v1::Task held;
        {
            Harness h;
            start(h);
            completedJob = submitJob(h, gemmRequest(40, 24, 16, 16, 16, 99));
            QVERIFY(!completedJob.empty());
            nodeId = registerNode(h, "a");
            runToCompletion(h, nodeId);
            if (QTest::currentTestFailed())
                return;
            v1::JobResult result;
            QVERIFY(getResult(h, completedJob, &result).ok());
            resultSha = result.sha256();
            resultData = result.data();

            // A second job with one task leased when the coordinator goes down.
            openJob = submitJob(h, gemmRequest(16, 16, 16, 8, 16));
            v1::LeaseTasksResponse leased;
            QVERIFY(lease(h, nodeId, 1, &leased).ok());
            QCOMPARE(leased.tasks_size(), 1);
            held = leased.tasks(0);
            h.coordinator->shutdown();
        }

        Harness h;
        start(h);
        v1::JobStatus status;
        QVERIFY(getJob(h, completedJob, &status).ok());
        QCOMPARE(status.state(), v1::JOB_STATE_COMPLETED);
        QCOMPARE(status.result_sha256(), resultSha);
        v1::JobResult result;
        QVERIFY(getResult(h, completedJob, &result).ok());
        QCOMPARE(result.sha256(), resultSha);
        QVERIFY(result.data() == resultData);
        QVERIFY(result.data() == fullProduct(40, 24, 16, 99));

        // The node keeps its id, and its lease from before the restart still holds.
        QCOMPARE(registerNode(h, "a", nodeId), nodeId);
        QVERIFY(getJob(h, openJob, &status).ok());
        QCOMPARE(status.state(), v1::JOB_STATE_QUEUED);
        QCOMPARE(status.tasks_total(), 2u);
        QCOMPARE(status.tasks_leased(), 1u);
        v1::SubmitResultResponse response;
        QVERIFY(submit(h, nodeId, held, computeTile(held), &response).ok());
        QCOMPARE(response.outcome(), v1::SubmitResultResponse::OUTCOME_ACCEPTED);
        runToCompletion(h, nodeId);
        QVERIFY(getJob(h, openJob, &status).ok());
        QCOMPARE(status.state(), v1::JOB_STATE_COMPLETED);
    }

    void shutdownEndsWatch()
    {
        Harness h;
        start(h);
        const std::string jobId = submitJob(h, gemmRequest(8, 8, 8, 8, 8));
        QVERIFY(!jobId.empty());
        v1::GetJobRequest request;
        request.set_job_id(jobId);
        grpc::ClientContext context;
        auto watch = h.jobs->WatchJob(&context, request);
        v1::JobStatus status;
        QVERIFY(watch->Read(&status));
        QCOMPARE(status.state(), v1::JOB_STATE_QUEUED);

        std::atomic<bool> ended = false;
        std::thread reader([&] {
            v1::JobStatus next;
            while (watch->Read(&next)) { }
            ended = true;
        });
        QElapsedTimer timer;
        timer.start();
        h.coordinator->shutdown();
        reader.join();
        QVERIFY(ended);
        const grpc::Status finished = watch->Finish();
        QVERIFY(!finished.ok());
        // Woken by the shutdown, not by the server's grace period running out.
        QVERIFY2(timer.elapsed() < 1500, std::to_string(timer.elapsed()).c_str());
    }
};

QTEST_GUILESS_MAIN(CoordinatorServiceTest)
#include "coordinator_service_test.moc"
