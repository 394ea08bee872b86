// The CUDA backend's tensor infrastructure through the Backend interface: upload and
// download round trips, allocation failures, foreign tensors. Skips without a CUDA device.

#include "engine/engine.h"

#include <QTest>

#include <memory>

using namespace tributary::engine;

namespace {

bool contains(const Status &status, std::string_view text)
{
    return !status.isOk() && status.message().find(text) != std::string::npos;
}

HostTensor patternTensor(DType dtype, const Shape &shape, std::uint32_t seed)
{
    HostTensor host = HostTensor::zeros(dtype, shape);
    std::uint32_t state = seed * 2654435761u + 1;
    for (std::byte &b : host.data) {
        state = state * 1664525u + 1013904223u;
        b = static_cast<std::byte>(state >> 24);
    }
    return host;
}

const std::vector<Shape> kRoundTripShapes = {{0}, {}, {1}, {7}, {3, 0, 5}, {33, 65}, {1000, 257}, {17 * 1024 * 1024}};

} // namespace

class CudaInfraTest : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<Backend> m_backend;

private slots:
    void initTestCase()
    {
        m_engine = std::make_unique<Engine>();
        const DeviceInfo *device = m_engine->firstAvailable(BackendKind::Cuda);
        if (!device)
            QSKIP("no CUDA device");
        std::string error;
        m_backend = m_engine->open(device->id, &error);
        QVERIFY2(m_backend, error.c_str());
    }

    void roundTrip_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<int>("shapeIndex");
        for (DType dtype : {DType::F32, DType::I32, DType::I64}) {
            const std::string name(dtypeName(dtype));
            for (std::size_t i = 0; i < kRoundTripShapes.size(); ++i) {
                QTest::newRow((name + " " + shapeText(kRoundTripShapes[i])).c_str())
                    << static_cast<int>(dtype) << static_cast<int>(i);
            }
        }
    }

    void roundTrip()
    {
        QFETCH(int, dtype);
        QFETCH(int, shapeIndex);
        const Shape &shape = kRoundTripShapes[static_cast<std::size_t>(shapeIndex)];
        const HostTensor host = patternTensor(static_cast<DType>(dtype), shape, 7);
        Tensor tensor;
        const Status up = m_backend->upload(host, &tensor);
        QVERIFY2(up.isOk(), up.message().c_str());
        HostTensor back;
        const Status down = m_backend->download(tensor, &back);
        QVERIFY2(down.isOk(), down.message().c_str());
        QCOMPARE(back.shape, host.shape);
        QVERIFY(back.data == host.data);
    }

    void foreignTensorsAreRefused()
    {
        std::string error;
        auto cpu = m_engine->open(m_engine->firstAvailable(BackendKind::Cpu)->id, &error);
        QVERIFY2(cpu, error.c_str());
        Tensor cpuTensor;
        QVERIFY(cpu->upload(HostTensor::zeros(DType::F32, {4}), &cpuTensor).isOk());
        HostTensor back;
        Status s = m_backend->download(cpuTensor, &back);
        QVERIFY2(contains(s, "not on this device"), s.message().c_str());

        Tensor out;
        QVERIFY(m_backend->allocate({DType::F32, {4}}, &out).isOk());
        Tensor outputs[] = {out};
        const Tensor inputs[] = {cpuTensor};
        s = m_backend->run(Op{OpKind::Relu, {}}, inputs, outputs);
        QVERIFY2(contains(s, "input 0 is not a tensor of this device"), s.message().c_str());
    }

    void outOfDeviceMemory()
    {
        Tensor tensor;
        const Status s = m_backend->allocate({DType::F32, {1 << 20, 1 << 20}}, &tensor);
        QVERIFY(!s.isOk());
        // The rest names the memory the device has, which varies by device.
        const std::string expected
            = "out of memory: tensor f32[1048576, 1048576] needs 4.0 TiB, " + m_backend->device().id + " has ";
        QVERIFY2(s.message().starts_with(expected), s.message().c_str());
        QVERIFY(m_backend->allocate({DType::F32, {1024}}, &tensor).isOk());
    }

    void gemmStillWorks()
    {
        const std::vector<float> a = {1, 2, 3, 4, 5, 6};
        const std::vector<float> b = {1, 0, 0, 1, 1, 1};
        std::vector<float> c(4);
        const Status s = m_backend->gemm(a, b, c, {2, 2, 3});
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(c, (std::vector<float>{4, 5, 10, 11}));
    }

    void tensorOutlivesBackend()
    {
        std::string error;
        auto backend = m_engine->open(m_backend->device().id, &error);
        QVERIFY2(backend, error.c_str());
        Tensor tensor;
        QVERIFY(backend->upload(HostTensor::zeros(DType::F32, {64}), &tensor).isOk());
        backend.reset();
        tensor = Tensor{};
    }

    void cleanupTestCase()
    {
        m_backend.reset();
        m_engine.reset();
    }
};

QTEST_GUILESS_MAIN(CudaInfraTest)
#include "cuda_infra_test.moc"
