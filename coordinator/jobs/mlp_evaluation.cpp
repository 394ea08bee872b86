#include "coordinator/jobs/mlp_evaluation.h"

#include <algorithm>
#include <cmath>

namespace tributary::coordinator {

using engine::Status;

Status evaluateMlp(const engine::training::MlpConfig &model, std::span<const float> parameters,
    std::span<const float> features, std::span<const std::int64_t> labels, MlpEvaluation *out)
{
    const auto layers = model.layers();
    if (parameters.size() != engine::training::parameterCount(model))
        return Status::error("evaluation: " + std::to_string(parameters.size()) + " parameters, the model has "
            + std::to_string(engine::training::parameterCount(model)));
    const std::size_t inputs = std::size_t(model.inputs), classes = std::size_t(model.classes);
    if (labels.empty() || features.size() != labels.size() * inputs)
        return Status::error("evaluation: the features do not match " + std::to_string(labels.size()) + " examples of "
            + std::to_string(inputs));

    MlpEvaluation result;
    result.confusion.assign(classes * classes, 0);
    std::size_t correct = 0;
    double lossSum = 0;
    std::vector<float> activation, next;
    for (std::size_t e = 0; e < labels.size(); ++e) {
        activation.assign(features.begin() + std::ptrdiff_t(e * inputs), features.begin() + std::ptrdiff_t((e + 1) * inputs));
        std::size_t offset = 0;
        for (std::size_t l = 0; l < layers.size(); ++l) {
            const auto rows = std::size_t(layers[l].first), columns = std::size_t(layers[l].second);
            const float *weight = parameters.data() + offset;
            const float *bias = weight + rows * columns;
            offset += rows * columns + columns;
            next.assign(bias, bias + columns);
            for (std::size_t r = 0; r < rows; ++r) {
                const float a = activation[r];
                if (a == 0.0f)
                    continue;
                const float *row = weight + r * columns;
                for (std::size_t c = 0; c < columns; ++c)
                    next[c] += a * row[c];
            }
            if (l + 1 < layers.size())
                for (float &v : next)
                    v = std::max(v, 0.0f);
            activation.swap(next);
        }
        const std::int64_t label = labels[e];
        if (label < 0 || std::size_t(label) >= classes)
            return Status::error("evaluation: example " + std::to_string(e) + " has label " + std::to_string(label)
                + ", outside the model's " + std::to_string(classes) + " classes");
        const std::size_t predicted = std::size_t(std::max_element(activation.begin(), activation.end()) - activation.begin());
        correct += predicted == std::size_t(label) ? 1 : 0;
        ++result.confusion[std::size_t(label) * classes + predicted];
        const double top = activation[predicted];
        double sum = 0;
        for (float v : activation)
            sum += std::exp(double(v) - top);
        lossSum += top + std::log(sum) - double(activation[std::size_t(label)]);
    }
    result.accuracy = double(correct) / double(labels.size());
    result.meanLoss = lossSum / double(labels.size());
    *out = std::move(result);
    return Status::ok();
}

} // namespace tributary::coordinator
