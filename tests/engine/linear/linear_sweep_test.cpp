// Long sweeps of the linear ops (label slow): many generated shapes and attribute
// combinations, each bit for bit across every available backend and against the
// double-precision reference on the CPU, plus layer-sized convolutions.

#include "engine/engine.h"
#include "engine/ops/linear.h"
#include "tests/engine/linear/linear_reference.h"
#include "tests/engine/op_check.h"

#include <QTest>

#include <memory>

namespace tributary::engine::test {

namespace {

using Index = std::int64_t;

// A small deterministic generator for the sweep's choices.
class Choices {
public:
    explicit Choices(std::uint64_t seed) : m_state(seed * 0x9E3779B97F4A7C15ull + 1) {}
    Index below(Index bound)
    {
        m_state = m_state * 6364136223846793005ull + 1442695040888963407ull;
        return Index((m_state >> 33) % std::uint64_t(bound));
    }

private:
    std::uint64_t m_state;
};

} // namespace

class LinearSweepTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void gemmSweep();
    void convSweep();
    void poolSweep();
    void layerSizedConv();

private:
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<OpCheck> m_check;
};

void LinearSweepTest::initTestCase()
{
    useLavapipeIfUnset();
    m_engine = std::make_unique<Engine>();
    m_check = std::make_unique<OpCheck>(*m_engine);
}

void LinearSweepTest::gemmSweep()
{
    Choices choose(1);
    for (int i = 0; i < 40; ++i) {
        const Index m = 1 + choose.below(130);
        const Index n = 1 + choose.below(130);
        const Index k = 1 + choose.below(300);
        GemmAttributes attrs{choose.below(2) == 1, choose.below(2) == 1, choose.below(2) ? 1.0f : 0.75f,
                             choose.below(2) ? 1.0f : -1.5f};
        const HostTensor a = randomTensor(attrs.transA ? Shape{k, m} : Shape{m, k}, 10 + i);
        const HostTensor b = randomTensor(attrs.transB ? Shape{n, k} : Shape{k, n}, 20 + i);
        const HostTensor c = randomTensor({m, n}, 30 + i);
        QVERIFY2(m_check->allBackendsAgree({OpKind::Gemm, attrs}, {a, b, c}), m_check->lastError());
        const std::string diff = compareToReference(m_check->lastCpuOutputs()[0], referenceGemm(a, b, &c, attrs));
        QVERIFY2(diff.empty(), diff.c_str());
    }
}

void LinearSweepTest::convSweep()
{
    Choices choose(2);
    int done = 0;
    for (int i = 0; done < 40; ++i) {
        Conv2dAttributes attrs;
        attrs.groups = 1 + choose.below(3);
        const Index cg = 1 + choose.below(4);
        const Index mg = 1 + choose.below(5);
        const Index kh = 1 + choose.below(4);
        const Index kw = 1 + choose.below(4);
        attrs.strides = {1 + choose.below(3), 1 + choose.below(3)};
        attrs.dilations = {1 + choose.below(2), 1 + choose.below(2)};
        attrs.pads = {choose.below(3), choose.below(3), choose.below(3), choose.below(3)};
        const Shape x{1 + choose.below(3), cg * attrs.groups, 1 + choose.below(12), 1 + choose.below(12)};
        const Shape w{mg * attrs.groups, cg, kh, kw};
        Conv2dGeometry g;
        if (!conv2dGeometry("Conv2d", x, w, attrs, &g))
            continue; // kernel larger than the padded input: covered by the unit test
        ++done;
        const HostTensor tx = randomTensor(x, 100 + i);
        const HostTensor tw = randomTensor(w, 200 + i);
        const HostTensor bias = randomTensor({w[0]}, 300 + i);
        QVERIFY2(m_check->allBackendsAgree({OpKind::Conv2d, attrs}, {tx, tw, bias}), m_check->lastError());
        const std::string diff =
            compareToReference(m_check->lastCpuOutputs()[0], referenceConv2d(tx, tw, &bias, attrs));
        QVERIFY2(diff.empty(), diff.c_str());
        const HostTensor dy = randomTensor({g.n, g.m, g.oh, g.ow}, 400 + i);
        Conv2dAttributes inputAttrs = attrs;
        inputAttrs.inputShape = x;
        QVERIFY2(m_check->allBackendsAgree({OpKind::Conv2dBackwardInput, inputAttrs}, {dy, tw}), m_check->lastError());
        Conv2dAttributes weightAttrs = attrs;
        weightAttrs.weightShape = w;
        QVERIFY2(m_check->allBackendsAgree({OpKind::Conv2dBackwardWeight, weightAttrs}, {dy, tx}),
                 m_check->lastError());
    }
}

void LinearSweepTest::poolSweep()
{
    Choices choose(3);
    int done = 0;
    for (int i = 0; done < 40; ++i) {
        Pool2dAttributes attrs;
        attrs.kernel = {1 + choose.below(4), 1 + choose.below(4)};
        attrs.strides = {1 + choose.below(3), 1 + choose.below(3)};
        attrs.pads = {choose.below(attrs.kernel[0]), choose.below(attrs.kernel[1]), choose.below(attrs.kernel[0]),
                      choose.below(attrs.kernel[1])};
        attrs.ceilMode = choose.below(2) == 1;
        attrs.countIncludePad = choose.below(2) == 1;
        const Shape x{1 + choose.below(2), 1 + choose.below(3), 1 + choose.below(11), 1 + choose.below(11)};
        Pool2dGeometry g;
        if (!pool2dGeometry("pool", x, attrs, &g))
            continue;
        ++done;
        const HostTensor tx = randomTensor(x, 500 + i, 3.0f);
        for (OpKind kind : {OpKind::MaxPool2d, OpKind::AvgPool2d}) {
            QVERIFY2(m_check->allBackendsAgree({kind, attrs}, {tx}), m_check->lastError());
            const std::string diff = compareToReference(m_check->lastCpuOutputs()[0], referencePool(kind, tx, attrs));
            QVERIFY2(diff.empty(), diff.c_str());
        }
        const HostTensor dy = randomTensor({g.n, g.c, g.oh, g.ow}, 600 + i);
        QVERIFY2(m_check->allBackendsAgree({OpKind::MaxPool2dBackward, attrs}, {dy, tx}), m_check->lastError());
        Pool2dAttributes avgAttrs = attrs;
        avgAttrs.inputShape = x;
        QVERIFY2(m_check->allBackendsAgree({OpKind::AvgPool2dBackward, avgAttrs}, {dy}), m_check->lastError());
    }
}

void LinearSweepTest::layerSizedConv()
{
    // A ResNet-style 3×3 layer and a strided 1×1 projection, forward and backward.
    Conv2dAttributes same;
    same.pads = {1, 1, 1, 1};
    Conv2dAttributes projection;
    projection.strides = {2, 2};
    const struct {
        Shape x, w;
        Conv2dAttributes attrs;
    } layers[] = {{{2, 32, 16, 16}, {32, 32, 3, 3}, same}, {{2, 32, 16, 16}, {64, 32, 1, 1}, projection}};
    int i = 0;
    for (const auto &layer : layers) {
        const HostTensor x = randomTensor(layer.x, 700 + i);
        const HostTensor w = randomTensor(layer.w, 800 + i);
        QVERIFY2(m_check->allBackendsAgree({OpKind::Conv2d, layer.attrs}, {x, w}), m_check->lastError());
        const std::string diff =
            compareToReference(m_check->lastCpuOutputs()[0], referenceConv2d(x, w, nullptr, layer.attrs));
        QVERIFY2(diff.empty(), diff.c_str());
        const HostTensor dy = randomTensor(m_check->lastCpuOutputs()[0].shape, 900 + i);
        Conv2dAttributes inputAttrs = layer.attrs;
        inputAttrs.inputShape = layer.x;
        QVERIFY2(m_check->allBackendsAgree({OpKind::Conv2dBackwardInput, inputAttrs}, {dy, w}), m_check->lastError());
        Conv2dAttributes weightAttrs = layer.attrs;
        weightAttrs.weightShape = layer.w;
        QVERIFY2(m_check->allBackendsAgree({OpKind::Conv2dBackwardWeight, weightAttrs}, {dy, x}), m_check->lastError());
        ++i;
    }
}

} // namespace tributary::engine::test

QTEST_GUILESS_MAIN(tributary::engine::test::LinearSweepTest)
#include "linear_sweep_test.moc"
