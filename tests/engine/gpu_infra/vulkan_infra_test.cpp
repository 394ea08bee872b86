// The Vulkan backend's infrastructure, below the op kernels: tensors (upload, download,
// allocation failures), dispatch() (batching, ordering, the pipeline cache, errors) and
// how foreign tensors are refused. Runs on lavapipe in CI (useLavapipeIfUnset).

#include "../op_check.h"

#include "engine/engine.h"
#include "engine/random_fill.h"
#include "engine/vulkan/vulkan_backend.h"
#include "engine/vulkan/vulkan_shaders.h"

#include <QElapsedTimer>
#include <QTest>

#include <cstring>
#include <memory>

using namespace tributary::engine;

namespace {

struct IncrementPush {
    std::uint32_t count;
    std::uint32_t amount;
};

bool contains(const Status &status, std::string_view text)
{
    return !status.isOk() && status.message().find(text) != std::string::npos;
}

// A tensor of `dtype` with every byte set from a seed, so round trips check every bit.
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

const std::vector<Shape> kRoundTripShapes = {{0}, {}, {1}, {7}, {3, 0, 5}, {33, 65}, {1000, 257}};

} // namespace

class VulkanInfraTest : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<Backend> m_backend;
    VulkanBackend *m_vulkan = nullptr;

    Status increment(const Tensor &data, std::uint32_t count, std::uint32_t amount, std::uint32_t groupSize = 64)
    {
        const std::uint32_t spec[] = {groupSize};
        const Tensor buffers[] = {data};
        const IncrementPush push{count, amount};
        return m_vulkan->dispatch({"infra_increment", spec, buffers, asBytes(push), groupsFor(count, groupSize)});
    }

private slots:
    void initTestCase()
    {
        test::useLavapipeIfUnset();
        m_engine = std::make_unique<Engine>();
        const DeviceInfo *device = m_engine->firstAvailable(BackendKind::Vulkan);
        if (!device)
            QSKIP("no Vulkan device");
        std::string error;
        m_backend = m_engine->open(device->id, &error);
        QVERIFY2(m_backend, error.c_str());
        m_vulkan = dynamic_cast<VulkanBackend *>(m_backend.get());
        QVERIFY(m_vulkan);
        qInfo("%s: %s memory, %s", device->id.c_str(),
              m_vulkan->physicalDevice().info.isSoftware || m_vulkan->physicalDevice().info.isIntegrated
                  ? "unified (mapped)"
                  : "device-local (staged)",
              m_vulkan->usesSoftFma() ? "emulated fma" : "native fma");
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
        QCOMPARE(tensor.shape, shape);
        HostTensor back;
        const Status down = m_backend->download(tensor, &back);
        QVERIFY2(down.isOk(), down.message().c_str());
        QCOMPARE(back.dtype, host.dtype);
        QCOMPARE(back.shape, host.shape);
        QVERIFY(back.data == host.data);
    }

    // Over 64 MiB, through a dispatch too, so the whole buffer is bound and reachable.
    void largeRoundTrip()
    {
        const Shape shape{17 * 1024 * 1024}; // 68 MiB of f32
        const HostTensor host = patternTensor(DType::F32, shape, 11);
        Tensor source, copy;
        Status s = m_backend->upload(host, &source);
        QVERIFY2(s.isOk(), s.message().c_str());
        QVERIFY(m_backend->allocate({DType::F32, shape}, &copy).isOk());
        const std::uint32_t count = static_cast<std::uint32_t>(shape[0]);
        const Tensor buffers[] = {source, copy};
        s = m_vulkan->dispatch({"infra_copy", {}, buffers, asBytes(count), groupsFor(count, 64)});
        QVERIFY2(s.isOk(), s.message().c_str());
        HostTensor back;
        s = m_backend->download(copy, &back);
        QVERIFY2(s.isOk(), s.message().c_str());
        QVERIFY(back.data == host.data);
    }

    // 1000 dependent dispatches on one buffer: all run, in order, in a few batches.
    void manySmallDispatchesBatched()
    {
        const std::uint32_t count = 1000;
        Tensor data;
        QVERIFY(m_backend->upload(HostTensor::zeros(DType::I32, {count}), &data).isOk());
        const std::uint64_t batchesBefore = m_vulkan->submittedBatches();
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 1000; ++i) {
            const Status s = increment(data, count, 1);
            QVERIFY2(s.isOk(), s.message().c_str());
        }
        const qint64 recordNs = timer.nsecsElapsed();
        const Status s = m_backend->synchronize();
        QVERIFY2(s.isOk(), s.message().c_str());
        const std::uint64_t batches = m_vulkan->submittedBatches() - batchesBefore;
        qInfo("1000 dispatches: %.1f us each to record, %.1f ms in all, %llu batches", recordNs / 1e3 / 1000,
              timer.nsecsElapsed() / 1e6, static_cast<unsigned long long>(batches));
        QVERIFY2(batches <= 1000 / VulkanCommandQueue::kMaxBatchCommands + 1, std::to_string(batches).c_str());
        HostTensor back;
        QVERIFY(m_backend->download(data, &back).isOk());
        for (std::int32_t v : back.i32())
            QCOMPARE(v, 1000);
    }

    // Tensors dropped right after queueing work on them stay alive until it has run.
    void droppedTensorsOutliveTheirWork()
    {
        for (int i = 0; i < 50; ++i) {
            Tensor data;
            QVERIFY(m_backend->allocate({DType::I32, {4096}}, &data).isOk());
            QVERIFY(increment(data, 4096, 3).isOk());
        }
        QVERIFY(m_backend->synchronize().isOk());
    }

    void pipelineCacheReuse()
    {
        Tensor data;
        QVERIFY(m_backend->upload(HostTensor::zeros(DType::I32, {100}), &data).isOk());
        QVERIFY(increment(data, 100, 1, 64).isOk());
        const std::size_t pipelines = m_vulkan->pipelineCount();
        QVERIFY(increment(data, 100, 2, 64).isOk());
        QVERIFY(increment(data, 50, 4, 64).isOk());
        QCOMPARE(m_vulkan->pipelineCount(), pipelines); // same shader and constants: reused
        QVERIFY(increment(data, 100, 8, 32).isOk());
        QCOMPARE(m_vulkan->pipelineCount(), pipelines + 1); // another workgroup size: a new one
        QVERIFY(increment(data, 100, 16, 32).isOk());
        QCOMPARE(m_vulkan->pipelineCount(), pipelines + 1);
        HostTensor back;
        QVERIFY(m_backend->download(data, &back).isOk());
        QCOMPARE(back.i32()[0], 1 + 2 + 4 + 8 + 16);
        QCOMPARE(back.i32()[99], 1 + 2 + 8 + 16);
    }

    void zeroGroupsIsANoOp()
    {
        Tensor data;
        QVERIFY(m_backend->allocate({DType::I32, {0}}, &data).isOk());
        const Status s = increment(data, 0, 1);
        QVERIFY2(s.isOk(), s.message().c_str());
        QVERIFY(m_backend->synchronize().isOk());
    }

    void dispatchErrors()
    {
        Tensor data;
        QVERIFY(m_backend->allocate({DType::I32, {16}}, &data).isOk());
        const Tensor one[] = {data};

        std::array<std::byte, 132> tooMuch{};
        Status s = m_vulkan->dispatch({"infra_increment", {}, one, tooMuch, {1, 1, 1}});
        QVERIFY2(contains(s, "132 push-constant bytes, at most 128"), s.message().c_str());

        s = m_vulkan->dispatch({"no_such_shader", {}, one, {}, {1, 1, 1}});
        QVERIFY2(contains(s, "no shader named \"no_such_shader\""), s.message().c_str());

        const std::uint32_t count = 16;
        s = m_vulkan->dispatch({"infra_copy", {}, one, asBytes(count), {1, 1, 1}});
        QVERIFY2(contains(s, "declares 2 storage buffers, the dispatch gave 1"), s.message().c_str());

        s = m_vulkan->dispatch({"infra_copy", {}, one, asBytes(count), {0xffffffffu, 1, 1}});
        QVERIFY2(contains(s, "workgroups along axis 0"), s.message().c_str());

        const Tensor missing[] = {data, Tensor{}};
        s = m_vulkan->dispatch({"infra_copy", {}, missing, asBytes(count), {1, 1, 1}});
        QVERIFY2(contains(s, "buffer 1 is a tensor without storage"), s.message().c_str());

        // The backend still works after refused dispatches.
        QVERIFY(increment(data, 16, 1).isOk());
        QVERIFY(m_backend->synchronize().isOk());
    }

    void foreignTensorsAreRefused()
    {
        std::string error;
        auto cpu = m_engine->open(m_engine->firstAvailable(BackendKind::Cpu)->id, &error);
        QVERIFY2(cpu, error.c_str());
        Tensor cpuTensor;
        QVERIFY(cpu->upload(HostTensor::zeros(DType::F32, {4}), &cpuTensor).isOk());

        const Tensor buffers[] = {cpuTensor};
        const IncrementPush push{4, 1};
        Status s = m_vulkan->dispatch({"infra_increment", {}, buffers, asBytes(push), {1, 1, 1}});
        QVERIFY2(contains(s, "buffer 0 is not a tensor of this device"), s.message().c_str());

        HostTensor back;
        s = m_backend->download(cpuTensor, &back);
        QVERIFY2(contains(s, "not on this device"), s.message().c_str());

        Tensor out;
        QVERIFY(m_backend->allocate({DType::F32, {4}}, &out).isOk());
        Tensor outputs[] = {out};
        const Tensor inputs[] = {cpuTensor};
        s = m_backend->run(Op{OpKind::Relu, {}}, inputs, outputs);
        QVERIFY2(contains(s, "input 0 is not a tensor of this device"), s.message().c_str());

        // A tensor of another Vulkan backend on the same device is foreign too.
        auto other = m_engine->open(m_backend->device().id, &error);
        QVERIFY2(other, error.c_str());
        Tensor otherTensor;
        QVERIFY(other->allocate({DType::I32, {4}}, &otherTensor).isOk());
        const Tensor otherBuffers[] = {otherTensor};
        s = m_vulkan->dispatch({"infra_increment", {}, otherBuffers, asBytes(push), {1, 1, 1}});
        QVERIFY2(contains(s, "not a tensor of this device"), s.message().c_str());
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
        QVERIFY(!tensor.valid());
        // Nothing is left broken.
        QVERIFY(m_backend->allocate({DType::F32, {1024}}, &tensor).isOk());
    }

    void gemmBetweenDispatches()
    {
        Tensor data;
        QVERIFY(m_backend->upload(HostTensor::zeros(DType::I32, {10}), &data).isOk());
        QVERIFY(increment(data, 10, 5).isOk());
        const std::vector<float> a = {1, 2, 3, 4, 5, 6};
        const std::vector<float> b = {1, 0, 0, 1, 1, 1};
        std::vector<float> c(4);
        const Status s = m_backend->gemm(a, b, c, {2, 2, 3});
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(c, (std::vector<float>{4, 5, 10, 11}));
        HostTensor back;
        QVERIFY(m_backend->download(data, &back).isOk());
        QCOMPARE(back.i32()[9], 5);
    }

    // The discrete-GPU path (device-local memory, staging copies), forced on this device.
    void stagingPath()
    {
        std::string error;
        auto staged = VulkanBackend::create(m_backend->device(), &error, {.forceStaging = true});
        QVERIFY2(staged, error.c_str());
        for (const Shape &shape : kRoundTripShapes) {
            const HostTensor host = patternTensor(DType::I64, shape, 3);
            Tensor tensor;
            Status s = staged->upload(host, &tensor);
            QVERIFY2(s.isOk(), s.message().c_str());
            HostTensor back;
            s = staged->download(tensor, &back);
            QVERIFY2(s.isOk(), s.message().c_str());
            QVERIFY(back.data == host.data);
        }
        // Uploads, dispatches and downloads interleaved across batch boundaries.
        Tensor data;
        QVERIFY(staged->upload(HostTensor::fromI32({3}, std::vector<std::int32_t>{10, 20, 30}), &data).isOk());
        const std::uint32_t spec[] = {64};
        const Tensor buffers[] = {data};
        const IncrementPush push{3, 1};
        for (int i = 0; i < 600; ++i)
            QVERIFY(staged->dispatch({"infra_increment", spec, buffers, asBytes(push), {1, 1, 1}}).isOk());
        HostTensor back;
        QVERIFY(staged->download(data, &back).isOk());
        QCOMPARE(back.i32()[0], 610);
        QCOMPARE(back.i32()[2], 630);

        staged->useSoftFma(); // as openVulkanBackend would on lavapipe
        const std::vector<float> a = {1, 2, 3, 4, 5, 6};
        const std::vector<float> b = {1, 0, 0, 1, 1, 1};
        std::vector<float> c(4);
        const Status s = staged->gemm(a, b, c, {2, 2, 3});
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(c, (std::vector<float>{4, 5, 10, 11}));
    }

    // On devices with float controls every module gets the fp32 DenormPreserve mode.
    void spirvDenormPreservePatch()
    {
        const SpirvModule plain = findSpirv("gemm", ShaderVariant::Plain);
        QVERIFY(plain.code);
        QVERIFY(!findSpirv("gemm_nonexistent", ShaderVariant::Plain).code);
        QCOMPARE(spirvBindingCount(plain), 3u);
        const std::vector<std::uint32_t> patched = spirvWithDenormPreserve(plain);
        const std::size_t plainWords = plain.sizeBytes / 4;
        QCOMPARE(patched.size(), plainWords + 2 + 7 + 4);
        QCOMPARE(patched[0], 0x07230203u); // still a SPIR-V module

        // Walk the instructions: the capability before the extension, both before the
        // memory model; the execution mode names the entry point.
        std::uint32_t entryPoint = 0, modeTarget = 0;
        int capabilityAt = -1, extensionAt = -1, memoryModelAt = -1, modeAt = -1, entryAt = -1;
        std::string extension;
        int index = 0;
        for (std::size_t at = 5; at < patched.size(); at += patched[at] >> 16, ++index) {
            const std::uint32_t opcode = patched[at] & 0xffff;
            if (opcode == 17 && patched[at + 1] == 4464)
                capabilityAt = index;
            if (opcode == 10) {
                extensionAt = index;
                extension = reinterpret_cast<const char *>(&patched[at + 1]);
            }
            if (opcode == 14)
                memoryModelAt = index;
            if (opcode == 15) {
                entryAt = index;
                entryPoint = patched[at + 2];
            }
            if (opcode == 16 && patched[at + 2] == 4459) {
                modeAt = index;
                modeTarget = patched[at + 1];
                QCOMPARE(patched[at + 3], 32u);
            }
        }
        QVERIFY(capabilityAt >= 0 && capabilityAt < extensionAt && extensionAt < memoryModelAt);
        QCOMPARE(extension, std::string("SPV_KHR_float_controls"));
        QVERIFY(entryAt < modeAt);
        QCOMPARE(modeTarget, entryPoint);
        QCOMPARE(spirvBindingCount({patched.data(), patched.size() * 4}), 3u);

        // Patching twice changes nothing.
        const auto twice = spirvWithDenormPreserve({patched.data(), patched.size() * 4});
        QVERIFY(twice == patched);
    }

    // A tensor may outlive its backend: its memory is freed on a live device.
    void tensorOutlivesBackend()
    {
        std::string error;
        auto backend = m_engine->open(m_backend->device().id, &error);
        QVERIFY2(backend, error.c_str());
        Tensor tensor;
        QVERIFY(backend->upload(HostTensor::zeros(DType::F32, {64}), &tensor).isOk());
        backend.reset();
        QVERIFY(tensor.valid());
        tensor = Tensor{};
    }

    void cleanupTestCase()
    {
        m_backend.reset();
        m_engine.reset();
    }
};

QTEST_GUILESS_MAIN(VulkanInfraTest)
#include "vulkan_infra_test.moc"
