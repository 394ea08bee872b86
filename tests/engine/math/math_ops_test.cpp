// The elementwise, reduce and optimizer ops: CPU results against independent double
// references, gradient checks of every backward op by central finite differences on double
// forwards, optimiser steps against hand-written references, bad inputs, and every other
// available backend (lavapipe in CI) bit for bit against the CPU through OpCheck.

#include "tests/engine/op_check.h"

#include "engine/cpu/cpu_backend.h"
#include "engine/engine.h"
#include "engine/ops/optimizer.h"
#include "engine/ops/shape_inference.h"

#include <QTest>

#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>

using namespace tributary::engine;
using namespace tributary::engine::test;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Row-major index of the broadcast source element for output position `index`.
std::int64_t sourceIndex(const Shape &in, const Shape &out, std::int64_t index)
{
    std::int64_t result = 0, stride = 1;
    for (std::size_t d = out.size(); d-- > 0;) {
        const std::int64_t i = index % out[d];
        index /= out[d];
        const std::size_t offset = out.size() - in.size();
        if (d >= offset) {
            const std::int64_t dim = in[d - offset];
            result += (dim == 1 ? 0 : i) * stride;
            stride *= dim;
        }
    }
    return result;
}

// Empty when every value is within tolerance (NaN matches NaN, inf matches inf).
std::string compare(const HostTensor &got, const std::vector<double> &ref, double rel, double abs)
{
    if (std::size_t(got.elements()) != ref.size())
        return "size " + std::to_string(got.elements()) + " vs " + std::to_string(ref.size());
    for (std::size_t i = 0; i < ref.size(); ++i) {
        const double g = got.f32()[i];
        const double r = ref[i];
        if (std::isnan(r) ? std::isnan(g) : (std::isinf(r) ? g == r : std::fabs(g - r) <= abs + rel * std::fabs(r)))
            continue;
        return "element " + std::to_string(i) + ": got " + std::to_string(g) + ", expected " + std::to_string(r);
    }
    return {};
}

HostTensor tensorOf(Shape shape, std::vector<float> values)
{
    return HostTensor::fromF32(std::move(shape), values);
}

std::vector<double> toDouble(const HostTensor &t)
{
    return std::vector<double>(t.f32().begin(), t.f32().end());
}

double geluD(double x)
{
    return 0.5 * x * std::erfc(-x / std::sqrt(2.0));
}

double sigmoidD(double x)
{
    return 1.0 / (1.0 + std::exp(-x));
}

// Central finite difference of f at x, in double.
double derivative(const std::function<double(double)> &f, double x)
{
    const double h = 1e-6 * std::max(1.0, std::fabs(x));
    return (f(x + h) - f(x - h)) / (2 * h);
}

// Layer norm over the last n values of each row, in double.
std::vector<double> layerNormD(const std::vector<double> &x, const std::vector<double> &scale,
                               const std::vector<double> &bias, std::size_t n, double eps)
{
    std::vector<double> y(x.size());
    for (std::size_t r = 0; r < x.size() / n; ++r) {
        double mean = 0, var = 0;
        for (std::size_t i = 0; i < n; ++i)
            mean += x[r * n + i];
        mean /= double(n);
        for (std::size_t i = 0; i < n; ++i)
            var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
        var /= double(n);
        for (std::size_t i = 0; i < n; ++i)
            y[r * n + i] = (x[r * n + i] - mean) / std::sqrt(var + eps) * scale[i] + (bias.empty() ? 0.0 : bias[i]);
    }
    return y;
}

double crossEntropyD(const std::vector<double> &logits, const std::vector<std::int64_t> &labels, std::size_t classes)
{
    double total = 0;
    for (std::size_t r = 0; r < labels.size(); ++r) {
        double m = -1e300, s = 0;
        for (std::size_t k = 0; k < classes; ++k)
            m = std::max(m, logits[r * classes + k]);
        for (std::size_t k = 0; k < classes; ++k)
            s += std::exp(logits[r * classes + k] - m);
        total += std::log(s) + m - logits[r * classes + std::size_t(labels[r])];
    }
    return total / double(labels.size());
}

} // namespace

class MathOpsTest : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<OpCheck> m_check;
    std::vector<HostTensor> m_out;

    // Runs on every backend (bitwise against the CPU); the CPU's outputs in m_out.
    bool run(const Op &op, const std::vector<HostTensor> &inputs)
    {
        const bool ok = m_check->allBackendsAgree(op, inputs);
        m_out = m_check->lastCpuOutputs();
        return ok;
    }

    // Inference must fail with a message naming the op and containing `fragment`.
    static std::string expectError(const Op &op, const std::vector<HostTensor> &inputs, const std::string &fragment)
    {
        std::vector<TensorDesc> descs;
        std::unique_ptr<bool[]> present(new bool[inputs.size()]);
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            descs.push_back({inputs[i].dtype, isAbsent(inputs[i]) ? Shape{} : inputs[i].shape});
            present[i] = !isAbsent(inputs[i]);
        }
        std::vector<TensorDesc> outputs;
        const Status s = inferOutputs(op, OpInputs{descs, std::span<const bool>(present.get(), inputs.size())}, &outputs);
        if (s)
            return "no error";
        if (s.message().find(std::string(opName(op.kind))) == std::string::npos
            || s.message().find(fragment) == std::string::npos)
            return "unexpected message: " + s.message();
        return {};
    }

private slots:
    void initTestCase()
    {
        useLavapipeIfUnset();
        m_engine = std::make_unique<Engine>();
        m_check = std::make_unique<OpCheck>(*m_engine);
    }

    void cleanupTestCase()
    {
        qInfo("backends checked on the last op: %zu", m_check->checkedBackends().size());
        for (const std::string &id : m_check->checkedBackends())
            qInfo("  checked: %s", id.c_str());
        for (const std::string &id : m_check->skippedBackends())
            qInfo("  skipped (op unsupported): %s", id.c_str());
    }

    void binaryBroadcast_data()
    {
        QTest::addColumn<Shape>("a");
        QTest::addColumn<Shape>("b");
        QTest::newRow("same") << Shape{7, 33} << Shape{7, 33};
        QTest::newRow("row") << Shape{2, 3, 4} << Shape{4};
        QTest::newRow("both") << Shape{2, 1, 4} << Shape{3, 1};
        QTest::newRow("scalar") << Shape{} << Shape{5};
        QTest::newRow("scalars") << Shape{} << Shape{};
        QTest::newRow("rank4") << Shape{2, 1, 3, 1} << Shape{4, 1, 5};
        QTest::newRow("one") << Shape{1} << Shape{1};
        QTest::newRow("empty") << Shape{0, 3} << Shape{1, 3};
        QTest::newRow("large") << Shape{3, 1000} << Shape{3, 1};
    }

    void binaryBroadcast()
    {
        QFETCH(Shape, a);
        QFETCH(Shape, b);
        const HostTensor ta = randomTensor(a, 1, 4.0f);
        HostTensor tb = randomTensor(b, 2, 4.0f);
        Shape out;
        QVERIFY(broadcastShapes(a, b, &out));
        for (OpKind kind : {OpKind::Add, OpKind::Sub, OpKind::Mul, OpKind::Div}) {
            QVERIFY2(run({kind, {}}, {ta, tb}), m_check->lastError());
            std::vector<double> ref(std::size_t(elementCount(out)));
            for (std::size_t i = 0; i < ref.size(); ++i) {
                const double x = ta.f32()[std::size_t(sourceIndex(a, out, std::int64_t(i)))];
                const double y = tb.f32()[std::size_t(sourceIndex(b, out, std::int64_t(i)))];
                ref[i] = kind == OpKind::Add ? x + y : kind == OpKind::Sub ? x - y : kind == OpKind::Mul ? x * y : x / y;
            }
            QCOMPARE(m_out[0].shape, out);
            const std::string why = compare(m_out[0], ref, 1e-6, 0);
            QVERIFY2(why.empty(), (std::string(opName(kind)) + ": " + why).c_str());
        }
    }

    void specialValuesAgree()
    {
        // Edge values through every unary op and Div, bit for bit on every backend.
        const std::vector<float> values = {0.0f, -0.0f, kInf, -kInf, kNaN, 1e-45f, -1e-45f, 1e-40f, 1.17549435e-38f,
                                           3.4e38f, -3.4e38f, 1.0f, -1.0f, 0.5f, 88.72f, 88.73f, -87.0f, -103.0f,
                                           -104.5f, 9.0f, -9.2f, 0.54f, 0.56f, 3.9f, 4.1f, -6.0f, -14.0f, 20.0f, 2e-12f};
        const HostTensor x = tensorOf({std::int64_t(values.size())}, values);
        for (OpKind kind : {OpKind::Neg, OpKind::Relu, OpKind::Gelu, OpKind::Tanh, OpKind::Sigmoid, OpKind::Exp,
                            OpKind::Log, OpKind::Sqrt}) {
            QVERIFY2(run({kind, {}}, {x}), m_check->lastError());
        }
        std::vector<float> reversed(values.rbegin(), values.rend());
        const HostTensor y = tensorOf({std::int64_t(values.size())}, reversed);
        for (OpKind kind : {OpKind::Div, OpKind::GeluBackward, OpKind::ReluBackward, OpKind::TanhBackward,
                            OpKind::SigmoidBackward}) {
            QVERIFY2(run({kind, {}}, {x, y}), m_check->lastError());
        }
    }

    void bitPatternsAgree()
    {
        // Random bit patterns (subnormals, huge values, NaNs, infinities included) and a
        // dense range through every exact_math-based op: the same bits on every backend.
        std::vector<float> values(1 << 15);
        std::uint32_t state = 12345u;
        for (std::size_t i = 0; i < values.size(); ++i) {
            state = state * 1664525u + 1013904223u;
            values[i] = (i & 1) ? std::bit_cast<float>(state) : float(std::int32_t(state)) * 1e-8f;
        }
        const HostTensor x = tensorOf({std::int64_t(values.size())}, values);
        for (OpKind kind : {OpKind::Gelu, OpKind::Tanh, OpKind::Sigmoid, OpKind::Exp, OpKind::Log, OpKind::Sqrt}) {
            QVERIFY2(run({kind, {}}, {x}), m_check->lastError());
        }
        std::vector<float> shifted(values.begin() + 1, values.end());
        shifted.push_back(values[0]);
        const HostTensor y = tensorOf({std::int64_t(values.size())}, shifted);
        for (OpKind kind : {OpKind::Div, OpKind::GeluBackward}) {
            QVERIFY2(run({kind, {}}, {x, y}), m_check->lastError());
        }
    }

    void unary_data()
    {
        QTest::addColumn<Shape>("shape");
        QTest::newRow("1") << Shape{1};
        QTest::newRow("1000") << Shape{1000};
        QTest::newRow("3x77") << Shape{3, 77};
    }

    void unary()
    {
        QFETCH(Shape, shape);
        const HostTensor x = randomTensor(shape, 3, 6.0f);
        struct Case {
            OpKind kind;
            std::function<double(double)> f;
        };
        const std::vector<Case> cases = {
            {OpKind::Neg, [](double v) { return -v; }},
            {OpKind::Relu, [](double v) { return v > 0 ? v : 0.0; }},
            {OpKind::Gelu, geluD},
            {OpKind::Tanh, [](double v) { return std::tanh(v); }},
            {OpKind::Sigmoid, sigmoidD},
            {OpKind::Exp, [](double v) { return std::exp(v); }},
            {OpKind::Log, [](double v) { return std::log(v); }},
            {OpKind::Sqrt, [](double v) { return std::sqrt(v); }},
        };
        for (const Case &c : cases) {
            QVERIFY2(run({c.kind, {}}, {x}), m_check->lastError());
            std::vector<double> ref;
            for (float v : x.f32())
                ref.push_back(c.f(v));
            const std::string why = compare(m_out[0], ref, 1e-6, 1e-7);
            QVERIFY2(why.empty(), (std::string(opName(c.kind)) + ": " + why).c_str());
        }
    }

    void activationGradients()
    {
        // dX = dY · f'(x), checked against central differences of the double forward.
        const HostTensor x = randomTensor({200}, 4, 5.0f);
        const HostTensor dy = randomTensor({200}, 5, 2.0f);
        struct Case {
            OpKind forward;
            OpKind backward;
            bool takesY;
            std::function<double(double)> f;
        };
        const std::vector<Case> cases = {
            {OpKind::Relu, OpKind::ReluBackward, false, [](double v) { return v > 0 ? v : 0.0; }},
            {OpKind::Gelu, OpKind::GeluBackward, false, geluD},
            {OpKind::Tanh, OpKind::TanhBackward, true, [](double v) { return std::tanh(v); }},
            {OpKind::Sigmoid, OpKind::SigmoidBackward, true, sigmoidD},
        };
        for (const Case &c : cases) {
            QVERIFY2(run({c.forward, {}}, {x}), m_check->lastError());
            const HostTensor y = m_out[0];
            QVERIFY2(run({c.backward, {}}, {dy, c.takesY ? y : x}), m_check->lastError());
            std::vector<double> ref;
            for (std::size_t i = 0; i < 200; ++i)
                ref.push_back(dy.f32()[i] * derivative(c.f, x.f32()[i]));
            const std::string why = compare(m_out[0], ref, 1e-4, 1e-6);
            QVERIFY2(why.empty(), (std::string(opName(c.backward)) + ": " + why).c_str());
        }
    }

    void sumToShape_data()
    {
        QTest::addColumn<Shape>("from");
        QTest::addColumn<Shape>("to");
        QTest::newRow("rows") << Shape{2, 3, 4} << Shape{3, 1};
        QTest::newRow("last") << Shape{2, 3, 4} << Shape{4};
        QTest::newRow("all") << Shape{5, 70} << Shape{};
        QTest::newRow("one") << Shape{5, 70} << Shape{1};
        QTest::newRow("same") << Shape{5, 7} << Shape{5, 7};
        QTest::newRow("middle") << Shape{3, 100, 2} << Shape{3, 1, 2};
    }

    void sumToShape()
    {
        // SumToShape is the adjoint of broadcasting: <broadcast(u), dY> = <u, SumToShape(dY)>,
        // and each element is the double sum of its broadcast copies.
        QFETCH(Shape, from);
        QFETCH(Shape, to);
        const HostTensor dy = randomTensor(from, 6, 3.0f);
        QVERIFY2(run({OpKind::SumToShape, ShapeAttributes{to}}, {dy}), m_check->lastError());
        std::vector<double> ref(std::size_t(elementCount(to)), 0.0);
        for (std::int64_t i = 0; i < dy.elements(); ++i)
            ref[std::size_t(sourceIndex(to, from, i))] += dy.f32()[std::size_t(i)];
        const std::string why = compare(m_out[0], ref, 1e-5, 1e-5);
        QVERIFY2(why.empty(), why.c_str());
    }

    void reductions()
    {
        const Shape shape{5, 70, 3};
        HostTensor x = randomTensor(shape, 7, 10.0f);
        struct Case {
            std::vector<std::int64_t> axes;
            bool keepDims;
        };
        const std::vector<Case> cases = {{{}, true}, {{1}, true}, {{0, 2}, false}, {{-1}, false}, {{0}, true}};
        for (const Case &c : cases) {
            std::vector<bool> reduced(3, c.axes.empty());
            for (std::int64_t a : c.axes)
                reduced[std::size_t((a + 3) % 3)] = true;
            for (OpKind kind : {OpKind::ReduceSum, OpKind::ReduceMean, OpKind::ReduceMax}) {
                QVERIFY2(run({kind, ReduceAttributes{c.axes, c.keepDims}}, {x}), m_check->lastError());
                Shape keptShape;
                for (std::size_t d = 0; d < 3; ++d)
                    keptShape.push_back(reduced[d] ? 1 : shape[d]);
                std::vector<double> sum(std::size_t(elementCount(keptShape)), 0.0), count(sum.size(), 0.0),
                    max(sum.size(), -1e300);
                for (std::int64_t i = 0; i < x.elements(); ++i) {
                    const std::size_t o = std::size_t(sourceIndex(keptShape, shape, i));
                    sum[o] += x.f32()[std::size_t(i)];
                    count[o] += 1;
                    max[o] = std::max(max[o], double(x.f32()[std::size_t(i)]));
                }
                std::vector<double> ref = kind == OpKind::ReduceMax ? max : sum;
                if (kind == OpKind::ReduceMean) {
                    for (std::size_t o = 0; o < ref.size(); ++o)
                        ref[o] /= count[o];
                }
                const std::string why = compare(m_out[0], ref, 1e-5, 1e-4);
                QVERIFY2(why.empty(), (std::string(opName(kind)) + ": " + why).c_str());
            }
        }
    }

    void argMax()
    {
        const HostTensor x = tensorOf({2, 5}, {1, 3, 3, -1, 2, 0, kNaN, 4, kNaN, 4});
        QVERIFY2(run({OpKind::ArgMax, ArgMaxAttributes{1, true, false}}, {x}), m_check->lastError());
        QCOMPARE(m_out[0].shape, (Shape{2, 1}));
        QCOMPARE(m_out[0].i64()[0], std::int64_t(1));
        QCOMPARE(m_out[0].i64()[1], std::int64_t(1));
        QVERIFY2(run({OpKind::ArgMax, ArgMaxAttributes{-1, false, true}}, {x}), m_check->lastError());
        QCOMPARE(m_out[0].shape, (Shape{2}));
        QCOMPARE(m_out[0].i64()[0], std::int64_t(2));
        QCOMPARE(m_out[0].i64()[1], std::int64_t(3));
        const HostTensor y = randomTensor({4, 50, 3}, 8);
        QVERIFY2(run({OpKind::ArgMax, ArgMaxAttributes{1, false, false}}, {y}), m_check->lastError());
        for (std::int64_t o = 0; o < 12; ++o) {
            const std::int64_t a = o / 3, c = o % 3;
            std::int64_t best = 0;
            for (std::int64_t k = 1; k < 50; ++k) {
                if (y.f32()[std::size_t(a * 150 + k * 3 + c)] > y.f32()[std::size_t(a * 150 + best * 3 + c)])
                    best = k;
            }
            QCOMPARE(m_out[0].i64()[std::size_t(o)], best);
        }
    }

    void softmax()
    {
        struct Case {
            Shape shape;
            std::int64_t axis;
        };
        for (const Case &c : {Case{{4, 50, 3}, 1}, Case{{3, 1}, -1}, Case{{2, 100}, 1}, Case{{2, 2000}, -1}}) {
            const HostTensor x = randomTensor(c.shape, 9, 20.0f);
            const int axis = int((c.axis + std::int64_t(c.shape.size())) % std::int64_t(c.shape.size()));
            std::int64_t inner = 1;
            for (std::size_t d = std::size_t(axis) + 1; d < c.shape.size(); ++d)
                inner *= c.shape[d];
            const std::int64_t length = c.shape[std::size_t(axis)];
            std::vector<double> soft(std::size_t(x.elements())), logSoft(soft.size());
            for (std::int64_t s = 0; s < x.elements() / length; ++s) {
                const std::int64_t base = (s / inner) * length * inner + s % inner;
                double m = -1e300, sum = 0;
                for (std::int64_t k = 0; k < length; ++k)
                    m = std::max(m, double(x.f32()[std::size_t(base + k * inner)]));
                for (std::int64_t k = 0; k < length; ++k)
                    sum += std::exp(double(x.f32()[std::size_t(base + k * inner)]) - m);
                for (std::int64_t k = 0; k < length; ++k) {
                    const double v = double(x.f32()[std::size_t(base + k * inner)]) - m;
                    soft[std::size_t(base + k * inner)] = std::exp(v) / sum;
                    logSoft[std::size_t(base + k * inner)] = v - std::log(sum);
                }
            }
            QVERIFY2(run({OpKind::Softmax, AxisAttributes{c.axis}}, {x}), m_check->lastError());
            std::string why = compare(m_out[0], soft, 1e-5, 1e-9);
            QVERIFY2(why.empty(), ("Softmax: " + why).c_str());
            QVERIFY2(run({OpKind::LogSoftmax, AxisAttributes{c.axis}}, {x}), m_check->lastError());
            why = compare(m_out[0], logSoft, 1e-5, 1e-5);
            QVERIFY2(why.empty(), ("LogSoftmax: " + why).c_str());
        }
    }

    void layerNorm()
    {
        struct Case {
            Shape shape;
            std::int64_t axis;
            bool bias;
        };
        for (const Case &c : {Case{{4, 37}, -1, true}, Case{{2, 3, 5}, 1, false}, Case{{1, 1}, 1, true},
                              Case{{3, 300}, 1, true}}) {
            const HostTensor x = randomTensor(c.shape, 10, 3.0f);
            const Shape normalized(c.shape.begin() + (c.axis + std::int64_t(c.shape.size())) % std::int64_t(c.shape.size()),
                                   c.shape.end());
            const HostTensor scale = randomTensor(normalized, 11, 2.0f);
            const HostTensor bias = c.bias ? randomTensor(normalized, 12) : absentInput();
            const float eps = 1e-5f;
            QVERIFY2(run({OpKind::LayerNorm, NormAttributes{c.axis, eps}}, {x, scale, bias}), m_check->lastError());
            const std::size_t n = std::size_t(elementCount(normalized));
            const std::vector<double> ref =
                layerNormD(toDouble(x), toDouble(scale), c.bias ? toDouble(bias) : std::vector<double>{}, n, eps);
            const std::string why = compare(m_out[0], ref, 1e-4, 1e-5);
            QVERIFY2(why.empty(), why.c_str());
            QCOMPARE(m_out.size(), std::size_t(3));
        }
    }

    void layerNormWithoutStatistics()
    {
        // Mean and InvStdDev are optional outputs: without them Y has the same bits. (The
        // GPU backends' run() still requires every output to be allocated; the kernels
        // accept absent ones, so this covers every backend once that check allows them.)
        const HostTensor x = randomTensor({5, 40}, 50, 2.0f);
        const HostTensor scale = randomTensor({40}, 51);
        const Op op{OpKind::LayerNorm, NormAttributes{-1, 1e-5f}};
        QVERIFY2(run(op, {x, scale, absentInput()}), m_check->lastError());
        const HostTensor expected = m_out[0];
        for (const DeviceInfo &device : m_engine->devices()) {
            if (!device.available)
                continue;
            std::string error;
            std::unique_ptr<Backend> backend = m_engine->open(device.id, &error);
            QVERIFY2(backend, error.c_str());
            if (!backend->supports(op.kind) || device.backend != BackendKind::Cpu)
                continue;
            Tensor tx, ts, y;
            QVERIFY(backend->upload(x, &tx));
            QVERIFY(backend->upload(scale, &ts));
            QVERIFY(backend->allocate({DType::F32, x.shape}, &y));
            const Tensor inputs[] = {tx, ts, Tensor{}};
            Tensor outputs[] = {y, Tensor{}, Tensor{}};
            const Status s = backend->run(op, inputs, outputs);
            QVERIFY2(s, s.message().c_str());
            HostTensor got;
            QVERIFY(backend->download(outputs[0], &got));
            std::string why;
            QVERIFY2(firstBitDifference(got, expected, &why) < 0, (device.id + ": " + why).c_str());
        }
    }

    void layerNormBackward()
    {
        // Gradients of L = Σ dY ⊙ LayerNorm(X; scale, bias) by central differences in double.
        const Shape shape{3, 6};
        const std::size_t n = 6;
        const HostTensor x = randomTensor(shape, 13, 2.0f);
        const HostTensor scale = randomTensor({6}, 14, 2.0f);
        const HostTensor bias = randomTensor({6}, 15);
        const HostTensor dy = randomTensor(shape, 16);
        const float eps = 1e-5f;
        const Op forward{OpKind::LayerNorm, NormAttributes{-1, eps}};
        QVERIFY2(run(forward, {x, scale, bias}), m_check->lastError());
        const HostTensor mean = m_out[1];
        const HostTensor inv = m_out[2];
        QVERIFY2(run({OpKind::LayerNormBackward, NormAttributes{-1, eps}}, {dy, x, scale, mean, inv}),
                 m_check->lastError());
        const std::vector<HostTensor> grads = m_out;
        std::vector<double> xd = toDouble(x), sd = toDouble(scale), bd = toDouble(bias);
        auto loss = [&]() {
            const std::vector<double> y = layerNormD(xd, sd, bd, n, eps);
            double l = 0;
            for (std::size_t i = 0; i < y.size(); ++i)
                l += y[i] * dy.f32()[i];
            return l;
        };
        auto fd = [&](std::vector<double> &v) {
            std::vector<double> g(v.size());
            for (std::size_t i = 0; i < v.size(); ++i) {
                const double keep = v[i], h = 1e-6;
                v[i] = keep + h;
                const double up = loss();
                v[i] = keep - h;
                const double down = loss();
                v[i] = keep;
                g[i] = (up - down) / (2 * h);
            }
            return g;
        };
        std::string why = compare(grads[0], fd(xd), 1e-3, 1e-4);
        QVERIFY2(why.empty(), ("dX: " + why).c_str());
        why = compare(grads[1], fd(sd), 1e-3, 1e-4);
        QVERIFY2(why.empty(), ("dScale: " + why).c_str());
        why = compare(grads[2], fd(bd), 1e-3, 1e-4);
        QVERIFY2(why.empty(), ("dBias: " + why).c_str());
    }

    void batchNorm()
    {
        const Shape shape{2, 3, 4, 5};
        const HostTensor x = randomTensor(shape, 17, 3.0f);
        const HostTensor scale = randomTensor({3}, 18);
        const HostTensor bias = randomTensor({3}, 19);
        const HostTensor mean = randomTensor({3}, 20);
        HostTensor var = randomTensor({3}, 21);
        for (float &v : var.f32())
            v = std::fabs(v) + 0.1f;
        QVERIFY2(run({OpKind::BatchNorm, NormAttributes{1, 1e-5f}}, {x, scale, bias, mean, var}), m_check->lastError());
        std::vector<double> ref;
        for (std::int64_t i = 0; i < x.elements(); ++i) {
            const std::size_t c = std::size_t((i / 20) % 3);
            ref.push_back((x.f32()[std::size_t(i)] - double(mean.f32()[c])) / std::sqrt(double(var.f32()[c]) + 1e-5)
                              * scale.f32()[c]
                          + bias.f32()[c]);
        }
        const std::string why = compare(m_out[0], ref, 1e-5, 1e-5);
        QVERIFY2(why.empty(), why.c_str());
    }

    void softmaxCrossEntropy()
    {
        const std::size_t rows = 5, classes = 7;
        const HostTensor logits = randomTensor({5, 7}, 22, 4.0f);
        const HostTensor labels = randomLabels(5, 7, 23);
        std::vector<std::int64_t> labelValues(labels.i64().begin(), labels.i64().end());
        QVERIFY2(run({OpKind::SoftmaxCrossEntropy, {}}, {logits, labels}), m_check->lastError());
        QCOMPARE(m_out[0].shape, Shape{});
        std::vector<double> ld = toDouble(logits);
        QVERIFY2(compare(m_out[0], {crossEntropyD(ld, labelValues, classes)}, 1e-5, 0).empty(), "loss");
        // i32 labels give the same bits.
        std::vector<std::int32_t> narrow(labelValues.begin(), labelValues.end());
        const float loss64 = m_out[0].f32()[0];
        QVERIFY2(run({OpKind::SoftmaxCrossEntropy, {}}, {logits, HostTensor::fromI32({5}, narrow)}), m_check->lastError());
        QCOMPARE(std::bit_cast<std::uint32_t>(m_out[0].f32()[0]), std::bit_cast<std::uint32_t>(loss64));
        // Backward against central differences of the double loss.
        QVERIFY2(run({OpKind::SoftmaxCrossEntropyBackward, {}}, {logits, labels}), m_check->lastError());
        std::vector<double> fd(ld.size());
        for (std::size_t i = 0; i < ld.size(); ++i) {
            const double keep = ld[i], h = 1e-6;
            ld[i] = keep + h;
            const double up = crossEntropyD(ld, labelValues, classes);
            ld[i] = keep - h;
            const double down = crossEntropyD(ld, labelValues, classes);
            ld[i] = keep;
            fd[i] = (up - down) / (2 * h);
        }
        const std::string why = compare(m_out[0], fd, 1e-4, 1e-6);
        QVERIFY2(why.empty(), why.c_str());
        // A label outside [0, C) gives NaN, the same way on every backend.
        const HostTensor bad = HostTensor::fromI64({5}, std::vector<std::int64_t>{0, 1, 7, 2, -1});
        QVERIFY2(run({OpKind::SoftmaxCrossEntropy, {}}, {logits, bad}), m_check->lastError());
        QVERIFY(std::isnan(m_out[0].f32()[0]));
        QVERIFY2(run({OpKind::SoftmaxCrossEntropyBackward, {}}, {logits, bad}), m_check->lastError());
        QVERIFY(std::isnan(m_out[0].f32()[2 * classes]) && !std::isnan(m_out[0].f32()[0]));
        (void)rows;
    }

    void sgd()
    {
        for (const SgdAttributes a : {SgdAttributes{0.1f, 0.0f, 0.0f, false}, SgdAttributes{0.05f, 0.9f, 0.01f, false},
                                      SgdAttributes{0.05f, 0.9f, 0.0f, true}}) {
            HostTensor p = randomTensor({33}, 24);
            HostTensor v = HostTensor::zeros(DType::F32, {33});
            std::vector<double> pd = toDouble(p), vd(33, 0.0);
            for (int step = 0; step < 3; ++step) {
                const HostTensor g = randomTensor({33}, 25 + std::uint64_t(step));
                QVERIFY2(run({OpKind::SgdUpdate, a}, {p, g, v}), m_check->lastError());
                p = m_out[0];
                v = m_out[1];
                for (std::size_t i = 0; i < 33; ++i) {
                    double gi = g.f32()[i] + double(a.weightDecay) * pd[i];
                    double d = gi;
                    if (a.momentum != 0.0f) {
                        vd[i] = a.momentum * vd[i] + gi;
                        d = a.nesterov ? gi + a.momentum * vd[i] : vd[i];
                    }
                    pd[i] -= a.learningRate * d;
                }
                QVERIFY2(compare(p, pd, 1e-5, 1e-6).empty(), compare(p, pd, 1e-5, 1e-6).c_str());
                if (a.momentum != 0.0f)
                    QVERIFY2(compare(v, vd, 1e-5, 1e-6).empty(), compare(v, vd, 1e-5, 1e-6).c_str());
            }
        }
    }

    void adamW()
    {
        HostTensor p = randomTensor({40}, 30);
        HostTensor m = HostTensor::zeros(DType::F32, {40});
        HostTensor v = HostTensor::zeros(DType::F32, {40});
        std::vector<double> pd = toDouble(p), md(40, 0.0), vd(40, 0.0);
        AdamWAttributes a{1e-2f, 0.9f, 0.999f, 1e-8f, 0.1f, 1};
        for (int step = 1; step <= 4; ++step) {
            a.step = step;
            const HostTensor g = randomTensor({40}, 31 + std::uint64_t(step));
            QVERIFY2(run({OpKind::AdamWUpdate, a}, {p, g, m, v}), m_check->lastError());
            p = m_out[0];
            m = m_out[1];
            v = m_out[2];
            const double bc1 = 1 - std::pow(0.9, step), bc2 = 1 - std::pow(0.999, step);
            for (std::size_t i = 0; i < 40; ++i) {
                const double gi = g.f32()[i];
                pd[i] *= 1 - 1e-2 * 0.1;
                md[i] = 0.9 * md[i] + 0.1 * gi;
                vd[i] = 0.999 * vd[i] + 0.001 * gi * gi;
                pd[i] -= 1e-2 * (md[i] / bc1) / (std::sqrt(vd[i] / bc2) + 1e-8);
            }
            QVERIFY2(compare(p, pd, 1e-5, 1e-6).empty(), compare(p, pd, 1e-5, 1e-6).c_str());
            QVERIFY2(compare(m, md, 1e-5, 1e-7).empty(), compare(m, md, 1e-5, 1e-7).c_str());
            QVERIFY2(compare(v, vd, 1e-4, 1e-9).empty(), compare(v, vd, 1e-4, 1e-9).c_str());
        }
    }

    void threadCountIndependence()
    {
        // The CPU reference gives the same bits with 1 thread and with 7 (work is split over
        // independent outputs only; every sum keeps the canonical order).
        DeviceInfo one = m_engine->devices().front();
        DeviceInfo seven = one;
        one.computeUnits = 1;
        seven.computeUnits = 7;
        CpuBackend single(one), multi(seven);
        const HostTensor big = randomTensor({300, 1000}, 40, 5.0f);
        const HostTensor row = randomTensor({1000}, 41);
        const std::vector<std::pair<Op, std::vector<HostTensor>>> cases = {
            {{OpKind::Gelu, {}}, {big}},
            {{OpKind::Div, {}}, {big, row}},
            {{OpKind::ReduceSum, ReduceAttributes{{}, false}}, {big}},
            {{OpKind::ReduceMean, ReduceAttributes{{0}, false}}, {big}},
            {{OpKind::SumToShape, ShapeAttributes{{1000}}}, {big}},
            {{OpKind::Softmax, AxisAttributes{0}}, {big}},
            {{OpKind::LayerNorm, NormAttributes{1, 1e-5f}}, {big, row, row}},
        };
        for (const auto &[op, inputs] : cases) {
            std::vector<HostTensor> a, b;
            std::string error;
            QVERIFY2(OpCheck::runOn(single, op, inputs, &a, &error), error.c_str());
            QVERIFY2(OpCheck::runOn(multi, op, inputs, &b, &error), error.c_str());
            for (std::size_t i = 0; i < a.size(); ++i) {
                std::string why;
                QVERIFY2(firstBitDifference(a[i], b[i], &why) < 0, (std::string(opName(op.kind)) + " " + why).c_str());
            }
        }
    }

    void badInputs()
    {
        const HostTensor a = randomTensor({2, 3}, 1);
        const HostTensor b = randomTensor({4}, 2);
        const HostTensor labels = randomLabels(2, 3, 3);
        std::string why;
        QVERIFY2((why = expectError({OpKind::Add, {}}, {a, b}, "[2, 3]")).empty(), why.c_str());
        QVERIFY2((why = expectError({OpKind::Relu, {}}, {labels}, "i64")).empty(), why.c_str());
        QVERIFY2((why = expectError({OpKind::Mul, {}}, {a}, "2 input")).empty(), why.c_str());
        QVERIFY2((why = expectError({OpKind::TanhBackward, {}}, {a, b}, "same shape")).empty(), why.c_str());
        QVERIFY2((why = expectError({OpKind::SumToShape, ShapeAttributes{{5}}}, {a}, "does not broadcast")).empty(),
                 why.c_str());
        QVERIFY2((why = expectError({OpKind::ReduceSum, ReduceAttributes{{2}, true}}, {a}, "out of range")).empty(),
                 why.c_str());
        QVERIFY2((why = expectError({OpKind::ReduceSum, ReduceAttributes{{1, -1}, true}}, {a}, "twice")).empty(),
                 why.c_str());
        QVERIFY2((why = expectError({OpKind::ArgMax, ArgMaxAttributes{3, true, false}}, {a}, "out of range")).empty(),
                 why.c_str());
        QVERIFY2((why = expectError({OpKind::LayerNorm, NormAttributes{-1, 1e-5f}}, {a, absentInput()}, "Scale")).empty(),
                 why.c_str());
        QVERIFY2((why = expectError({OpKind::LayerNorm, NormAttributes{-1, 1e-5f}}, {a, b}, "Scale")).empty(),
                 why.c_str());
        QVERIFY2((why = expectError({OpKind::SoftmaxCrossEntropy, {}}, {a, a}, "Labels")).empty(), why.c_str());
        QVERIFY2((why = expectError({OpKind::SoftmaxCrossEntropy, {}}, {a, randomLabels(3, 3, 4)}, "Labels")).empty(),
                 why.c_str());
        QVERIFY2((why = expectError({OpKind::BatchNorm, NormAttributes{}}, {a, b, b, b, b}, "[C]")).empty(), why.c_str());
        QVERIFY2((why = expectError({OpKind::SgdUpdate, SgdAttributes{}}, {a, a, b}, "Velocity")).empty(), why.c_str());
        QVERIFY2((why = expectError({OpKind::AdamWUpdate, AdamWAttributes{1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, 0}},
                                    {a, a, a, a}, "step"))
                     .empty(),
                 why.c_str());
        QVERIFY2((why = expectError({OpKind::AdamWUpdate, SgdAttributes{}}, {a, a, a, a}, "AdamWAttributes")).empty(),
                 why.c_str());
    }
};

QTEST_GUILESS_MAIN(MathOpsTest)
#include "math_ops_test.moc"
