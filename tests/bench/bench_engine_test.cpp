// Smoke test of `tributary-bench`: runs the real binary, checks exit codes and that every
// line of `engine --json` is an object with the documented fields, for every op (gemm,
// conv2d, train_step). Asserts no timings. vulkanRows() runs only under the
// bench_engine_vulkan registration (TRIBUTARY_BENCH_VULKAN=1), on lavapipe.

#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
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
    if (!process.waitForFinished(170'000) || process.exitStatus() != QProcess::NormalExit)
        return run;
    run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

// Parses every stdout line as a JSON object with the fields every row has; fails the test
// (and returns an empty list) otherwise.
QList<QJsonObject> parseRows(const Run &run)
{
    QList<QJsonObject> rows;
    for (const QByteArray &line : run.out.trimmed().split('\n')) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            qWarning("not a JSON object: %s", line.constData());
            return {};
        }
        const QJsonObject result = document.object();
        for (const char *key :
            { "op", "backend", "device", "shape", "threads", "seconds", "gflops", "steps_per_second",
                "peak_percent", "reference", "reference_gflops", "ratio", "check", "correct" }) {
            if (!result.contains(QLatin1String(key))) {
                qWarning("no \"%s\" in %s", key, line.constData());
                return {};
            }
        }
        rows.append(result);
    }
    return rows;
}

// The checks every conv2d and train_step row passes, whatever the backend.
void checkConvOrStepRow(const QJsonObject &result)
{
    const QString op = result["op"].toString();
    QVERIFY2(op == QStringLiteral("conv2d") || op == QStringLiteral("train_step"), qPrintable(op));
    QVERIFY(result["seconds"].toDouble() > 0);
    QVERIFY(result["gflops"].toDouble() > 0);
    // train_step reports steps/s (the inverse of its per-step seconds); other ops null.
    if (op == QStringLiteral("train_step")) {
        QCOMPARE(result["shape"].toString(), QStringLiteral("mlp 784-64-10 batch 100"));
        QVERIFY(result["steps_per_second"].isDouble());
        QVERIFY(qAbs(result["steps_per_second"].toDouble() * result["seconds"].toDouble() - 1.0) < 1e-3);
    } else {
        QVERIFY(result["steps_per_second"].isNull());
        QVERIFY2(result["shape"].toString().contains(QStringLiteral(" -> ")),
            qPrintable(result["shape"].toString()));
    }
    const QJsonValue reference = result["reference"];
    const QStringList references
        = { QStringLiteral("openblas-im2col"), QStringLiteral("cpu-exact"), QStringLiteral("cuda-exact") };
    QVERIFY2(
        reference.isNull() || references.contains(reference.toString()), qPrintable(reference.toString()));
    QCOMPARE(result["reference_gflops"].isDouble(), !reference.isNull());
    QCOMPARE(result["ratio"].isDouble(), !reference.isNull());
    QCOMPARE(result["check"].toString(), QStringLiteral("bitwise"));
    QCOMPARE(result["correct"].toBool(), true);
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
        // --quick shrinks conv2d to batch 4; --sizes still picks the GEMM size.
        const Run run = runBench(
            { "engine", "--json", "--quick", "--sizes", "64", "--repeat", "1", "--backend", "cpu" });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QList<QJsonObject> rows = parseRows(run);
        QVERIFY(!rows.isEmpty());
        bool singleThreaded = false;
        QMap<QString, int> rowsPerOp;
        for (const QJsonObject &result : rows) {
            QCOMPARE(result["backend"].toString(), QStringLiteral("cpu"));
            QVERIFY(result["threads"].toInt() >= 1);
            ++rowsPerOp[result["op"].toString()];
            if (result["op"].toString() != QStringLiteral("gemm")) {
                checkConvOrStepRow(result);
                if (result["op"].toString() == QStringLiteral("conv2d"))
                    QVERIFY2(result["shape"].toString().startsWith(QStringLiteral("4x")),
                        qPrintable(result["shape"].toString()));
                continue;
            }
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
            QVERIFY(result["steps_per_second"].isNull());
        }
        QVERIFY(singleThreaded);
        // Two CPU targets (all threads, one thread): four conv2d shapes and one step each.
        QCOMPARE(rowsPerOp.value(QStringLiteral("gemm")), 2);
        QCOMPARE(rowsPerOp.value(QStringLiteral("conv2d")), 8);
        QCOMPARE(rowsPerOp.value(QStringLiteral("train_step")), 2);
    }

    void opSelection()
    {
        const Run run
            = runBench({ "engine", "--json", "--op", "train_step", "--repeat", "1", "--backend", "cpu" });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QList<QJsonObject> rows = parseRows(run);
        QVERIFY(!rows.isEmpty());
        for (const QJsonObject &result : rows)
            QCOMPARE(result["op"].toString(), QStringLiteral("train_step"));
        QCOMPARE(runBench({ "engine", "--op", "conv3d" }).exitCode, 2);
        QCOMPARE(runBench({ "engine", "--batch", "0" }).exitCode, 2);
    }

    // Lavapipe's conv2d and training step, bitwise against the CPU backend (exit status 0
    // means every row matched).
    void vulkanRows()
    {
        if (qgetenv("TRIBUTARY_BENCH_VULKAN") != "1")
            QSKIP("run by the bench_engine_vulkan test (label vulkan)");
        const Run run = runBench(
            { "engine", "--json", "--quick", "--repeat", "1", "--backend", "vulkan", "--op", "conv2d" });
        if (run.exitCode == 1 && run.err.contains("no device to measure"))
            QSKIP("no Vulkan device");
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const Run step
            = runBench({ "engine", "--json", "--repeat", "1", "--backend", "vulkan", "--op", "train_step" });
        QVERIFY2(step.exitCode == 0, step.err.constData());
        QList<QJsonObject> rows = parseRows(run);
        rows += parseRows(step);
        QVERIFY(rows.size() >= 5);
        for (const QJsonObject &result : rows) {
            QCOMPARE(result["backend"].toString(), QStringLiteral("vulkan"));
            checkConvOrStepRow(result);
        }
    }

    void table()
    {
        const Run run
            = runBench({ "engine", "--quick", "--sizes", "48", "--repeat", "1", "--backend", "cpu" });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(run.out.contains("| gemm"));
        QVERIFY(run.out.contains("48x48x48"));
        QVERIFY(run.out.contains("| conv2d"));
        QVERIFY(run.out.contains("| train_step"));
    }
};

QTEST_GUILESS_MAIN(BenchEngineTest)
#include "bench_engine_test.moc"
