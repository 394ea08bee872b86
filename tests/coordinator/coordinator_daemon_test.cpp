// The tributary-coordinator executable as operators, scripts and end-to-end tests use it:
// the one stdout line with the port, the administrator's token file (mode 0600, reused on
// a second start), graceful exit 0 on SIGTERM and SIGINT, refusing a non-loopback address
// without TLS, serving TLS with a certificate made by the `openssl` CLI, and exit 2 with
// usage on a bad flag.

#include "tributary/v1/account.grpc.pb.h"
#include "tributary/v1/job.grpc.pb.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>
#include <sys/stat.h>

#include <memory>

namespace {

const QString kDaemon = QStringLiteral(TRIBUTARY_BIN_DIR "/tributary-coordinator");
const QRegularExpression kTokenPattern(QStringLiteral("^trb_[0-9a-f]{64}$"));

// A running daemon; stopped with SIGTERM (and checked to exit 0) by stop(), killed by the
// destructor otherwise.
struct Daemon {
    QProcess process;
    int port = 0;

    ~Daemon()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }
};

std::string readText(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().trimmed().toStdString();
}

grpc::Status whoAmI(const std::shared_ptr<grpc::Channel> &channel, const std::string &token,
    tributary::v1::Account *account, int seconds = 10)
{
    auto accounts = tributary::v1::AccountService::NewStub(channel);
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
    return accounts->WhoAmI(&context, tributary::v1::WhoAmIRequest(), account);
}

} // namespace

class CoordinatorDaemonTest : public QObject {
    Q_OBJECT

private:
    // Starts the daemon and waits for its listening line; fails the test if it exits.
    static void start(Daemon &daemon, const QStringList &arguments)
    {
        daemon.process.start(kDaemon, arguments);
        QVERIFY2(daemon.process.waitForStarted(), qPrintable(daemon.process.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(daemon.process.canReadLine() || daemon.process.state() != QProcess::Running, 20000);
        const QString line = QString::fromUtf8(daemon.process.readLine()).trimmed();
        const auto match = QRegularExpression("^tributary-coordinator: listening on ([0-9.]+):(\\d+)$").match(line);
        QVERIFY2(match.hasMatch(), qPrintable(line + " / " + daemon.process.readAllStandardError()));
        daemon.port = match.captured(2).toInt();
        QVERIFY(daemon.port > 0);
    }

    static void stop(Daemon &daemon, int signal = SIGTERM)
    {
        QCOMPARE(::kill(pid_t(daemon.process.processId()), signal), 0);
        QVERIFY(daemon.process.waitForFinished(10000));
        QCOMPARE(daemon.process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(daemon.process.exitCode(), 0);
        QVERIFY(daemon.process.readAllStandardOutput().isEmpty()); // exactly one stdout line
    }

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
        const QString db = dir.filePath("c.db");
        std::string token;
        {
            Daemon daemon;
            start(daemon, { "--listen", "127.0.0.1:0", "--db", db, "--lease-ms", "5000" });
            if (QTest::currentTestFailed())
                return;

            // The administrator's token, next to the database, readable by its owner only.
            const QString tokenFile = db + ".admin-token";
            QVERIFY(QFile::exists(tokenFile));
            struct stat info {};
            QCOMPARE(::stat(tokenFile.toLocal8Bit().constData(), &info), 0);
            QCOMPARE(info.st_mode & 0777, mode_t(0600));
            token = readText(tokenFile);
            QVERIFY2(kTokenPattern.match(QString::fromStdString(token)).hasMatch(), token.c_str());

            // It answers gRPC on that port, to that token only. (The channel is closed
            // before the signal: an idle connection would hold the server's shutdown for
            // its grace period.)
            {
                auto channel
                    = grpc::CreateChannel("127.0.0.1:" + std::to_string(daemon.port), grpc::InsecureChannelCredentials());
                tributary::v1::Account account;
                const grpc::Status status = whoAmI(channel, token, &account);
                QVERIFY2(status.ok(), status.error_message().c_str());
                QVERIFY(account.is_admin());
                QCOMPARE(whoAmI(channel, "trb_" + std::string(64, '0'), &account).error_code(),
                    grpc::StatusCode::UNAUTHENTICATED);
            }
            stop(daemon, signal);
        }
        QVERIFY(QFile::exists(db));

        // A second start on the same database keeps the administrator and its token.
        Daemon again;
        start(again, { "--listen", "127.0.0.1:0", "--db", db });
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(readText(db + ".admin-token"), token);
        {
            auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(again.port), grpc::InsecureChannelCredentials());
            tributary::v1::Account account;
            const grpc::Status status = whoAmI(channel, token, &account);
            QVERIFY2(status.ok(), status.error_message().c_str());
            QVERIFY(account.is_admin());
        }
        stop(again);
    }

    void explicitTokenFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Daemon daemon;
        start(daemon,
            { "--listen", "127.0.0.1:0", "--db", dir.filePath("c.db"), "--admin-token-file", dir.filePath("admin.txt") });
        if (QTest::currentTestFailed())
            return;
        QVERIFY(kTokenPattern.match(QString::fromStdString(readText(dir.filePath("admin.txt")))).hasMatch());
        QVERIFY(!QFile::exists(dir.filePath("c.db.admin-token")));
        stop(daemon);
    }

    void nonLoopbackNeedsTls()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QProcess refused;
        refused.start(kDaemon, { "--listen", "0.0.0.0:0", "--db", dir.filePath("c.db") });
        QVERIFY(refused.waitForFinished(20000));
        QVERIFY(refused.exitCode() != 0);
        const QByteArray error = refused.readAllStandardError();
        QVERIFY2(error.contains("TLS"), error.constData());
        QVERIFY(refused.readAllStandardOutput().isEmpty());

        Daemon daemon;
        start(daemon, { "--listen", "0.0.0.0:0", "--db", dir.filePath("c.db"), "--insecure" });
        if (QTest::currentTestFailed())
            return;
        stop(daemon);
    }

    void servesTls()
    {
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            QFAIL("the `openssl` command is not installed (Debian package openssl): this test needs it to make a "
                  "self-signed certificate");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QProcess make;
        make.setWorkingDirectory(dir.path());
        make.start(openssl,
            { "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", "key.pem", "-out", "cert.pem" });
        QVERIFY(make.waitForFinished(60000));
        QVERIFY2(make.exitCode() == 0, make.readAllStandardError().constData());

        Daemon daemon;
        start(daemon,
            { "--listen", "127.0.0.1:0", "--db", dir.filePath("c.db"), "--tls-cert", dir.filePath("cert.pem"),
                "--tls-key", dir.filePath("key.pem") });
        if (QTest::currentTestFailed())
            return;
        const std::string token = readText(dir.filePath("c.db.admin-token"));
        const std::string target = "127.0.0.1:" + std::to_string(daemon.port);
        {
            grpc::SslCredentialsOptions options;
            options.pem_root_certs = readText(dir.filePath("cert.pem")) + "\n";
            auto channel = grpc::CreateChannel(target, grpc::SslCredentials(options));
            tributary::v1::Account account;
            const grpc::Status status = whoAmI(channel, token, &account);
            QVERIFY2(status.ok(), status.error_message().c_str());
            QVERIFY(account.is_admin());
        }
        {
            // A plaintext client gets no answer from a TLS port.
            auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
            tributary::v1::Account account;
            const grpc::Status status = whoAmI(channel, token, &account, 3);
            QVERIFY(!status.ok());
        }
        stop(daemon);
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("unknown flag") << QStringList { "--frobnicate" } << 2;
        QTest::newRow("missing value") << QStringList { "--db" } << 2;
        QTest::newRow("bad lease") << QStringList { "--lease-ms", "soon" } << 2;
        QTest::newRow("bad max attempts") << QStringList { "--max-attempts", "0" } << 2;
        QTest::newRow("bad credits") << QStringList { "--initial-credits", "-5" } << 2;
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
        else
            QVERIFY(daemon.readAllStandardOutput().contains("tributary-coordinator"));
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
