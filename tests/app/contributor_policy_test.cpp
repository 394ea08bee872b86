// The contributor runtime under its device policy, end to end: a real coordinator in this
// process (loopback gRPC, a temporary SQLite file), the contributor on its own thread
// computing on the CPU backend, and its DeviceSupervisor fed a fake machine reading.
//
// - Switching the device off while a task is leased hands that task back at once: another
//   node can lease it straight away (no failure counted, no backoff).
// - The user's global pause takes effect within a second, and so does the resume; the
//   job then completes on this node.

#include "app/client/job_client.h"
#include "app/client/node_client.h"
#include "app/contributor/contributor_runner.h"
#include "app/contributor/device_supervisor.h"
#include "app/contributor/earnings_tracker.h"
#include "app/storage/task_history.h"
#include "coordinator/coordinator.h"
#include "engine/engine.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

using namespace tributary;

class ContributorPolicyTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void switchedOffHandsTheTaskBackAndPauseResumes();
    void historyRecordsRunsAndTheLedgerSettlesThem();

private:
    QString submitJob(int tiles, int k = 8);
    v1::JobStatus jobStatus(const QString &jobId);

    QTemporaryDir m_dir;
    std::unique_ptr<coordinator::Coordinator> m_coordinator;
    client::Endpoint m_endpoint;
    std::unique_ptr<engine::Engine> m_engine;
};

void ContributorPolicyTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    coordinator::CoordinatorOptions options;
    options.databasePath = m_dir.filePath(QStringLiteral("coordinator.db")).toStdString();
    options.leaseDuration = std::chrono::seconds(30); // a handed-back task must not wait for this
    m_coordinator = std::make_unique<coordinator::Coordinator>(options);
    QVERIFY(m_coordinator->start());
    std::string accountId, token;
    QVERIFY(m_coordinator->createAccount("policy-test", false, &accountId, &token));
    m_endpoint = { QString::fromStdString(m_coordinator->address()), QString::fromStdString(token), {} };
    m_engine = std::make_unique<engine::Engine>();
}

void ContributorPolicyTest::cleanupTestCase()
{
    m_coordinator.reset();
}

QString ContributorPolicyTest::submitJob(int tiles, int k)
{
    v1::JobSpec spec;
    spec.set_name("policy");
    v1::GemmJobSpec *gemm = spec.mutable_gemm();
    gemm->set_m(std::uint32_t(8 * tiles));
    gemm->set_n(8);
    gemm->set_k(std::uint32_t(k));
    gemm->set_tile_m(8);
    gemm->set_tile_n(8);
    spec.mutable_verification()->mutable_reference();
    client::JobClient jobs(m_endpoint);
    v1::SubmitJobResponse submitted;
    const grpc::Status status = jobs.submitJob(spec, &submitted);
    if (!status.ok())
        qWarning("submitJob: %s", qPrintable(client::describeStatus(status)));
    return QString::fromStdString(submitted.job_id());
}

v1::JobStatus ContributorPolicyTest::jobStatus(const QString &jobId)
{
    client::JobClient jobs(m_endpoint);
    v1::JobStatus status;
    jobs.getJob(jobId, &status);
    return status;
}

void ContributorPolicyTest::switchedOffHandsTheTaskBackAndPauseResumes()
{
    const QString jobId = submitJob(4);
    QVERIFY(!jobId.isEmpty());

    Contributor::Options options;
    options.coordinator = m_endpoint;
    options.deviceId = QStringLiteral("cpu:0");
    options.nodeName = QStringLiteral("policy-test-node");
    ContributorRunner runner(*m_engine, options);
    Contributor *contributor = runner.contributor();

    DevicePolicy policy;
    policy.enabled = true;
    DeviceSupervisor supervisor(contributor, options.deviceId, policy);
    std::atomic<bool> globalPause = false;
    // A quiet desktop on mains power: only the test's switches change the decision.
    supervisor.setInputsReader([&globalPause] {
        PolicyInputs inputs;
        inputs.now = QDateTime::currentDateTime();
        inputs.userIdleSeconds = 3600;
        inputs.onBattery = false;
        inputs.globalPause = globalPause;
        return inputs;
    });
    QCOMPARE(supervisor.decision().action, PolicyDecision::Action::Run);

    // The first task to start switches the device off, from the contributor's own thread,
    // the way a user's click reaches it: through the supervisor.
    std::atomic<bool> switchedOff = false;
    connect(
        contributor, &Contributor::taskStarted, &supervisor,
        [&](const QString &) {
            if (switchedOff.exchange(true))
                return;
            QMetaObject::invokeMethod(
                &supervisor,
                [&supervisor] {
                    DevicePolicy off = supervisor.policy();
                    off.enabled = false;
                    supervisor.setPolicy(off);
                },
                Qt::BlockingQueuedConnection);
        },
        Qt::DirectConnection);
    QSignalSpy handedBack(contributor, &Contributor::taskHandedBack);
    QSignalSpy decisions(&supervisor, &DeviceSupervisor::decisionChanged);
    runner.start();

    QTRY_COMPARE_WITH_TIMEOUT(handedBack.count(), 1, 20000);
    const QString taskId = handedBack.at(0).at(0).toString();
    QCOMPARE(handedBack.at(0).at(1).toString(), jobId);
    QCOMPARE(handedBack.at(0).at(2).toString(), QStringLiteral("switched off"));
    QTRY_COMPARE_WITH_TIMEOUT(contributor->state(), Contributor::State::Paused, 1000);
    QVERIFY(!decisions.isEmpty());
    QCOMPARE(decisions.last().at(1).toString(), QStringLiteral("off"));

    // Another node gets the task back at once: not after the 30 s lease, nor a backoff.
    client::NodeClient other(m_endpoint);
    v1::RegisterRequest registration;
    registration.set_node_name("other-node");
    v1::Device *device = registration.add_devices();
    device->set_id("cpu:0");
    device->set_backend(v1::BACKEND_KIND_CPU);
    device->set_available(true);
    device->set_reproducibility(v1::REPRODUCIBILITY_EXACT);
    v1::RegisterResponse registered;
    QVERIFY(other.registerNode(registration, &registered).ok());
    v1::LeaseTasksRequest lease;
    lease.set_node_id(registered.node_id());
    lease.set_device_id("cpu:0");
    lease.set_max_tasks(1);
    v1::LeaseTasksResponse leased;
    QVERIFY(other.leaseTasks(lease, &leased).ok());
    QCOMPARE(leased.tasks_size(), 1);
    QCOMPARE(QString::fromStdString(leased.tasks(0).task_id()), taskId);
    QCOMPARE(leased.tasks(0).attempt(), 2u);
    // ...and gives it back too, so that our node can finish the job.
    v1::ReleaseTasksRequest release;
    release.set_node_id(registered.node_id());
    *release.add_tasks() = [&] {
        v1::TaskRef ref;
        ref.set_task_id(leased.tasks(0).task_id());
        ref.set_attempt(leased.tasks(0).attempt());
        return ref;
    }();
    v1::ReleaseTasksResponse released;
    QVERIFY(other.releaseTasks(release, &released).ok());
    QCOMPARE(released.released_size(), 1);

    // Switched on again, paused by the user's global pause instead: still computing
    // nothing, and saying why.
    globalPause = true;
    supervisor.setPolicy(policy);
    QCOMPARE(supervisor.decision().action, PolicyDecision::Action::Pause);
    QTRY_COMPARE_WITH_TIMEOUT(contributor->state(), Contributor::State::Paused, 1000);
    QCOMPARE(jobStatus(jobId).tasks_done(), 0u);

    // Resume: within a second the contributor works again, and the job completes here.
    QElapsedTimer resumed;
    resumed.start();
    globalPause = false;
    supervisor.evaluate();
    QTRY_VERIFY_WITH_TIMEOUT(contributor->state() != Contributor::State::Paused, 1000);
    QVERIFY(resumed.elapsed() < 1000);
    QTRY_COMPARE_WITH_TIMEOUT(int(jobStatus(jobId).state()), int(v1::JOB_STATE_COMPLETED), 30000);
    QCOMPARE(handedBack.count(), 1);
}

// Every run goes into the local history as pending; once the coordinator's ledger pays
// for it, the earnings tracker marks it verified, and the credits add up to the ledger's.
void ContributorPolicyTest::historyRecordsRunsAndTheLedgerSettlesThem()
{
    TaskHistory history(m_dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(history.open(), qPrintable(history.errorString()));
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    constexpr int kDepth = 1 << 14; // the deepest tiles a job may ask for
    const QString jobId = submitJob(3, kDepth);
    QVERIFY(!jobId.isEmpty());

    Contributor::Options options;
    options.coordinator = m_endpoint;
    options.deviceId = QStringLiteral("cpu:0");
    options.nodeName = QStringLiteral("history-test-node");
    options.history = &history;
    ContributorRunner runner(*m_engine, options);
    // A device that reports its power: each run's energy is that draw over its compute time.
    DevicePolicy policy;
    policy.enabled = true;
    DeviceSupervisor supervisor(runner.contributor(), options.deviceId, policy);
    supervisor.setInputsReader([] {
        PolicyInputs inputs;
        inputs.now = QDateTime::currentDateTime();
        inputs.onBattery = false;
        inputs.powerW = 3'600'000.0; // 1 Wh per millisecond of compute
        return inputs;
    });
    QSignalSpy finished(runner.contributor(), &Contributor::taskFinished);
    runner.start();
    QTRY_COMPARE_WITH_TIMEOUT(int(jobStatus(jobId).state()), int(v1::JOB_STATE_COMPLETED), 30000);
    runner.stop();

    QTRY_COMPARE_WITH_TIMEOUT(history.totals(before, before + 3'600'000).tasks, qint64(3), 5000);
    TaskHistory::Totals totals = history.totals(before, before + 3'600'000);
    const qint64 perTask = qint64((2ull * 8 * 8 * kDepth + 999) / 1000); // 2mnk FLOPs, a unit per 1000
    QCOMPARE(totals.pendingUnits, 3 * perTask);
    QCOMPARE(totals.verifiedUnits, qint64(0));
    QCOMPARE(totals.flops, 3.0 * 2 * 8 * 8 * kDepth);
    // Energy = measured power × compute time: here 1 Wh for each millisecond a run computed.
    QMap<QString, qint64> computeMs;
    for (const QList<QVariant> &signal : finished)
        computeMs[signal.at(0).toString()] = signal.at(3).toLongLong();
    const QList<TaskRun> runs = history.runs(before, before + 3'600'000);
    QCOMPARE(runs.size(), 3);
    double energy = 0;
    for (const TaskRun &run : runs) {
        QVERIFY(computeMs.contains(run.taskId));
        // Measured in nanoseconds, reported in whole milliseconds.
        QVERIFY2(run.energyWh > 0 && run.energyWh >= double(computeMs[run.taskId])
                     && run.energyWh < double(computeMs[run.taskId]) + 1.0,
            qPrintable(QStringLiteral("%1 Wh for %2 ms").arg(run.energyWh).arg(computeMs[run.taskId])));
        energy += run.energyWh;
    }
    QCOMPARE(totals.energyWh, energy);

    EarningsTracker tracker(m_endpoint, history);
    QSignalSpy polled(&tracker, &EarningsTracker::polled);
    tracker.pollNow();
    QTRY_COMPARE_WITH_TIMEOUT(polled.count(), 1, 10000);
    QCOMPARE(polled.first().at(1).toString(), QString());
    QVERIFY(polled.first().at(0).toInt() >= 3);
    QVERIFY(history.flush());
    totals = history.totals(before, before + 3'600'000);
    QCOMPARE(totals.verifiedUnits, 3 * perTask);
    QCOMPARE(totals.pendingUnits, qint64(0));
    const QList<TaskHistory::GroupTotals> byJob = history.byJob(before, before + 3'600'000);
    QCOMPARE(byJob.size(), 1);
    QCOMPARE(byJob[0].key, jobId);

    // A second read finds nothing new.
    tracker.pollNow();
    QTRY_COMPARE_WITH_TIMEOUT(polled.count(), 2, 10000);
    QCOMPARE(polled.last().at(0).toInt(), 0);
}

QTEST_GUILESS_MAIN(ContributorPolicyTest)
#include "contributor_policy_test.moc"
