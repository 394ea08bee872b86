#include "app/jobs/sample_job.h"

#include "coordinator/jobs/gemm_job.h"
#include "engine/sha256.h"

#include <vector>

namespace tributary {

v1::JobSpec sampleJobSpec()
{
    v1::JobSpec spec;
    spec.set_name("Sample: 512×512×512 matrix product");
    v1::GemmJobSpec *gemm = spec.mutable_gemm();
    gemm->set_m(512);
    gemm->set_n(512);
    gemm->set_k(512);
    gemm->set_tile_m(128);
    gemm->set_tile_n(128);
    gemm->set_seed(20261122);
    // One node on this machine: the coordinator checks every tile against its own CPU
    // reference, bit for bit, instead of waiting for a second node.
    spec.mutable_verification()->mutable_reference();
    return spec;
}

bool checkGemmResultLocally(const engine::Engine &engine, const v1::GemmJobSpec &spec,
                            const v1::JobResult &result, QString *detail)
{
    if (result.rows() != spec.m() || result.cols() != spec.n()
        || result.data().size() != std::size_t(spec.m()) * spec.n() * sizeof(float)) {
        *detail = QStringLiteral("the result is %1×%2 (%3 bytes), expected %4×%5")
                      .arg(result.rows()).arg(result.cols()).arg(result.data().size())
                      .arg(spec.m()).arg(spec.n());
        return false;
    }
    const std::string receivedDigest = engine::sha256Hex(std::as_bytes(std::span(result.data())));
    if (receivedDigest != result.sha256()) {
        *detail = QStringLiteral("the result's bytes hash to %1, not to the digest %2 sent with them")
                      .arg(QString::fromStdString(receivedDigest), QString::fromStdString(result.sha256()));
        return false;
    }
    const engine::DeviceInfo *cpu = engine.firstAvailable(engine::BackendKind::Cpu);
    std::string error;
    auto backend = cpu ? engine.open(cpu->id, &error) : nullptr;
    if (!backend) {
        *detail = QStringLiteral("no CPU backend to check with: %1").arg(QString::fromStdString(error));
        return false;
    }
    if (const engine::Status valid = coordinator::GemmJob::validate(spec); !valid) {
        *detail = QString::fromStdString(valid.message());
        return false;
    }
    // The inputs are defined by the protocol (A from the seed, B from seed + 1); the
    // coordinator's GemmJob is the one place that generates them.
    const coordinator::GemmJob job(spec);
    std::vector<float> expected(std::size_t(spec.m()) * spec.n());
    const engine::Status status = backend->gemm(job.generateA(), job.generateB(), expected,
                                                {int(spec.m()), int(spec.n()), int(spec.k())});
    if (!status) {
        *detail = QString::fromStdString(status.message());
        return false;
    }
    const std::string expectedDigest = engine::sha256Hex(std::as_bytes(std::span<const float>(expected)));
    if (expectedDigest != result.sha256()) {
        *detail = QStringLiteral("digest %1 differs from this machine's CPU reference %2")
                      .arg(QString::fromStdString(result.sha256()), QString::fromStdString(expectedDigest));
        return false;
    }
    *detail = QStringLiteral("matches this machine's CPU reference bit for bit");
    return true;
}

} // namespace tributary
