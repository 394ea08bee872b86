// The walking skeleton end to end: a real tributary-coordinator and a real tributary-node
// process on loopback; a GEMM job submitted over gRPC, split into tiles, leased, computed,
// verified, assembled, and checked again here against the CPU reference.

#include "app/client/channel.h"
#include "app/client/job_client.h"
#include "app/jobs/sample_job.h"
#include "engine/engine.h"
#include "tests/app/test_processes.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace tributary;

class SkeletonE2eTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void gemmJobRunsThroughCoordinatorAndNode();
    void badPolicyFileIsRefused();
};

void SkeletonE2eTest::gemmJobRunsThroughCoordinatorAndNode()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QProcess coordinator;
    QString log;
    const QString address = test::startCoordinator(coordinator, QStringLiteral("127.0.0.1:0"),
                                                   dir.filePath(QStringLiteral("coordinator.db")), {}, &log);
    QVERIFY2(!address.isEmpty(), qPrintable("coordinator did not start: " + log));

    // The coordinator writes its administrator's token beside the database on first start.
    const QString tokenFile = dir.filePath(QStringLiteral("coordinator.db")) + QStringLiteral(".admin-token");
    QString tokenError;
    const client::Endpoint endpoint{address, client::readTokenFile(tokenFile, &tokenError), {}};
    QVERIFY2(!endpoint.token.isEmpty(), qPrintable(tokenError));

    QProcess node;
    node.setProcessChannelMode(QProcess::MergedChannels);
    node.start(test::binaryPath(QStringLiteral("tributary-node")),
               {QStringLiteral("--coordinator"), address, QStringLiteral("--token-file"), tokenFile, QStringLiteral("--device"), QStringLiteral("cpu:0"),
                QStringLiteral("--name"), QStringLiteral("e2e-node"), QStringLiteral("--history"),
                dir.filePath(QStringLiteral("node-1-history.sqlite"))});
    QVERIFY(node.waitForStarted());
    // replicate(2), the default: every tile must agree between two different nodes. The
    // second is configured by a file, policy included, as a rig's operator would set it up.
    const QString configPath = dir.filePath(QStringLiteral("node.json"));
    {
        QFile config(configPath);
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(QJsonDocument(QJsonObject {
            { QStringLiteral("coordinator"), address },
            { QStringLiteral("tokenFile"), tokenFile },
            { QStringLiteral("device"), QStringLiteral("cpu:0") },
            { QStringLiteral("name"), QStringLiteral("e2e-node-2") },
            { QStringLiteral("history"), dir.filePath(QStringLiteral("node-2-history.sqlite")) },
            { QStringLiteral("policy"), QJsonObject { { QStringLiteral("when"), QStringLiteral("always") },
                                            { QStringLiteral("pauseOnBattery"), false },
                                            { QStringLiteral("temperatureLimitC"), 85 } } },
        }).toJson());
    }
    QProcess secondNode;
    secondNode.setProcessChannelMode(QProcess::MergedChannels);
    secondNode.start(test::binaryPath(QStringLiteral("tributary-node")), { QStringLiteral("--config"), configPath });
    QVERIFY(secondNode.waitForStarted());

    v1::JobSpec spec;
    spec.set_name("e2e gemm");
    v1::GemmJobSpec *gemm = spec.mutable_gemm();
    gemm->set_m(200); // edge tiles on both axes: 200 = 3×64 + 8, 136 = 2×64 + 8
    gemm->set_n(136);
    gemm->set_k(96);
    gemm->set_tile_m(64);
    gemm->set_tile_n(64);
    gemm->set_seed(7);

    client::JobClient jobs(endpoint);
    v1::SubmitJobResponse submitted;
    grpc::Status status = jobs.submitJob(spec, &submitted);
    QVERIFY2(status.ok(), qPrintable(client::describeStatus(status)));
    QCOMPARE(submitted.task_count(), 4u * 3u);

    QList<quint32> doneCounts;
    v1::JobStatus last;
    status = jobs.watchJob(QString::fromStdString(submitted.job_id()), [&](const v1::JobStatus &update) {
        doneCounts << update.tasks_done();
        last = update;
    });
    QVERIFY2(status.ok(), qPrintable(client::describeStatus(status)));
    QCOMPARE(last.state(), v1::JOB_STATE_COMPLETED);
    QCOMPARE(last.tasks_done(), 12u);
    QVERIFY(std::is_sorted(doneCounts.begin(), doneCounts.end()));

    v1::JobResult result;
    status = jobs.getJobResult(QString::fromStdString(submitted.job_id()), &result);
    QVERIFY2(status.ok(), qPrintable(client::describeStatus(status)));
    QVERIFY(result.verified());
    QCOMPARE(result.sha256(), last.result_sha256());

    const engine::Engine engine;
    QString detail;
    QVERIFY2(checkGemmResultLocally(engine, spec.gemm(), result, &detail), qPrintable(detail));

    test::killProcess(node);
    const QString nodeLog = QString::fromUtf8(node.readAll());
    QVERIFY2(nodeLog.count(QRegularExpression(QStringLiteral("task \\S+ accepted"))) >= 12, qPrintable(nodeLog));
    // Both nodes ran every tile: under replicate(2) each tile needs two results.
    test::killProcess(secondNode);
    const QString secondLog = QString::fromUtf8(secondNode.readAll());
    QVERIFY2(secondLog.count(QRegularExpression(QStringLiteral("task \\S+ accepted"))) >= 12, qPrintable(secondLog));
    coordinator.terminate();
    QVERIFY(coordinator.waitForFinished(10000));
    QCOMPARE(coordinator.exitStatus(), QProcess::NormalExit);
    QCOMPARE(coordinator.exitCode(), 0);
}

// A policy file with a mistake stops the node before it starts, naming the field.
void SkeletonE2eTest::badPolicyFileIsRefused()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString policyPath = dir.filePath(QStringLiteral("policy.json"));
    {
        QFile policy(policyPath);
        QVERIFY(policy.open(QIODevice::WriteOnly));
        policy.write(R"({"enabled": true, "temperatureLimitC": 500})");
    }
    QProcess node;
    node.setProcessChannelMode(QProcess::MergedChannels);
    node.setProcessEnvironment([] {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("TRIBUTARY_TOKEN"), QStringLiteral("trb_unused"));
        return environment;
    }());
    node.start(test::binaryPath(QStringLiteral("tributary-node")),
        { QStringLiteral("--coordinator"), QStringLiteral("127.0.0.1:1"), QStringLiteral("--device"),
            QStringLiteral("cpu:0"), QStringLiteral("--policy"), policyPath });
    QVERIFY(node.waitForFinished(60000));
    const QString output = QString::fromUtf8(node.readAll());
    QCOMPARE(node.exitCode(), 2);
    QVERIFY2(output.contains(QStringLiteral("temperatureLimitC")), qPrintable(output));

    // A config file with a typo, and one whose inline policy is bad: each names the key.
    const QList<std::pair<QByteArray, QString>> badConfigs {
        { R"({"coordinater": "127.0.0.1:1"})", QStringLiteral("node.json: coordinater: not a setting") },
        { R"({"coordinator": "127.0.0.1:1", "policy": {"temperatureLimitC": 500}})",
            QStringLiteral("node.json: policy.temperatureLimitC") },
        { R"({"coordinator": "127.0.0.1:1", "maxTasks": "ten"})", QStringLiteral("node.json: maxTasks: must be a whole number") },
    };
    for (const auto &[contents, expected] : badConfigs) {
        const QString configPath = dir.filePath(QStringLiteral("node.json"));
        QFile config(configPath);
        QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
        config.write(contents);
        config.close();
        QProcess configured;
        configured.setProcessChannelMode(QProcess::MergedChannels);
        configured.setProcessEnvironment(node.processEnvironment());
        configured.start(test::binaryPath(QStringLiteral("tributary-node")), { QStringLiteral("--config"), configPath });
        QVERIFY(configured.waitForFinished(60000));
        const QString said = QString::fromUtf8(configured.readAll());
        QCOMPARE(configured.exitCode(), 2);
        QVERIFY2(said.contains(expected), qPrintable(said));
    }
}

QTEST_GUILESS_MAIN(SkeletonE2eTest)
#include "skeleton_e2e_test.moc"
