// Smoke test of `tributary-bench`: runs the real binary, checks exit codes and that every
// line of `engine --json` is an object with the documented fields. Asserts no timings.

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runBench(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(TRIBUTARY_BIN_DIR "/tributary-bench"), arguments);
    Run run;
    if (!process.waitForFinished(110'000) || process.exitStatus() != QProcess::NormalExit)
        return run;
    run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

} // namespace

class BenchEngineTest : public QObject {
    Q_OBJECT

private slots:
    void usage()
    {
        QCOMPARE(runBench({}).exitCode, 2);
        const Run unknown = runBench({ "no-such-subcommand" });
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains("usage: tributary-bench"));
        QVERIFY(unknown.err.contains("engine"));
        const Run help = runBench({ "--help" });
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("engine"));
        QCOMPARE(runBench({ "engine", "--help" }).exitCode, 0);
        QCOMPARE(runBench({ "engine", "--sizes", "12,x" }).exitCode, 2);
        QCOMPARE(runBench({ "engine", "--backend", "opencl" }).exitCode, 2);
        QCOMPARE(runBench({ "engine", "--no-such-option" }).exitCode, 2);
    }

    void jsonLines()
    {
        const Run run
            = runBench({ "engine", "--json", "--sizes", "64", "--repeat", "1", "--backend", "cpu" });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QList<QByteArray> lines = run.out.trimmed().split('\n');
        QVERIFY(!lines.isEmpty());
        bool singleThreaded = false;
        for (const QByteArray &line : lines) {
            QJsonParseError error;
            const QJsonDocument document = QJsonDocument::fromJson(line, &error);
            QVERIFY2(error.error == QJsonParseError::NoError && document.isObject(), line.constData());
            const QJsonObject result = document.object();
            for (const char *key : { "op", "backend", "device", "shape", "threads", "seconds", "gflops",
                     "peak_percent", "reference", "reference_gflops", "ratio", "correct" })
                QVERIFY2(result.contains(QLatin1String(key)), key);
            QCOMPARE(result["op"].toString(), QStringLiteral("gemm"));
            QCOMPARE(result["backend"].toString(), QStringLiteral("cpu"));
            QCOMPARE(result["shape"].toString(), QStringLiteral("64x64x64"));
            QVERIFY(result["threads"].toInt() >= 1);
            singleThreaded |= result["threads"].toInt() == 1;
            QVERIFY(result["seconds"].isDouble());
            QVERIFY(result["gflops"].isDouble());
            QVERIFY(result["peak_percent"].isDouble() || result["peak_percent"].isNull());
            // OpenBLAS, or null when the bench was built without it.
            const QJsonValue reference = result["reference"];
            QVERIFY(reference.isNull() || reference.toString() == QStringLiteral("openblas"));
            QCOMPARE(result["reference_gflops"].isDouble(), !reference.isNull());
            QCOMPARE(result["ratio"].isDouble(), !reference.isNull());
            QCOMPARE(result["correct"].toBool(), true);
        }
        QVERIFY(singleThreaded);
    }

    void table()
    {
        const Run run = runBench({ "engine", "--sizes", "48", "--repeat", "1", "--backend", "cpu" });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(run.out.contains("| gemm"));
        QVERIFY(run.out.contains("48x48x48"));
    }
};

QTEST_GUILESS_MAIN(BenchEngineTest)
#include "bench_engine_test.moc"
