// Layout ops (Reshape, Flatten, Transpose, Concat, Slice, Identity): shape inference and
// its errors, CPU results against an independent index-walking reference, and bitwise
// agreement of every available backend with the CPU (OpCheck).

#include "tests/engine/op_check.h"

#include "engine/engine.h"
#include "engine/ops/layout.h"
#include "engine/ops/shape_inference.h"

#include <QTest>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

using namespace tributary::engine;
using namespace tributary::engine::test;

namespace {

HostTensor iotaI64(const Shape &shape)
{
    HostTensor t = HostTensor::zeros(DType::I64, shape);
    auto v = t.i64();
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = std::int64_t(i) * 1000003 - 7;
    return t;
}

HostTensor iotaI32(const Shape &shape)
{
    HostTensor t = HostTensor::zeros(DType::I32, shape);
    auto v = t.i32();
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = std::int32_t(i) * 7 - 3;
    return t;
}

// f32 data with the awkward values: -0, ±inf, NaN with a payload, subnormals.
HostTensor specialF32(const Shape &shape, std::uint64_t seed)
{
    HostTensor t = randomTensor(shape, seed, 1e30f);
    auto v = t.f32();
    // A NaN with a payload: layout ops move bits, so the CPU must keep it exactly.
    const float payloadNaN = std::bit_cast<float>(0x7fc01234u);
    const float specials[]
        = { -0.0f, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
              std::numeric_limits<float>::denorm_min(), -1e-40f, payloadNaN, 0.0f };
    for (std::size_t i = 0; i < v.size(); i += 3)
        v[i] = specials[(i / 3) % std::size(specials)];
    return t;
}

std::vector<std::int64_t> unravel(std::int64_t index, const Shape &shape)
{
    std::vector<std::int64_t> idx(shape.size());
    for (std::size_t k = shape.size(); k-- > 0;) {
        idx[k] = index % shape[k];
        index /= shape[k];
    }
    return idx;
}

std::int64_t ravel(const std::vector<std::int64_t> &idx, const Shape &shape)
{
    std::int64_t r = 0;
    for (std::size_t k = 0; k < shape.size(); ++k)
        r = r * shape[k] + idx[k];
    return r;
}

// Reference element copy: out element i comes from input `src` element `from(i)`.
bool sameElement(const HostTensor &out, std::int64_t i, const HostTensor &in, std::int64_t j)
{
    const std::size_t size = dtypeSize(out.dtype);
    return std::memcmp(out.data.data() + std::size_t(i) * size, in.data.data() + std::size_t(j) * size, size)
        == 0;
}

Status infer(const Op &op, const std::vector<TensorDesc> &descs, std::vector<TensorDesc> *out)
{
    std::unique_ptr<bool[]> present(new bool[descs.size() + 1]);
    for (std::size_t i = 0; i < descs.size(); ++i)
        present[i] = true;
    return inferOutputs(op, OpInputs { descs, std::span<const bool>(present.get(), descs.size()) }, out);
}

} // namespace

class LayoutTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        useLavapipeIfUnset();
        m_engine = std::make_unique<Engine>();
        m_check = std::make_unique<OpCheck>(*m_engine);
    }

    void backendsChecked()
    {
        QVERIFY2(m_check->allBackendsAgree({ OpKind::Identity, NoAttributes {} }, { randomTensor({ 3 }, 1) }),
            m_check->lastError());
        std::string names;
        for (const auto &id : m_check->checkedBackends())
            names += id + " ";
        qInfo("layout ops checked on: %s", names.c_str());
        QVERIFY(m_check->skippedBackends().empty());
    }

    void reshapeFlattenIdentity()
    {
        for (const HostTensor &x :
            { specialF32({ 2, 3, 4 }, 1), iotaI64({ 2, 3, 4 }), iotaI32({ 2, 3, 4 }) }) {
            const Op ops[] = { { OpKind::Reshape, ShapeAttributes { { 4, 6 } } },
                { OpKind::Reshape, ShapeAttributes { { 24 } } }, { OpKind::Flatten, AxisAttributes { 1 } },
                { OpKind::Flatten, AxisAttributes { 0 } }, { OpKind::Flatten, AxisAttributes { 3 } },
                { OpKind::Flatten, AxisAttributes { -1 } }, { OpKind::Identity, NoAttributes {} } };
            for (const Op &op : ops) {
                QVERIFY2(m_check->allBackendsAgree(op, { x }), m_check->lastError());
                const HostTensor &y = m_check->lastCpuOutputs()[0];
                QCOMPARE(y.data, x.data);
                QCOMPARE(y.dtype, x.dtype);
            }
        }
        std::vector<TensorDesc> out;
        QVERIFY(infer({ OpKind::Flatten, AxisAttributes { 0 } }, { { DType::F32, { 2, 3, 4 } } }, &out));
        QCOMPARE(out[0].shape, (Shape { 1, 24 }));
        QVERIFY(infer({ OpKind::Flatten, AxisAttributes { -1 } }, { { DType::F32, { 2, 3, 4 } } }, &out));
        QCOMPARE(out[0].shape, (Shape { 6, 4 }));
        QVERIFY(infer({ OpKind::Flatten, AxisAttributes { 0 } }, { { DType::F32, {} } }, &out));
        QCOMPARE(out[0].shape, (Shape { 1, 1 }));
    }

    void transpose_data()
    {
        QTest::addColumn<Shape>("shape");
        QTest::addColumn<std::vector<std::int64_t>>("perm");
        QTest::newRow("2d") << Shape { 3, 5 } << std::vector<std::int64_t> { 1, 0 };
        QTest::newRow("reverse 3d") << Shape { 2, 3, 4 } << std::vector<std::int64_t> {};
        QTest::newRow("nchw->nhwc") << Shape { 2, 3, 5, 7 } << std::vector<std::int64_t> { 0, 2, 3, 1 };
        QTest::newRow("identity perm") << Shape { 4, 5 } << std::vector<std::int64_t> { 0, 1 };
        QTest::newRow("size 1 dims") << Shape { 1, 6, 1, 5 } << std::vector<std::int64_t> { 3, 1, 2, 0 };
        QTest::newRow("large odd") << Shape { 67, 129 } << std::vector<std::int64_t> { 1, 0 };
        QTest::newRow("rank 6") << Shape { 2, 3, 2, 3, 2, 3 }
                                << std::vector<std::int64_t> { 5, 0, 4, 1, 3, 2 };
        QTest::newRow("empty") << Shape { 0, 3 } << std::vector<std::int64_t> { 1, 0 };
        QTest::newRow("scalar") << Shape {} << std::vector<std::int64_t> {};
    }

    void transpose()
    {
        QFETCH(Shape, shape);
        QFETCH(std::vector<std::int64_t>, perm);
        std::vector<std::int64_t> p = perm;
        if (p.empty())
            for (std::size_t i = 0; i < shape.size(); ++i)
                p.push_back(std::int64_t(shape.size() - 1 - i));
        Shape outShape;
        for (auto k : p)
            outShape.push_back(shape[std::size_t(k)]);
        for (const HostTensor &x : { specialF32(shape, 2), iotaI64(shape) }) {
            const Op op { OpKind::Transpose, TransposeAttributes { perm } };
            QVERIFY2(m_check->allBackendsAgree(op, { x }), m_check->lastError());
            const HostTensor &y = m_check->lastCpuOutputs()[0];
            QCOMPARE(y.shape, outShape);
            for (std::int64_t i = 0; i < y.elements(); ++i) {
                const auto oi = unravel(i, outShape);
                std::vector<std::int64_t> ii(shape.size());
                for (std::size_t k = 0; k < p.size(); ++k)
                    ii[std::size_t(p[k])] = oi[k];
                QVERIFY(sameElement(y, i, x, ravel(ii, shape)));
            }
        }
    }

    void concat()
    {
        struct Case {
            std::vector<Shape> shapes;
            std::int64_t axis;
        };
        const Case cases[] = {
            { { { 2, 3 }, { 4, 3 } }, 0 },
            { { { 2, 3 }, { 2, 1 }, { 2, 5 } }, 1 },
            { { { 2, 3, 4 }, { 2, 3, 4 } }, -1 },
            { { { 2, 0, 4 }, { 2, 3, 4 } }, 1 },
            { { { 5 } }, 0 },
            { { { 3, 1, 2 }, { 3, 7, 2 }, { 3, 2, 2 } }, -2 },
            { { { 1, 1 }, { 1, 1 }, { 1, 1 } }, 0 },
        };
        for (const Case &c : cases) {
            for (DType dtype : { DType::F32, DType::I64 }) {
                std::vector<HostTensor> xs;
                for (std::size_t i = 0; i < c.shapes.size(); ++i)
                    xs.push_back(
                        dtype == DType::F32 ? specialF32(c.shapes[i], 10 + i) : iotaI64(c.shapes[i]));
                const Op op { OpKind::Concat, AxisAttributes { c.axis } };
                QVERIFY2(m_check->allBackendsAgree(op, xs), m_check->lastError());
                const HostTensor &y = m_check->lastCpuOutputs()[0];
                const int axis = int(c.axis < 0 ? c.axis + std::int64_t(y.shape.size()) : c.axis);
                for (std::int64_t i = 0; i < y.elements(); ++i) {
                    auto idx = unravel(i, y.shape);
                    std::size_t which = 0;
                    while (idx[std::size_t(axis)] >= xs[which].shape[std::size_t(axis)])
                        idx[std::size_t(axis)] -= xs[which++].shape[std::size_t(axis)];
                    QVERIFY(sameElement(y, i, xs[which], ravel(idx, xs[which].shape)));
                }
            }
        }
    }

    void slice()
    {
        constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
        constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
        struct Case {
            Shape shape;
            SliceAttributes attrs;
            Shape expected;
        };
        const Case cases[] = {
            { { 10 }, { { 2 }, { 7 }, {}, {} }, { 5 } },
            { { 10 }, { { -3 }, { kMax }, {}, {} }, { 3 } },
            { { 10 }, { { kMax }, { kMin }, {}, { -1 } }, { 10 } },
            { { 10 }, { { 8 }, { 1 }, {}, { -3 } }, { 3 } },
            { { 4, 6 }, { { 1, 0 }, { 3, 6 }, {}, { 1, 2 } }, { 2, 3 } },
            { { 4, 6 }, { { 0 }, { -1 }, { 1 }, {} }, { 4, 5 } },
            { { 3, 4, 5 }, { { 1, -100 }, { 100, 3 }, { -1, 0 }, { 2, 1 } }, { 3, 4, 2 } },
            { { 5, 5 }, { { 3 }, { 1 }, { 0 }, { 1 } }, { 0, 5 } },
            { { 5 }, { { -100 }, { 100 }, {}, { 7 } }, { 1 } },
        };
        for (const Case &c : cases) {
            for (DType dtype : { DType::F32, DType::I32 }) {
                const HostTensor x = dtype == DType::F32 ? specialF32(c.shape, 3) : iotaI32(c.shape);
                const Op op { OpKind::Slice, c.attrs };
                QVERIFY2(m_check->allBackendsAgree(op, { x }), m_check->lastError());
                const HostTensor &y = m_check->lastCpuOutputs()[0];
                QCOMPARE(y.shape, c.expected);
                ResolvedSlice r;
                QVERIFY(resolveSlice(c.attrs, c.shape, &r));
                for (std::int64_t i = 0; i < y.elements(); ++i) {
                    auto idx = unravel(i, y.shape);
                    for (std::size_t k = 0; k < idx.size(); ++k)
                        idx[k] = r.starts[k] + idx[k] * r.steps[k];
                    QVERIFY(sameElement(y, i, x, ravel(idx, c.shape)));
                }
            }
        }
    }

    void largeTensorsUseThePool()
    {
        const HostTensor x = randomTensor({ 3, 512, 257 }, 9);
        QVERIFY2(m_check->allBackendsAgree({ OpKind::Transpose, TransposeAttributes { { 2, 0, 1 } } }, { x }),
            m_check->lastError());
        QVERIFY2(m_check->allBackendsAgree(
                     { OpKind::Slice, SliceAttributes { { 1 }, { 500 }, { 1 }, { 1 } } }, { x }),
            m_check->lastError());
        QVERIFY2(m_check->allBackendsAgree({ OpKind::Concat, AxisAttributes { 1 } }, { x, x }),
            m_check->lastError());
    }

    void errors_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("expected");
        QTest::newRow("reshape count")
            << 0 << "Reshape: cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)";
        QTest::newRow("reshape -1") << 1 << "Reshape: target shape [-1, 3] has a negative dimension";
        QTest::newRow("flatten axis") << 2 << "Flatten: axis 3 is out of range [-2, 2] for rank 2";
        QTest::newRow("transpose perm") << 3 << "Transpose: perm [0, 0] is not a permutation of 0..1";
        QTest::newRow("transpose rank") << 4 << "Transpose: perm [0, 1, 2] has 3 entries but X has rank 2";
        QTest::newRow("concat shape")
            << 5 << "Concat: input 1 is [3, 4] but input 0 is [2, 3]: only axis 0 may differ";
        QTest::newRow("concat dtype") << 6 << "Concat: input 1 is i64 but input 0 is f32";
        QTest::newRow("slice step") << 7 << "Slice: step of axis 1 is 0";
        QTest::newRow("slice axes") << 8 << "Slice: axis 0 is listed twice";
        QTest::newRow("slice lengths") << 9 << "Slice: starts [1] and ends [2, 3] differ in length";
        QTest::newRow("identity inputs") << 10 << "Identity: expects 1 input(s), got 2";
        QTest::newRow("concat none") << 11 << "Concat: needs at least one input";
    }

    void errors()
    {
        QFETCH(int, which);
        QFETCH(QString, expected);
        const TensorDesc f23 { DType::F32, { 2, 3 } };
        struct Case {
            Op op;
            std::vector<TensorDesc> inputs;
        };
        const Case cases[] = {
            { { OpKind::Reshape, ShapeAttributes { { 4, 2 } } }, { f23 } },
            { { OpKind::Reshape, ShapeAttributes { { -1, 3 } } }, { f23 } },
            { { OpKind::Flatten, AxisAttributes { 3 } }, { f23 } },
            { { OpKind::Transpose, TransposeAttributes { { 0, 0 } } }, { f23 } },
            { { OpKind::Transpose, TransposeAttributes { { 0, 1, 2 } } }, { f23 } },
            { { OpKind::Concat, AxisAttributes { 0 } }, { f23, { DType::F32, { 3, 4 } } } },
            { { OpKind::Concat, AxisAttributes { 0 } }, { f23, { DType::I64, { 2, 3 } } } },
            { { OpKind::Slice, SliceAttributes { { 0 }, { 1 }, { 1 }, { 0 } } }, { f23 } },
            { { OpKind::Slice, SliceAttributes { { 0, 0 }, { 1, 1 }, { 0, 0 }, {} } }, { f23 } },
            { { OpKind::Slice, SliceAttributes { { 1 }, { 2, 3 }, {}, {} } }, { f23 } },
            { { OpKind::Identity, NoAttributes {} }, { f23, f23 } },
            { { OpKind::Concat, AxisAttributes { 0 } }, {} },
        };
        std::vector<TensorDesc> out;
        const Status s = infer(cases[which].op, cases[which].inputs, &out);
        QVERIFY(!s);
        QVERIFY2(QString::fromStdString(s.message()).startsWith(expected), s.message().c_str());
    }

    void cleanupTestCase()
    {
        m_check.reset();
        m_engine.reset();
    }

private:
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<OpCheck> m_check;
};

QTEST_GUILESS_MAIN(LayoutTest)
#include "layout_test.moc"
