#include "app/contributor/system/power_source.h"

#include <QDir>
#include <QFile>

namespace tributary {

namespace {

QString readValue(const QDir &supply, const char *name)
{
    QFile file(supply.filePath(QString::fromLatin1(name)));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(file.readAll()).trimmed();
}

} // namespace

PowerSource readPowerSource(const QString &root)
{
    PowerSource power;
    const QDir dir(root);
    if (!dir.exists()) {
        power.detail = QStringLiteral("%1 is missing").arg(root);
        return power;
    }
    bool externalKnown = false; // a mains/USB supply was listed
    bool externalOnline = false;
    bool discharging = false;
    QString batteryDetail;
    for (const QString &name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QDir supply(dir.filePath(name));
        const QString type = readValue(supply, "type");
        if (type == QLatin1String("Battery")) {
            // Peripherals (a mouse's battery) report scope "Device"; only the system's counts.
            if (readValue(supply, "scope") == QLatin1String("Device"))
                continue;
            power.hasBattery = true;
            const QString status = readValue(supply, "status");
            const QString capacity = readValue(supply, "capacity");
            if (status == QLatin1String("Discharging"))
                discharging = true;
            if (batteryDetail.isEmpty()) {
                batteryDetail = name + QLatin1Char(' ') + status.toLower();
                if (!capacity.isEmpty())
                    batteryDetail += QStringLiteral(", %1 %").arg(capacity);
            }
        } else if (type == QLatin1String("Mains") || type.startsWith(QLatin1String("USB"))) {
            externalKnown = true;
            if (readValue(supply, "online") == QLatin1String("1"))
                externalOnline = true;
        }
    }
    if (!power.hasBattery) {
        power.onBattery = false;
        power.detail = QStringLiteral("no battery");
    } else if (externalKnown) {
        power.onBattery = !externalOnline;
        power.detail = (externalOnline ? QStringLiteral("mains online; ") : QStringLiteral("mains offline; "))
            + batteryDetail;
    } else {
        power.onBattery = discharging;
        power.detail = batteryDetail;
    }
    return power;
}

} // namespace tributary
