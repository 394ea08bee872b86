// Readings of non-NVIDIA GPUs and of the CPU from Linux sysfs and procfs: fake trees for
// amdgpu, Intel (i915, xe) and the CPU's sensors and counters, and the real /proc of this
// machine for CPU load.

#include "app/contributor/system/cpu_sysfs.h"
#include "app/contributor/system/gpu_sysfs.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <unistd.h>

using namespace tributary;

namespace {

const QString kBusId = QStringLiteral("0000:03:00.0");

bool writeFile(const QString &path, const QByteArray &content)
{
    if (!QDir().mkpath(QFileInfo(path).path()))
        return false;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(content + '\n') == content.size() + 1;
}

// <root>/bus/pci/devices/<id>, with its driver link pointing at a folder named after the driver.
QString makeGpu(const QString &root, const QString &driver, const QString &busId = kBusId)
{
    const QString device = root + QStringLiteral("/bus/pci/devices/") + busId;
    QDir().mkpath(device);
    if (!driver.isEmpty()) {
        const QString driverDir = root + QStringLiteral("/bus/pci/drivers/") + driver;
        QDir().mkpath(driverDir);
        QFile::link(driverDir, device + QStringLiteral("/driver"));
    }
    return device;
}

} // namespace

class DeviceSysfsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void amdgpu()
    {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        const QString device = makeGpu(root.path(), QStringLiteral("amdgpu"));
        QVERIFY(writeFile(device + "/gpu_busy_percent", "42"));
        QVERIFY(writeFile(device + "/mem_info_vram_used", "1073741824"));
        QVERIFY(writeFile(device + "/mem_info_vram_total", "8589934592"));
        // amdgpu numbers edge first; the label, not the number, must pick it.
        QVERIFY(writeFile(device + "/hwmon/hwmon3/temp1_label", "junction"));
        QVERIFY(writeFile(device + "/hwmon/hwmon3/temp1_input", "81000"));
        QVERIFY(writeFile(device + "/hwmon/hwmon3/temp2_label", "edge"));
        QVERIFY(writeFile(device + "/hwmon/hwmon3/temp2_input", "65000"));
        QVERIFY(writeFile(device + "/hwmon/hwmon3/power1_average", "123000000"));
        QVERIFY(writeFile(device + "/hwmon/hwmon3/power1_cap", "250000000"));

        GpuSysfs gpu(kBusId, root.path());
        QVERIFY(gpu.found());
        QCOMPARE(gpu.driver(), QStringLiteral("amdgpu"));
        QCOMPARE(gpu.source(), QStringLiteral("amdgpu via %1").arg(device));
        const GpuSysfsReading reading = gpu.read();
        QVERIFY(reading.temperatureC);
        QCOMPARE(*reading.temperatureC, 65.0);
        QVERIFY(reading.powerW);
        QCOMPARE(*reading.powerW, 123.0);
        QVERIFY(reading.utilizationPercent);
        QCOMPARE(*reading.utilizationPercent, 42.0);
        QCOMPARE(reading.memoryUsedBytes, std::optional<quint64>(1073741824ULL));
        QCOMPARE(reading.memoryTotalBytes, std::optional<quint64>(8589934592ULL));

        // Readings are taken anew on each read().
        QVERIFY(writeFile(device + "/gpu_busy_percent", "7"));
        QCOMPARE(gpu.read().utilizationPercent, std::optional<double>(7.0));
    }

    void amdgpuPowerInputOnly()
    {
        QTemporaryDir root;
        const QString device = makeGpu(root.path(), QStringLiteral("amdgpu"));
        QVERIFY(writeFile(device + "/hwmon/hwmon0/temp1_input", "48000")); // no labels at all
        QVERIFY(writeFile(device + "/hwmon/hwmon0/power1_input", "45500000"));
        GpuSysfs gpu(QStringLiteral("0000:03:00.0"), root.path());
        const GpuSysfsReading reading = gpu.read();
        QCOMPARE(reading.powerW, std::optional<double>(45.5));
        QCOMPARE(reading.temperatureC, std::optional<double>(48.0));
        QVERIFY(!reading.utilizationPercent);
        QVERIFY(!reading.memoryUsedBytes);
    }

    void intelEnergyCounter_data()
    {
        QTest::addColumn<QString>("driver");
        QTest::addColumn<QString>("temperatureFile"); // empty: none
        QTest::newRow("i915 (no temperature)") << "i915"
                                               << "";
        QTest::newRow("xe (package sensor temp2)") << "xe"
                                                   << "temp2_input";
    }

    void intelEnergyCounter()
    {
        QFETCH(QString, driver);
        QFETCH(QString, temperatureFile);
        QTemporaryDir root;
        const QString device = makeGpu(root.path(), driver);
        const QString hwmon = device + "/hwmon/hwmon5";
        QVERIFY(writeFile(hwmon + "/power1_max", "150000000")); // a limit, not a reading
        QVERIFY(writeFile(hwmon + "/energy1_input", "5000000000"));
        if (!temperatureFile.isEmpty())
            QVERIFY(writeFile(hwmon + '/' + temperatureFile, "55000"));

        qint64 nowMs = 10'000;
        GpuSysfs gpu(kBusId, root.path(), [&nowMs] { return nowMs; });
        QCOMPARE(gpu.driver(), driver);
        GpuSysfsReading reading = gpu.read();
        QVERIFY2(!reading.powerW, "one sample of a counter gives no power");
        QVERIFY(!reading.utilizationPercent);
        QVERIFY(!reading.memoryTotalBytes);
        if (temperatureFile.isEmpty())
            QVERIFY(!reading.temperatureC);
        else
            QCOMPARE(reading.temperatureC, std::optional<double>(55.0));

        // 15 J in 500 ms: 30 W.
        nowMs += 500;
        QVERIFY(writeFile(hwmon + "/energy1_input", "5015000000"));
        reading = gpu.read();
        QVERIFY(reading.powerW);
        QCOMPARE(*reading.powerW, 30.0);

        // Read again at once: no time passed, no power; the next read measures from the
        // older sample. 12 J more in 1 s from it: 12 W.
        QVERIFY(!gpu.read().powerW);
        nowMs += 1000;
        QVERIFY(writeFile(hwmon + "/energy1_input", "5027000000"));
        QCOMPARE(gpu.read().powerW, std::optional<double>(12.0));

        // A counter that went back (driver reloaded) gives nothing once, then works again.
        nowMs += 1000;
        QVERIFY(writeFile(hwmon + "/energy1_input", "1000"));
        QVERIFY(!gpu.read().powerW);
        nowMs += 250;
        QVERIFY(writeFile(hwmon + "/energy1_input", "2001000"));
        QCOMPARE(gpu.read().powerW, std::optional<double>(8.0));
    }

    void deviceMissing()
    {
        QTemporaryDir root;
        makeGpu(root.path(), QStringLiteral("amdgpu"));
        GpuSysfs gpu(QStringLiteral("0000:07:00.0"), root.path());
        QVERIFY(!gpu.found());
        QVERIFY(gpu.driver().isEmpty());
        QVERIFY2(gpu.source().startsWith(QStringLiteral("no sysfs device 0000:07:00.0")),
            qPrintable(gpu.source()));
        const GpuSysfsReading reading = gpu.read();
        QVERIFY(!reading.temperatureC && !reading.powerW && !reading.utilizationPercent
            && !reading.memoryUsedBytes);
    }

    void invalidBusId_data()
    {
        QTest::addColumn<QString>("busId");
        QTest::newRow("empty") << "";
        QTest::newRow("no function") << "0000:03:00";
        QTest::newRow("escapes the folder") << "../../../etc";
        QTest::newRow("words") << "the first GPU";
    }

    void invalidBusId()
    {
        QFETCH(QString, busId);
        QTemporaryDir root;
        makeGpu(root.path(), QStringLiteral("amdgpu"));
        GpuSysfs gpu(busId, root.path());
        QVERIFY(!gpu.found());
        QVERIFY2(gpu.source().contains(QStringLiteral("invalid PCI bus id \"%1\"").arg(busId)),
            qPrintable(gpu.source()));
    }

    void upperCaseBusId()
    {
        QTemporaryDir root;
        const QString device = makeGpu(root.path(), QStringLiteral("radeon"), QStringLiteral("0000:0a:00.0"));
        GpuSysfs gpu(QStringLiteral("0000:0A:00.0"), root.path());
        QVERIFY(gpu.found());
        QCOMPARE(gpu.driver(), QStringLiteral("radeon"));
        // No hwmon folder: found, with nothing to read, and the source says so.
        QVERIFY2(gpu.source().contains(QStringLiteral("no hwmon")), qPrintable(gpu.source()));
        QVERIFY(!gpu.read().temperatureC);
    }

    void otherDriverHwmon()
    {
        QTemporaryDir root;
        const QString device = makeGpu(root.path(), QStringLiteral("nouveau"));
        QVERIFY(writeFile(device + "/hwmon/hwmon1/temp1_input", "39000"));
        QVERIFY(writeFile(device + "/hwmon/hwmon1/power1_input", "18250000"));
        GpuSysfs gpu(kBusId, root.path());
        const GpuSysfsReading reading = gpu.read();
        QCOMPARE(reading.temperatureC, std::optional<double>(39.0));
        QCOMPARE(reading.powerW, std::optional<double>(18.25));
    }

    void garbageIsUnsetNotZero()
    {
        QTemporaryDir root;
        const QString device = makeGpu(root.path(), QString()); // and no driver bound
        QVERIFY(writeFile(device + "/gpu_busy_percent", "n/a"));
        QVERIFY(writeFile(device + "/mem_info_vram_used", "-5"));
        QVERIFY(writeFile(device + "/mem_info_vram_total", ""));
        QVERIFY(writeFile(device + "/hwmon/hwmon0/temp1_input", "hot"));
        QVERIFY(writeFile(device + "/hwmon/hwmon0/power1_average", "12 W"));
        GpuSysfs gpu(kBusId, root.path());
        QVERIFY(gpu.found());
        QVERIFY(gpu.driver().isEmpty());
        QVERIFY2(gpu.source().startsWith(QStringLiteral("no driver bound via")), qPrintable(gpu.source()));
        const GpuSysfsReading reading = gpu.read();
        QVERIFY(!reading.utilizationPercent);
        QVERIFY(!reading.memoryUsedBytes);
        QVERIFY(!reading.memoryTotalBytes);
        QVERIFY(!reading.temperatureC);
        QVERIFY(!reading.powerW);

        QVERIFY(writeFile(device + "/gpu_busy_percent", "250")); // out of range
        QVERIFY(!gpu.read().utilizationPercent);
    }

    void realPciDevices()
    {
        const QDir devices(QStringLiteral("/sys/bus/pci/devices"));
        const QStringList ids = devices.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        if (ids.isEmpty())
            QSKIP("this machine has no PCI devices in sysfs");
        for (const QString &id : ids) {
            GpuSysfs device(id);
            QVERIFY2(device.found(), qPrintable(device.source()));
            const QString link = QFile::symLinkTarget(devices.filePath(id) + QStringLiteral("/driver"));
            QCOMPARE(device.driver(), link.isEmpty() ? QString() : QFileInfo(link).fileName());
        }
    }

    void cpuLoadFromProcStat()
    {
        QTemporaryDir proc;
        QTemporaryDir sys;
        // user nice system idle iowait irq softirq steal guest guest_nice
        QVERIFY(writeFile(proc.filePath("stat"),
            "cpu  1000 0 500 8000 500 0 0 0 200 0\ncpu0 1000 0 500 8000 500 0 0 0 200 0"));
        CpuSysfs cpu(sys.path(), proc.path());
        QVERIFY2(!cpu.read().utilizationPercent, "the first read has no earlier sample");
        // 100 ticks: 30 user (20 of them a guest's, already counted in user), 10 system,
        // 5 irq, 5 steal, 40 idle, 10 iowait: 50 % busy.
        QVERIFY(writeFile(proc.filePath("stat"), "cpu  1030 0 510 8040 510 5 0 5 220 0"));
        CpuReading reading = cpu.read();
        QVERIFY(reading.utilizationPercent);
        QCOMPARE(*reading.utilizationPercent, 50.0);
        QVERIFY2(cpu.source().startsWith(QStringLiteral("load: %1;").arg(proc.filePath("stat"))),
            qPrintable(cpu.source()));

        // Fully busy, then fully idle.
        QVERIFY(writeFile(proc.filePath("stat"), "cpu  1130 0 510 8040 510 5 0 5 220 0"));
        QCOMPARE(cpu.read().utilizationPercent, std::optional<double>(100.0));
        QVERIFY(writeFile(proc.filePath("stat"), "cpu  1130 0 510 8140 510 5 0 5 220 0"));
        QCOMPARE(cpu.read().utilizationPercent, std::optional<double>(0.0));

        // Garbage: unset, the source says why, and the next good line starts over.
        QVERIFY(writeFile(proc.filePath("stat"), "intr 12345"));
        QVERIFY(!cpu.read().utilizationPercent);
        QVERIFY2(cpu.source().contains(QStringLiteral("does not start with a \"cpu\" line")),
            qPrintable(cpu.source()));
        QVERIFY(writeFile(proc.filePath("stat"), "cpu  1130 0 510 8140 510 5 0 5 220 0"));
        QVERIFY(!cpu.read().utilizationPercent);
    }

    void cpuTemperature_data()
    {
        QTest::addColumn<QString>("driver");
        QTest::addColumn<QStringList>("sensors"); // "label=millidegrees", in tempN order
        QTest::addColumn<double>("expected");
        QTest::newRow("k10temp Tctl")
            << "k10temp" << QStringList { "Tctl=71500", "=0", "Tccd1=60250" } << 71.5;
        QTest::newRow("k10temp without labels") << "k10temp" << QStringList { "=66000" } << 66.0;
        QTest::newRow("zenpower Tctl, not Tdie")
            << "zenpower" << QStringList { "Tdie=60000", "Tctl=70000" } << 70.0;
        QTest::newRow("coretemp Package id 0")
            << "coretemp" << QStringList { "Package id 0=62000", "Core 0=70000", "Core 1=58000" } << 62.0;
        QTest::newRow("coretemp without package: hottest core")
            << "coretemp" << QStringList { "Core 0=57000", "Core 1=70000" } << 70.0;
        QTest::newRow("cpu_thermal (ARM)") << "cpu_thermal" << QStringList { "=48312" } << 48.312;
    }

    void cpuTemperature()
    {
        QFETCH(QString, driver);
        QFETCH(QStringList, sensors);
        QFETCH(double, expected);
        QTemporaryDir sys;
        QTemporaryDir proc;
        // Other hwmon devices, hotter, that must not be taken for the CPU.
        QVERIFY(writeFile(sys.filePath("class/hwmon/hwmon0/name"), "acpitz"));
        QVERIFY(writeFile(sys.filePath("class/hwmon/hwmon0/temp1_input"), "95000"));
        QVERIFY(writeFile(sys.filePath("class/hwmon/hwmon1/name"), "amdgpu"));
        QVERIFY(writeFile(sys.filePath("class/hwmon/hwmon1/temp1_input"), "90000"));
        const QString hwmon = sys.filePath("class/hwmon/hwmon4");
        QVERIFY(writeFile(hwmon + "/name", driver.toLatin1()));
        for (int i = 0; i < sensors.size(); ++i) {
            const QString label = sensors[i].section('=', 0, 0);
            if (!label.isEmpty())
                QVERIFY(writeFile(hwmon + QStringLiteral("/temp%1_label").arg(i + 1), label.toLatin1()));
            QVERIFY(writeFile(
                hwmon + QStringLiteral("/temp%1_input").arg(i + 1), sensors[i].section('=', 1).toLatin1()));
        }
        CpuSysfs cpu(sys.path(), proc.path());
        const CpuReading reading = cpu.read();
        QVERIFY(reading.temperatureC);
        QCOMPARE(*reading.temperatureC, expected);
        QVERIFY2(cpu.source().contains(QStringLiteral("temperature: %1 (hwmon4)").arg(driver)),
            qPrintable(cpu.source()));
        QVERIFY2(cpu.source().contains(QStringLiteral("load: none (cannot read")), qPrintable(cpu.source()));
    }

    void cpuTemperatureHottestSocket()
    {
        QTemporaryDir sys;
        for (const auto &[hwmon, value] :
            { std::pair { "hwmon2", "61000" }, std::pair { "hwmon3", "68000" } }) {
            const QString dir = sys.filePath(QStringLiteral("class/hwmon/") + QLatin1String(hwmon));
            QVERIFY(writeFile(dir + "/name", "coretemp"));
            QVERIFY(writeFile(dir + "/temp1_label", "Package id 0"));
            QVERIFY(writeFile(dir + "/temp1_input", value));
        }
        CpuSysfs cpu(sys.path(), sys.path());
        QCOMPARE(cpu.read().temperatureC, std::optional<double>(68.0));
    }

    void cpuNoTemperatureSensor()
    {
        QTemporaryDir sys;
        QVERIFY(writeFile(sys.filePath("class/hwmon/hwmon0/name"), "nvme"));
        QVERIFY(writeFile(sys.filePath("class/hwmon/hwmon0/temp1_input"), "40000"));
        CpuSysfs cpu(sys.path(), sys.path());
        QVERIFY(!cpu.read().temperatureC);
        QVERIFY2(cpu.source().contains(QStringLiteral("temperature: none")), qPrintable(cpu.source()));
    }

    void raplWithWrapAround()
    {
        QTemporaryDir sys;
        const QString zone = sys.filePath("class/powercap/intel-rapl:0");
        QVERIFY(writeFile(zone + "/name", "package-0"));
        QVERIFY(writeFile(zone + "/max_energy_range_uj", "262143328850"));
        QVERIFY(writeFile(zone + "/energy_uj", "262100000000"));
        // A subzone (the cores, inside the package) and the platform zone: not added.
        QVERIFY(writeFile(sys.filePath("class/powercap/intel-rapl:0:0/name"), "core"));
        QVERIFY(writeFile(sys.filePath("class/powercap/intel-rapl:0:0/energy_uj"), "1"));
        QVERIFY(writeFile(sys.filePath("class/powercap/intel-rapl:1/name"), "psys"));
        QVERIFY(writeFile(sys.filePath("class/powercap/intel-rapl:1/energy_uj"), "1"));

        qint64 nowMs = 0;
        CpuSysfs cpu(sys.path(), sys.path(), [&nowMs] { return nowMs; });
        QVERIFY2(cpu.source().endsWith(QStringLiteral("power: RAPL package-0")), qPrintable(cpu.source()));
        QVERIFY(!cpu.read().powerW);

        // 30 J in 1 s.
        nowMs += 1000;
        QVERIFY(writeFile(zone + "/energy_uj", "262130000000"));
        QVERIFY(writeFile(sys.filePath("class/powercap/intel-rapl:0:0/energy_uj"), "999999999"));
        QVERIFY(writeFile(sys.filePath("class/powercap/intel-rapl:1/energy_uj"), "999999999"));
        QCOMPARE(cpu.read().powerW, std::optional<double>(30.0));

        // 13,328,850 uJ up to the top of the range, then 11,671,150 past zero: 25 J in 1 s.
        nowMs += 1000;
        QVERIFY(writeFile(zone + "/energy_uj", "11671150"));
        CpuReading reading = cpu.read();
        QVERIFY(reading.powerW);
        QCOMPARE(*reading.powerW, 25.0);

        // A second package adds up (its counter starts with the next sample).
        QVERIFY(writeFile(sys.filePath("class/powercap/intel-rapl:2/name"), "package-1"));
        QVERIFY(writeFile(sys.filePath("class/powercap/intel-rapl:2/max_energy_range_uj"), "262143328850"));
        QVERIFY(writeFile(sys.filePath("class/powercap/intel-rapl:2/energy_uj"), "1000000"));
        CpuSysfs twoSockets(sys.path(), sys.path(), [&nowMs] { return nowMs; });
        QVERIFY2(twoSockets.source().endsWith(QStringLiteral("power: RAPL package-0 + package-1")),
            qPrintable(twoSockets.source()));
        QVERIFY(!twoSockets.read().powerW);
        nowMs += 2000;
        QVERIFY(writeFile(zone + "/energy_uj", "51671150")); // 40 J
        QVERIFY(writeFile(sys.filePath("class/powercap/intel-rapl:2/energy_uj"), "21000000")); // 20 J
        QCOMPARE(twoSockets.read().powerW, std::optional<double>(30.0));
    }

    void raplUnreadable()
    {
        QTemporaryDir sys;
        const QString zone = sys.filePath("class/powercap/intel-rapl:0");
        QVERIFY(writeFile(zone + "/name", "package-0")); // energy_uj missing
        qint64 nowMs = 0;
        CpuSysfs cpu(sys.path(), sys.path(), [&nowMs] { return nowMs; });
        QVERIFY(!cpu.read().powerW);
        nowMs += 1000;
        QVERIFY(!cpu.read().powerW);
        QVERIFY2(cpu.source().contains(QStringLiteral("power: none (cannot read %1/energy_uj)").arg(zone)),
            qPrintable(cpu.source()));

        // It becomes readable: power again after two reads.
        QVERIFY(writeFile(zone + "/energy_uj", "1000000"));
        QVERIFY(!cpu.read().powerW);
        QVERIFY2(cpu.source().endsWith(QStringLiteral("power: RAPL package-0")), qPrintable(cpu.source()));
        nowMs += 1000;
        QVERIFY(writeFile(zone + "/energy_uj", "6000000"));
        QCOMPARE(cpu.read().powerW, std::optional<double>(5.0));

        // Garbage in the counter.
        nowMs += 1000;
        QVERIFY(writeFile(zone + "/energy_uj", "lots"));
        QVERIFY(!cpu.read().powerW);
        QVERIFY2(cpu.source().contains(QStringLiteral("does not hold a number")), qPrintable(cpu.source()));
    }

    void raplRootOnly()
    {
        if (::geteuid() == 0)
            QSKIP("root reads files whatever their permissions");
        QTemporaryDir sys;
        const QString zone = sys.filePath("class/powercap/intel-rapl:0");
        QVERIFY(writeFile(zone + "/name", "package-0"));
        QVERIFY(writeFile(zone + "/energy_uj", "1000000"));
        QVERIFY(QFile::setPermissions(zone + "/energy_uj", QFileDevice::Permissions()));
        CpuSysfs cpu(sys.path(), sys.path());
        QVERIFY2(cpu.source().contains(QStringLiteral("energy_uj is readable by root only")),
            qPrintable(cpu.source()));
        QVERIFY(!cpu.read().powerW);
    }

    void noRapl()
    {
        QTemporaryDir sys;
        CpuSysfs cpu(sys.path(), sys.path());
        QVERIFY(!cpu.read().powerW);
        QVERIFY2(cpu.source().contains(QStringLiteral("power: none (no RAPL package zone under")),
            qPrintable(cpu.source()));
    }

    void realMachine()
    {
        CpuSysfs cpu;
        QVERIFY(!cpu.read().utilizationPercent);
        QThread::msleep(50);
        const CpuReading reading = cpu.read();
        QVERIFY2(reading.utilizationPercent, qPrintable(cpu.source()));
        QVERIFY2(*reading.utilizationPercent >= 0.0 && *reading.utilizationPercent <= 100.0,
            qPrintable(QString::number(*reading.utilizationPercent)));
        QVERIFY2(cpu.source().startsWith(QStringLiteral("load: /proc/stat;")), qPrintable(cpu.source()));
        qInfo("%s", qPrintable(cpu.source()));
        if (reading.temperatureC)
            qInfo("CPU temperature %.1f C", *reading.temperatureC);
    }
};

QTEST_GUILESS_MAIN(DeviceSysfsTest)

#include "device_sysfs_test.moc"
