#include "app/settings/policy_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace tributary {

namespace {
constexpr int kFormatVersion = 1;
}

PolicyStore::PolicyStore(QString path)
    : m_path(std::move(path))
{
}

bool PolicyStore::load(QString *error)
{
    m_policies.clear();
    m_fileIsInvalid = false;
    QFile file(m_path);
    if (!file.exists())
        return true;
    const QString name = QFileInfo(m_path).fileName();
    auto refuse = [&](const QString &problem) {
        m_policies.clear();
        m_fileIsInvalid = true;
        *error = QStringLiteral("%1: %2").arg(name, problem);
        return false;
    };
    if (!file.open(QIODevice::ReadOnly))
        return refuse(QStringLiteral("cannot be read: %1").arg(file.errorString()));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return refuse(QStringLiteral("not JSON: %1 at byte %2").arg(parseError.errorString()).arg(parseError.offset));
    if (!document.isObject())
        return refuse(QStringLiteral("not a JSON object"));
    const QJsonObject root = document.object();
    const int version = root.value(QStringLiteral("version")).toInt(0);
    if (version < 1 || version > kFormatVersion)
        return refuse(QStringLiteral("version: %1 is not a version this Tributary reads (it reads %2)")
                          .arg(root.value(QStringLiteral("version")).toVariant().toString())
                          .arg(kFormatVersion));
    const QJsonValue devices = root.value(QStringLiteral("devices"));
    if (!devices.isUndefined() && !devices.isObject())
        return refuse(QStringLiteral("devices: must be an object of device id to policy"));
    const QJsonObject byDevice = devices.toObject();
    for (auto it = byDevice.begin(); it != byDevice.end(); ++it) {
        const QString field = QStringLiteral("devices.\"%1\"").arg(it.key());
        if (!it.value().isObject())
            return refuse(QStringLiteral("%1: must be an object").arg(field));
        QString policyError;
        const std::optional<DevicePolicy> policy = DevicePolicy::fromJson(it.value().toObject(), &policyError);
        if (!policy)
            return refuse(QStringLiteral("%1.%2").arg(field, policyError));
        m_policies.insert(it.key(), *policy);
    }
    return true;
}

std::optional<DevicePolicy> PolicyStore::policy(const QString &deviceId) const
{
    const auto it = m_policies.constFind(deviceId);
    if (it == m_policies.constEnd())
        return std::nullopt;
    return *it;
}

bool PolicyStore::setPolicy(const QString &deviceId, const DevicePolicy &policy, QString *error)
{
    m_policies.insert(deviceId, policy);
    return save(error);
}

bool PolicyStore::setPolicies(const QMap<QString, DevicePolicy> &policies, QString *error)
{
    for (auto it = policies.begin(); it != policies.end(); ++it)
        m_policies.insert(it.key(), it.value());
    return save(error);
}

bool PolicyStore::save(QString *error)
{
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath())) {
        *error = QStringLiteral("%1: cannot create the folder %2").arg(info.fileName(), info.absolutePath());
        return false;
    }
    if (m_fileIsInvalid) {
        // Keep what the user wrote: their file may only need one field fixed.
        const QString aside = m_path + QStringLiteral(".invalid");
        QFile::remove(aside);
        if (!QFile::rename(m_path, aside)) {
            *error = QStringLiteral("%1: cannot move the unreadable file aside to %2").arg(info.fileName(), aside);
            return false;
        }
        m_fileIsInvalid = false;
    }
    QJsonObject devices;
    for (auto it = m_policies.begin(); it != m_policies.end(); ++it)
        devices.insert(it.key(), it.value().toJson());
    const QJsonObject root { { QStringLiteral("version"), kFormatVersion }, { QStringLiteral("devices"), devices } };
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("%1: cannot be written: %2").arg(info.fileName(), file.errorString());
        return false;
    }
    file.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        *error = QStringLiteral("%1: cannot be written: %2").arg(info.fileName(), file.errorString());
        return false;
    }
    return true;
}

} // namespace tributary
