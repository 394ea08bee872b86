#pragma once

// PolicyStore: the sharing policy of every device, kept in one JSON file so that the
// switches and rules a user set survive a restart:
//
//   { "version": 1,
//     "devices": { "cuda:0": { "enabled": true, "when": "idle", ... },
//                  "cpu:0":  { "enabled": false } } }
//
// Each device's object is DevicePolicy's JSON (device_policy.h).
//
//   PolicyStore store(QStringLiteral("/home/ana/.local/share/tributary/policies.json"));
//   QString error;
//   if (!store.load(&error)) activity.add(error);   // the file is kept, nothing is lost
//   store.setPolicy(QStringLiteral("cuda:0"), policy, &error);   // saved at once
//
// A file that cannot be read (bad JSON, a bad field) is never overwritten: the first save
// after it moves it aside to "<name>.invalid" and says so. Saves are atomic (QSaveFile),
// so a crash leaves the old file or the new one, never half of one. Use from one thread.

#include "app/contributor/policy/device_policy.h"

#include <QMap>
#include <QString>

#include <optional>

namespace tributary {

class PolicyStore {
public:
    explicit PolicyStore(QString path);

    QString path() const { return m_path; }

    // Reads the file. A missing file is an empty store (true). A bad one leaves the store
    // empty and returns false with *error naming the file and the problem, e.g.
    // `policies.json: devices."cuda:0".temperatureLimitC: must be between 30 and 110`.
    bool load(QString *error);

    // The device's stored policy; nullopt if it has none (a device never configured).
    std::optional<DevicePolicy> policy(const QString &deviceId) const;
    QMap<QString, DevicePolicy> policies() const { return m_policies; }
    bool isEmpty() const { return m_policies.isEmpty(); }

    // Stores and saves at once; false with *error naming the file when it cannot be written
    // (the policy is still kept in memory and applies until the app exits).
    bool setPolicy(const QString &deviceId, const DevicePolicy &policy, QString *error);
    bool setPolicies(const QMap<QString, DevicePolicy> &policies, QString *error);

private:
    bool save(QString *error);

    QString m_path;
    QMap<QString, DevicePolicy> m_policies;
    bool m_fileIsInvalid = false; // load() refused the file: move it aside before saving
};

} // namespace tributary
