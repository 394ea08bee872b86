#pragma once

// NodeConfig: tributary-node's settings from a JSON file (--config), so a rig's operator
// writes them once in /etc/tributary/node.json instead of in a service's command line.
// Every key is optional and has the same meaning as the flag of the same name; a flag
// given on the command line wins over the file.
//
//   { "coordinator": "coord.example.org:7443", "tokenFile": "/etc/tributary/node.token",
//     "device": "cuda:0", "name": "rig-3", "nodeId": "node-5f2c…",
//     "tlsCa": "/etc/tributary/ca.pem", "cacheDir": "/var/cache/tributary-node",
//     "history": "/var/lib/tributary-node/history.sqlite", "maxTasks": 0,
//     "policy": { "when": "schedule", "schedule": [ … ], "temperatureLimitC": 80 } }
//
// "policy" is DevicePolicy's JSON (device_policy.h); a node shares its device, so
// "enabled" defaults to true there. Unknown keys are errors: in a file a person typed,
// "coordinater" is a typo to point out, not a setting to ignore.

#include "app/contributor/policy/device_policy.h"

#include <QString>

#include <optional>

namespace tributary {

struct NodeConfig {
    QString coordinator;
    QString tokenFile;
    QString device;
    QString name;
    QString nodeId;
    QString tlsCa;
    QString cacheDir;
    QString history;
    int maxTasks = 0; // 0: run until stopped
    std::optional<DevicePolicy> policy;

    // The file's settings, or nullopt with *error naming the file, the key and the
    // problem, e.g. `node.json: maxTasks: must be a whole number ≥ 0, not "ten"`.
    static std::optional<NodeConfig> fromFile(const QString &path, QString *error);
    static std::optional<NodeConfig> fromJson(const QByteArray &json, QString *error);
};

} // namespace tributary
