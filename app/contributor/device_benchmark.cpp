#include "app/contributor/device_benchmark.h"

#include "engine/host_tensor.h"
#include "engine/ops/op.h"
#include "engine/random_fill.h"

#include <QElapsedTimer>

#include <array>
#include <string>

namespace tributary {

namespace {

// Long enough to average out clock ramps and scheduling noise, short enough for a wizard.
constexpr qint64 kTargetNs = 500'000'000;
constexpr qint64 kBudgetNs = 2'000'000'000;
constexpr int kMaxSize = 8192;

DeviceBenchmark failure(const QString &error, const QElapsedTimer &total)
{
    DeviceBenchmark result;
    result.error = error;
    result.elapsedMs = total.elapsed();
    return result;
}

} // namespace

DeviceBenchmark benchmarkDevice(const engine::Engine &engine, const QString &deviceId, int size)
{
    QElapsedTimer total;
    total.start();
    if (size < 1 || size > kMaxSize)
        return failure(QStringLiteral("benchmark size must be between 1 and %1, not %2").arg(kMaxSize).arg(size), total);

    std::string error;
    const std::unique_ptr<engine::Backend> backend = engine.open(deviceId.toStdString(), &error);
    if (!backend)
        return failure(QString::fromStdString(error), total);
    const auto failed = [&](const engine::Status &status) {
        return failure(QStringLiteral("benchmark on %1 failed: %2").arg(deviceId, QString::fromStdString(status.message())),
                       total);
    };

    // Inputs go to the device once: the benchmark measures computing, not the bus.
    const engine::Shape shape{size, size};
    std::array<engine::Tensor, 2> inputs;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        engine::HostTensor host = engine::HostTensor::zeros(engine::DType::F32, shape);
        engine::fillUniform(host.f32(), 0x7b1b'0000 + i);
        if (engine::Status s = backend->upload(host, &inputs[i]); !s)
            return failed(s);
    }
    std::array<engine::Tensor, 1> outputs;
    if (engine::Status s = backend->allocate({engine::DType::F32, shape}, &outputs[0]); !s)
        return failed(s);
    const engine::Op gemm{engine::OpKind::Gemm, engine::GemmAttributes{.beta = 0.0f}};
    const auto runOnce = [&]() -> engine::Status {
        if (engine::Status s = backend->run(gemm, inputs, outputs); !s)
            return s;
        return backend->synchronize();
    };

    // The warm-up pays for pipeline creation, first-touch page faults and clock ramp-up.
    if (engine::Status s = runOnce(); !s)
        return failed(s);

    QElapsedTimer timed;
    timed.start();
    int gemms = 0;
    do {
        if (engine::Status s = runOnce(); !s)
            return failed(s);
        ++gemms;
    } while (timed.nsecsElapsed() < kTargetNs && total.nsecsElapsed() + timed.nsecsElapsed() / gemms < kBudgetNs);
    const double seconds = double(timed.nsecsElapsed()) / 1e9;

    DeviceBenchmark result;
    result.ok = true;
    result.gflops = 2.0 * double(size) * size * size * gemms / seconds / 1e9;
    result.elapsedMs = total.elapsed();
    return result;
}

} // namespace tributary
