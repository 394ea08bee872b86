// `tributary-bench coordinator`: the command line and its JSON, never timings. A small
// run must complete its job (exit 0) and report every field the issue names, with values
// that are consistent with each other; bad options are usage errors.

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

class BenchCoordinatorTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void smallRunReportsEveryField();
    void badOptionsAreUsageErrors_data();
    void badOptionsAreUsageErrors();

private:
    static QString bench() { return QStringLiteral(TRIBUTARY_BENCH_BINARY); }
};

void BenchCoordinatorTest::smallRunReportsEveryField()
{
    QProcess process;
    process.start(bench(), {QStringLiteral("coordinator"), QStringLiteral("--nodes"), QStringLiteral("3"),
                            QStringLiteral("--tasks"), QStringLiteral("400"), QStringLiteral("--batch"),
                            QStringLiteral("32"), QStringLiteral("--json")});
    QVERIFY(process.waitForFinished(120000));
    const QByteArray errors = process.readAllStandardError();
    QCOMPARE(process.exitCode(), 0);
    const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    QJsonParseError parseError;
    const QJsonObject row = QJsonDocument::fromJson(lines.front(), &parseError).object();
    QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(parseError.errorString()));
    for (const char *key : {"nodes", "tasks", "tasks_per_s", "p50_ms", "p99_ms", "verification", "results"})
        QVERIFY2(row.contains(QLatin1String(key)), key);
    QCOMPARE(row.value(QLatin1String("nodes")).toInt(), 3);
    QCOMPARE(row.value(QLatin1String("tasks")).toInt(), 400); // a 20×20 grid of tiles
    QCOMPARE(row.value(QLatin1String("verification")).toString(), QStringLiteral("replicate(2)"));
    // replicate(2): every task ran on two nodes.
    QVERIFY(row.value(QLatin1String("results")).toDouble() >= 800);
    QVERIFY(row.value(QLatin1String("tasks_per_s")).toDouble() > 0);
    QVERIFY(row.value(QLatin1String("p50_ms")).toDouble() <= row.value(QLatin1String("p99_ms")).toDouble());
    QVERIFY2(!errors.contains("a node stopped"), errors.constData());
}

void BenchCoordinatorTest::badOptionsAreUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")};
    QTest::newRow("zero nodes") << QStringList{QStringLiteral("--nodes"), QStringLiteral("0")};
    QTest::newRow("too many tasks") << QStringList{QStringLiteral("--tasks"), QStringLiteral("70000")};
    QTest::newRow("unknown policy") << QStringList{QStringLiteral("--policy"), QStringLiteral("trust-me")};
    QTest::newRow("replicate with one node") << QStringList{QStringLiteral("--nodes"), QStringLiteral("1")};
}

void BenchCoordinatorTest::badOptionsAreUsageErrors()
{
    QFETCH(QStringList, arguments);
    QProcess process;
    process.start(bench(), QStringList{QStringLiteral("coordinator")} + arguments);
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(!process.readAllStandardError().isEmpty());
}

QTEST_GUILESS_MAIN(BenchCoordinatorTest)
#include "bench_coordinator_test.moc"
