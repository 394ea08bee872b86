// LeaseKeeper against a real coordinator in this process (loopback gRPC, a temporary
// SQLite file) with one-second leases: a task held by a keeper is still the node's after
// three lease durations; one that is not held has gone back to the queue; and a task the
// coordinator takes back (its job cancelled) is reported as revoked.

#include "app/client/job_client.h"
#include "app/client/node_client.h"
#include "app/contributor/lease_keeper.h"
#include "coordinator/coordinator.h"

#include <QTemporaryDir>
#include <QTest>

using namespace tributary;

class LeaseKeeperTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void heldLeaseOutlivesItsDuration();
    void unheldLeaseRunsOut();
    void cancelledJobIsReportedRevoked();

private:
    // Submits a one-tile job and leases its task for the node.
    void leaseNewTask(v1::Task *task, QString *jobId);
    v1::SubmitOutcome::Outcome reportError(const v1::Task &task);
    grpc::Status cancelJob(const QString &jobId, v1::JobStatus *status);

    static constexpr std::chrono::milliseconds kLease{1000};
    QTemporaryDir m_dir;
    std::unique_ptr<coordinator::Coordinator> m_coordinator;
    client::Endpoint m_endpoint;
    std::unique_ptr<client::NodeClient> m_node;
    std::string m_nodeId;
};

void LeaseKeeperTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    coordinator::CoordinatorOptions options;
    options.databasePath = m_dir.filePath(QStringLiteral("coordinator.db")).toStdString();
    options.leaseDuration = kLease;
    options.sweepInterval = std::chrono::milliseconds(50);
    m_coordinator = std::make_unique<coordinator::Coordinator>(options);
    QVERIFY(m_coordinator->start());
    std::string accountId, token;
    QVERIFY(m_coordinator->createAccount("keeper-test", false, &accountId, &token));
    m_endpoint = {QString::fromStdString(m_coordinator->address()), QString::fromStdString(token), {}};
    m_node = std::make_unique<client::NodeClient>(m_endpoint);

    v1::RegisterRequest registration;
    registration.set_node_name("keeper-test-node");
    v1::Device *device = registration.add_devices();
    device->set_id("cpu:0");
    device->set_backend(v1::BACKEND_KIND_CPU);
    device->set_available(true);
    device->set_reproducibility(v1::REPRODUCIBILITY_EXACT);
    v1::RegisterResponse registered;
    const grpc::Status status = m_node->registerNode(registration, &registered);
    QVERIFY2(status.ok(), qPrintable(client::describeStatus(status)));
    QCOMPARE(std::int64_t(registered.lease_duration_ms()), std::int64_t(kLease.count()));
    m_nodeId = registered.node_id();
}

void LeaseKeeperTest::cleanupTestCase()
{
    m_node.reset();
    m_coordinator.reset();
}

void LeaseKeeperTest::leaseNewTask(v1::Task *task, QString *jobId)
{
    v1::JobSpec spec;
    spec.set_name("keeper");
    v1::GemmJobSpec *gemm = spec.mutable_gemm();
    gemm->set_m(8);
    gemm->set_n(8);
    gemm->set_k(8);
    gemm->set_tile_m(8);
    gemm->set_tile_n(8);
    spec.mutable_verification()->mutable_reference();
    client::JobClient jobs(m_endpoint);
    v1::SubmitJobResponse submitted;
    grpc::Status status = jobs.submitJob(spec, &submitted);
    QVERIFY2(status.ok(), qPrintable(client::describeStatus(status)));
    *jobId = QString::fromStdString(submitted.job_id());

    v1::LeaseTasksRequest lease;
    lease.set_node_id(m_nodeId);
    lease.set_device_id("cpu:0");
    lease.set_max_tasks(1);
    v1::LeaseTasksResponse leased;
    status = m_node->leaseTasks(lease, &leased);
    QVERIFY2(status.ok(), qPrintable(client::describeStatus(status)));
    QCOMPARE(leased.tasks_size(), 1);
    QCOMPARE(leased.tasks(0).job_id(), submitted.job_id());
    *task = leased.tasks(0);
}

// A node error is answered REJECTED (recorded, retried elsewhere) only while the node still
// holds the task, NOT_HELD once it lost it: a cheap way to ask who holds it.
v1::SubmitOutcome::Outcome LeaseKeeperTest::reportError(const v1::Task &task)
{
    v1::SubmitResultsRequest request;
    request.set_node_id(m_nodeId);
    v1::TaskResult *result = request.add_results();
    result->set_task_id(task.task_id());
    result->set_attempt(task.attempt());
    result->set_error("stopped by the test");
    v1::SubmitResultsResponse response;
    const grpc::Status status = m_node->submitResults(request, &response);
    if (!status.ok() || response.outcomes_size() != 1)
        return v1::SubmitOutcome::OUTCOME_UNSPECIFIED;
    return response.outcomes(0).outcome();
}

grpc::Status LeaseKeeperTest::cancelJob(const QString &jobId, v1::JobStatus *status)
{
    grpc::ClientContext context;
    client::prepareContext(context, m_endpoint, std::chrono::seconds(10));
    v1::GetJobRequest request;
    request.set_job_id(jobId.toStdString());
    auto stub = v1::JobService::NewStub(client::makeChannel(m_endpoint));
    return stub->CancelJob(&context, request, status);
}

void LeaseKeeperTest::heldLeaseOutlivesItsDuration()
{
    v1::Task task;
    QString jobId;
    leaseNewTask(&task, &jobId);
    LeaseKeeper keeper(*m_node, m_nodeId, kLease);
    keeper.hold(task.task_id(), task.attempt());
    QTest::qWait(int(3 * kLease.count()));
    keeper.release();
    QVERIFY2(keeper.heartbeats() >= 4, qPrintable(QString::number(keeper.heartbeats())));
    QVERIFY(!keeper.revoked());
    QCOMPARE(reportError(task), v1::SubmitOutcome::OUTCOME_REJECTED);
    // The error sends the task back to the queue: out of the way of the next tests.
    v1::JobStatus cancelled;
    QVERIFY(cancelJob(jobId, &cancelled).ok());
}

void LeaseKeeperTest::unheldLeaseRunsOut()
{
    v1::Task task;
    QString jobId;
    leaseNewTask(&task, &jobId);
    QTest::qWait(int(3 * kLease.count()));
    QCOMPARE(reportError(task), v1::SubmitOutcome::OUTCOME_NOT_HELD);
    // Out of the way of the next test, which leases the newest job's task.
    v1::JobStatus cancelled;
    QVERIFY(cancelJob(jobId, &cancelled).ok());
}

void LeaseKeeperTest::cancelledJobIsReportedRevoked()
{
    v1::Task task;
    QString jobId;
    leaseNewTask(&task, &jobId);
    LeaseKeeper keeper(*m_node, m_nodeId, kLease);
    keeper.hold(task.task_id(), task.attempt());

    v1::JobStatus cancelled;
    const grpc::Status status = cancelJob(jobId, &cancelled);
    QVERIFY2(status.ok(), qPrintable(client::describeStatus(status)));
    QCOMPARE(cancelled.state(), v1::JOB_STATE_CANCELLED);

    QTRY_VERIFY_WITH_TIMEOUT(keeper.revoked(), int(3 * kLease.count()));
    keeper.release();
}

QTEST_GUILESS_MAIN(LeaseKeeperTest)
#include "lease_keeper_test.moc"
