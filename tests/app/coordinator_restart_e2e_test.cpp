// Durability: a coordinator killed with SIGKILL in the middle of a job and started again
// on the same database loses no completed task. The node keeps running through the
// outage, reconnects by itself, and the job completes with a result that matches the CPU
// reference bit for bit.

#include "app/client/channel.h"
#include "app/client/job_client.h"
#include "app/jobs/sample_job.h"
#include "engine/engine.h"
#include "tests/app/test_processes.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace tributary;

class CoordinatorRestartE2eTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killedCoordinatorLosesNoCompletedTask();
};

void CoordinatorRestartE2eTest::killedCoordinatorLosesNoCompletedTask()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString database = dir.filePath(QStringLiteral("coordinator.db"));
    // Short leases, so that the tasks held at the moment of the kill come back quickly.
    const QStringList coordinatorArguments{QStringLiteral("--lease-ms"), QStringLiteral("1000")};

    QProcess coordinator;
    QString log;
    const QString address = test::startCoordinator(coordinator, QStringLiteral("127.0.0.1:0"), database,
                                                   coordinatorArguments, &log);
    QVERIFY2(!address.isEmpty(), qPrintable("coordinator did not start: " + log));

    // The coordinator writes its administrator's token beside the database on first start.
    const QString tokenFile = database + QStringLiteral(".admin-token");
    QString tokenError;
    const client::Endpoint endpoint{address, client::readTokenFile(tokenFile, &tokenError), {}};
    QVERIFY2(!endpoint.token.isEmpty(), qPrintable(tokenError));

    QProcess node;
    node.setProcessChannelMode(QProcess::MergedChannels);
    node.start(test::binaryPath(QStringLiteral("tributary-node")),
               {QStringLiteral("--coordinator"), address, QStringLiteral("--token-file"), tokenFile, QStringLiteral("--device"), QStringLiteral("cpu:0"),
                QStringLiteral("--history"), QFileInfo(tokenFile).absoluteDir().filePath(QStringLiteral("history.sqlite"))});
    QVERIFY(node.waitForStarted());

    // Many small tasks, so that the kill lands mid-job.
    v1::JobSpec spec;
    spec.set_name("restart test");
    v1::GemmJobSpec *gemm = spec.mutable_gemm();
    gemm->set_m(2048);
    gemm->set_n(2048);
    gemm->set_k(1024);
    gemm->set_tile_m(64);
    gemm->set_tile_n(64);
    gemm->set_seed(99);
    spec.mutable_verification()->mutable_reference(); // one node
    const quint32 totalTasks = 32 * 32;

    v1::SubmitJobResponse submitted;
    {
        client::JobClient jobs(endpoint);
        const grpc::Status status = jobs.submitJob(spec, &submitted);
        QVERIFY2(status.ok(), qPrintable(client::describeStatus(status)));
    }
    QCOMPARE(submitted.task_count(), totalTasks);
    const QString jobId = QString::fromStdString(submitted.job_id());

    // Wait for some tasks to complete, then kill the coordinator without warning.
    quint32 doneBeforeKill = 0;
    {
        client::JobClient jobs(endpoint);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                v1::JobStatus status;
                if (jobs.getJob(jobId, &status).ok())
                    doneBeforeKill = status.tasks_done();
                return doneBeforeKill >= 20;
            }(),
            120000);
    }
    coordinator.kill();
    QVERIFY(coordinator.waitForFinished(10000));
    QVERIFY2(doneBeforeKill < totalTasks, "the job finished before the kill; make it bigger");
    qInfo("killed the coordinator with %u of %u tasks done", doneBeforeKill, totalTasks);

    // The node outlives the coordinator and keeps retrying.
    QTest::qWait(300);
    QCOMPARE(node.state(), QProcess::Running);

    QProcess restarted;
    const QString sameAddress = test::startCoordinator(restarted, address, database, coordinatorArguments, &log);
    QVERIFY2(sameAddress == address, qPrintable("coordinator did not restart: " + log));

    client::JobClient jobs(endpoint);
    v1::JobStatus status;
    grpc::Status call = jobs.getJob(jobId, &status);
    QVERIFY2(call.ok(), qPrintable(client::describeStatus(call)));
    QVERIFY2(status.tasks_done() >= doneBeforeKill,
             qPrintable(QStringLiteral("%1 tasks done after restart, %2 before the kill")
                            .arg(status.tasks_done()).arg(doneBeforeKill)));
    QCOMPARE(status.tasks_total(), totalTasks);

    QTRY_VERIFY_WITH_TIMEOUT(jobs.getJob(jobId, &status).ok() && status.state() == v1::JOB_STATE_COMPLETED,
                             300000);
    QCOMPARE(status.tasks_done(), totalTasks);

    v1::JobResult result;
    call = jobs.getJobResult(jobId, &result);
    QVERIFY2(call.ok(), qPrintable(client::describeStatus(call)));
    QVERIFY(result.verified());
    const engine::Engine engine;
    QString detail;
    QVERIFY2(checkGemmResultLocally(engine, spec.gemm(), result, &detail), qPrintable(detail));

    test::killProcess(node);
    restarted.terminate();
    QVERIFY(restarted.waitForFinished(10000));
}

QTEST_GUILESS_MAIN(CoordinatorRestartE2eTest)
#include "coordinator_restart_e2e_test.moc"
