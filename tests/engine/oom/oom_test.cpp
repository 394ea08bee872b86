// Tensors larger than the device can hold: allocate(), runOp() and Executor::run() return
// an error Status that says "out of memory" and names the shape (never a crash, never the
// Linux OOM killer: nothing near the machine's memory is committed), and the backend still
// runs ops afterwards. TRIBUTARY_OOM_BACKEND picks the backend: cpu (default) or vulkan
// (lavapipe unless VK_ICD_FILENAMES says otherwise; skipped when no device opens).

#include "engine/backend.h"
#include "engine/engine.h"
#include "engine/graph/executor.h"
#include "tests/engine/op_check.h"

#include <QTest>

using namespace tributary::engine;

namespace {

// 2^50 elements: beyond the 2^47 a tensor may have (and 4 PiB as f32).
const Shape kOverflowing { std::int64_t(1) << 20, std::int64_t(1) << 20, std::int64_t(1) << 10 };
// 2^40 elements, 4 TiB as f32: a valid size, larger than any memory here.
const Shape kHuge { std::int64_t(1) << 20, std::int64_t(1) << 20 };

// "" when `s` is an out-of-memory error naming `shape`, else what is wrong.
std::string oomProblem(const Status &s, const Shape &shape, const char *marker)
{
    if (s)
        return "succeeded";
    if (s.message().find(marker) == std::string::npos)
        return "message lacks '" + std::string(marker) + "': " + s.message();
    if (s.message().find(shapeText(shape)) == std::string::npos)
        return "message lacks the shape " + shapeText(shape) + ": " + s.message();
    return {};
}

} // namespace

class OomTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        const QByteArray wanted = qgetenv("TRIBUTARY_OOM_BACKEND").isEmpty()
            ? QByteArray("cpu")
            : qgetenv("TRIBUTARY_OOM_BACKEND");
        const BackendKind kind = wanted == "vulkan" ? BackendKind::Vulkan : BackendKind::Cpu;
        if (kind == BackendKind::Vulkan)
            test::useLavapipeIfUnset();
        m_engine = std::make_unique<Engine>();
        for (const DeviceInfo &d : m_engine->devices()) {
            if (d.backend != kind || !d.available)
                continue;
            std::string error;
            m_backend = m_engine->open(d.id, &error);
            QVERIFY2(m_backend, (d.id + ": " + error).c_str());
            break;
        }
        if (!m_backend)
            QSKIP(qPrintable("no available " + wanted + " device"));
        qInfo("testing %s (%s)", m_backend->device().id.c_str(), m_backend->device().name.c_str());
    }

    void allocateOverflowingShape()
    {
        for (DType dtype : { DType::F32, DType::I64 }) {
            Tensor t;
            const Status s = m_backend->allocate({ dtype, kOverflowing }, &t);
            qInfo("%s", s.message().c_str());
            const std::string problem = oomProblem(s, kOverflowing, "too large");
            QVERIFY2(problem.empty(), problem.c_str());
            QVERIFY(s.message().find("out of memory") != std::string::npos);
            QVERIFY(!t.valid());
        }
    }

    void allocateMoreThanMemory()
    {
        Tensor t;
        const Status s = m_backend->allocate({ DType::F32, kHuge }, &t);
        qInfo("%s", s.message().c_str());
        const std::string problem = oomProblem(s, kHuge, "out of memory");
        QVERIFY2(problem.empty(), problem.c_str());
        QVERIFY2(s.message().find("4.0 TiB") != std::string::npos, s.message().c_str());
        QVERIFY2(s.message().find(m_backend->device().id) != std::string::npos, s.message().c_str());
        QVERIFY(!t.valid());
    }

    // An op whose output does not fit: a [2^20, 1] × [1, 2^20] product.
    void runOpWithHugeOutput()
    {
        std::vector<Tensor> inputs(2);
        QVERIFY(m_backend->upload(HostTensor::zeros(DType::F32, { kHuge[0], 1 }), &inputs[0]));
        QVERIFY(m_backend->upload(HostTensor::zeros(DType::F32, { 1, kHuge[1] }), &inputs[1]));
        std::vector<Tensor> outputs;
        const Status s = runOp(*m_backend, { OpKind::MatMul, NoAttributes {} }, inputs, &outputs);
        qInfo("%s", s.message().c_str());
        const std::string problem = oomProblem(s, kHuge, "out of memory");
        QVERIFY2(problem.empty(), problem.c_str());
    }

    void executorWithHugeIntermediate()
    {
        Graph g;
        const ValueId a = g.addInput("a", { DType::F32, { kHuge[0], 1 } });
        const ValueId b = g.addInput("b", { DType::F32, { 1, kHuge[1] } });
        const ValueId product = g.addValue("product");
        QVERIFY(g.addNode("outer", { OpKind::MatMul, NoAttributes {} }, { a, b }, { product }));
        const ValueId sum = g.addValue("sum");
        ReduceAttributes all;
        all.keepDims = false;
        QVERIFY(g.addNode("total", { OpKind::ReduceSum, all }, { product }, { sum }));
        QVERIFY(g.addOutput(sum));
        std::unique_ptr<Executor> exec;
        Status s = Executor::create(g, *m_backend, &exec);
        QVERIFY2(s, s.message().c_str());
        std::vector<HostTensor> outputs;
        s = exec->run({ HostTensor::zeros(DType::F32, { kHuge[0], 1 }),
                          HostTensor::zeros(DType::F32, { 1, kHuge[1] }) },
            &outputs);
        qInfo("%s", s.message().c_str());
        const std::string problem = oomProblem(s, kHuge, "out of memory");
        QVERIFY2(problem.empty(), problem.c_str());
        QVERIFY2(s.message().find("outer") != std::string::npos, s.message().c_str()); // names the node
    }

    // Last: after all those failures the backend still allocates and computes.
    void stillWorksAfterwards()
    {
        const std::vector<float> aValues { 1, 2, 3, 4, 5, 6 }, bValues { 10, 20, 30 };
        const HostTensor a = HostTensor::fromF32({ 2, 3 }, aValues);
        const HostTensor b = HostTensor::fromF32({ 3 }, bValues);
        std::vector<Tensor> inputs(2);
        QVERIFY(m_backend->upload(a, &inputs[0]));
        QVERIFY(m_backend->upload(b, &inputs[1]));
        std::vector<Tensor> outputs;
        const Status s = runOp(*m_backend, { OpKind::Add, NoAttributes {} }, inputs, &outputs);
        QVERIFY2(s, s.message().c_str());
        HostTensor y;
        QVERIFY(m_backend->download(outputs[0], &y));
        const std::vector<float> expected { 11, 22, 33, 14, 25, 36 };
        QCOMPARE(std::vector<float>(y.f32().begin(), y.f32().end()), expected);
    }

private:
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<Backend> m_backend;
};

QTEST_GUILESS_MAIN(OomTest)
#include "oom_test.moc"
