#include "app/contributor/system/gpu_sysfs.h"

#include "app/contributor/system/sysfs_file.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

namespace tributary {

namespace {

// The N of each "<prefix>N<suffix>" file in a hwmon folder, ascending: temp1_input, temp2_input...
QList<int> channels(const QString &hwmon, const QString &prefix, const QString &suffix)
{
    QList<int> numbers;
    const QStringList names = QDir(hwmon).entryList({ prefix + QLatin1Char('*') + suffix }, QDir::Files);
    for (const QString &name : names) {
        bool ok = false;
        const int n = name.mid(prefix.size(), name.size() - prefix.size() - suffix.size()).toInt(&ok);
        if (ok)
            numbers.append(n);
    }
    std::sort(numbers.begin(), numbers.end());
    return numbers;
}

} // namespace

GpuSysfs::GpuSysfs(QString pciBusId, QString sysRoot, std::function<qint64()> nowMs)
    : m_pciBusId(pciBusId.trimmed().toLower())
    , m_nowMs(nowMs ? std::move(nowMs) : std::function<qint64()>(sysfs::steadyNowMs))
{
    // Checked before it becomes part of a path, so "../x" cannot leave the PCI folder.
    static const QRegularExpression busId(QStringLiteral("^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]$"));
    if (!busId.match(m_pciBusId).hasMatch()) {
        m_source = QStringLiteral(
            "invalid PCI bus id \"%1\" (expected domain:bus:device.function, e.g. 0000:03:00.0)")
                       .arg(pciBusId);
        return;
    }
    const QString devicePath = QDir(sysRoot).filePath(QStringLiteral("bus/pci/devices/") + m_pciBusId);
    if (!QFileInfo(devicePath).isDir()) {
        m_source = QStringLiteral("no sysfs device %1 (%2 is missing)").arg(m_pciBusId, devicePath);
        return;
    }
    m_devicePath = devicePath;

    const QString driverLink = QFile::symLinkTarget(QDir(devicePath).filePath(QStringLiteral("driver")));
    if (!driverLink.isEmpty())
        m_driver = QFileInfo(driverLink).fileName();

    const QDir hwmonDir(QDir(devicePath).filePath(QStringLiteral("hwmon")));
    for (const QString &name :
        hwmonDir.entryList({ QStringLiteral("hwmon*") }, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        m_hwmonPaths.append(hwmonDir.filePath(name));

    m_source = QStringLiteral("%1 via %2")
                   .arg(m_driver.isEmpty() ? QStringLiteral("no driver bound") : m_driver, devicePath);
    if (m_hwmonPaths.isEmpty())
        m_source += QStringLiteral(" (no hwmon: no temperature or power)");
}

bool GpuSysfs::found() const
{
    return !m_devicePath.isEmpty();
}

QString GpuSysfs::source() const
{
    return m_source;
}

QString GpuSysfs::driver() const
{
    return m_driver;
}

GpuSysfsReading GpuSysfs::read()
{
    GpuSysfsReading reading;
    if (!found())
        return reading;
    const QDir device(m_devicePath);

    // amdgpu's files; other drivers do not have them, and then they stay unset.
    if (const std::optional<qint64> busy = sysfs::readInteger(device.filePath(QStringLiteral("gpu_busy_percent")));
        busy && *busy >= 0 && *busy <= 100)
        reading.utilizationPercent = double(*busy);
    reading.memoryUsedBytes = sysfs::readUnsigned(device.filePath(QStringLiteral("mem_info_vram_used")));
    reading.memoryTotalBytes = sysfs::readUnsigned(device.filePath(QStringLiteral("mem_info_vram_total")));

    reading.temperatureC = readTemperatureC();
    reading.powerW = readPowerW();
    return reading;
}

std::optional<double> GpuSysfs::readTemperatureC() const
{
    const auto celsius = [](const QString &path) -> std::optional<double> {
        if (const std::optional<qint64> milli = sysfs::readInteger(path))
            return double(*milli) / 1000.0;
        return std::nullopt;
    };
    const QString input = QStringLiteral("temp%1_input");
    // amdgpu labels its sensors edge, junction and mem; edge is the one its fan curve and
    // other tools show, and what a user's limit is set against.
    for (const QString &hwmon : m_hwmonPaths) {
        const QDir dir(hwmon);
        for (int n : channels(hwmon, QStringLiteral("temp"), QStringLiteral("_label"))) {
            if (sysfs::readText(dir.filePath(QStringLiteral("temp%1_label").arg(n))) == QLatin1String("edge"))
                return celsius(dir.filePath(input.arg(n)));
        }
    }
    for (const QString &hwmon : m_hwmonPaths) {
        const QList<int> temps = channels(hwmon, QStringLiteral("temp"), QStringLiteral("_input"));
        if (!temps.isEmpty()) // temp1 where there is one; xe numbers its package sensor 2
            return celsius(QDir(hwmon).filePath(input.arg(temps.first())));
    }
    return std::nullopt;
}

std::optional<double> GpuSysfs::readPowerW()
{
    // A power reading the driver averages itself (microwatts) is better than ours.
    for (const QString &hwmon : m_hwmonPaths) {
        const QDir dir(hwmon);
        for (const char *name : { "power1_average", "power1_input" }) {
            const QString path = dir.filePath(QString::fromLatin1(name));
            if (QFileInfo::exists(path)) {
                if (const std::optional<qint64> microwatts = sysfs::readInteger(path);
                    microwatts && *microwatts >= 0)
                    return double(*microwatts) / 1e6;
                return std::nullopt;
            }
        }
    }

    // Intel's drivers give a cumulative energy counter (microjoules) instead.
    for (const QString &hwmon : m_hwmonPaths) {
        const QList<int> counters = channels(hwmon, QStringLiteral("energy"), QStringLiteral("_input"));
        if (counters.isEmpty())
            continue;
        const std::optional<quint64> energyUj
            = sysfs::readUnsigned(QDir(hwmon).filePath(QStringLiteral("energy%1_input").arg(counters.first())));
        const qint64 nowMs = m_nowMs();
        if (!energyUj) {
            m_lastEnergyUj.reset();
            return std::nullopt;
        }
        std::optional<double> watts;
        if (m_lastEnergyUj) {
            const qint64 elapsedMs = nowMs - m_lastEnergyMs;
            if (elapsedMs <= 0)
                return std::nullopt; // too soon to tell; keep the older sample
            // A counter that went back was reset (driver reloaded): start over.
            if (*energyUj >= *m_lastEnergyUj)
                watts = double(*energyUj - *m_lastEnergyUj) / double(elapsedMs) / 1000.0;
        }
        m_lastEnergyUj = energyUj;
        m_lastEnergyMs = nowMs;
        return watts;
    }
    return std::nullopt;
}

} // namespace tributary
