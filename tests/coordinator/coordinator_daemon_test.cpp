// The tributary-coordinator executable as scripts and end-to-end tests use it: the one
// stdout line with the port, a gRPC server behind it, graceful exit 0 on SIGTERM and
// SIGINT, exit 2 with usage on a bad flag.

#include "tributary/v1/job.grpc.pb.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>

namespace {

const QString kDaemon = QStringLiteral(TRIBUTARY_BIN_DIR "/tributary-coordinator");

} // namespace

class CoordinatorDaemonTest : public QObject {
    Q_OBJECT

private slots:
    void servesAndStopsOnSignal_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGTERM") << SIGTERM;
        QTest::newRow("SIGINT") << SIGINT;
    }

    void servesAndStopsOnSignal()
    {
        QFETCH(int, signal);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QProcess daemon;
        daemon.setProgram(kDaemon);
        daemon.setArguments(
            { "--listen", "127.0.0.1:0", "--db", dir.filePath("c.db"), "--lease-ms", "5000" });
        daemon.start();
        QVERIFY2(daemon.waitForStarted(), qPrintable(daemon.errorString()));

        QTRY_VERIFY_WITH_TIMEOUT(daemon.canReadLine() || daemon.state() != QProcess::Running, 20000);
        const QString line = QString::fromUtf8(daemon.readLine()).trimmed();
        const auto match
            = QRegularExpression("^tributary-coordinator: listening on 127\\.0\\.0\\.1:(\\d+)$").match(line);
        QVERIFY2(match.hasMatch(), qPrintable(line + " / " + daemon.readAllStandardError()));
        const int port = match.captured(1).toInt();
        QVERIFY(port > 0);

        // It answers gRPC on that port. (The channel is closed before the signal: an idle
        // connection the client never polls would hold the server's shutdown for its
        // grace period.)
        {
            auto channel = grpc::CreateChannel(
                "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
            auto jobs = tributary::v1::JobService::NewStub(channel);
            tributary::v1::GetJobRequest request;
            request.set_job_id("job-nope");
            tributary::v1::JobStatus status;
            grpc::ClientContext context;
            context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
            QCOMPARE(jobs->GetJob(&context, request, &status).error_code(), grpc::StatusCode::NOT_FOUND);
        }

        QCOMPARE(::kill(pid_t(daemon.processId()), signal), 0);
        QVERIFY(daemon.waitForFinished(10000));
        QCOMPARE(daemon.exitStatus(), QProcess::NormalExit);
        QCOMPARE(daemon.exitCode(), 0);
        QVERIFY(daemon.readAllStandardOutput().isEmpty()); // exactly one stdout line
        QVERIFY(QFile::exists(dir.filePath("c.db")));
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("unknown flag") << QStringList { "--frobnicate" } << 2;
        QTest::newRow("missing value") << QStringList { "--db" } << 2;
        QTest::newRow("bad lease") << QStringList { "--lease-ms", "soon" } << 2;
        QTest::newRow("help") << QStringList { "--help" } << 0;
        QTest::newRow("version") << QStringList { "--version" } << 0;
    }

    void badArguments()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QProcess daemon;
        daemon.start(kDaemon, arguments);
        QVERIFY(daemon.waitForFinished(10000));
        QCOMPARE(daemon.exitCode(), exitCode);
        if (exitCode == 2)
            QVERIFY(daemon.readAllStandardError().contains("Usage: tributary-coordinator"));
    }

    void unopenableDatabase()
    {
        QProcess daemon;
        daemon.start(kDaemon, { "--listen", "127.0.0.1:0", "--db", "/nonexistent/dir/c.db" });
        QVERIFY(daemon.waitForFinished(10000));
        QCOMPARE(daemon.exitCode(), 1);
        QVERIFY(daemon.readAllStandardError().contains("cannot open database /nonexistent/dir/c.db"));
        QVERIFY(daemon.readAllStandardOutput().isEmpty());
    }
};

QTEST_GUILESS_MAIN(CoordinatorDaemonTest)
#include "coordinator_daemon_test.moc"
