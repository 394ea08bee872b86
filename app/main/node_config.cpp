#include "app/main/node_config.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace tributary {

std::optional<NodeConfig> NodeConfig::fromFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    std::optional<NodeConfig> config = fromJson(file.readAll(), error);
    if (!config)
        *error = QStringLiteral("%1: %2").arg(QFileInfo(path).fileName(), *error);
    return config;
}

std::optional<NodeConfig> NodeConfig::fromJson(const QByteArray &json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("not JSON: %1 at byte %2").arg(parseError.errorString()).arg(parseError.offset);
        return std::nullopt;
    }
    if (!document.isObject()) {
        *error = QStringLiteral("must be a JSON object of settings");
        return std::nullopt;
    }
    NodeConfig config;
    const std::pair<const char *, QString *> texts[] = {
        { "coordinator", &config.coordinator }, { "tokenFile", &config.tokenFile }, { "device", &config.device },
        { "name", &config.name }, { "nodeId", &config.nodeId }, { "tlsCa", &config.tlsCa },
        { "cacheDir", &config.cacheDir }, { "history", &config.history },
    };
    const QJsonObject root = document.object();
    for (auto it = root.begin(); it != root.end(); ++it) {
        const QString key = it.key();
        const QJsonValue value = it.value();
        bool known = false;
        for (const auto &[name, target] : texts) {
            if (key != QLatin1String(name))
                continue;
            known = true;
            if (!value.isString() || value.toString().isEmpty()) {
                *error = QStringLiteral("%1: must be a non-empty string").arg(key);
                return std::nullopt;
            }
            *target = value.toString();
        }
        if (key == QLatin1String("maxTasks")) {
            known = true;
            const double count = value.toDouble(-1);
            if (!value.isDouble() || count < 0 || count != std::floor(count) || count > 1e9) {
                *error = QStringLiteral("maxTasks: must be a whole number ≥ 0, not %1")
                             .arg(QString::fromUtf8(QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact))
                                      .mid(1)
                                      .chopped(1));
                return std::nullopt;
            }
            config.maxTasks = int(count);
        } else if (key == QLatin1String("policy")) {
            known = true;
            if (!value.isObject()) {
                *error = QStringLiteral("policy: must be an object (see node-policy.example.json)");
                return std::nullopt;
            }
            QJsonObject policy = value.toObject();
            if (!policy.contains(QStringLiteral("enabled")))
                policy.insert(QStringLiteral("enabled"), true);
            QString policyError;
            config.policy = DevicePolicy::fromJson(policy, &policyError);
            if (!config.policy) {
                *error = QStringLiteral("policy.%1").arg(policyError);
                return std::nullopt;
            }
        }
        if (!known) {
            *error = QStringLiteral("%1: not a setting tributary-node knows (see tributary-node --help)").arg(key);
            return std::nullopt;
        }
    }
    return config;
}

} // namespace tributary
