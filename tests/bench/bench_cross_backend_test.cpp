// Vulkan against CUDA on the same NVIDIA GPU (bench/cross_backend.h), on made-up device
// lists: which CUDA device a Vulkan device pairs with, and the "cuda-exact" rows built
// from the rows of both. No GPU needed.

#include "bench/cross_backend.h"

#include <QTest>

#include <vector>

using tributary::bench::BenchResult;
using tributary::bench::pairedCudaDevice;
using tributary::bench::vulkanAgainstCudaRows;
using tributary::engine::BackendKind;
using tributary::engine::DeviceInfo;

namespace {

DeviceInfo device(const char *id, BackendKind backend, const char *name, const char *vendor)
{
    DeviceInfo info;
    info.id = id;
    info.backend = backend;
    info.name = name;
    info.vendor = vendor;
    info.available = true;
    return info;
}

DeviceInfo cpu()
{
    return device("cpu:0", BackendKind::Cpu, "AMD EPYC", "AMD");
}
DeviceInfo vulkan(const char *id, const char *name, const char *vendor = "NVIDIA")
{
    return device(id, BackendKind::Vulkan, name, vendor);
}
DeviceInfo cuda(const char *id, const char *name)
{
    return device(id, BackendKind::Cuda, name, "NVIDIA");
}

BenchResult row(const char *deviceId, const char *shape, double seconds, double gflops)
{
    BenchResult result;
    result.op = "conv2d";
    result.deviceId = deviceId;
    result.backend = deviceId[0] == 'v' ? "vulkan" : "cuda";
    result.shape = shape;
    result.seconds = seconds;
    result.gflops = gflops;
    result.check = "bitwise";
    return result;
}

} // namespace

class BenchCrossBackendTest : public QObject {
    Q_OBJECT

private slots:
    void pairsTheSameGpuByName()
    {
        const std::vector<DeviceInfo> devices
            = { cpu(), vulkan("vulkan:0", "NVIDIA H100 80GB HBM3"), cuda("cuda:0", "NVIDIA H100 80GB HBM3") };
        QCOMPARE(pairedCudaDevice(devices, 1), 2);
        // Only Vulkan devices pair, and an index out of range pairs with nothing.
        QCOMPARE(pairedCudaDevice(devices, 0), -1);
        QCOMPARE(pairedCudaDevice(devices, 2), -1);
        QCOMPARE(pairedCudaDevice(devices, 3), -1);
    }

    void leavesOtherGpusUnpaired()
    {
        std::vector<DeviceInfo> devices = { vulkan("vulkan:0", "NVIDIA GeForce RTX 4090"),
            cuda("cuda:0", "NVIDIA H100 80GB HBM3"), vulkan("vulkan:1", "AMD Radeon RX 7900 XTX", "AMD"),
            vulkan("vulkan:2", "llvmpipe (LLVM 15.0.6, 256 bits)", "Mesa") };
        for (std::size_t i = 0; i < devices.size(); ++i)
            QCOMPARE(pairedCudaDevice(devices, i), -1);

        // A software device never pairs, even under an NVIDIA name; nor an unavailable one.
        devices = { vulkan("vulkan:0", "NVIDIA H100"), cuda("cuda:0", "NVIDIA H100") };
        devices[0].isSoftware = true;
        QCOMPARE(pairedCudaDevice(devices, 0), -1);
        devices[0].isSoftware = false;
        devices[1].available = false;
        QCOMPARE(pairedCudaDevice(devices, 0), -1);
        devices[1].available = true;
        QCOMPARE(pairedCudaDevice(devices, 0), 1);
    }

    void pairsIdenticalCardsInOrder()
    {
        const std::vector<DeviceInfo> devices = { cpu(), cuda("cuda:0", "NVIDIA A100"),
            cuda("cuda:1", "NVIDIA L4"), cuda("cuda:2", "NVIDIA A100"), vulkan("vulkan:0", "NVIDIA A100"),
            vulkan("vulkan:1", "NVIDIA L4"), vulkan("vulkan:2", "NVIDIA A100") };
        QCOMPARE(pairedCudaDevice(devices, 4), 1);
        QCOMPARE(pairedCudaDevice(devices, 5), 2);
        QCOMPARE(pairedCudaDevice(devices, 6), 3);
    }

    void buildsCudaExactRows()
    {
        const std::vector<DeviceInfo> devices
            = { cpu(), vulkan("vulkan:0", "NVIDIA H100"), cuda("cuda:0", "NVIDIA H100") };
        std::vector<BenchResult> results = { row("vulkan:0", "a", 2.0, 50.0), row("vulkan:0", "b", 1.0, 10.0),
            row("cuda:0", "a", 1.0, 100.0), row("cuda:0", "c", 1.0, 1.0) };
        results[1].reference = "cpu-exact";

        std::vector<BenchResult> rows = vulkanAgainstCudaRows(devices, results);
        // Shape "a" only: "b" was not measured on CUDA, "c" not on Vulkan.
        QCOMPARE(rows.size(), std::size_t(1));
        const BenchResult &a = rows[0];
        QCOMPARE(a.deviceId, std::string("vulkan:0"));
        QCOMPARE(a.backend, std::string("vulkan"));
        QCOMPARE(a.op, std::string("conv2d"));
        QCOMPARE(a.shape, std::string("a"));
        QCOMPARE(a.reference, std::string(tributary::bench::kCudaExactReference));
        QCOMPARE(a.seconds, 2.0);
        QCOMPARE(a.gflops, 50.0);
        QCOMPARE(a.referenceSeconds.value_or(-1), 1.0);
        QCOMPARE(a.referenceGflops.value_or(-1), 100.0);
        QCOMPARE(a.ratio.value_or(-1), 0.5);
        QVERIFY(a.correct);
        QVERIFY(a.checkDetail.empty());

        // A CUDA row that failed its check makes the comparison row fail too.
        results[2].correct = false;
        results[2].checkDetail = "Y[0][0] differs";
        rows = vulkanAgainstCudaRows(devices, results);
        QCOMPARE(rows.size(), std::size_t(1));
        QVERIFY(!rows[0].correct);
        QVERIFY(rows[0].checkDetail.find("cuda:0") != std::string::npos);

        // Without a CUDA device of the same name there is nothing to compare.
        const std::vector<DeviceInfo> unpaired
            = { cpu(), vulkan("vulkan:0", "NVIDIA H100"), cuda("cuda:0", "NVIDIA H200") };
        QVERIFY(vulkanAgainstCudaRows(unpaired, results).empty());
    }
};

QTEST_GUILESS_MAIN(BenchCrossBackendTest)
#include "bench_cross_backend_test.moc"
