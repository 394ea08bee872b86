// Tests of the coordinator through its gRPC services, as nodes and researchers' clients
// see it: a Coordinator on 127.0.0.1:0 with a temporary database and a FakeClock, raw gRPC
// stubs carrying each account's token, and tiles computed with the engine's CPU backend
// from the A and B blobs fetched through BlobService.
//
// Covered: authentication and permissions on every service, refused input (with the
// field named), whole jobs under reference and replicate(2) verification with the ledger
// checked, a cheating node caught end to end, lease expiry, cancellation, WatchJob,
// resumable uploads and idempotent result submission.

#include "coordinator/coordinator.h"
#include "coordinator/ledger/pricing.h"
#include "engine/backend.h"
#include "engine/engine.h"
#include "engine/sha256.h"

#include "tributary/v1/account.grpc.pb.h"
#include "tributary/v1/blob.grpc.pb.h"
#include "tributary/v1/job.grpc.pb.h"
#include "tributary/v1/ledger.grpc.pb.h"
#include "tributary/v1/node.grpc.pb.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace tributary;
using namespace tributary::coordinator;
using grpc::StatusCode;

namespace {

constexpr std::int64_t kStartMs = 1'700'000'000'000;
constexpr std::chrono::milliseconds kLease { 10000 };
// Each test account starts with this many credit units: enough for the small jobs here,
// not for the "big job" of insufficientBalance.
constexpr std::int64_t kInitialUnits = 100'000;

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

v1::SubmitJobRequest withReference(v1::SubmitJobRequest request)
{
    request.mutable_spec()->mutable_verification()->mutable_reference();
    return request;
}

v1::SubmitJobRequest withReplicate(v1::SubmitJobRequest request, std::uint32_t k)
{
    request.mutable_spec()->mutable_verification()->mutable_replicate()->set_k(k);
    return request;
}

// One account's stubs on a shared channel; every call carries its token.
struct Client {
    std::string accountId;
    std::string token;
    std::unique_ptr<v1::AccountService::Stub> accounts;
    std::unique_ptr<v1::LedgerService::Stub> ledger;
    std::unique_ptr<v1::BlobService::Stub> blobs;
    std::unique_ptr<v1::NodeService::Stub> nodes;
    std::unique_ptr<v1::JobService::Stub> jobs;

    void prepare(grpc::ClientContext *context) const
    {
        if (!token.empty())
            context->AddMetadata("authorization", "Bearer " + token);
        context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    }
};

} // namespace

class CoordinatorServiceTest : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<FakeClock> m_clock;
    std::unique_ptr<Coordinator> m_coordinator;
    std::shared_ptr<grpc::Channel> m_channel;
    std::unique_ptr<engine::Engine> m_engine;
    std::unique_ptr<engine::Backend> m_cpu;
    int m_accounts = 0;

    // Starts a coordinator; `adjust` changes its options first.
    void startCoordinator(const std::function<void(CoordinatorOptions &)> &adjust = {})
    {
        m_clock = std::make_shared<FakeClock>();
        CoordinatorOptions options;
        options.listenAddress = "127.0.0.1:0";
        options.databasePath = m_dir->filePath("c.db").toStdString();
        options.leaseDuration = kLease;
        options.clock = m_clock;
        options.initialGrantUnits = kInitialUnits;
        options.maxBlobBytes = std::uint64_t(4) << 20;
        if (adjust)
            adjust(options);
        m_coordinator = std::make_unique<Coordinator>(options);
        const engine::Status status = m_coordinator->start();
        QVERIFY2(status, status.message().c_str());
        m_channel = grpc::CreateChannel(m_coordinator->address(), grpc::InsecureChannelCredentials());
    }

    Client clientWithToken(const std::string &token, const std::string &accountId = {}) const
    {
        Client client;
        client.accountId = accountId;
        client.token = token;
        client.accounts = v1::AccountService::NewStub(m_channel);
        client.ledger = v1::LedgerService::NewStub(m_channel);
        client.blobs = v1::BlobService::NewStub(m_channel);
        client.nodes = v1::NodeService::NewStub(m_channel);
        client.jobs = v1::JobService::NewStub(m_channel);
        return client;
    }

    // A new account (with the initial grant) and its stubs.
    Client newAccount(bool isAdmin = false)
    {
        std::string id, token;
        const engine::Status status
            = m_coordinator->createAccount("account " + std::to_string(++m_accounts), isAdmin, &id, &token);
        if (!status)
            qWarning("createAccount: %s", status.message().c_str());
        return clientWithToken(token, id);
    }

    static grpc::Status registerNode(const Client &client, std::string *nodeId, const std::string &knownId = {})
    {
        v1::RegisterRequest request;
        request.set_node_name("test node");
        request.set_client_version("test");
        request.set_node_id(knownId);
        v1::Device *device = request.add_devices();
        device->set_id("cpu:0");
        device->set_backend(v1::BACKEND_KIND_CPU);
        device->set_name("test cpu");
        device->set_available(true);
        device->set_reproducibility(v1::REPRODUCIBILITY_EXACT);
        v1::RegisterResponse response;
        grpc::ClientContext context;
        client.prepare(&context);
        const grpc::Status status = client.nodes->Register(&context, request, &response);
        *nodeId = response.node_id();
        return status;
    }

    static grpc::Status lease(const Client &client, const std::string &nodeId, std::vector<v1::Task> *tasks,
        std::uint32_t maxTasks = 1, const std::string &deviceId = "cpu:0")
    {
        v1::LeaseTasksRequest request;
        request.set_node_id(nodeId);
        request.set_device_id(deviceId);
        request.set_max_tasks(maxTasks);
        v1::LeaseTasksResponse response;
        grpc::ClientContext context;
        client.prepare(&context);
        const grpc::Status status = client.nodes->LeaseTasks(&context, request, &response);
        tasks->assign(response.tasks().begin(), response.tasks().end());
        return status;
    }

    static grpc::Status submitJob(const Client &client, const v1::SubmitJobRequest &request, std::string *jobId)
    {
        v1::SubmitJobResponse response;
        grpc::ClientContext context;
        client.prepare(&context);
        const grpc::Status status = client.jobs->SubmitJob(&context, request, &response);
        *jobId = response.job_id();
        return status;
    }

    static v1::JobStatus getJob(const Client &client, const std::string &jobId, grpc::Status *status = nullptr)
    {
        v1::GetJobRequest request;
        request.set_job_id(jobId);
        v1::JobStatus response;
        grpc::ClientContext context;
        client.prepare(&context);
        const grpc::Status result = client.jobs->GetJob(&context, request, &response);
        if (status)
            *status = result;
        return response;
    }

    static v1::Balance balance(const Client &client)
    {
        v1::Balance response;
        grpc::ClientContext context;
        client.prepare(&context);
        const grpc::Status status = client.ledger->GetBalance(&context, v1::GetBalanceRequest(), &response);
        if (!status.ok())
            qWarning("GetBalance: %s", status.error_message().c_str());
        return response;
    }

    static grpc::Status fetchBlob(const Client &client, const std::string &sha256, std::uint64_t offset,
        std::string *data)
    {
        v1::FetchBlobRequest request;
        request.set_sha256(sha256);
        request.set_offset(offset);
        grpc::ClientContext context;
        client.prepare(&context);
        auto reader = client.blobs->FetchBlob(&context, request);
        data->clear();
        v1::BlobChunk chunk;
        while (reader->Read(&chunk)) {
            if (chunk.offset() != offset + data->size())
                return grpc::Status(StatusCode::INTERNAL, "chunk out of order");
            data->append(chunk.data());
        }
        return reader->Finish();
    }

    // The task's tile, computed on the CPU backend from A and B fetched through BlobService.
    std::string computeTile(const Client &client, const v1::Task &task)
    {
        const v1::GemmTileTask &tile = task.gemm_tile();
        std::string aBytes, bBytes;
        if (!fetchBlob(client, tile.a_sha256(), 0, &aBytes).ok() || !fetchBlob(client, tile.b_sha256(), 0, &bBytes).ok())
            return {};
        const std::vector<float> a = floatsOf(aBytes);
        const std::vector<float> b = floatsOf(bBytes);
        if (a.size() != std::size_t(tile.m()) * tile.k() || b.size() != std::size_t(tile.k()) * tile.n())
            return {};
        std::vector<float> aRows(a.begin() + std::ptrdiff_t(tile.row0()) * tile.k(),
            a.begin() + std::ptrdiff_t(tile.row0() + tile.rows()) * tile.k());
        std::vector<float> bColumns(std::size_t(tile.k()) * tile.cols());
        for (std::uint32_t p = 0; p < tile.k(); ++p)
            for (std::uint32_t j = 0; j < tile.cols(); ++j)
                bColumns[std::size_t(p) * tile.cols() + j] = b[std::size_t(p) * tile.n() + tile.col0() + j];
        std::vector<float> c(std::size_t(tile.rows()) * tile.cols());
        const engine::Status status = m_cpu->gemm(aRows, bColumns, c,
            { static_cast<int>(tile.rows()), static_cast<int>(tile.cols()), static_cast<int>(tile.k()) });
        if (!status)
            qWarning("gemm: %s", status.message().c_str());
        return bytesOfFloats(c);
    }

    static v1::TaskResult resultOf(const v1::Task &task, const std::string &output)
    {
        v1::TaskResult result;
        result.set_task_id(task.task_id());
        result.set_attempt(task.attempt());
        result.set_device_id("cpu:0");
        result.set_compute_ms(1);
        result.set_output(output);
        result.set_output_sha256(sha256Of(output));
        return result;
    }

    static grpc::Status submitResult(const Client &client, const std::string &nodeId, const v1::TaskResult &result,
        v1::SubmitOutcome *outcome)
    {
        v1::SubmitResultsRequest request;
        request.set_node_id(nodeId);
        *request.add_results() = result;
        v1::SubmitResultsResponse response;
        grpc::ClientContext context;
        client.prepare(&context);
        const grpc::Status status = client.nodes->SubmitResults(&context, request, &response);
        if (status.ok() && response.outcomes_size() == 1)
            *outcome = response.outcomes(0);
        return status;
    }

    static std::vector<v1::TaskRef> heartbeat(const Client &client, const std::string &nodeId, const v1::Task &task)
    {
        v1::HeartbeatRequest request;
        request.set_node_id(nodeId);
        v1::TaskRef *ref = request.add_tasks();
        ref->set_task_id(task.task_id());
        ref->set_attempt(task.attempt());
        v1::HeartbeatResponse response;
        grpc::ClientContext context;
        client.prepare(&context);
        const grpc::Status status = client.nodes->Heartbeat(&context, request, &response);
        if (!status.ok())
            qWarning("Heartbeat: %s", status.error_message().c_str());
        return { response.revoked().begin(), response.revoked().end() };
    }

    // Leases one task, computes it and submits it; returns the outcome.
    v1::SubmitOutcome::Outcome runOneTask(const Client &client, const std::string &nodeId, v1::Task *leased = nullptr)
    {
        std::vector<v1::Task> tasks;
        const grpc::Status status = lease(client, nodeId, &tasks);
        if (!status.ok() || tasks.size() != 1) {
            qWarning("lease: %s, %zu tasks", status.error_message().c_str(), tasks.size());
            return v1::SubmitOutcome::OUTCOME_UNSPECIFIED;
        }
        if (leased)
            *leased = tasks[0];
        v1::SubmitOutcome outcome;
        const grpc::Status submitted = submitResult(client, nodeId, resultOf(tasks[0], computeTile(client, tasks[0])), &outcome);
        if (!submitted.ok()) {
            qWarning("submit: %s", submitted.error_message().c_str());
            return v1::SubmitOutcome::OUTCOME_UNSPECIFIED;
        }
        return outcome.outcome();
    }

    // The whole product A·B on the CPU backend, from the job's blobs as a node sees them.
    std::string fullProduct(const Client &client, const v1::Task &anyTask)
    {
        const v1::GemmTileTask &tile = anyTask.gemm_tile();
        std::string aBytes, bBytes;
        if (!fetchBlob(client, tile.a_sha256(), 0, &aBytes).ok() || !fetchBlob(client, tile.b_sha256(), 0, &bBytes).ok())
            return {};
        std::vector<float> c(std::size_t(tile.m()) * tile.n());
        if (!m_cpu->gemm(floatsOf(aBytes), floatsOf(bBytes), c,
                { static_cast<int>(tile.m()), static_cast<int>(tile.n()), static_cast<int>(tile.k()) }))
            return {};
        return bytesOfFloats(c);
    }

    static grpc::Status jobResult(const Client &client, const std::string &jobId, v1::JobResult *result)
    {
        v1::GetJobRequest request;
        request.set_job_id(jobId);
        grpc::ClientContext context;
        client.prepare(&context);
        return client.jobs->GetJobResult(&context, request, result);
    }

    static grpc::Status cancelJob(const Client &client, const std::string &jobId)
    {
        v1::GetJobRequest request;
        request.set_job_id(jobId);
        v1::JobStatus response;
        grpc::ClientContext context;
        client.prepare(&context);
        return client.jobs->CancelJob(&context, request, &response);
    }

private slots:
    void initTestCase()
    {
        m_engine = std::make_unique<engine::Engine>(engine::LogCallback {}, engine::SelfTest::Skip);
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
        startCoordinator();
    }

    void cleanup()
    {
        m_channel.reset();
        if (m_coordinator)
            m_coordinator->shutdown();
        m_coordinator.reset();
        m_dir.reset();
    }

    // --- Authentication and permissions

    void unauthenticatedOnEveryService_data()
    {
        QTest::addColumn<QString>("token");
        QTest::newRow("no token") << QString();
        QTest::newRow("malformed") << QStringLiteral("trb_nothex");
        QTest::newRow("unknown") << QStringLiteral("trb_") + QString(64, QChar('a'));
    }

    void unauthenticatedOnEveryService()
    {
        QFETCH(QString, token);
        const Client client = clientWithToken(token.toStdString());
        const auto expectUnauthenticated = [](const grpc::Status &status, const char *what) {
            if (status.error_code() != StatusCode::UNAUTHENTICATED)
                qWarning("%s: code %d, %s", what, int(status.error_code()), status.error_message().c_str());
            return status.error_code() == StatusCode::UNAUTHENTICATED;
        };
        {
            grpc::ClientContext context;
            client.prepare(&context);
            v1::Account account;
            QVERIFY(expectUnauthenticated(client.accounts->WhoAmI(&context, v1::WhoAmIRequest(), &account), "WhoAmI"));
        }
        {
            grpc::ClientContext context;
            client.prepare(&context);
            v1::Balance balance;
            QVERIFY(expectUnauthenticated(
                client.ledger->GetBalance(&context, v1::GetBalanceRequest(), &balance), "GetBalance"));
        }
        {
            grpc::ClientContext context;
            client.prepare(&context);
            v1::UploadStatus status;
            v1::GetUploadStatusRequest request;
            request.set_sha256(sha256Of("x"));
            QVERIFY(expectUnauthenticated(client.blobs->GetUploadStatus(&context, request, &status), "GetUploadStatus"));
        }
        {
            std::string ignored;
            QVERIFY(expectUnauthenticated(fetchBlob(client, sha256Of("x"), 0, &ignored), "FetchBlob"));
        }
        {
            std::string nodeId;
            QVERIFY(expectUnauthenticated(registerNode(client, &nodeId), "Register"));
        }
        {
            std::string jobId;
            QVERIFY(expectUnauthenticated(submitJob(client, withReference(gemmRequest(8, 8, 8, 8, 8)), &jobId), "SubmitJob"));
        }
        {
            grpc::Status status;
            getJob(client, "job-nope", &status);
            QVERIFY(expectUnauthenticated(status, "GetJob"));
        }
    }

    void permissions()
    {
        const Client admin = newAccount(true);
        const Client alice = newAccount();
        const Client bob = newAccount();

        {
            v1::CreateAccountRequest request;
            request.set_name("mallory");
            v1::CreateAccountResponse response;
            grpc::ClientContext context;
            alice.prepare(&context);
            QCOMPARE(alice.accounts->CreateAccount(&context, request, &response).error_code(),
                StatusCode::PERMISSION_DENIED);
        }
        {
            v1::GrantCreditsRequest request;
            request.set_account_id(alice.accountId);
            request.set_amount_units(5);
            v1::GrantCreditsResponse response;
            grpc::ClientContext context;
            alice.prepare(&context);
            QCOMPARE(alice.accounts->GrantCredits(&context, request, &response).error_code(),
                StatusCode::PERMISSION_DENIED);
        }
        {
            // An administrator may, and the new account's token works.
            v1::CreateAccountRequest request;
            request.set_name("carol");
            v1::CreateAccountResponse response;
            grpc::ClientContext context;
            admin.prepare(&context);
            const grpc::Status status = admin.accounts->CreateAccount(&context, request, &response);
            QVERIFY2(status.ok(), status.error_message().c_str());
            QVERIFY(response.token().starts_with("trb_"));
            QCOMPARE(response.token().size(), std::size_t(68));
            const Client carol = clientWithToken(response.token());
            v1::Account me;
            grpc::ClientContext who;
            carol.prepare(&who);
            QVERIFY(carol.accounts->WhoAmI(&who, v1::WhoAmIRequest(), &me).ok());
            QCOMPARE(me.name(), std::string("carol"));
            QVERIFY(!me.is_admin());
        }

        // Bob may neither see nor cancel Alice's job; an administrator may see it.
        std::string jobId;
        QVERIFY(submitJob(alice, withReference(gemmRequest(8, 8, 8, 8, 8)), &jobId).ok());
        grpc::Status status;
        getJob(bob, jobId, &status);
        QCOMPARE(status.error_code(), StatusCode::PERMISSION_DENIED);
        QCOMPARE(cancelJob(bob, jobId).error_code(), StatusCode::PERMISSION_DENIED);
        getJob(admin, jobId, &status);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(getJob(alice, jobId).state(), v1::JOB_STATE_QUEUED);

        // Bob may not act for Alice's node.
        std::string aliceNode;
        QVERIFY(registerNode(alice, &aliceNode).ok());
        std::vector<v1::Task> tasks;
        QCOMPARE(lease(bob, aliceNode, &tasks).error_code(), StatusCode::PERMISSION_DENIED);
        std::string reused;
        QCOMPARE(registerNode(bob, &reused, aliceNode).error_code(), StatusCode::PERMISSION_DENIED);
        v1::HeartbeatRequest beat;
        beat.set_node_id(aliceNode);
        v1::HeartbeatResponse beatResponse;
        grpc::ClientContext context;
        bob.prepare(&context);
        QCOMPARE(bob.nodes->Heartbeat(&context, beat, &beatResponse).error_code(), StatusCode::PERMISSION_DENIED);
    }

    // --- Refused input

    void submitJobRefusesBadSpecs_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("field");
        const auto row = [](const char *name, const v1::SubmitJobRequest &request, const char *field) {
            const std::string bytes = request.SerializeAsString();
            QTest::newRow(name) << QByteArray(bytes.data(), qsizetype(bytes.size())) << QString(field);
        };
        row("no spec", v1::SubmitJobRequest(), "spec");
        row("m zero", withReference(gemmRequest(0, 8, 8, 8, 8)), "spec.gemm.m");
        row("k zero", withReference(gemmRequest(8, 8, 0, 8, 8)), "spec.gemm.k");
        row("tile_n zero", withReference(gemmRequest(8, 8, 8, 8, 0)), "spec.gemm.tile_n");
        row("replicate 1", withReplicate(gemmRequest(8, 8, 8, 8, 8), 1), "spec.verification.replicate.k");
        row("replicate 9", withReplicate(gemmRequest(8, 8, 8, 8, 8), 9), "spec.verification.replicate.k");
        v1::SubmitJobRequest spot = gemmRequest(8, 8, 8, 8, 8);
        spot.mutable_spec()->mutable_verification()->mutable_spot_check()->set_p(0);
        row("spot_check 0", spot, "spec.verification.spot_check.p");
        spot.mutable_spec()->mutable_verification()->mutable_spot_check()->set_p(1.5);
        row("spot_check 1.5", spot, "spec.verification.spot_check.p");
        v1::SubmitJobRequest fast = withReference(gemmRequest(8, 8, 8, 8, 8));
        fast.mutable_spec()->set_mode(v1::EXECUTION_MODE_FAST);
        row("reference fast", fast, "spec.verification.reference");
        v1::SubmitJobRequest late = withReference(gemmRequest(8, 8, 8, 8, 8));
        late.mutable_spec()->set_deadline_unix_ms(kStartMs - 1000);
        row("deadline past", late, "spec.deadline_unix_ms");
        v1::SubmitJobRequest attempts = withReference(gemmRequest(8, 8, 8, 8, 8));
        attempts.mutable_spec()->set_max_attempts(1000);
        row("max_attempts 1000", attempts, "spec.max_attempts");
    }

    void submitJobRefusesBadSpecs()
    {
        QFETCH(QByteArray, request);
        QFETCH(QString, field);
        v1::SubmitJobRequest parsed;
        QVERIFY(parsed.ParseFromArray(request.constData(), int(request.size())));
        const Client alice = newAccount();
        std::string jobId;
        const grpc::Status status = submitJob(alice, parsed, &jobId);
        QCOMPARE(status.error_code(), StatusCode::INVALID_ARGUMENT);
        QVERIFY2(status.error_message().find(field.toStdString()) != std::string::npos, status.error_message().c_str());
        // Nothing was held.
        QCOMPARE(balance(alice).available_units(), kInitialUnits);
    }

    void insufficientBalance()
    {
        const Client admin = newAccount(true);
        const Client alice = newAccount();
        // 512³ with replicate(2): about 2 × 268 435 units, more than the initial grant.
        const v1::SubmitJobRequest big = withReplicate(gemmRequest(512, 512, 512, 256, 256), 2);
        std::string jobId;
        grpc::Status status = submitJob(alice, big, &jobId);
        QCOMPARE(status.error_code(), StatusCode::FAILED_PRECONDITION);
        QCOMPARE(balance(alice).available_units(), kInitialUnits);

        v1::GrantCreditsRequest grant;
        grant.set_account_id(alice.accountId);
        grant.set_amount_units(1'000'000);
        grant.set_idempotency_key("grant-alice-1");
        v1::GrantCreditsResponse granted;
        grpc::ClientContext context;
        admin.prepare(&context);
        status = admin.accounts->GrantCredits(&context, grant, &granted);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(granted.balance_units(), kInitialUnits + 1'000'000);

        status = submitJob(alice, big, &jobId);
        QVERIFY2(status.ok(), status.error_message().c_str());
        const v1::Balance after = balance(alice);
        QVERIFY(after.held_units() > kInitialUnits);
        QCOMPARE(after.available_units() + after.held_units(), kInitialUnits + 1'000'000);
    }

    void leaseRefusesBadRequests()
    {
        const Client alice = newAccount();
        std::string nodeId;
        QVERIFY(registerNode(alice, &nodeId).ok());
        std::vector<v1::Task> tasks;
        grpc::Status status = lease(alice, nodeId, &tasks, 1, "vulkan:7");
        QCOMPARE(status.error_code(), StatusCode::INVALID_ARGUMENT);
        QVERIFY2(status.error_message().find("device_id") != std::string::npos, status.error_message().c_str());
        status = lease(alice, nodeId, &tasks, 1000);
        QCOMPARE(status.error_code(), StatusCode::INVALID_ARGUMENT);
        QVERIFY2(status.error_message().find("max_tasks") != std::string::npos, status.error_message().c_str());
    }

    void submitResultsRefusesBadOutputs()
    {
        const Client researcher = newAccount();
        const Client worker = newAccount();
        std::string jobId, nodeId;
        QVERIFY(submitJob(researcher, withReference(gemmRequest(16, 16, 16, 8, 8)), &jobId).ok());
        QVERIFY(registerNode(worker, &nodeId).ok());
        std::vector<v1::Task> tasks;
        QVERIFY(lease(worker, nodeId, &tasks).ok());
        QCOMPARE(tasks.size(), std::size_t(1));
        const std::string output = computeTile(worker, tasks[0]);
        QCOMPARE(output.size(), std::size_t(8 * 8 * 4));

        v1::SubmitOutcome outcome;
        v1::TaskResult wrongDigest = resultOf(tasks[0], output);
        wrongDigest.set_output_sha256(sha256Of("something else"));
        grpc::Status status = submitResult(worker, nodeId, wrongDigest, &outcome);
        QCOMPARE(status.error_code(), StatusCode::INVALID_ARGUMENT);
        QVERIFY2(status.error_message().find("output_sha256") != std::string::npos, status.error_message().c_str());

        status = submitResult(worker, nodeId, resultOf(tasks[0], output.substr(0, output.size() - 4)), &outcome);
        QCOMPARE(status.error_code(), StatusCode::INVALID_ARGUMENT);
        QVERIFY2(status.error_message().find("bytes of output") != std::string::npos, status.error_message().c_str());

        status = submitResult(worker, nodeId, resultOf(tasks[0], std::string((4 << 20) + 4, '\0')), &outcome);
        QCOMPARE(status.error_code(), StatusCode::RESOURCE_EXHAUSTED);

        // None of that counted: the right output is still accepted.
        status = submitResult(worker, nodeId, resultOf(tasks[0], output), &outcome);
        QVERIFY2(status.ok(), status.error_message().c_str());
        QCOMPARE(outcome.outcome(), v1::SubmitOutcome::OUTCOME_ACCEPTED);
    }

    void blobUploadOverCap()
    {
        cleanup();
        m_dir = std::make_unique<QTemporaryDir>();
        startCoordinator([](CoordinatorOptions &options) { options.maxBlobBytes = 1024; });
        if (QTest::currentTestFailed())
            return;
        const Client alice = newAccount();
        const std::string blob(2048, 'x');
        grpc::ClientContext context;
        alice.prepare(&context);
        v1::UploadBlobResponse response;
        auto writer = alice.blobs->UploadBlob(&context, &response);
        v1::BlobChunk chunk;
        chunk.set_sha256(sha256Of(blob));
        chunk.set_total_size(blob.size());
        chunk.set_offset(0);
        chunk.set_data(blob.substr(0, 512));
        writer->Write(chunk);
        writer->WritesDone();
        QCOMPARE(writer->Finish().error_code(), StatusCode::RESOURCE_EXHAUSTED);

        // Nothing was kept.
        v1::GetUploadStatusRequest request;
        request.set_sha256(sha256Of(blob));
        v1::UploadStatus status;
        grpc::ClientContext statusContext;
        alice.prepare(&statusContext);
        QVERIFY(alice.blobs->GetUploadStatus(&statusContext, request, &status).ok());
        QVERIFY(!status.complete());
        QCOMPARE(status.received_bytes(), std::uint64_t(0));
    }

    // --- Whole jobs

    void wholeJobReference()
    {
        const Client researcher = newAccount();
        const Client worker = newAccount();
        std::string jobId, nodeId;
        QVERIFY(submitJob(researcher, withReference(gemmRequest(24, 16, 20, 8, 8, 3)), &jobId).ok());
        QCOMPARE(getJob(researcher, jobId).tasks_total(), 6u);
        QVERIFY(registerNode(worker, &nodeId).ok());

        std::int64_t paid = 0;
        v1::Task task;
        for (int i = 0; i < 6; ++i) {
            QCOMPARE(runOneTask(worker, nodeId, &task), v1::SubmitOutcome::OUTCOME_ACCEPTED);
            paid += unitsForFlops(task.flops());
        }
        const v1::JobStatus status = getJob(researcher, jobId);
        QCOMPARE(status.state(), v1::JOB_STATE_COMPLETED);
        QCOMPARE(status.tasks_done(), 6u);
        QCOMPARE(status.held_units(), std::int64_t(0));
        QCOMPARE(status.cost_units(), paid);

        v1::JobResult result;
        QVERIFY(jobResult(researcher, jobId, &result).ok());
        QCOMPARE(result.rows(), 24u);
        QCOMPARE(result.cols(), 16u);
        QVERIFY(result.verified());
        QCOMPARE(result.sha256(), sha256Of(result.data()));
        QVERIFY(result.data() == fullProduct(researcher, task));

        const v1::Balance earned = balance(worker);
        QCOMPARE(earned.earned_units(), paid);
        QCOMPARE(earned.available_units(), kInitialUnits + paid);
        const v1::Balance spent = balance(researcher);
        QCOMPARE(spent.held_units(), std::int64_t(0));
        QCOMPARE(spent.available_units(), kInitialUnits - paid);
    }

    void wholeJobReplicate()
    {
        const Client researcher = newAccount();
        const Client first = newAccount();
        const Client second = newAccount();
        std::string jobId, firstNode, secondNode;
        QVERIFY(submitJob(researcher, withReplicate(gemmRequest(16, 16, 16, 8, 16, 5), 2), &jobId).ok());
        QVERIFY(registerNode(first, &firstNode).ok());
        QVERIFY(registerNode(second, &secondNode).ok());

        std::int64_t perNode = 0;
        v1::Task task;
        for (int i = 0; i < 2; ++i) {
            // The first result of a task is recorded; the second, agreeing, accepts both.
            QCOMPARE(runOneTask(first, firstNode, &task), v1::SubmitOutcome::OUTCOME_ACCEPTED);
            QCOMPARE(runOneTask(second, secondNode, &task), v1::SubmitOutcome::OUTCOME_ACCEPTED);
            perNode += unitsForFlops(task.flops());
        }
        const v1::JobStatus status = getJob(researcher, jobId);
        QCOMPARE(status.state(), v1::JOB_STATE_COMPLETED);
        QCOMPARE(status.held_units(), std::int64_t(0));
        QCOMPARE(status.cost_units(), 2 * perNode);

        v1::JobResult result;
        QVERIFY(jobResult(researcher, jobId, &result).ok());
        QVERIFY(result.data() == fullProduct(researcher, task));

        QCOMPARE(balance(first).earned_units(), perNode);
        QCOMPARE(balance(second).earned_units(), perNode);
        const v1::Balance spent = balance(researcher);
        QCOMPARE(spent.held_units(), std::int64_t(0));
        QCOMPARE(spent.available_units(), kInitialUnits - 2 * perNode);
    }

    void cheaterIsCaught()
    {
        const Client researcher = newAccount();
        const Client honest = newAccount();
        const Client cheater = newAccount();
        const Client tieBreaker = newAccount();
        std::string jobId, honestNode, cheaterNode, tieNode;
        QVERIFY(submitJob(researcher, withReplicate(gemmRequest(8, 8, 8, 8, 8, 11), 2), &jobId).ok());
        QVERIFY(registerNode(honest, &honestNode).ok());
        QVERIFY(registerNode(cheater, &cheaterNode).ok());
        QVERIFY(registerNode(tieBreaker, &tieNode).ok());

        QCOMPARE(runOneTask(honest, honestNode), v1::SubmitOutcome::OUTCOME_ACCEPTED);

        std::vector<v1::Task> tasks;
        QVERIFY(lease(cheater, cheaterNode, &tasks).ok());
        QCOMPARE(tasks.size(), std::size_t(1));
        std::string wrong = computeTile(cheater, tasks[0]);
        wrong[5] = char(wrong[5] ^ 0x01);
        v1::SubmitOutcome outcome;
        QVERIFY(submitResult(cheater, cheaterNode, resultOf(tasks[0], wrong), &outcome).ok());
        QVERIFY(outcome.outcome() != v1::SubmitOutcome::OUTCOME_NOT_HELD);
        QVERIFY(getJob(researcher, jobId).state() != v1::JOB_STATE_COMPLETED);

        // A third node breaks the tie.
        const v1::SubmitOutcome::Outcome third = runOneTask(tieBreaker, tieNode);
        QCOMPARE(third, v1::SubmitOutcome::OUTCOME_ACCEPTED);
        QCOMPARE(getJob(researcher, jobId).state(), v1::JOB_STATE_COMPLETED);
        v1::JobResult result;
        QVERIFY(jobResult(researcher, jobId, &result).ok());
        QVERIFY(result.data() == fullProduct(researcher, tasks[0]));

        QCOMPARE(lease(cheater, cheaterNode, &tasks).error_code(), StatusCode::PERMISSION_DENIED);
        QCOMPARE(balance(cheater).earned_units(), std::int64_t(0));
        QVERIFY(balance(honest).earned_units() > 0);
        QVERIFY(balance(tieBreaker).earned_units() > 0);
    }

    // --- Leases, cancellation, watching

    void leaseExpires()
    {
        const Client researcher = newAccount();
        const Client slow = newAccount();
        const Client fast = newAccount();
        std::string jobId, slowNode, fastNode;
        QVERIFY(submitJob(researcher, withReference(gemmRequest(8, 8, 8, 8, 8)), &jobId).ok());
        QVERIFY(registerNode(slow, &slowNode).ok());
        QVERIFY(registerNode(fast, &fastNode).ok());

        std::vector<v1::Task> first;
        QVERIFY(lease(slow, slowNode, &first).ok());
        QCOMPARE(first.size(), std::size_t(1));
        QCOMPARE(first[0].attempt(), 1u);
        std::vector<v1::Task> none;
        QVERIFY(lease(fast, fastNode, &none).ok());
        QVERIFY(none.empty());

        // Past the lease: the next lease call (or the sweeper) expires it, and the task is
        // given out again once its retry backoff, counted from then, has passed.
        m_clock->advance(kLease.count() + 1);
        std::vector<v1::Task> second;
        QVERIFY(lease(fast, fastNode, &second).ok());
        if (second.empty()) {
            m_clock->advance(120'000);
            QVERIFY(lease(fast, fastNode, &second).ok());
        }
        QCOMPARE(second.size(), std::size_t(1));
        QCOMPARE(second[0].task_id(), first[0].task_id());
        QCOMPARE(second[0].attempt(), 2u);

        v1::SubmitOutcome outcome;
        QVERIFY(submitResult(slow, slowNode, resultOf(first[0], computeTile(slow, first[0])), &outcome).ok());
        QCOMPARE(outcome.outcome(), v1::SubmitOutcome::OUTCOME_NOT_HELD);
        const std::vector<v1::TaskRef> revoked = heartbeat(slow, slowNode, first[0]);
        QCOMPARE(revoked.size(), std::size_t(1));
        QCOMPARE(revoked[0].task_id(), first[0].task_id());
        QCOMPARE(revoked[0].attempt(), 1u);
        QVERIFY(heartbeat(fast, fastNode, second[0]).empty());

        QVERIFY(submitResult(fast, fastNode, resultOf(second[0], computeTile(fast, second[0])), &outcome).ok());
        QCOMPARE(outcome.outcome(), v1::SubmitOutcome::OUTCOME_ACCEPTED);
        QCOMPARE(getJob(researcher, jobId).state(), v1::JOB_STATE_COMPLETED);
        QCOMPARE(balance(slow).earned_units(), std::int64_t(0));
    }

    // A paused node gives its task back over the wire; another node gets it at once, and
    // bad requests and other nodes' tasks are refused precisely.
    void releaseTasks()
    {
        const Client researcher = newAccount();
        const Client paused = newAccount();
        const Client other = newAccount();
        std::string jobId, pausedNode, otherNode;
        QVERIFY(submitJob(researcher, withReference(gemmRequest(8, 8, 8, 8, 8)), &jobId).ok());
        QVERIFY(registerNode(paused, &pausedNode).ok());
        QVERIFY(registerNode(other, &otherNode).ok());
        std::vector<v1::Task> held;
        QVERIFY(lease(paused, pausedNode, &held).ok());
        QCOMPARE(held.size(), std::size_t(1));

        const auto release = [](const Client &client, const std::string &nodeId, const std::vector<v1::TaskRef> &refs,
                                 const std::string &reason, v1::ReleaseTasksResponse *response) {
            v1::ReleaseTasksRequest request;
            request.set_node_id(nodeId);
            request.set_reason(reason);
            for (const v1::TaskRef &ref : refs)
                *request.add_tasks() = ref;
            grpc::ClientContext context;
            client.prepare(&context);
            return client.nodes->ReleaseTasks(&context, request, response);
        };
        v1::TaskRef ref;
        ref.set_task_id(held[0].task_id());
        ref.set_attempt(held[0].attempt());
        v1::ReleaseTasksResponse response;
        QCOMPARE(release(paused, pausedNode, {}, "", &response).error_code(), StatusCode::INVALID_ARGUMENT);
        QCOMPARE(release(paused, pausedNode, { ref }, std::string(201, 'x'), &response).error_code(),
            StatusCode::INVALID_ARGUMENT);
        QCOMPARE(release(other, pausedNode, { ref }, "", &response).error_code(), StatusCode::PERMISSION_DENIED);
        // The other node's own call: it does not hold the task.
        QVERIFY(release(other, otherNode, { ref }, "", &response).ok());
        QCOMPARE(response.released_size(), 0);
        QCOMPARE(response.not_held_size(), 1);

        response.Clear();
        QVERIFY(release(paused, pausedNode, { ref }, "paused: on battery power", &response).ok());
        QCOMPARE(response.released_size(), 1);
        QCOMPARE(response.released(0).task_id(), held[0].task_id());

        std::vector<v1::Task> taken;
        QVERIFY(lease(other, otherNode, &taken).ok());
        QCOMPARE(taken.size(), std::size_t(1));
        QCOMPARE(taken[0].task_id(), held[0].task_id());
        // The released attempt can no longer submit.
        v1::SubmitOutcome outcome;
        QVERIFY(submitResult(paused, pausedNode, resultOf(held[0], computeTile(paused, held[0])), &outcome).ok());
        QCOMPARE(outcome.outcome(), v1::SubmitOutcome::OUTCOME_NOT_HELD);
        QVERIFY2(outcome.message().find("paused: on battery power") != std::string::npos, outcome.message().c_str());
    }

    void cancelJob()
    {
        const Client researcher = newAccount();
        const Client worker = newAccount();
        std::string jobId, nodeId;
        QVERIFY(submitJob(researcher, withReference(gemmRequest(16, 8, 8, 8, 8)), &jobId).ok());
        QVERIFY(balance(researcher).held_units() > 0);
        QVERIFY(registerNode(worker, &nodeId).ok());
        std::vector<v1::Task> tasks;
        QVERIFY(lease(worker, nodeId, &tasks, 2).ok());
        QCOMPARE(tasks.size(), std::size_t(2));

        const grpc::Status cancelled = cancelJob(researcher, jobId);
        QVERIFY2(cancelled.ok(), cancelled.error_message().c_str());
        QCOMPARE(getJob(researcher, jobId).state(), v1::JOB_STATE_CANCELLED);

        const std::vector<v1::TaskRef> revoked = heartbeat(worker, nodeId, tasks[0]);
        QCOMPARE(revoked.size(), std::size_t(1));
        QCOMPARE(revoked[0].task_id(), tasks[0].task_id());
        v1::SubmitOutcome outcome;
        QVERIFY(submitResult(worker, nodeId, resultOf(tasks[1], computeTile(worker, tasks[1])), &outcome).ok());
        QCOMPARE(outcome.outcome(), v1::SubmitOutcome::OUTCOME_NOT_HELD);

        const v1::Balance refunded = balance(researcher);
        QCOMPARE(refunded.held_units(), std::int64_t(0));
        QCOMPARE(refunded.available_units(), kInitialUnits);
        QCOMPARE(balance(worker).earned_units(), std::int64_t(0));
    }

    void watchJobUntilCompleted()
    {
        const Client researcher = newAccount();
        const Client worker = newAccount();
        std::string jobId, nodeId;
        QVERIFY(submitJob(researcher, withReference(gemmRequest(16, 8, 8, 8, 8)), &jobId).ok());
        QVERIFY(registerNode(worker, &nodeId).ok());

        std::vector<v1::JobStatus> seen;
        grpc::Status watchStatus;
        std::atomic<bool> started { false };
        std::thread watcher([&] {
            v1::GetJobRequest request;
            request.set_job_id(jobId);
            grpc::ClientContext context;
            researcher.prepare(&context);
            auto reader = researcher.jobs->WatchJob(&context, request);
            v1::JobStatus status;
            while (reader->Read(&status)) {
                seen.push_back(status);
                started = true;
            }
            watchStatus = reader->Finish();
        });
        QTRY_VERIFY_WITH_TIMEOUT(started.load(), 10000);
        QCOMPARE(runOneTask(worker, nodeId), v1::SubmitOutcome::OUTCOME_ACCEPTED);
        QCOMPARE(runOneTask(worker, nodeId), v1::SubmitOutcome::OUTCOME_ACCEPTED);
        watcher.join();

        QVERIFY2(watchStatus.ok(), watchStatus.error_message().c_str());
        QVERIFY(seen.size() >= 2);
        QCOMPARE(seen.front().state(), v1::JOB_STATE_QUEUED);
        QCOMPARE(seen.back().state(), v1::JOB_STATE_COMPLETED);
        QCOMPARE(seen.back().tasks_done(), 2u);
        QVERIFY(!seen.back().result_sha256().empty());
    }

    // --- Blobs

    void resumableUpload()
    {
        const Client alice = newAccount();
        std::string blob;
        for (int i = 0; i < 3000; ++i)
            blob += char('a' + i % 26);
        const std::string digest = sha256Of(blob);
        const auto chunkAt = [&](std::uint64_t offset, std::size_t size) {
            v1::BlobChunk chunk;
            chunk.set_sha256(digest);
            chunk.set_total_size(blob.size());
            chunk.set_offset(offset);
            chunk.set_data(blob.substr(offset, size));
            return chunk;
        };
        const auto uploadStatus = [&](v1::UploadStatus *status) {
            v1::GetUploadStatusRequest request;
            request.set_sha256(digest);
            grpc::ClientContext context;
            alice.prepare(&context);
            return alice.blobs->GetUploadStatus(&context, request, status);
        };

        // The first of three chunks, then the connection drops.
        {
            grpc::ClientContext context;
            alice.prepare(&context);
            v1::UploadBlobResponse response;
            auto writer = alice.blobs->UploadBlob(&context, &response);
            QVERIFY(writer->Write(chunkAt(0, 1000)));
            v1::UploadStatus status;
            QTRY_VERIFY_WITH_TIMEOUT(uploadStatus(&status).ok() && status.received_bytes() == 1000, 10000);
            context.TryCancel();
            QCOMPARE(writer->Finish().error_code(), StatusCode::CANCELLED);
        }
        v1::UploadStatus status;
        QVERIFY(uploadStatus(&status).ok());
        QVERIFY(!status.complete());
        QCOMPARE(status.received_bytes(), std::uint64_t(1000));

        // Resume from there.
        {
            grpc::ClientContext context;
            alice.prepare(&context);
            v1::UploadBlobResponse response;
            auto writer = alice.blobs->UploadBlob(&context, &response);
            QVERIFY(writer->Write(chunkAt(1000, 1000)));
            QVERIFY(writer->Write(chunkAt(2000, 1000)));
            QVERIFY(writer->WritesDone());
            const grpc::Status finished = writer->Finish();
            QVERIFY2(finished.ok(), finished.error_message().c_str());
            QCOMPARE(response.sha256(), digest);
            QCOMPARE(response.size(), std::uint64_t(3000));
        }
        QVERIFY(uploadStatus(&status).ok());
        QVERIFY(status.complete());

        std::string fetched;
        QVERIFY(fetchBlob(alice, digest, 0, &fetched).ok());
        QVERIFY(fetched == blob);
        QVERIFY(fetchBlob(alice, digest, 2500, &fetched).ok());
        QVERIFY(fetched == blob.substr(2500));
        QCOMPARE(fetchBlob(alice, sha256Of("never uploaded"), 0, &fetched).error_code(), StatusCode::NOT_FOUND);

        // Bytes that do not hash to the announced digest are discarded.
        const std::string liar(100, 'q');
        grpc::ClientContext context;
        alice.prepare(&context);
        v1::UploadBlobResponse response;
        auto writer = alice.blobs->UploadBlob(&context, &response);
        v1::BlobChunk chunk;
        chunk.set_sha256(sha256Of("not the bytes"));
        chunk.set_total_size(liar.size());
        chunk.set_data(liar);
        QVERIFY(writer->Write(chunk));
        QVERIFY(writer->WritesDone());
        QCOMPARE(writer->Finish().error_code(), StatusCode::DATA_LOSS);
        QCOMPARE(fetchBlob(alice, sha256Of("not the bytes"), 0, &fetched).error_code(), StatusCode::NOT_FOUND);
    }

    // --- Idempotency

    void resubmittingIsDuplicate()
    {
        const Client researcher = newAccount();
        const Client worker = newAccount();
        std::string jobId, nodeId;
        QVERIFY(submitJob(researcher, withReference(gemmRequest(16, 8, 8, 8, 8)), &jobId).ok());
        QVERIFY(registerNode(worker, &nodeId).ok());
        std::vector<v1::Task> tasks;
        QVERIFY(lease(worker, nodeId, &tasks).ok());
        QCOMPARE(tasks.size(), std::size_t(1));
        const v1::TaskResult result = resultOf(tasks[0], computeTile(worker, tasks[0]));
        v1::SubmitOutcome outcome;
        QVERIFY(submitResult(worker, nodeId, result, &outcome).ok());
        QCOMPARE(outcome.outcome(), v1::SubmitOutcome::OUTCOME_ACCEPTED);
        const v1::Balance workerBefore = balance(worker);
        const v1::Balance researcherBefore = balance(researcher);
        QCOMPARE(workerBefore.earned_units(), unitsForFlops(tasks[0].flops()));

        QVERIFY(submitResult(worker, nodeId, result, &outcome).ok());
        QCOMPARE(outcome.outcome(), v1::SubmitOutcome::OUTCOME_DUPLICATE);
        const v1::Balance workerAfter = balance(worker);
        const v1::Balance researcherAfter = balance(researcher);
        QCOMPARE(workerAfter.earned_units(), workerBefore.earned_units());
        QCOMPARE(workerAfter.available_units(), workerBefore.available_units());
        QCOMPARE(researcherAfter.available_units(), researcherBefore.available_units());
        QCOMPARE(researcherAfter.held_units(), researcherBefore.held_units());
        QCOMPARE(getJob(researcher, jobId).tasks_done(), 1u);
    }
};

QTEST_GUILESS_MAIN(CoordinatorServiceTest)
#include "coordinator_service_test.moc"
