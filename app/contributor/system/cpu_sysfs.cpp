#include "app/contributor/system/cpu_sysfs.h"

#include "app/contributor/system/sysfs_file.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

namespace tributary {

namespace {

// A hwmon temperature in degrees C (the file holds millidegrees).
std::optional<double> readCelsius(const QString &path)
{
    const std::optional<qint64> milli = sysfs::readInteger(path);
    return milli ? std::optional<double>(double(*milli) / 1000.0) : std::nullopt;
}

// The tempN_input files of a hwmon folder, by N.
QStringList temperatureInputs(const QDir &hwmon)
{
    static const QRegularExpression input(QStringLiteral("^temp(\\d+)_input$"));
    QList<std::pair<int, QString>> numbered;
    for (const QString &name : hwmon.entryList({ QStringLiteral("temp*_input") }, QDir::Files)) {
        if (const QRegularExpressionMatch match = input.match(name); match.hasMatch())
            numbered.append({ match.captured(1).toInt(), name });
    }
    std::sort(numbered.begin(), numbered.end());
    QStringList paths;
    for (const auto &[n, name] : numbered)
        paths.append(hwmon.filePath(name));
    return paths;
}

QString labelOf(const QString &inputPath)
{
    return sysfs::readText(inputPath.chopped(int(qstrlen("input"))) + QStringLiteral("label")); // tempN_label
}

// One hwmon folder's CPU temperature, as the driver's documentation advises reading it.
std::optional<double> hwmonTemperatureC(const QString &driver, const QString &hwmonPath)
{
    const QStringList inputs = temperatureInputs(QDir(hwmonPath));
    if (inputs.isEmpty())
        return std::nullopt;
    if (driver == QLatin1String("coretemp")) {
        // One "Package id N" sensor per socket, and one per core; a package missing (old
        // CPUs have none) leaves the hottest core.
        std::optional<double> package;
        std::optional<double> hottest;
        for (const QString &path : inputs) {
            const std::optional<double> value = readCelsius(path);
            if (!value)
                continue;
            hottest = std::max(hottest.value_or(*value), *value);
            if (labelOf(path).startsWith(QLatin1String("Package id")))
                package = std::max(package.value_or(*value), *value);
        }
        return package ? package : hottest;
    }
    if (driver == QLatin1String("k10temp") || driver == QLatin1String("zenpower")) {
        // Tctl, not zenpower's Tdie: the same limit must mean the same under either module.
        for (const QString &path : inputs) {
            if (labelOf(path) == QLatin1String("Tctl"))
                return readCelsius(path);
        }
    }
    const QString first = QDir(hwmonPath).filePath(QStringLiteral("temp1_input"));
    return readCelsius(inputs.contains(first) ? first : inputs.first());
}

} // namespace

CpuSysfs::CpuSysfs(QString sysRoot, QString procRoot, std::function<qint64()> nowMs)
    : m_statPath(QDir(procRoot).filePath(QStringLiteral("stat")))
    , m_nowMs(nowMs ? std::move(nowMs) : std::function<qint64()>(sysfs::steadyNowMs))
{
    findTemperatureSensors(sysRoot);
    findRaplZones(sysRoot);
}

void CpuSysfs::findTemperatureSensors(const QString &sysRoot)
{
    const QDir hwmonClass(QDir(sysRoot).filePath(QStringLiteral("class/hwmon")));
    const QStringList hwmons
        = hwmonClass.entryList({ QStringLiteral("hwmon*") }, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    // In order of preference; zenpower replaces k10temp where installed, so both rarely show.
    for (const char *driver : { "k10temp", "zenpower", "coretemp", "cpu_thermal" }) {
        for (const QString &hwmon : hwmons) {
            const QString path = hwmonClass.filePath(hwmon);
            if (sysfs::readText(QDir(path).filePath(QStringLiteral("name"))) == QLatin1String(driver))
                m_temperatureHwmons.append(path);
        }
        if (!m_temperatureHwmons.isEmpty()) {
            m_temperatureDriver = QString::fromLatin1(driver);
            return;
        }
    }
}

void CpuSysfs::findRaplZones(const QString &sysRoot)
{
    const QDir powercap(QDir(sysRoot).filePath(QStringLiteral("class/powercap")));
    // Top-level zones only (intel-rapl:0, not its core/uncore/dram subzones intel-rapl:0:0),
    // and only packages: laptops also have a "psys" zone that covers the packages again.
    static const QRegularExpression topLevel(QStringLiteral("^intel-rapl:\\d+$"));
    for (const QString &zone : powercap.entryList(
             { QStringLiteral("intel-rapl:*") }, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        if (!topLevel.match(zone).hasMatch())
            continue;
        const QDir dir(powercap.filePath(zone));
        const QString name = sysfs::readText(dir.filePath(QStringLiteral("name")));
        if (!name.isEmpty() && !name.startsWith(QLatin1String("package")))
            continue;
        m_raplZones.append(RaplZone { name.isEmpty() ? zone : name, dir.filePath(QStringLiteral("energy_uj")),
            sysfs::readUnsigned(dir.filePath(QStringLiteral("max_energy_range_uj"))) });
    }
    if (m_raplZones.isEmpty())
        m_raplProblem = QStringLiteral("no RAPL package zone under %1").arg(powercap.path());
    // Tell at once, not only after the first read(), when the counters are root's only.
    for (const RaplZone &zone : std::as_const(m_raplZones)) {
        QFile file(zone.energyPath);
        if (!file.open(QIODevice::ReadOnly)) {
            m_raplProblem = file.error() == QFile::PermissionsError
                ? QStringLiteral("%1 is readable by root only").arg(zone.energyPath)
                : QStringLiteral("cannot read %1").arg(zone.energyPath);
            break;
        }
    }
}

CpuReading CpuSysfs::read()
{
    CpuReading reading;
    reading.utilizationPercent = readUtilizationPercent();
    reading.temperatureC = readTemperatureC();
    reading.powerW = readPowerW();
    return reading;
}

std::optional<double> CpuSysfs::readUtilizationPercent()
{
    QFile file(m_statPath);
    if (!file.open(QIODevice::ReadOnly)) {
        m_statProblem = QStringLiteral("cannot read %1: %2").arg(m_statPath, file.errorString());
        m_lastStat.reset();
        return std::nullopt;
    }
    // "cpu  user nice system idle iowait irq softirq steal guest guest_nice", in ticks.
    // guest and guest_nice are already counted in user and nice, so they are left out.
    const QList<QByteArray> fields = file.readLine(1024).simplified().split(' ');
    StatSample sample;
    bool ok = fields.size() >= 5 && fields[0] == "cpu";
    for (int i = 1; ok && i < std::min<qsizetype>(fields.size(), 9); ++i) {
        const quint64 ticks = fields[i].toULongLong(&ok);
        sample.totalTicks += ticks;
        if (i == 4 || i == 5) // idle, iowait
            sample.idleTicks += ticks;
    }
    if (!ok) {
        m_statProblem
            = QStringLiteral("%1 does not start with a \"cpu\" line of tick counts").arg(m_statPath);
        m_lastStat.reset();
        return std::nullopt;
    }
    m_statProblem.clear();

    std::optional<double> percent;
    if (m_lastStat) {
        if (sample.totalTicks == m_lastStat->totalTicks)
            return std::nullopt; // no tick has passed; keep the older sample
        if (sample.totalTicks > m_lastStat->totalTicks && sample.idleTicks >= m_lastStat->idleTicks) {
            const quint64 total = sample.totalTicks - m_lastStat->totalTicks;
            const quint64 idle = std::min(sample.idleTicks - m_lastStat->idleTicks, total);
            percent = 100.0 * double(total - idle) / double(total);
        }
    }
    m_lastStat = sample;
    return percent;
}

std::optional<double> CpuSysfs::readTemperatureC() const
{
    std::optional<double> hottest;
    for (const QString &hwmon : m_temperatureHwmons) {
        if (const std::optional<double> value = hwmonTemperatureC(m_temperatureDriver, hwmon))
            hottest = std::max(hottest.value_or(*value), *value);
    }
    return hottest;
}

std::optional<double> CpuSysfs::readPowerW()
{
    if (m_raplZones.isEmpty())
        return std::nullopt;
    const qint64 nowMs = m_nowMs();
    QList<quint64> energyUj;
    for (const RaplZone &zone : m_raplZones) {
        QFile::FileError error = QFile::NoError;
        const std::optional<quint64> value = sysfs::readUnsigned(zone.energyPath, &error);
        if (!value) {
            m_raplProblem = error == QFile::PermissionsError
                ? QStringLiteral("%1 is readable by root only").arg(zone.energyPath)
                : error == QFile::NoError ? QStringLiteral("%1 does not hold a number").arg(zone.energyPath)
                                          : QStringLiteral("cannot read %1").arg(zone.energyPath);
            m_lastEnergyUj.clear();
            return std::nullopt;
        }
        energyUj.append(*value);
    }
    m_raplProblem.clear();

    if (m_lastEnergyUj.isEmpty()) {
        m_lastEnergyUj = energyUj;
        m_lastEnergyMs = nowMs;
        return std::nullopt;
    }
    const qint64 elapsedMs = nowMs - m_lastEnergyMs;
    if (elapsedMs <= 0)
        return std::nullopt; // too soon to tell; keep the older sample
    quint64 spentUj = 0;
    bool known = true;
    for (qsizetype i = 0; i < energyUj.size(); ++i) {
        const quint64 before = m_lastEnergyUj[i];
        const quint64 after = energyUj[i];
        const std::optional<quint64> maxUj = m_raplZones[i].maxEnergyRangeUj;
        if (after >= before)
            spentUj += after - before;
        else if (maxUj && before <= *maxUj) // the counter wrapped past its range
            spentUj += *maxUj - before + after;
        else
            known = false; // cannot tell how far it went
    }
    m_lastEnergyUj = energyUj;
    m_lastEnergyMs = nowMs;
    if (!known)
        return std::nullopt;
    return double(spentUj) / double(elapsedMs) / 1000.0;
}

QString CpuSysfs::source() const
{
    const QString load
        = m_statProblem.isEmpty() ? m_statPath : QStringLiteral("none (%1)").arg(m_statProblem);
    QString temperature = QStringLiteral("none (no k10temp, zenpower, coretemp or cpu_thermal hwmon)");
    if (!m_temperatureDriver.isEmpty()) {
        QStringList folders;
        for (const QString &path : m_temperatureHwmons)
            folders.append(QFileInfo(path).fileName());
        temperature = QStringLiteral("%1 (%2)").arg(m_temperatureDriver, folders.join(QStringLiteral(", ")));
    }
    QString power;
    if (!m_raplProblem.isEmpty()) {
        power = QStringLiteral("none (%1)").arg(m_raplProblem);
    } else {
        QStringList names;
        for (const RaplZone &zone : m_raplZones)
            names.append(zone.name);
        power = QStringLiteral("RAPL %1").arg(names.join(QStringLiteral(" + ")));
    }
    return QStringLiteral("load: %1; temperature: %2; power: %3").arg(load, temperature, power);
}

} // namespace tributary
