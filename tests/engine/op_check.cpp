#include "tests/engine/op_check.h"

#include "engine/random_fill.h"

#include <QByteArray>
#include <QDir>
#include <QFileInfo>

#include <cstring>

namespace tributary::engine::test {

HostTensor randomTensor(const Shape &shape, std::uint64_t seed, float scale)
{
    HostTensor tensor = HostTensor::zeros(DType::F32, shape);
    fillUniform(tensor.f32(), seed);
    if (scale != 1.0f) {
        for (float &v : tensor.f32())
            v *= scale;
    }
    return tensor;
}

HostTensor randomLabels(std::int64_t count, std::int64_t bound, std::uint64_t seed)
{
    std::vector<float> uniform(static_cast<std::size_t>(count));
    fillUniform(uniform, seed);
    HostTensor labels = HostTensor::zeros(DType::I64, {count});
    for (std::int64_t i = 0; i < count; ++i) {
        const auto label = static_cast<std::int64_t>((uniform[std::size_t(i)] + 1.0f) * 0.5f * float(bound));
        labels.i64()[std::size_t(i)] = std::min(label, bound - 1);
    }
    return labels;
}

void useLavapipeIfUnset()
{
    if (qEnvironmentVariableIsSet("VK_ICD_FILENAMES") || qEnvironmentVariableIsSet("VK_DRIVER_FILES"))
        return;
    const QFileInfoList icds = QDir(QStringLiteral("/usr/share/vulkan/icd.d"))
                                   .entryInfoList({QStringLiteral("lvp_icd.*.json")}, QDir::Files);
    if (icds.isEmpty())
        return;
    const QByteArray path = icds.first().absoluteFilePath().toUtf8();
    qputenv("VK_ICD_FILENAMES", path);
    qputenv("VK_DRIVER_FILES", path);
}

HostTensor absentInput()
{
    HostTensor tensor;
    tensor.shape = {-1};
    return tensor;
}

bool isAbsent(const HostTensor &tensor)
{
    return tensor.shape.size() == 1 && tensor.shape[0] == -1;
}

std::int64_t firstBitDifference(const HostTensor &a, const HostTensor &b, std::string *why)
{
    if (a.dtype != b.dtype || a.shape != b.shape) {
        *why = std::string("type/shape ") + std::string(dtypeName(a.dtype)) + shapeText(a.shape) + " vs "
            + std::string(dtypeName(b.dtype)) + shapeText(b.shape);
        return 0;
    }
    const std::size_t size = dtypeSize(a.dtype);
    for (std::int64_t i = 0; i < a.elements(); ++i) {
        if (std::memcmp(a.data.data() + i * size, b.data.data() + i * size, size) == 0)
            continue;
        if (a.dtype == DType::F32) {
            std::uint32_t x, y;
            std::memcpy(&x, a.data.data() + i * size, 4);
            std::memcpy(&y, b.data.data() + i * size, 4);
            // NaN payloads are outside the exact-mode contract.
            if ((x & 0x7f800000u) == 0x7f800000u && (x & 0x7fffffu) && (y & 0x7f800000u) == 0x7f800000u
                && (y & 0x7fffffu))
                continue;
            char text[128];
            std::snprintf(text, sizeof text, "element %lld: %.9g (0x%08x) vs %.9g (0x%08x)",
                          static_cast<long long>(i), double(a.f32()[std::size_t(i)]), x,
                          double(b.f32()[std::size_t(i)]), y);
            *why = text;
        } else {
            *why = "element " + std::to_string(i) + " differs";
        }
        return i;
    }
    return -1;
}

OpCheck::OpCheck(const Engine &engine)
{
    for (const DeviceInfo &device : engine.devices()) {
        if (!device.available)
            continue;
        std::string error;
        if (auto backend = engine.open(device.id, &error))
            m_backends.push_back(std::move(backend));
    }
}

bool OpCheck::runOn(Backend &backend, const Op &op, const std::vector<HostTensor> &inputs,
                    std::vector<HostTensor> *outputs, std::string *error)
{
    std::vector<Tensor> deviceInputs(inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (isAbsent(inputs[i]))
            continue;
        if (Status s = backend.upload(inputs[i], &deviceInputs[i]); !s) {
            *error = s.message();
            return false;
        }
    }
    std::vector<Tensor> deviceOutputs;
    if (Status s = runOp(backend, op, deviceInputs, &deviceOutputs); !s) {
        *error = s.message();
        return false;
    }
    outputs->assign(deviceOutputs.size(), HostTensor());
    for (std::size_t i = 0; i < deviceOutputs.size(); ++i) {
        if (Status s = backend.download(deviceOutputs[i], &(*outputs)[i]); !s) {
            *error = s.message();
            return false;
        }
    }
    return true;
}

bool OpCheck::allBackendsAgree(const Op &op, const std::vector<HostTensor> &inputs)
{
    m_error.clear();
    m_skipped.clear();
    m_checked.clear();
    m_cpuOutputs.clear();
    if (m_backends.empty()) {
        m_error = "no backend could be opened";
        return false;
    }
    const std::string name(opName(op.kind));
    std::string error;
    if (!runOn(*m_backends[0], op, inputs, &m_cpuOutputs, &error)) {
        m_error = name + " on " + m_backends[0]->device().id + ": " + error;
        return false;
    }
    m_checked.push_back(m_backends[0]->device().id);
    for (std::size_t b = 1; b < m_backends.size(); ++b) {
        Backend &backend = *m_backends[b];
        if (!backend.supports(op.kind)) {
            m_skipped.push_back(backend.device().id);
            continue;
        }
        std::vector<HostTensor> outputs;
        if (!runOn(backend, op, inputs, &outputs, &error)) {
            m_error = name + " on " + backend.device().id + ": " + error;
            return false;
        }
        for (std::size_t o = 0; o < outputs.size(); ++o) {
            std::string why;
            if (firstBitDifference(m_cpuOutputs[o], outputs[o], &why) >= 0) {
                m_error = name + " output " + std::to_string(o) + " on " + backend.device().id
                    + " differs from the CPU: " + why;
                return false;
            }
        }
        m_checked.push_back(backend.device().id);
    }
    return true;
}

} // namespace tributary::engine::test
