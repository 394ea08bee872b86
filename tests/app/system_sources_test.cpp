// What the contributor runtime reads from the machine: battery power from a fake
// /sys/class/power_supply tree, and user idle time from a real X server (Xvfb).

#include "app/contributor/system/power_source.h"
#include "app/contributor/system/user_idle.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace tributary;

namespace {

void writeSupply(const QString &root, const QString &name, const QMap<QString, QString> &values)
{
    QDir().mkpath(root + QLatin1Char('/') + name);
    for (auto it = values.begin(); it != values.end(); ++it) {
        QFile file(root + QLatin1Char('/') + name + QLatin1Char('/') + it.key());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write((it.value() + QLatin1Char('\n')).toLatin1());
    }
}

} // namespace

class SystemSourcesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void power_data()
    {
        QTest::addColumn<QString>("layout");
        QTest::addColumn<int>("expected"); // -1 unset, 0 mains, 1 battery
        QTest::newRow("desktop, no supplies") << "" << 0;
        QTest::newRow("laptop on mains") << "mains:1 bat:Charging" << 0;
        QTest::newRow("laptop unplugged") << "mains:0 bat:Discharging" << 1;
        QTest::newRow("unplugged, battery full") << "mains:0 bat:Full" << 1;
        QTest::newRow("USB-C charger") << "usb:1 bat:Charging" << 0;
        QTest::newRow("no mains listed, discharging") << "bat:Discharging" << 1;
        QTest::newRow("no mains listed, charging") << "bat:Charging" << 0;
        QTest::newRow("a mouse's battery is not the system's") << "mouse:Discharging" << 0;
        QTest::newRow("no power-supply class") << "missing" << -1;
    }

    void power()
    {
        QFETCH(QString, layout);
        QFETCH(int, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString root = dir.filePath(QStringLiteral("power_supply"));
        QDir().mkpath(root);
        for (const QString &item : layout.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            const QString kind = item.section(QLatin1Char(':'), 0, 0);
            const QString value = item.section(QLatin1Char(':'), 1);
            if (kind == QLatin1String("missing"))
                root = dir.filePath(QStringLiteral("nowhere"));
            else if (kind == QLatin1String("mains"))
                writeSupply(root, QStringLiteral("AC"), { { "type", "Mains" }, { "online", value } });
            else if (kind == QLatin1String("usb"))
                writeSupply(root, QStringLiteral("ucsi-source-psy-1"), { { "type", "USB" }, { "online", value } });
            else if (kind == QLatin1String("bat"))
                writeSupply(root, QStringLiteral("BAT0"),
                    { { "type", "Battery" }, { "status", value }, { "capacity", "43" }, { "scope", "System" } });
            else if (kind == QLatin1String("mouse"))
                writeSupply(root, QStringLiteral("hidpp_battery_0"),
                    { { "type", "Battery" }, { "status", value }, { "scope", "Device" } });
        }
        const PowerSource power = readPowerSource(root);
        if (expected < 0) {
            QVERIFY(!power.onBattery);
            QVERIFY2(power.detail.contains(QStringLiteral("missing")), qPrintable(power.detail));
        } else {
            QVERIFY(power.onBattery);
            QCOMPARE(*power.onBattery, expected == 1);
        }
        if (layout.contains(QStringLiteral("bat:")))
            QVERIFY2(power.detail.contains(QStringLiteral("BAT0")) && power.detail.contains(QStringLiteral("43 %")),
                qPrintable(power.detail));
    }

    // A real X server: the idle time it reports grows while nobody types.
    void idleFromX11()
    {
        const QString xvfb = QStandardPaths::findExecutable(QStringLiteral("Xvfb"));
        if (xvfb.isEmpty())
            QSKIP("Xvfb is not installed (installer/deps-debian.sh installs it)");
        QProcess server;
        server.setProgram(xvfb);
        // -displayfd: the server picks a free display and writes its number once it serves.
        server.setArguments({ QStringLiteral("-displayfd"), QStringLiteral("1"), QStringLiteral("-nolisten"),
            QStringLiteral("tcp") });
        server.start();
        QVERIFY2(server.waitForStarted(5000), qPrintable(server.errorString()));
        QByteArray number;
        QTRY_VERIFY_WITH_TIMEOUT((number += server.readAllStandardOutput()).contains('\n'), 10000);
        const QByteArray display = ':' + number.trimmed();
        const QByteArray previous = qgetenv("DISPLAY");
        qputenv("DISPLAY", display);
        {
            UserIdle idle;
            QVERIFY2(idle.source().contains(QStringLiteral("X11")), qPrintable(idle.why()));
            const std::optional<double> first = idle.seconds();
            QVERIFY(first);
            QVERIFY(*first >= 0.0 && *first < 600.0);
            QThread::msleep(1200);
            const std::optional<double> later = idle.seconds();
            QVERIFY(later);
            QVERIFY2(*later >= *first + 1.0, qPrintable(QStringLiteral("%1 then %2").arg(*first).arg(*later)));
        }
        server.terminate();
        server.waitForFinished(5000);
        if (previous.isEmpty())
            qunsetenv("DISPLAY");
        else
            qputenv("DISPLAY", previous);
    }

    // No display: X11 says why; whatever logind says, the answer is never made up.
    void idleWithoutADisplay()
    {
        const QByteArray previous = qgetenv("DISPLAY");
        qunsetenv("DISPLAY");
        UserIdle idle;
        if (idle.source().isEmpty()) {
            QVERIFY(!idle.seconds());
            QVERIFY2(idle.why().contains(QStringLiteral("DISPLAY")), qPrintable(idle.why()));
        } else {
            QVERIFY2(idle.source().startsWith(QStringLiteral("logind")), qPrintable(idle.source()));
        }
        if (!previous.isEmpty())
            qputenv("DISPLAY", previous);
    }
};

QTEST_GUILESS_MAIN(SystemSourcesTest)
#include "system_sources_test.moc"
