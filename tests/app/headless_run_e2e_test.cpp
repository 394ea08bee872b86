// `tributary --headless` (what `./dev run --headless` runs): starts the local network,
// runs the sample job, prints progress and the verified result, exits 0.

#include "tests/app/test_processes.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

class HeadlessRunE2eTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sampleJobCompletesAndIsVerified();
    void unknownDeviceIsNamedInTheError();
};

void HeadlessRunE2eTest::sampleJobCompletesAndIsVerified()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QProcess app;
    app.start(tributary::test::binaryPath(QStringLiteral("tributary")),
              {QStringLiteral("--headless"), QStringLiteral("--db"), dir.filePath(QStringLiteral("local.db"))});
    QVERIFY(app.waitForFinished(240000));
    const QString out = QString::fromUtf8(app.readAllStandardOutput());
    const QString err = QString::fromUtf8(app.readAllStandardError());
    QVERIFY2(app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0, qPrintable(out + err));
    QVERIFY2(out.contains(QStringLiteral("cpu:0")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("Submitted sample job")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("Progress: 16/16 tasks verified")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("Result: 512×512 matrix")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("matches this machine's CPU reference bit for bit")), qPrintable(out));
    QVERIFY2(out.contains(QRegularExpression(QStringLiteral("SHA-256: [0-9a-f]{64}"))), qPrintable(out));
}

void HeadlessRunE2eTest::unknownDeviceIsNamedInTheError()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QProcess app;
    app.start(tributary::test::binaryPath(QStringLiteral("tributary")),
              {QStringLiteral("--headless"), QStringLiteral("--db"), dir.filePath(QStringLiteral("local.db")),
               QStringLiteral("--device"), QStringLiteral("quantum:7")});
    QVERIFY(app.waitForFinished(60000));
    QCOMPARE(app.exitCode(), 1);
    const QString err = QString::fromUtf8(app.readAllStandardError());
    QVERIFY2(err.contains(QStringLiteral("no device quantum:7")), qPrintable(err));
}

QTEST_GUILESS_MAIN(HeadlessRunE2eTest)
#include "headless_run_e2e_test.moc"
