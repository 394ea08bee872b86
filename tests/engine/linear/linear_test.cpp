// The linear ops (engine/ops/linear.h): each against a double-precision reference on the
// CPU, bit for bit across every available backend (OpCheck), gradients of the backward
// ops by finite differences, and bad inputs rejected with errors naming the problem.

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/cpu_device.h"
#include "engine/engine.h"
#include "engine/ops/linear.h"
#include "engine/ops/shape_inference.h"
#include "tests/engine/linear/linear_reference.h"
#include "tests/engine/op_check.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <memory>

namespace tributary::engine::test {

namespace {

using Index = std::int64_t;

struct ConvCase {
    Shape x;
    Shape w;
    Conv2dAttributes attrs;
    bool bias = true;
};

Conv2dAttributes convAttrs(std::array<Index, 2> strides, std::array<Index, 4> pads, std::array<Index, 2> dilations,
                           Index groups)
{
    Conv2dAttributes a;
    a.strides = strides;
    a.pads = pads;
    a.dilations = dilations;
    a.groups = groups;
    return a;
}

Pool2dAttributes poolAttrs(std::array<Index, 2> kernel, std::array<Index, 2> strides, std::array<Index, 4> pads,
                           bool ceilMode, bool countIncludePad)
{
    Pool2dAttributes a;
    a.kernel = kernel;
    a.strides = strides;
    a.pads = pads;
    a.ceilMode = ceilMode;
    a.countIncludePad = countIncludePad;
    return a;
}

// Σ y·g in double: the scalar loss whose gradient the backward ops compute.
double loss(const Reference &y, const HostTensor &g)
{
    double s = 0.0;
    for (std::size_t i = 0; i < y.value.size(); ++i)
        s += y.value[i] * double(g.f32()[i]);
    return s;
}

// Central finite difference of `f` (a loss of one float tensor) at element i, using the
// float values actually representable around x[i].
template<typename F>
double finiteDifference(HostTensor t, std::size_t i, float step, const F &f)
{
    const float x = t.f32()[i];
    const float plus = x + step;
    const float minus = x - step;
    t.f32()[i] = plus;
    const double lPlus = f(t);
    t.f32()[i] = minus;
    const double lMinus = f(t);
    return (lPlus - lMinus) / (double(plus) - double(minus));
}

bool close(double actual, double expected, double scale)
{
    return std::abs(actual - expected) <= 1e-3 * std::max(1.0, std::abs(scale));
}

std::vector<ConvCase> convCases()
{
    return {
        {{1, 1, 1, 1}, {1, 1, 1, 1}, convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1), false},
        {{2, 3, 7, 5}, {4, 3, 3, 3}, convAttrs({1, 1}, {1, 1, 1, 1}, {1, 1}, 1), true},
        {{2, 3, 9, 8}, {5, 3, 1, 1}, convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 1), true},
        {{1, 4, 9, 7}, {6, 2, 3, 3}, convAttrs({2, 2}, {1, 0, 2, 1}, {1, 1}, 2), true},
        {{2, 5, 8, 9}, {5, 1, 3, 3}, convAttrs({1, 2}, {1, 1, 1, 1}, {1, 1}, 5), false}, // depthwise
        {{1, 3, 11, 10}, {2, 3, 3, 2}, convAttrs({1, 1}, {2, 1, 0, 3}, {2, 2}, 1), true},
        {{3, 2, 6, 6}, {3, 2, 3, 3}, convAttrs({2, 1}, {0, 2, 1, 0}, {2, 1}, 1), true},
        {{1, 17, 5, 5}, {33, 17, 3, 3}, convAttrs({1, 1}, {1, 1, 1, 1}, {1, 1}, 1), true},
    };
}

struct PoolCase {
    Shape x;
    Pool2dAttributes attrs;
};

std::vector<PoolCase> poolCases()
{
    return {
        {{1, 1, 1, 1}, poolAttrs({1, 1}, {1, 1}, {0, 0, 0, 0}, false, false)},
        {{2, 3, 8, 8}, poolAttrs({2, 2}, {2, 2}, {0, 0, 0, 0}, false, false)},
        {{1, 2, 7, 9}, poolAttrs({3, 3}, {2, 2}, {1, 1, 1, 1}, false, false)},
        {{1, 2, 7, 9}, poolAttrs({3, 3}, {2, 2}, {1, 1, 1, 1}, false, true)},
        {{2, 1, 8, 7}, poolAttrs({3, 2}, {2, 3}, {1, 0, 2, 1}, true, false)},
        {{2, 1, 8, 7}, poolAttrs({3, 2}, {2, 3}, {1, 0, 2, 1}, true, true)},
        {{1, 3, 5, 6}, poolAttrs({3, 3}, {1, 1}, {0, 2, 1, 0}, false, true)},
        {{1, 1, 6, 6}, poolAttrs({2, 2}, {3, 3}, {0, 0, 0, 0}, true, false)},
    };
}

} // namespace

class LinearTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void gemm_data();
    void gemm();
    void gemmSpecialValues();
    void gemmBackwardComposition();
    void matMul_data();
    void matMul();
    void conv2d();
    void conv2dBackward();
    void pool();
    void poolBackward();
    void globalAvgPool();
    void threadCountIndependence();
    void badInputs();

private:
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<OpCheck> m_check;
};

void LinearTest::initTestCase()
{
    useLavapipeIfUnset();
    m_engine = std::make_unique<Engine>();
    m_check = std::make_unique<OpCheck>(*m_engine);
    QVERIFY2(m_check->allBackendsAgree({OpKind::MatMul, NoAttributes{}}, {randomTensor({2, 3}, 1), randomTensor({3, 2}, 2)}),
             m_check->lastError());
    std::string backends;
    for (const std::string &id : m_check->checkedBackends())
        backends += " " + id;
    for (const std::string &id : m_check->skippedBackends())
        backends += " (skipped " + id + ")";
    qInfo("backends:%s", backends.c_str());
}

void LinearTest::gemm_data()
{
    QTest::addColumn<int>("m");
    QTest::addColumn<int>("k");
    QTest::addColumn<int>("n");
    QTest::addColumn<bool>("transA");
    QTest::addColumn<bool>("transB");
    QTest::addColumn<float>("alpha");
    QTest::addColumn<float>("beta");
    QTest::addColumn<QString>("c"); // "", "mn", "n", "1n", "m1", "scalar"
    QTest::newRow("1x1x1") << 1 << 1 << 1 << false << false << 1.0f << 1.0f << "";
    QTest::newRow("odd") << 7 << 13 << 5 << false << false << 1.0f << 1.0f << "mn";
    QTest::newRow("transA") << 9 << 17 << 33 << true << false << 1.0f << 1.0f << "n";
    QTest::newRow("transB") << 19 << 8 << 3 << false << true << 0.5f << 1.0f << "1n";
    QTest::newRow("both, beta") << 16 << 31 << 17 << true << true << -1.25f << 0.75f << "m1";
    QTest::newRow("beta scalar") << 65 << 40 << 70 << false << false << 2.0f << -3.0f << "scalar";
    QTest::newRow("k = 0") << 3 << 0 << 4 << false << false << 1.0f << 2.0f << "mn";
}

void LinearTest::gemm()
{
    QFETCH(int, m);
    QFETCH(int, k);
    QFETCH(int, n);
    QFETCH(bool, transA);
    QFETCH(bool, transB);
    QFETCH(float, alpha);
    QFETCH(float, beta);
    QFETCH(QString, c);
    GemmAttributes attrs{transA, transB, alpha, beta};
    const HostTensor a = randomTensor(transA ? Shape{k, m} : Shape{m, k}, 1);
    const HostTensor b = randomTensor(transB ? Shape{n, k} : Shape{k, n}, 2);
    std::vector<HostTensor> inputs{a, b};
    HostTensor cTensor;
    if (!c.isEmpty()) {
        const Shape cs = c == "mn" ? Shape{m, n} : c == "n" ? Shape{n} : c == "1n" ? Shape{1, n} : c == "m1" ? Shape{m, 1} : Shape{};
        cTensor = randomTensor(cs, 3);
        inputs.push_back(cTensor);
    }
    const Op op{OpKind::Gemm, attrs};
    QVERIFY2(m_check->allBackendsAgree(op, inputs), m_check->lastError());
    const Reference ref = referenceGemm(a, b, c.isEmpty() ? nullptr : &cTensor, attrs);
    const std::string diff = compareToReference(m_check->lastCpuOutputs()[0], ref);
    QVERIFY2(diff.empty(), diff.c_str());
    if (k == 0 && c.isEmpty()) {
        for (float v : m_check->lastCpuOutputs()[0].f32())
            QVERIFY(v == 0.0f && !std::signbit(v));
    }
}

void LinearTest::gemmSpecialValues()
{
    // Negative zeros, infinities, NaN and subnormals go through the same chain everywhere.
    const float inf = std::numeric_limits<float>::infinity();
    const float sub = std::numeric_limits<float>::denorm_min();
    const std::vector<float> av{-0.0f, 1.0f, inf, 3e38f, sub, -2.0f, 0.0f, -0.0f, 1e-38f, -inf, 2.0f, 1.0f};
    const std::vector<float> bv{-0.0f, -0.0f, 1.0f, 3e38f, 0.5f, sub, -1.0f, 0.0f, 1e-3f, 2.0f, 0.0f, -0.0f};
    const HostTensor a = HostTensor::fromF32({4, 3}, av);
    const HostTensor b = HostTensor::fromF32({3, 4}, bv);
    for (bool trans : {false, true}) {
        const Op op{OpKind::Gemm, GemmAttributes{trans, trans, 1.0f, 1.0f}};
        QVERIFY2(m_check->allBackendsAgree(op, {a, b}), m_check->lastError());
        const Op withC{OpKind::Gemm, GemmAttributes{false, false, 0.5f, -0.5f}};
        QVERIFY2(m_check->allBackendsAgree(withC, {a, b, HostTensor::fromF32({4}, std::vector<float>{-0.0f, inf, 1.0f, sub})}),
                 m_check->lastError());
    }
    // -0·-0 = +0 starts the chain from +0: 0 + (+0) = +0; a single product of -0 gives +0.
    const Op op{OpKind::Gemm, GemmAttributes{}};
    QVERIFY2(m_check->allBackendsAgree(op, {HostTensor::fromF32({1, 1}, std::vector<float>{-0.0f}),
                                            HostTensor::fromF32({1, 1}, std::vector<float>{1.0f})}),
             m_check->lastError());
    QVERIFY(!std::signbit(m_check->lastCpuOutputs()[0].f32()[0]));
}

void LinearTest::gemmBackwardComposition()
{
    // Y = A·B; with loss Σ Y ⊙ G: dA = G·Bᵀ and dB = Aᵀ·G, expressed as Gemm transposes.
    const Index m = 5, k = 7, n = 6;
    const HostTensor a = randomTensor({m, k}, 11);
    const HostTensor b = randomTensor({k, n}, 12);
    const HostTensor g = randomTensor({m, n}, 13);
    const Op dAOp{OpKind::Gemm, GemmAttributes{false, true, 1.0f, 1.0f}};
    QVERIFY2(m_check->allBackendsAgree(dAOp, {g, b}), m_check->lastError());
    const HostTensor dA = m_check->lastCpuOutputs()[0];
    const Op dBOp{OpKind::Gemm, GemmAttributes{true, false, 1.0f, 1.0f}};
    QVERIFY2(m_check->allBackendsAgree(dBOp, {a, g}), m_check->lastError());
    const HostTensor dB = m_check->lastCpuOutputs()[0];
    QCOMPARE(dA.shape, (Shape{m, k}));
    QCOMPARE(dB.shape, (Shape{k, n}));
    const GemmAttributes plain;
    for (std::size_t i = 0; i < std::size_t(m * k); ++i) {
        const double fd = finiteDifference(a, i, 1e-2f, [&](const HostTensor &t) {
            return loss(referenceGemm(t, b, nullptr, plain), g);
        });
        QVERIFY2(close(dA.f32()[i], fd, fd), qPrintable(QString("dA[%1]: %2 vs %3").arg(i).arg(dA.f32()[i]).arg(fd)));
    }
    for (std::size_t i = 0; i < std::size_t(k * n); ++i) {
        const double fd = finiteDifference(b, i, 1e-2f, [&](const HostTensor &t) {
            return loss(referenceGemm(a, t, nullptr, plain), g);
        });
        QVERIFY2(close(dB.f32()[i], fd, fd), qPrintable(QString("dB[%1]: %2 vs %3").arg(i).arg(dB.f32()[i]).arg(fd)));
    }
}

void LinearTest::matMul_data()
{
    QTest::addColumn<Shape>("a");
    QTest::addColumn<Shape>("b");
    QTest::newRow("2d") << Shape{7, 9} << Shape{9, 5};
    QTest::newRow("vector x vector") << Shape{6} << Shape{6};
    QTest::newRow("vector x matrix") << Shape{6} << Shape{6, 4};
    QTest::newRow("matrix x vector") << Shape{3, 6} << Shape{6};
    QTest::newRow("batched x vector") << Shape{2, 3, 6} << Shape{6};
    QTest::newRow("vector x batched") << Shape{6} << Shape{2, 6, 3};
    QTest::newRow("batched, shared B") << Shape{2, 3, 5, 4} << Shape{4, 7};
    QTest::newRow("shared A") << Shape{5, 4} << Shape{3, 4, 7};
    QTest::newRow("broadcast both") << Shape{2, 1, 5, 4} << Shape{1, 3, 4, 6};
    QTest::newRow("batched same") << Shape{3, 17, 33} << Shape{3, 33, 9};
}

void LinearTest::matMul()
{
    QFETCH(Shape, a);
    QFETCH(Shape, b);
    const HostTensor ta = randomTensor(a, 21);
    const HostTensor tb = randomTensor(b, 22);
    QVERIFY2(m_check->allBackendsAgree({OpKind::MatMul, NoAttributes{}}, {ta, tb}), m_check->lastError());
    const std::string diff = compareToReference(m_check->lastCpuOutputs()[0], referenceMatMul(ta, tb));
    QVERIFY2(diff.empty(), diff.c_str());
}

void LinearTest::conv2d()
{
    int index = 0;
    for (const ConvCase &c : convCases()) {
        const HostTensor x = randomTensor(c.x, 100 + index);
        const HostTensor w = randomTensor(c.w, 200 + index);
        const HostTensor bias = randomTensor({c.w[0]}, 300 + index);
        std::vector<HostTensor> inputs{x, w};
        if (c.bias)
            inputs.push_back(bias);
        QVERIFY2(m_check->allBackendsAgree({OpKind::Conv2d, c.attrs}, inputs),
                 qPrintable(QString("case %1: %2").arg(index).arg(m_check->lastError())));
        const std::string diff =
            compareToReference(m_check->lastCpuOutputs()[0], referenceConv2d(x, w, c.bias ? &bias : nullptr, c.attrs));
        QVERIFY2(diff.empty(), qPrintable(QString("case %1: %2").arg(index).arg(diff.c_str())));
        ++index;
    }
    // Special values through padding: -0 inputs stay on the fma chain, infinities propagate.
    const float inf = std::numeric_limits<float>::infinity();
    HostTensor x = randomTensor({1, 2, 4, 4}, 5);
    x.f32()[0] = -0.0f;
    x.f32()[5] = inf;
    x.f32()[20] = -0.0f;
    const HostTensor w = HostTensor::fromF32({1, 2, 1, 1}, std::vector<float>{-0.0f, 1.0f});
    QVERIFY2(m_check->allBackendsAgree({OpKind::Conv2d, convAttrs({1, 1}, {1, 1, 1, 1}, {1, 1}, 1)}, {x, w}),
             m_check->lastError());
}

void LinearTest::conv2dBackward()
{
    int index = 0;
    for (const ConvCase &c : convCases()) {
        const HostTensor x = randomTensor(c.x, 400 + index);
        const HostTensor w = randomTensor(c.w, 500 + index);
        Conv2dGeometry geo;
        QVERIFY(conv2dGeometry("Conv2d", c.x, c.w, c.attrs, &geo));
        const HostTensor dy = randomTensor({geo.n, geo.m, geo.oh, geo.ow}, 600 + index);

        Conv2dAttributes inputAttrs = c.attrs;
        inputAttrs.inputShape = c.x;
        QVERIFY2(m_check->allBackendsAgree({OpKind::Conv2dBackwardInput, inputAttrs}, {dy, w}),
                 qPrintable(QString("case %1: %2").arg(index).arg(m_check->lastError())));
        const HostTensor dx = m_check->lastCpuOutputs()[0];
        QCOMPARE(dx.shape, c.x);

        Conv2dAttributes weightAttrs = c.attrs;
        weightAttrs.weightShape = c.w;
        QVERIFY2(m_check->allBackendsAgree({OpKind::Conv2dBackwardWeight, weightAttrs}, {dy, x}),
                 qPrintable(QString("case %1: %2").arg(index).arg(m_check->lastError())));
        const HostTensor dw = m_check->lastCpuOutputs()[0];
        QCOMPARE(dw.shape, c.w);

        // Finite differences of Σ conv(X, W) ⊙ dY on a spread of elements.
        const std::size_t xCount = dx.f32().size();
        for (std::size_t i = 0; i < xCount; i += 1 + xCount / 13) {
            const double fd = finiteDifference(x, i, 1e-2f, [&](const HostTensor &t) {
                return loss(referenceConv2d(t, w, nullptr, c.attrs), dy);
            });
            QVERIFY2(close(dx.f32()[i], fd, fd),
                     qPrintable(QString("case %1 dX[%2]: %3 vs %4").arg(index).arg(i).arg(dx.f32()[i]).arg(fd)));
        }
        const std::size_t wCount = dw.f32().size();
        for (std::size_t i = 0; i < wCount; i += 1 + wCount / 13) {
            const double fd = finiteDifference(w, i, 1e-2f, [&](const HostTensor &t) {
                return loss(referenceConv2d(x, t, nullptr, c.attrs), dy);
            });
            QVERIFY2(close(dw.f32()[i], fd, fd),
                     qPrintable(QString("case %1 dW[%2]: %3 vs %4").arg(index).arg(i).arg(dw.f32()[i]).arg(fd)));
        }
        ++index;
    }
}

void LinearTest::pool()
{
    int index = 0;
    for (const PoolCase &c : poolCases()) {
        const HostTensor x = randomTensor(c.x, 700 + index, 4.0f);
        for (OpKind kind : {OpKind::MaxPool2d, OpKind::AvgPool2d}) {
            QVERIFY2(m_check->allBackendsAgree({kind, c.attrs}, {x}),
                     qPrintable(QString("case %1: %2").arg(index).arg(m_check->lastError())));
            const std::string diff = compareToReference(m_check->lastCpuOutputs()[0], referencePool(kind, x, c.attrs));
            QVERIFY2(diff.empty(), qPrintable(QString("case %1 %2: %3")
                                                  .arg(index)
                                                  .arg(QString::fromUtf8(opName(kind).data(), int(opName(kind).size())))
                                                  .arg(diff.c_str())));
        }
        ++index;
    }
    // First maximum, NaN, -0 vs +0 and infinities: MaxPool keeps the documented choice.
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const HostTensor x = HostTensor::fromF32({1, 1, 2, 4}, std::vector<float>{-0.0f, 0.0f, 1.0f, nan, 0.0f, -0.0f, -inf, 2.0f});
    const Pool2dAttributes attrs = poolAttrs({2, 2}, {2, 2}, {0, 0, 0, 0}, false, false);
    QVERIFY2(m_check->allBackendsAgree({OpKind::MaxPool2d, attrs}, {x}), m_check->lastError());
    const auto y = m_check->lastCpuOutputs()[0].f32();
    QVERIFY(std::signbit(y[0]) && y[0] == 0.0f); // -0 first, +0 is not greater
    QVERIFY(std::isnan(y[1]));
    QVERIFY2(m_check->allBackendsAgree({OpKind::MaxPool2dBackward, attrs},
                                       {HostTensor::fromF32({1, 1, 1, 2}, std::vector<float>{3.0f, 5.0f}), x}),
             m_check->lastError());
    const auto dx = m_check->lastCpuOutputs()[0].f32();
    QCOMPARE(dx[0], 3.0f);
    QCOMPARE(dx[3], 5.0f);
    QVERIFY2(m_check->allBackendsAgree({OpKind::AvgPool2d, attrs}, {x}), m_check->lastError());
}

void LinearTest::poolBackward()
{
    int index = 0;
    for (const PoolCase &c : poolCases()) {
        const HostTensor x = randomTensor(c.x, 800 + index, 4.0f);
        Pool2dGeometry geo;
        QVERIFY(pool2dGeometry("pool", c.x, c.attrs, &geo));
        const HostTensor dy = randomTensor({geo.n, geo.c, geo.oh, geo.ow}, 900 + index);

        QVERIFY2(m_check->allBackendsAgree({OpKind::MaxPool2dBackward, c.attrs}, {dy, x}),
                 qPrintable(QString("case %1: %2").arg(index).arg(m_check->lastError())));
        const HostTensor dxMax = m_check->lastCpuOutputs()[0];
        Pool2dAttributes avgAttrs = c.attrs;
        avgAttrs.inputShape = c.x;
        QVERIFY2(m_check->allBackendsAgree({OpKind::AvgPool2dBackward, avgAttrs}, {dy}),
                 qPrintable(QString("case %1: %2").arg(index).arg(m_check->lastError())));
        const HostTensor dxAvg = m_check->lastCpuOutputs()[0];
        QCOMPARE(dxMax.shape, c.x);
        QCOMPARE(dxAvg.shape, c.x);

        for (std::size_t i = 0; i < dxMax.f32().size(); ++i) {
            // A small step keeps each window's maximum where it is (random values are distinct).
            const double fdMax = finiteDifference(x, i, 1e-4f, [&](const HostTensor &t) {
                return loss(referencePool(OpKind::MaxPool2d, t, c.attrs), dy);
            });
            QVERIFY2(std::abs(dxMax.f32()[i] - fdMax) <= 1e-2,
                     qPrintable(QString("case %1 max dX[%2]: %3 vs %4").arg(index).arg(i).arg(dxMax.f32()[i]).arg(fdMax)));
            const double fdAvg = finiteDifference(x, i, 1e-2f, [&](const HostTensor &t) {
                return loss(referencePool(OpKind::AvgPool2d, t, c.attrs), dy);
            });
            QVERIFY2(close(dxAvg.f32()[i], fdAvg, fdAvg),
                     qPrintable(QString("case %1 avg dX[%2]: %3 vs %4").arg(index).arg(i).arg(dxAvg.f32()[i]).arg(fdAvg)));
        }
        ++index;
    }
}

void LinearTest::globalAvgPool()
{
    for (const Shape &s : {Shape{1, 1, 1, 1}, Shape{2, 3, 5, 7}, Shape{1, 2, 9, 9}, Shape{2, 1, 16, 17}}) {
        const HostTensor x = randomTensor(s, 31);
        QVERIFY2(m_check->allBackendsAgree({OpKind::GlobalAvgPool, NoAttributes{}}, {x}), m_check->lastError());
        const std::string diff = compareToReference(m_check->lastCpuOutputs()[0],
                                                    referencePool(OpKind::GlobalAvgPool, x, Pool2dAttributes{}));
        QVERIFY2(diff.empty(), diff.c_str());
    }
    // The canonical sum: chunks of 32, then the chunk sums. With 1e8 first and 32 ones the
    // ones form their own chunk and survive; summed left to right they would vanish.
    std::vector<float> v(64, 0.0f);
    v[0] = 1e8f;
    for (int i = 32; i < 64; ++i)
        v[std::size_t(i)] = 1.0f;
    QVERIFY2(m_check->allBackendsAgree({OpKind::GlobalAvgPool, NoAttributes{}}, {HostTensor::fromF32({1, 1, 8, 8}, v)}),
             m_check->lastError());
    QCOMPARE(m_check->lastCpuOutputs()[0].f32()[0], (1e8f + 32.0f) * float(1.0 / 64.0));
}

void LinearTest::threadCountIndependence()
{
    DeviceInfo one = probeCpuDevice();
    one.computeUnits = 1;
    DeviceInfo three = probeCpuDevice();
    three.computeUnits = 3;
    CpuBackend single(one);
    CpuBackend multi(three);
    const ConvCase c{{2, 16, 20, 20}, {24, 8, 3, 3}, convAttrs({1, 1}, {1, 1, 1, 1}, {1, 1}, 2), true};
    const HostTensor x = randomTensor(c.x, 1);
    const HostTensor w = randomTensor(c.w, 2);
    const HostTensor dy = randomTensor({2, 24, 20, 20}, 4);
    Conv2dAttributes inputAttrs = c.attrs;
    inputAttrs.inputShape = c.x;
    Conv2dAttributes weightAttrs = c.attrs;
    weightAttrs.weightShape = c.w;
    const std::vector<std::pair<Op, std::vector<HostTensor>>> runs{
        {{OpKind::Conv2d, c.attrs}, {x, w, randomTensor({24}, 3)}},
        {{OpKind::Conv2dBackwardInput, inputAttrs}, {dy, w}},
        {{OpKind::Conv2dBackwardWeight, weightAttrs}, {dy, x}},
        {{OpKind::MatMul, NoAttributes{}}, {randomTensor({3, 70, 90}, 5), randomTensor({90, 130}, 6)}},
    };
    for (const auto &[op, inputs] : runs) {
        std::vector<HostTensor> a;
        std::vector<HostTensor> b;
        std::string error;
        QVERIFY2(OpCheck::runOn(single, op, inputs, &a, &error), error.c_str());
        QVERIFY2(OpCheck::runOn(multi, op, inputs, &b, &error), error.c_str());
        QCOMPARE(firstBitDifference(a[0], b[0], &error), Index(-1));
    }
}

void LinearTest::badInputs()
{
    auto expectError = [](const Op &op, const std::vector<TensorDesc> &descs, const char *needle) {
        std::vector<bool> presentVector(descs.size(), true);
        std::unique_ptr<bool[]> present(new bool[descs.size()]);
        for (std::size_t i = 0; i < descs.size(); ++i)
            present[i] = presentVector[i];
        std::vector<TensorDesc> outputs;
        const Status s = inferOutputs(op, OpInputs{descs, std::span<const bool>(present.get(), descs.size())}, &outputs);
        if (s)
            return QString("%1 was accepted").arg(QString::fromUtf8(opName(op.kind).data(), int(opName(op.kind).size())));
        if (s.message().find(needle) == std::string::npos)
            return QString("error \"%1\" does not mention \"%2\"").arg(s.message().c_str(), needle);
        return QString();
    };
    const auto f32 = [](Shape s) { return TensorDesc{DType::F32, std::move(s)}; };
    QString e;
#define EXPECT_ERROR(op, descs, needle)                                                                                \
    e = expectError(op, descs, needle);                                                                                \
    QVERIFY2(e.isEmpty(), qPrintable(e))

    EXPECT_ERROR((Op{OpKind::Gemm, GemmAttributes{}}), (std::vector<TensorDesc>{f32({2, 3}), f32({4, 5})}),
                 "inner dimensions 3 and 4 differ");
    EXPECT_ERROR((Op{OpKind::Gemm, GemmAttributes{}}), (std::vector<TensorDesc>{f32({2, 3}), f32({3, 5}), f32({3, 5})}),
                 "does not broadcast");
    EXPECT_ERROR((Op{OpKind::Gemm, GemmAttributes{}}), (std::vector<TensorDesc>{f32({2, 3, 1}), f32({3, 5})}), "rank 2");
    EXPECT_ERROR((Op{OpKind::Gemm, GemmAttributes{}}), (std::vector<TensorDesc>{f32({2, 3})}), "expected 2 or 3 inputs");
    EXPECT_ERROR((Op{OpKind::Gemm, GemmAttributes{}}),
                 (std::vector<TensorDesc>{TensorDesc{DType::I64, {2, 3}}, f32({3, 5})}), "i64, expected f32");
    EXPECT_ERROR((Op{OpKind::MatMul, NoAttributes{}}), (std::vector<TensorDesc>{f32({2, 2, 3}), f32({3, 3, 4})}),
                 "do not broadcast");
    EXPECT_ERROR((Op{OpKind::MatMul, NoAttributes{}}), (std::vector<TensorDesc>{f32({5}), f32({4})}),
                 "inner dimensions 5 and 4 differ");
    const Conv2dAttributes plain;
    EXPECT_ERROR((Op{OpKind::Conv2d, plain}), (std::vector<TensorDesc>{f32({1, 3, 8, 8}), f32({4, 2, 3, 3})}),
                 "channel mismatch");
    EXPECT_ERROR((Op{OpKind::Conv2d, convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 2)}),
                 (std::vector<TensorDesc>{f32({1, 3, 8, 8}), f32({4, 1, 3, 3})}), "groups 2 does not divide the 3 input");
    EXPECT_ERROR((Op{OpKind::Conv2d, convAttrs({1, 1}, {0, 0, 0, 0}, {1, 1}, 2)}),
                 (std::vector<TensorDesc>{f32({1, 4, 8, 8}), f32({3, 2, 3, 3})}), "groups 2 does not divide the 3 output");
    EXPECT_ERROR((Op{OpKind::Conv2d, plain}), (std::vector<TensorDesc>{f32({1, 1, 2, 2}), f32({1, 1, 3, 3})}),
                 "kernel larger than the padded input");
    EXPECT_ERROR((Op{OpKind::Conv2d, convAttrs({1, 1}, {0, 0, 0, 0}, {3, 3}, 1)}),
                 (std::vector<TensorDesc>{f32({1, 1, 5, 5}), f32({1, 1, 3, 3})}), "kernel larger than the padded input");
    EXPECT_ERROR((Op{OpKind::Conv2d, plain}), (std::vector<TensorDesc>{f32({1, 1, 5, 5}), f32({2, 1, 3, 3}), f32({3})}),
                 "bias (input 2)");
    EXPECT_ERROR((Op{OpKind::Conv2d, convAttrs({0, 1}, {0, 0, 0, 0}, {1, 1}, 1)}),
                 (std::vector<TensorDesc>{f32({1, 1, 5, 5}), f32({1, 1, 3, 3})}), "strides");
    EXPECT_ERROR((Op{OpKind::Conv2d, plain}), (std::vector<TensorDesc>{f32({1, 5, 5}), f32({1, 1, 3, 3})}), "rank 4");
    Conv2dAttributes inputAttrs;
    inputAttrs.inputShape = {1, 2, 6, 6};
    EXPECT_ERROR((Op{OpKind::Conv2dBackwardInput, inputAttrs}),
                 (std::vector<TensorDesc>{f32({1, 3, 5, 5}), f32({3, 2, 3, 3})}), "dY (input 0) is [1, 3, 5, 5]");
    Conv2dAttributes weightAttrs;
    weightAttrs.weightShape = {3, 2, 3, 3};
    EXPECT_ERROR((Op{OpKind::Conv2dBackwardWeight, weightAttrs}),
                 (std::vector<TensorDesc>{f32({1, 3, 4, 4}), f32({1, 3, 6, 6})}), "channel mismatch");
    EXPECT_ERROR((Op{OpKind::MaxPool2d, poolAttrs({3, 3}, {1, 1}, {0, 0, 0, 0}, false, false)}),
                 (std::vector<TensorDesc>{f32({1, 1, 2, 2})}), "larger than the padded input");
    EXPECT_ERROR((Op{OpKind::AvgPool2d, poolAttrs({2, 2}, {1, 1}, {2, 0, 0, 0}, false, false)}),
                 (std::vector<TensorDesc>{f32({1, 1, 4, 4})}), "smaller than the kernel");
    EXPECT_ERROR((Op{OpKind::MaxPool2dBackward, poolAttrs({2, 2}, {2, 2}, {0, 0, 0, 0}, false, false)}),
                 (std::vector<TensorDesc>{f32({1, 1, 3, 3}), f32({1, 1, 4, 4})}), "pools to [1, 1, 2, 2]");
    EXPECT_ERROR((Op{OpKind::GlobalAvgPool, NoAttributes{}}), (std::vector<TensorDesc>{f32({1, 4, 4})}), "rank 4");
    EXPECT_ERROR((Op{OpKind::Conv2d, GemmAttributes{}}), (std::vector<TensorDesc>{f32({1, 1, 4, 4}), f32({1, 1, 1, 1})}),
                 "wrong attribute type");
#undef EXPECT_ERROR

    // An absent required input (an empty slot) is named.
    const std::vector<TensorDesc> descs{f32({2, 3}), f32({})};
    const bool present[] = {true, false};
    std::vector<TensorDesc> outputs;
    const Status s = inferOutputs({OpKind::MatMul, NoAttributes{}}, OpInputs{descs, present}, &outputs);
    QVERIFY(!s);
    QVERIFY2(s.message().find("required input 1 is missing") != std::string::npos, s.message().c_str());
}

} // namespace tributary::engine::test

QTEST_GUILESS_MAIN(tributary::engine::test::LinearTest)
#include "linear_test.moc"
