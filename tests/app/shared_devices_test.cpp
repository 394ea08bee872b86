// Every device of the machine under its own policy: the LocalNetwork with its real
// embedded coordinator (loopback gRPC, SQLite in a temporary folder) and the engine's real
// devices (the CPU, and lavapipe's Vulkan device where Mesa is installed).
//
// - The policies file: saved atomically, read back, and a bad one refused with the field
//   named, kept aside rather than overwritten.
// - On a first start only the best device is shared; switching another on starts its
//   contributor at once, and the choice survives a restart.
// - Each shared device reports a reading a second for the dashboards.
// - "Another program keeps the GPU busy" is told from the device's utilization once
//   Tributary itself has stopped computing on it.

#include "app/local/local_network.h"
#include "app/settings/connection_settings.h"
#include "app/settings/policy_store.h"
#include "coordinator/coordinator.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace tributary;

class SharedDevicesTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void policyStoreSavesAndReadsBack();
    void badPolicyFileIsKeptAndNamed();
    void onlyTheBestDeviceIsSharedAtFirstAndASwitchApplies();
    void sharedDevicesReportReadings();
    void othersUtilizationCountsOnlyWhileTributaryRests();
    void joinsARemoteCoordinatorInsteadOfStartingOne();
    void connectionSettingsKeepTheChoice();
};

void SharedDevicesTest::policyStoreSavesAndReadsBack()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("nested/policies.json"));
    PolicyStore store(path);
    QString error;
    QVERIFY2(store.load(&error), qPrintable(error)); // no file yet: empty, fine
    QVERIFY(store.isEmpty());

    DevicePolicy gpu;
    gpu.enabled = true;
    gpu.when = DevicePolicy::When::Schedule;
    gpu.schedule = { ScheduleWindow { { Qt::Friday }, QTime(22, 0), QTime(7, 0) } };
    gpu.temperatureLimitC = 75;
    DevicePolicy cpu;
    cpu.enabled = false;
    QVERIFY2(store.setPolicy(QStringLiteral("vulkan:0"), gpu, &error), qPrintable(error));
    QVERIFY2(store.setPolicy(QStringLiteral("cpu:0"), cpu, &error), qPrintable(error));

    PolicyStore again(path);
    QVERIFY2(again.load(&error), qPrintable(error));
    QCOMPARE(again.policies().size(), 2);
    QVERIFY(again.policy(QStringLiteral("vulkan:0")) == gpu);
    QVERIFY(again.policy(QStringLiteral("cpu:0")) == cpu);
    QVERIFY(!again.policy(QStringLiteral("cuda:0")));
}

void SharedDevicesTest::badPolicyFileIsKeptAndNamed()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("policies.json"));
    const QByteArray written
        = R"({"version": 1, "devices": {"cuda:0": {"enabled": true, "temperatureLimitC": 300}}})";
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(written);
    }
    PolicyStore store(path);
    QString error;
    QVERIFY(!store.load(&error));
    QVERIFY2(error.contains(QStringLiteral("policies.json")) && error.contains(QStringLiteral("\"cuda:0\""))
                 && error.contains(QStringLiteral("temperatureLimitC")),
        qPrintable(error));
    QVERIFY(store.isEmpty());

    // The next save keeps the user's file aside instead of writing over it.
    DevicePolicy policy;
    policy.enabled = true;
    QVERIFY2(store.setPolicy(QStringLiteral("cpu:0"), policy, &error), qPrintable(error));
    QFile aside(path + QStringLiteral(".invalid"));
    QVERIFY(aside.open(QIODevice::ReadOnly));
    QCOMPARE(aside.readAll(), written);
    PolicyStore again(path);
    QVERIFY2(again.load(&error), qPrintable(error));
    QVERIFY(again.policy(QStringLiteral("cpu:0")) == policy);

    // Not JSON at all, and a version from the future, are named too.
    for (const QByteArray &bad : { QByteArray("{ not json"), QByteArray(R"({"version": 9})") }) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(bad);
        file.close();
        QVERIFY(!again.load(&error));
        QVERIFY2(error.startsWith(QStringLiteral("policies.json: ")), qPrintable(error));
    }
}

void SharedDevicesTest::onlyTheBestDeviceIsSharedAtFirstAndASwitchApplies()
{
    QTemporaryDir dir;
    const QString database = dir.filePath(QStringLiteral("local.db"));
    QString other;
    {
        LocalNetwork network({ database, {}, {}, {} });
        QString error;
        QVERIFY2(network.start(&error), qPrintable(error));
        int usable = 0;
        for (const engine::DeviceInfo &device : network.engine().devices())
            usable += device.available ? 1 : 0;
        QCOMPARE(int(network.devices().size()), usable);
        for (const auto &device : network.devices()) {
            const bool best = device->deviceId() == network.contributorDeviceId();
            QCOMPARE(device->policy().enabled, best);
            // A device never switched on has no contributor: nothing registered, nothing opened.
            QCOMPARE(device->contributor() != nullptr, best);
            if (!best)
                other = device->deviceId();
        }
        if (other.isEmpty())
            QSKIP("this machine has one usable device (install mesa-vulkan-drivers for lavapipe)");

        QSignalSpy states(&network, &LocalNetwork::deviceStateChanged);
        DevicePolicy on = network.device(other)->policy();
        on.enabled = true;
        QVERIFY2(network.setDevicePolicy(other, on, &error), qPrintable(error));
        QVERIFY(network.device(other)->contributor());
        QTRY_VERIFY_WITH_TIMEOUT(network.device(other)->state() == Contributor::State::Idle, 15000);
        const bool reported = std::any_of(states.begin(), states.end(),
            [&](const QList<QVariant> &state) { return state.at(0).toString() == other; });
        QVERIFY(reported);
        QVERIFY(!network.setDevicePolicy(QStringLiteral("cuda:42"), on, &error));
        QVERIFY2(error.contains(QStringLiteral("cuda:42")), qPrintable(error));
    }
    // The switch was saved: a restart shares the device again.
    LocalNetwork restarted({ database, {}, {}, {} });
    QString error;
    QVERIFY2(restarted.start(&error), qPrintable(error));
    QVERIFY(restarted.device(other)->policy().enabled);
    QVERIFY(restarted.device(other)->contributor());
}

void SharedDevicesTest::sharedDevicesReportReadings()
{
    QTemporaryDir dir;
    LocalNetwork network({ dir.filePath(QStringLiteral("local.db")), QStringLiteral("cpu:0"), {}, {} });
    QSignalSpy readings(&network, &LocalNetwork::deviceReading);
    QString error;
    QVERIFY2(network.start(&error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(readings.size() >= 2, 5000);
    const auto reading = readings.last().at(1).value<DeviceReading>();
    QCOMPARE(readings.last().at(0).toString(), QStringLiteral("cpu:0"));
    QVERIFY(reading.utilizationPercent >= 0 && reading.utilizationPercent <= 100);
    QVERIFY(qAbs(reading.atMs - QDateTime::currentMSecsSinceEpoch()) < 5000);
    QVERIFY(!reading.temperatureC); // the CPU device reports none; never a made-up zero
}

void SharedDevicesTest::othersUtilizationCountsOnlyWhileTributaryRests()
{
    DevicePolicy policy;
    policy.enabled = true;
    policy.gpuBusyUtilizationPercent = 20;
    DeviceSupervisor supervisor(nullptr, QStringLiteral("cuda:0"), policy);
    supervisor.setComputing(true);
    supervisor.setInputsReader([] {
        PolicyInputs inputs;
        inputs.now = QDateTime::currentDateTime();
        inputs.deviceUtilizationPercent = 95; // Tributary's own load, while it computes
        return inputs;
    });
    QCOMPARE(supervisor.decision().action, PolicyDecision::Action::Run);

    // Tributary stops; the load stays. Right after, NVML's sample may still be ours.
    supervisor.setComputing(false);
    supervisor.evaluate();
    QCOMPARE(supervisor.decision().action, PolicyDecision::Action::Run);
    // Once that has passed, the load is someone else's: the device pauses for them.
    QTRY_COMPARE_WITH_TIMEOUT(supervisor.decision().action, PolicyDecision::Action::Pause, 5000);
    QVERIFY2(supervisor.decision().reason.contains(QStringLiteral("95")), qPrintable(supervisor.decision().reason));
}

void SharedDevicesTest::joinsARemoteCoordinatorInsteadOfStartingOne()
{
    QTemporaryDir dir;
    coordinator::CoordinatorOptions options;
    options.databasePath = dir.filePath(QStringLiteral("remote.db")).toStdString();
    coordinator::Coordinator remote(options);
    QVERIFY(remote.start());
    std::string accountId, token;
    QVERIFY(remote.createAccount("contributor", false, &accountId, &token));

    const QString localDatabase = dir.filePath(QStringLiteral("local/local.db"));
    LocalNetwork network({ localDatabase, QStringLiteral("cpu:0"), {}, {} });
    network.setRemoteCoordinator({ QString::fromStdString(remote.address()), QString::fromStdString(token), {} });
    QString error;
    QVERIFY2(network.start(&error), qPrintable(error));
    QVERIFY(network.isRemote());
    QCOMPARE(network.coordinatorAddress(), QString::fromStdString(remote.address()));
    QTRY_VERIFY_WITH_TIMEOUT(network.device(QStringLiteral("cpu:0"))->state() == Contributor::State::Idle, 15000);
    // No embedded coordinator was started: no local database beside the history.
    QVERIFY(!QFile::exists(localDatabase));
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("local/history.sqlite"))));
}

void SharedDevicesTest::connectionSettingsKeepTheChoice()
{
    QTemporaryDir dir;
    const QString ini = dir.filePath(QStringLiteral("tributary.conf"));
    {
        ConnectionSettings settings(ini);
        QVERIFY(!settings.firstRunDone());
        QVERIFY(settings.useLocalNetwork());
        settings.setFirstRunDone(true);
        settings.setCoordinator(QStringLiteral("coordinator.example:7443"));
        QString error;
        QVERIFY2(settings.sync(&error), qPrintable(error));
    }
    ConnectionSettings settings(ini);
    QVERIFY(settings.firstRunDone());
    QVERIFY(!settings.useLocalNetwork());
    QCOMPARE(settings.coordinatorAddress(), QStringLiteral("coordinator.example:7443"));
    settings.setCoordinator({});
    QVERIFY(settings.useLocalNetwork());
    // The token is never among the settings: it lives in the keychain.
    QFile file(ini);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().toLower().contains("token"));
}

QTEST_GUILESS_MAIN(SharedDevicesTest)
#include "shared_devices_test.moc"
