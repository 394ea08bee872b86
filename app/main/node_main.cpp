// tributary-node: the contributor runtime without a window, for servers and rigs.
//
//   tributary-node --coordinator 127.0.0.1:7443 [--device vulkan:0]
//   tributary-node --config /etc/tributary/node.json      (the same settings in a file)
//   tributary-node --list-devices

#include "app/client/channel.h"
#include "app/contributor/contributor_runner.h"
#include "app/contributor/device_advice.h"
#include "app/contributor/device_supervisor.h"
#include "app/contributor/earnings_tracker.h"
#include "app/storage/task_history.h"
#include "app/logging_categories.h"
#include "app/main/node_config.h"
#include "app/main/termination_signals.h"
#include "engine/engine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTextStream>

namespace {

void printDevices(const tributary::engine::Engine &engine, QTextStream &out)
{
    for (const auto &device : engine.devices()) {
        out << QString::fromStdString(device.id).leftJustified(10) << ' '
            << QString::fromStdString(device.name);
        if (device.memoryBytes > 0)
            out << ", " << (device.memoryBytes >> 20) << " MiB";
        if (device.subgroupSize > 0)
            out << ", subgroup " << device.subgroupSize;
        if (device.available)
        {
            const std::string_view name = tributary::engine::reproducibilityName(device.reproducibility);
            out << "  [available, reproducibility " << QLatin1String(name.data(), qsizetype(name.size())) << ']';
        }
        else
            out << "  [unavailable: " << QString::fromStdString(device.unavailableReason) << ']';
        out << Qt::endl;
        if (const QString advice = tributary::adviceFor(device); !advice.isEmpty())
            out << QString(11, QLatin1Char(' ')) << "what to do: " << advice << Qt::endl;
    }
}

} // namespace

int main(int argc, char **argv)
{
    tributary::quitOnTerminationSignals();
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Tributary"));
    QCoreApplication::setApplicationName(QStringLiteral("tributary-node"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TRIBUTARY_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Tributary's contributor node, without a window."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption coordinator(QStringLiteral("coordinator"),
        QStringLiteral("Coordinator address, host:port."), QStringLiteral("address"));
    const QCommandLineOption device(QStringLiteral("device"),
        QStringLiteral("Device to contribute, e.g. cpu:0, vulkan:0, cuda:0 (default: the best one)."),
        QStringLiteral("id"));
    const QCommandLineOption name(QStringLiteral("name"),
        QStringLiteral("Name shown to the coordinator's operator (default: the host name)."),
        QStringLiteral("name"));
    const QCommandLineOption nodeId(QStringLiteral("node-id"),
        QStringLiteral("Node id from an earlier registration, to keep it."), QStringLiteral("id"));
    const QCommandLineOption maxTasks(QStringLiteral("max-tasks"),
        QStringLiteral("Exit after this many accepted tasks (default: run until stopped)."),
        QStringLiteral("count"));
    const QCommandLineOption listDevices(QStringLiteral("list-devices"),
        QStringLiteral("List this machine's devices and exit."));
    const QCommandLineOption tokenFile(QStringLiteral("token-file"),
        QStringLiteral("File holding this node's account token (or set TRIBUTARY_TOKEN)."), QStringLiteral("path"));
    const QCommandLineOption tlsCa(QStringLiteral("tls-ca"),
        QStringLiteral("PEM certificate to trust for a coordinator serving TLS."), QStringLiteral("path"));
    const QCommandLineOption cacheDir(QStringLiteral("cache-dir"),
        QStringLiteral("Where job inputs are kept across restarts (default: the user's cache folder)."),
        QStringLiteral("path"));
    const QCommandLineOption policyFile(QStringLiteral("policy"),
        QStringLiteral("JSON file with the device's sharing policy: when to run (always, when idle, on a schedule), "
                       "pause on battery or while other programs use the GPU, temperature and power limits "
                       "(default: always run, pause on battery)."),
        QStringLiteral("path"));
    const QCommandLineOption historyFile(QStringLiteral("history"),
        QStringLiteral("SQLite file recording every task run and what it earned (default: history.sqlite in the "
                       "user's data folder)."),
        QStringLiteral("path"));
    const QCommandLineOption configFile(QStringLiteral("config"),
        QStringLiteral("JSON file with any of these settings (coordinator, tokenFile, device, name, nodeId, tlsCa, "
                       "cacheDir, history, maxTasks, and the policy inline); flags win over it."),
        QStringLiteral("path"));
    parser.addOptions({coordinator, device, name, nodeId, maxTasks, listDevices, tokenFile, tlsCa, cacheDir,
        policyFile, historyFile, configFile});
    parser.process(app);

    tributary::NodeConfig config;
    if (parser.isSet(configFile)) {
        QString error;
        const std::optional<tributary::NodeConfig> read = tributary::NodeConfig::fromFile(parser.value(configFile), &error);
        if (!read) {
            QTextStream(stderr) << "tributary-node: " << error << Qt::endl;
            return 2;
        }
        config = *read;
    }
    // A flag wins over the file.
    auto setting = [&parser](const QCommandLineOption &option, const QString &fromFile) {
        return parser.isSet(option) ? parser.value(option) : fromFile;
    };

    QTextStream out(stdout);
    QTextStream err(stderr);
    const tributary::engine::Engine engine(tributary::logToCategory(lcEngine()));
    if (parser.isSet(listDevices)) {
        printDevices(engine, out);
        return 0;
    }
    tributary::Contributor::Options options;
    options.coordinator.address = setting(coordinator, config.coordinator);
    if (options.coordinator.address.isEmpty()) {
        err << "tributary-node: --coordinator <host:port> (or \"coordinator\" in --config) is required (see --help)"
            << Qt::endl;
        return 2;
    }
    if (const QString path = setting(tokenFile, config.tokenFile); !path.isEmpty()) {
        QString error;
        options.coordinator.token = tributary::client::readTokenFile(path, &error);
        if (options.coordinator.token.isEmpty()) {
            err << "tributary-node: " << error << Qt::endl;
            return 2;
        }
    } else {
        options.coordinator.token = qEnvironmentVariable("TRIBUTARY_TOKEN");
    }
    if (options.coordinator.token.isEmpty()) {
        err << "tributary-node: a token is required: --token-file <path> or TRIBUTARY_TOKEN" << Qt::endl;
        return 2;
    }
    if (const QString path = setting(tlsCa, config.tlsCa); !path.isEmpty()) {
        QFile ca(path);
        if (!ca.open(QIODevice::ReadOnly)) {
            err << "tributary-node: cannot read " << path << ": " << ca.errorString() << Qt::endl;
            return 2;
        }
        options.coordinator.tlsRootCertificate = QString::fromUtf8(ca.readAll());
    }
    options.deviceId = setting(device, config.device);
    if (options.deviceId.isEmpty())
        options.deviceId = QString::fromStdString(engine.bestDevice()->id);
    options.nodeName = setting(name, config.name);
    if (options.nodeName.isEmpty())
        options.nodeName = QSysInfo::machineHostName();
    options.nodeId = setting(nodeId, config.nodeId);
    options.inputCacheDirectory = setting(cacheDir, config.cacheDir);
    if (options.inputCacheDirectory.isEmpty())
        options.inputCacheDirectory = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/inputs");
    options.maxTasks = config.maxTasks;
    if (parser.isSet(maxTasks)) {
        bool ok = false;
        options.maxTasks = parser.value(maxTasks).toInt(&ok);
        if (!ok || options.maxTasks <= 0) {
            err << "tributary-node: --max-tasks needs a positive number, not '" << parser.value(maxTasks)
                << "'" << Qt::endl;
            return 2;
        }
    }

    // The device's policy: from --policy, else share always (a node exists to share) and
    // pause on battery.
    tributary::DevicePolicy policy = config.policy.value_or(tributary::DevicePolicy {});
    if (!config.policy)
        policy.enabled = true;
    if (parser.isSet(policyFile)) {
        QFile file(parser.value(policyFile));
        if (!file.open(QIODevice::ReadOnly)) {
            err << "tributary-node: cannot read " << file.fileName() << ": " << file.errorString() << Qt::endl;
            return 2;
        }
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
        if (!document.isObject()) {
            err << "tributary-node: " << file.fileName() << " is not a JSON object"
                << (parseError.error != QJsonParseError::NoError
                           ? QStringLiteral(" (%1 at offset %2)").arg(parseError.errorString()).arg(parseError.offset)
                           : QString())
                << Qt::endl;
            return 2;
        }
        QString error;
        const std::optional<tributary::DevicePolicy> parsed = tributary::DevicePolicy::fromJson(document.object(), &error);
        if (!parsed) {
            err << "tributary-node: " << file.fileName() << ": " << error << Qt::endl;
            return 2;
        }
        policy = *parsed;
    }

    // The record of what this node ran and earned; the node runs without it if it cannot open.
    QString historyPath = setting(historyFile, config.history);
    if (historyPath.isEmpty())
        historyPath = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/history.sqlite");
    tributary::TaskHistory history(historyPath);
    std::unique_ptr<tributary::EarningsTracker> earnings;
    if (history.open()) {
        options.history = &history;
        earnings = std::make_unique<tributary::EarningsTracker>(options.coordinator, history);
        earnings->start();
    } else {
        err << "tributary-node: " << history.errorString() << "; running without a history" << Qt::endl;
    }

    tributary::ContributorRunner runner(engine, options);
    const tributary::engine::DeviceInfo *shared = engine.findDevice(options.deviceId.toStdString());
    tributary::DeviceSupervisor supervisor(runner.contributor(), options.deviceId, policy,
        shared ? QString::fromStdString(shared->pciBusId) : QString());
    err << "tributary-node: " << supervisor.sources() << Qt::endl;
    QObject::connect(&supervisor, &tributary::DeviceSupervisor::decisionChanged, &app,
                     [&out](const QString &deviceId, const QString &action, const QString &reason) {
                         out << "policy: " << deviceId << " " << action << " (" << reason << ")" << Qt::endl;
                     });
    int exitCode = 0;
    QObject::connect(runner.contributor(), &tributary::Contributor::stateChanged, &app,
                     [&out](tributary::Contributor::State state, const QString &detail) {
                         out << "state: " << tributary::Contributor::stateName(state)
                             << (detail.isEmpty() ? QString() : " (" + detail + ")") << Qt::endl;
                     });
    QObject::connect(runner.contributor(), &tributary::Contributor::taskFinished, &app,
                     [&out](const QString &taskId, const QString &, bool accepted, qint64 computeMs,
                            const QString &message) {
                         out << "task " << taskId << (accepted ? " accepted" : " not accepted") << " ("
                             << computeMs << " ms)" << (message.isEmpty() ? QString() : ": " + message)
                             << Qt::endl;
                     });
    QObject::connect(runner.contributor(), &tributary::Contributor::finished, &app,
                     [&err, &exitCode](bool completed, const QString &reason) {
                         if (!completed) {
                             err << "tributary-node: " << reason << Qt::endl;
                             exitCode = 1;
                         }
                         QCoreApplication::exit(exitCode);
                     });
    runner.start();
    const int loopCode = QCoreApplication::exec();
    return exitCode != 0 ? exitCode : loopCode;
}
