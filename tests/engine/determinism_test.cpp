// The determinism self-test that every device runs at discovery: the CPU reference gives
// the published digest, every available device of this machine is classified exact, and a
// backend that changes even one bit of one op is told apart.

#include "engine/determinism_self_test.h"
#include "engine/engine.h"
#include "tests/engine/op_check.h"

#include <QTest>

#include <cstring>

using namespace tributary::engine;

namespace {

// Wraps a backend and flips the lowest bit of the first element of every Exp output:
// the smallest deviation a wrong exp() could make.
class OneUlpOffBackend final : public Backend {
public:
    explicit OneUlpOffBackend(std::unique_ptr<Backend> inner) : m_inner(std::move(inner)) {}
    const DeviceInfo &device() const override { return m_inner->device(); }
    Status gemm(std::span<const float> a, std::span<const float> b, std::span<float> c, GemmShape shape) override
    {
        return m_inner->gemm(a, b, c, shape);
    }
    Status allocate(const TensorDesc &desc, Tensor *out) override { return m_inner->allocate(desc, out); }
    Status upload(const HostTensor &host, Tensor *out) override { return m_inner->upload(host, out); }
    Status download(const Tensor &tensor, HostTensor *out) override
    {
        Status s = m_inner->download(tensor, out);
        if (s && m_flipNext && out->dtype == DType::F32 && out->elements() > 0) {
            std::uint32_t bits;
            std::memcpy(&bits, out->data.data(), 4);
            bits ^= 1u;
            std::memcpy(out->data.data(), &bits, 4);
            m_flipNext = false;
        }
        return s;
    }
    bool supports(OpKind kind) const override { return m_inner->supports(kind); }
    Status run(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs) override
    {
        m_flipNext = op.kind == OpKind::Exp;
        return m_inner->run(op, inputs, outputs);
    }
    Status synchronize() override { return m_inner->synchronize(); }

private:
    std::unique_ptr<Backend> m_inner;
    bool m_flipNext = false;
};

} // namespace

class DeterminismTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { test::useLavapipeIfUnset(); }
    void cpuReferenceGivesThePublishedDigest();
    void everyAvailableDeviceIsExact();
    void oneFlippedBitIsCaught();
    void skippingLeavesDevicesUntested();
};

void DeterminismTest::cpuReferenceGivesThePublishedDigest()
{
    const Engine engine({}, SelfTest::Skip);
    std::string error;
    auto cpu = engine.open("cpu:0", &error);
    QVERIFY2(cpu, error.c_str());
    std::string digest;
    const Status status = runDeterminismSelfTest(*cpu, &digest);
    QVERIFY2(status, status.message().c_str());
    QVERIFY2(digest == kDeterminismDigest, ("the CPU reference gives " + digest).c_str());
}

void DeterminismTest::everyAvailableDeviceIsExact()
{
    const Engine engine;
    QCOMPARE(engine.devices().front().reproducibility, Reproducibility::Exact);
    int exact = 0;
    for (const DeviceInfo &device : engine.devices()) {
        const QByteArray what = QByteArray::fromStdString(device.id + ": " + device.unavailableReason);
        QVERIFY2(device.reproducibility != Reproducibility::Failed, what.constData());
        if (device.available) {
            QCOMPARE(device.reproducibility, Reproducibility::Exact);
            ++exact;
        } else {
            QCOMPARE(device.reproducibility, Reproducibility::Untested);
        }
    }
    qInfo("%d device(s) exact", exact);
}

void DeterminismTest::oneFlippedBitIsCaught()
{
    const Engine engine({}, SelfTest::Skip);
    std::string error;
    auto cpu = engine.open("cpu:0", &error);
    QVERIFY2(cpu, error.c_str());
    OneUlpOffBackend wrong(std::move(cpu));
    std::string digest;
    QVERIFY(runDeterminismSelfTest(wrong, &digest));
    QVERIFY(!digest.empty());
    QVERIFY(digest != kDeterminismDigest);
}

void DeterminismTest::skippingLeavesDevicesUntested()
{
    const Engine engine({}, SelfTest::Skip);
    for (const DeviceInfo &device : engine.devices())
        QCOMPARE(device.reproducibility, Reproducibility::Untested);
}

QTEST_GUILESS_MAIN(DeterminismTest)
#include "determinism_test.moc"
