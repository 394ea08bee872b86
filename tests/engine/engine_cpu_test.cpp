// Unit tests for the engine's portable parts: SHA-256, deterministic fill, backend names,
// argument checks, discovery, and the CPU GEMM against the naive exact-mode chain.

#include "gemm_reference.h"

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/cpu_device.h"
#include "engine/engine.h"
#include "engine/random_fill.h"
#include "engine/sha256.h"
#include "engine/sha256_blocks.h"

#include <QRegularExpression>
#include <QTest>

#include <array>
#include <bit>
#include <cmath>
#include <string>
#include <vector>

using namespace tributary::engine;
using namespace tributary::engine::test;

Q_DECLARE_METATYPE(GemmShape)

namespace {

std::string hexOf(std::string_view text)
{
    return sha256Hex(std::as_bytes(std::span(text.data(), text.size())));
}

void addShapeRows(const std::vector<GemmShape> &shapes)
{
    QTest::addColumn<GemmShape>("shape");
    for (const auto &shape : shapes)
        QTest::newRow(shapeName(shape).c_str()) << shape;
}

} // namespace

class EngineCpuTest : public QObject {
    Q_OBJECT

private slots:
    void sha256Vectors()
    {
        // FIPS 180-4 / NIST example vectors.
        QCOMPARE(hexOf(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(hexOf("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(hexOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                 std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        const std::string million(1'000'000, 'a');
        QCOMPARE(hexOf(million), std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    void sha256Incremental()
    {
        // Uneven chunks cross the 64-byte block boundary in every way.
        const std::string million(1'000'000, 'a');
        Sha256 hash;
        std::size_t offset = 0;
        for (std::size_t chunk = 1; offset < million.size(); chunk = chunk % 131 + 1) {
            const std::size_t take = std::min(chunk, million.size() - offset);
            hash.update(std::as_bytes(std::span(million.data() + offset, take)));
            offset += take;
        }
        const auto digest = hash.finish();
        QCOMPARE(digest[0], std::uint8_t{0xcd});
        QCOMPARE(digest[31], std::uint8_t{0xd0});
        // finish() leaves the object ready for a new message.
        const auto empty = hash.finish();
        QCOMPARE(empty[0], std::uint8_t{0xe3});
        QCOMPARE(empty[31], std::uint8_t{0x55});
    }

    // The SHA extensions' compression must give the portable one's bits, block for block.
    void sha256AcceleratedMatchesPortable()
    {
        const detail::Sha256BlocksFunction accelerated = detail::sha256BlocksAccelerated();
        if (!accelerated)
            QSKIP("this CPU has no SHA extensions; the portable compression is the one in use");
        std::vector<std::uint8_t> blocks(64 * 97);
        std::uint32_t seed = 12345;
        for (std::uint8_t &byte : blocks) {
            seed = seed * 1664525u + 1013904223u;
            byte = std::uint8_t(seed >> 24);
        }
        for (std::size_t count : { std::size_t(1), std::size_t(2), std::size_t(3), std::size_t(97) }) {
            std::array<std::uint32_t, 8> portable = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f,
                0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
            std::array<std::uint32_t, 8> fast = portable;
            detail::sha256BlocksPortable(portable.data(), blocks.data(), count);
            accelerated(fast.data(), blocks.data(), count);
            QCOMPARE(fast, portable);
        }
    }

    void fillUniformDeterministicAndInRange()
    {
        std::vector<float> first(10'000), second(10'000), other(10'000);
        fillUniform(first, 42);
        fillUniform(second, 42);
        fillUniform(other, 43);
        QVERIFY(first == second);
        QVERIFY(first != other);
        bool negative = false, positive = false;
        for (float value : first) {
            QVERIFY(value >= -1.0f && value < 1.0f);
            const float scaled = value * 0x1p24f;
            QCOMPARE(scaled, std::trunc(scaled)); // a multiple of 2^-24
            negative |= value < 0.0f;
            positive |= value > 0.0f;
        }
        QVERIFY(negative && positive);
        // Pinned values (checked independently in Python): the same on every machine, so a
        // change here would silently change every stored result.
        QCOMPARE(std::bit_cast<std::uint32_t>(first[0]), 0x3ef75cc8u); //  0.48312974
        QCOMPARE(std::bit_cast<std::uint32_t>(first[1]), 0xbf2e203au); // -0.68017924
    }

    void backendNames()
    {
        for (BackendKind kind : {BackendKind::Cpu, BackendKind::Vulkan, BackendKind::Cuda}) {
            BackendKind parsed{};
            QVERIFY(parseBackendName(backendName(kind), &parsed));
            QCOMPARE(parsed, kind);
        }
        QCOMPARE(backendName(BackendKind::Vulkan), std::string_view("vulkan"));
        BackendKind parsed = BackendKind::Cpu;
        QVERIFY(!parseBackendName("opencl", &parsed));
        QVERIFY(!parseBackendName("", &parsed));
        QVERIFY(!parseBackendName("CPU", &parsed));
    }

    void cpuDevice()
    {
        const DeviceInfo cpu = probeCpuDevice();
        QCOMPARE(cpu.id, std::string("cpu:0"));
        QCOMPARE(cpu.backend, BackendKind::Cpu);
        QVERIFY(cpu.available);
        QVERIFY(!cpu.name.empty());
        QVERIFY(cpu.computeUnits >= 1);
        QVERIFY(cpu.memoryBytes > 0);
    }

    void cpuGemmBitwise_data()
    {
        auto shapes = standardShapes();
        shapes.push_back({37, 45, 600});  // k spans several depth blocks
        shapes.push_back({1, 300, 1000}); // a single row, wide and deep
        shapes.push_back({300, 1, 2});    // a single column
        addShapeRows(shapes);
    }

    void cpuGemmBitwise()
    {
        QFETCH(GemmShape, shape);
        const auto a = operandA(shape);
        const auto b = operandB(shape);
        const auto expected = naiveGemm(a, b, shape);

        // Every kernel this CPU runs (AVX-512, AVX2+FMA, portable), not only the best one.
        for (const GemmKernel &kernel : supportedGemmKernels()) {
            CpuBackend backend(probeCpuDevice(), kernel);
            std::vector<float> c(expected.size(), std::nanf(""));
            const Status status = backend.gemm(a, b, c, shape);
            QVERIFY2(status.isOk(), status.message().c_str());
            const std::string diff = bitwiseDifference(expected, c, shape);
            QVERIFY2(diff.empty(), (std::string(kernel.name) + ": " + diff).c_str());
        }
    }

    void cpuGemmEveryTileHeight()
    {
        // Each kernel has an unrolled variant per tile height (1 .. maxRows rows): run them
        // all, with a partial panel at the right edge and k spanning two depth blocks.
        for (const GemmKernel &kernel : supportedGemmKernels()) {
            CpuBackend backend(probeCpuDevice(), kernel);
            for (int m = 1; m <= 2 * kGemmMaxRows + 1; ++m) {
                const GemmShape shape{m, kPanelWidth + 7, 300};
                const auto a = operandA(shape);
                const auto b = operandB(shape);
                std::vector<float> c(static_cast<std::size_t>(m) * static_cast<std::size_t>(shape.n), std::nanf(""));
                QVERIFY(backend.gemm(a, b, c, shape).isOk());
                const std::string diff = bitwiseDifference(naiveGemm(a, b, shape), c, shape);
                QVERIFY2(diff.empty(), (std::string(kernel.name) + " " + shapeName(shape) + ": " + diff).c_str());
            }
        }
    }

    void cpuGemmReusesBuffersAcrossShapes()
    {
        CpuBackend backend(probeCpuDevice());
        for (GemmShape shape : {GemmShape{256, 256, 256}, GemmShape{5, 3, 2}, GemmShape{70, 90, 300}}) {
            const auto a = operandA(shape);
            const auto b = operandB(shape);
            std::vector<float> c(static_cast<std::size_t>(shape.m) * static_cast<std::size_t>(shape.n));
            QVERIFY(backend.gemm(a, b, c, shape).isOk());
            QVERIFY2(bitwiseDifference(naiveGemm(a, b, shape), c, shape).empty(), shapeName(shape).c_str());
        }
    }

    void cpuGemmDenormals()
    {
        // Products below FLT_MIN must stay subnormal (no flush to zero) and match the chain.
        const GemmShape shape{8, 20, 5};
        std::vector<float> a(40), b(100);
        fillUniform(a, 7);
        fillUniform(b, 8);
        for (float &value : a)
            value *= 0x1p-70f;
        for (float &value : b)
            value *= 0x1p-70f;
        const auto expected = naiveGemm(a, b, shape);
        bool sawSubnormal = false;
        for (float value : expected)
            sawSubnormal |= std::fpclassify(value) == FP_SUBNORMAL;
        QVERIFY(sawSubnormal);
        for (const GemmKernel &kernel : supportedGemmKernels()) {
            CpuBackend backend(probeCpuDevice(), kernel);
            std::vector<float> c(expected.size());
            QVERIFY(backend.gemm(a, b, c, shape).isOk());
            const std::string diff = bitwiseDifference(expected, c, shape);
            QVERIFY2(diff.empty(), (std::string(kernel.name) + ": " + diff).c_str());
        }
    }

    void gemmRejectsBadArguments()
    {
        CpuBackend backend(probeCpuDevice());
        std::vector<float> a(12), b(12), c(16);

        Status status = backend.gemm(a, b, c, {0, 4, 3});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("positive") != std::string::npos, status.message().c_str());
        QVERIFY2(status.message().find("m=0") != std::string::npos, status.message().c_str());

        status = backend.gemm(a, b, c, {4, 4, -1});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("k=-1") != std::string::npos, status.message().c_str());

        status = backend.gemm(std::span(a).first(11), b, c, {4, 4, 3});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("A has 11 elements, needs 12") != std::string::npos,
                 status.message().c_str());

        status = backend.gemm(a, b, std::span(c).first(15), {4, 4, 3});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("C has 15 elements, needs 16") != std::string::npos,
                 status.message().c_str());

        status = backend.gemm(a, b, c, {4, 5, 3});
        QVERIFY(!status.isOk());
        QVERIFY2(status.message().find("B has 12 elements, needs 15") != std::string::npos,
                 status.message().c_str());

        QVERIFY(backend.gemm(a, b, c, {4, 4, 3}).isOk());
    }

    void bestDeviceRanking()
    {
        auto device = [](const char *id, BackendKind kind, bool available, bool software = false,
                         bool integrated = false) {
            DeviceInfo info;
            info.id = id;
            info.backend = kind;
            info.available = available;
            info.isSoftware = software;
            info.isIntegrated = integrated;
            return info;
        };
        const DeviceInfo cpu = device("cpu:0", BackendKind::Cpu, true);
        const DeviceInfo lavapipe = device("vulkan:0", BackendKind::Vulkan, true, true);
        const DeviceInfo integrated = device("vulkan:1", BackendKind::Vulkan, true, false, true);
        const DeviceInfo discrete = device("vulkan:2", BackendKind::Vulkan, true);
        const DeviceInfo cuda = device("cuda:0", BackendKind::Cuda, true);
        const DeviceInfo noCuda = device("cuda", BackendKind::Cuda, false);

        auto best = [](std::vector<DeviceInfo> devices) {
            const DeviceInfo *chosen = Engine::bestOf(devices);
            return chosen ? chosen->id : std::string("none");
        };
        QCOMPARE(best({cpu, lavapipe, integrated, discrete, cuda}), std::string("cuda:0"));
        QCOMPARE(best({cpu, lavapipe, integrated, discrete, noCuda}), std::string("vulkan:2"));
        QCOMPARE(best({cpu, integrated, lavapipe, noCuda}), std::string("vulkan:1"));
        QCOMPARE(best({cpu, lavapipe, noCuda}), std::string("cpu:0")); // never prefer software Vulkan
        QCOMPARE(best({lavapipe}), std::string("vulkan:0"));            // …unless it is all there is
        QCOMPARE(best({noCuda}), std::string("none"));
        DeviceInfo second = discrete;
        second.id = "vulkan:3";
        QCOMPARE(best({cpu, discrete, second}), std::string("vulkan:2")); // ties: first enumerated
    }

    void engineDiscovery()
    {
        std::vector<std::pair<LogLevel, std::string>> messages;
        Engine engine([&](LogLevel level, std::string_view message) { messages.emplace_back(level, message); });

        const auto &devices = engine.devices();
        QVERIFY(devices.size() >= 3); // CPU, then at least one Vulkan and one CUDA entry
        QCOMPARE(devices[0].backend, BackendKind::Cpu);
        QVERIFY(devices[0].available);
        QVERIFY(engine.firstAvailable(BackendKind::Cpu) == &devices[0]);
        QVERIFY(engine.findDevice("cpu:0") == &devices[0]);

        // Order: CPU, then Vulkan entries, then CUDA entries; unavailable ones carry a reason.
        int lastRank = 0;
        for (const auto &device : devices) {
            const int rank = static_cast<int>(device.backend);
            QVERIFY2(rank >= lastRank, device.id.c_str());
            lastRank = rank;
            if (!device.available)
                QVERIFY2(!device.unavailableReason.empty(), device.id.c_str());
        }
        QCOMPARE(devices.back().backend, BackendKind::Cuda);
        // A PCI address only where there is a card on the bus: never the CPU, never a
        // software device (lavapipe); written as sysfs and NVML write it.
        QVERIFY(devices[0].pciBusId.empty());
        const QRegularExpression busId(QStringLiteral("^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]$"));
        for (const auto &device : devices) {
            if (device.isSoftware)
                QVERIFY2(device.pciBusId.empty(), device.id.c_str());
            if (!device.pciBusId.empty())
                QVERIFY2(busId.match(QString::fromStdString(device.pciBusId)).hasMatch(), device.pciBusId.c_str());
        }
        QCOMPARE(pciBusIdText(0, 0x65, 0x1f, 7), std::string("0000:65:1f.7"));
        QCOMPARE(pciBusIdText(0x10000, 1, 0, 0), std::string("10000:01:00.0")); // Intel VMD domains pass 16 bits

        // Info for every device found, a Warning with the reason for every unavailable one.
        auto logged = [&](LogLevel level, const std::string &text) {
            for (const auto &[l, message] : messages) {
                if (l == level && message.find(text) != std::string::npos)
                    return true;
            }
            return false;
        };
        for (const auto &device : devices) {
            if (device.available)
                QVERIFY2(logged(LogLevel::Info, device.id), device.id.c_str());
            else
                QVERIFY2(logged(LogLevel::Warning, device.unavailableReason), device.id.c_str());
        }

        const DeviceInfo *best = engine.bestDevice();
        QVERIFY(best != nullptr);
        QVERIFY(best->available);
        QVERIFY(!(best->backend == BackendKind::Vulkan && best->isSoftware));

        std::string error;
        auto backend = engine.open(best->id, &error);
        QVERIFY2(backend != nullptr, error.c_str());
        QCOMPARE(backend->device().id, best->id);

        auto cpu = engine.open("cpu:0", &error);
        QVERIFY2(cpu != nullptr, error.c_str());
        std::vector<float> a{1, 2, 3, 4}, b{5, 6, 7, 8}, c(4);
        QVERIFY(cpu->gemm(a, b, c, {2, 2, 2}).isOk());
        QCOMPARE(c, (std::vector<float>{19, 22, 43, 50}));

        error.clear();
        QVERIFY(engine.open("nope", &error) == nullptr);
        QVERIFY2(error.find("nope") != std::string::npos, error.c_str());

        for (const auto &device : devices) {
            if (device.available)
                continue;
            error.clear();
            QVERIFY(engine.open(device.id, &error) == nullptr);
            QVERIFY2(error.find(device.unavailableReason) != std::string::npos, error.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(EngineCpuTest)
#include "engine_cpu_test.moc"
