// "Start on login": the .desktop file in $XDG_CONFIG_HOME/autostart, written, read back
// and removed, in a temporary folder standing in for ~/.config.

#include "app/settings/autostart.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace tributary;

namespace {

QString readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

bool writeFile(const QString &path, const QByteArray &contents)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size();
}

} // namespace

class AutostartTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void enableWritesADesktopEntry();
    void quotesArgumentsAsTheSpecSays();
    void disableRemovesTheFile();
    void hiddenOrGnomeDisabledReadsAsDisabled();
    void notADesktopEntryReadsAsDisabled();
    void systemFileIsOverriddenByHidden();
    void unwritableFolderNamesThePath();
    void badFileNameIsRefused();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_configHome;
};

void AutostartTest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_configHome = m_dir->filePath(QStringLiteral("config"));
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_configHome));
    // No administrator's autostart file from the machine running the test.
    qputenv("XDG_CONFIG_DIRS", QFile::encodeName(m_dir->filePath(QStringLiteral("system"))));
}

void AutostartTest::cleanup()
{
    m_dir.reset();
}

void AutostartTest::enableWritesADesktopEntry()
{
    Autostart autostart(QStringLiteral("tributary.desktop"),
        { QStringLiteral("/opt/My Apps/tributary"), QStringLiteral("--minimized") });
    QCOMPARE(autostart.filePath(), m_configHome + QStringLiteral("/autostart/tributary.desktop"));
    QVERIFY(!autostart.isEnabled());

    QString error;
    QVERIFY2(autostart.setEnabled(true, &error), qPrintable(error)); // creates config/autostart
    QVERIFY(autostart.isEnabled());

    const QStringList lines = readFile(autostart.filePath()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.value(0), QStringLiteral("[Desktop Entry]"));
    QVERIFY(lines.contains(QStringLiteral("Type=Application")));
    QVERIFY(lines.contains(QStringLiteral("Name=Tributary")));
    QVERIFY(lines.contains(QStringLiteral("Exec=\"/opt/My Apps/tributary\" --minimized")));
    QVERIFY(lines.contains(QStringLiteral("Icon=tributary")));
    QVERIFY(lines.contains(QStringLiteral("Terminal=false")));
    QVERIFY(lines.contains(QStringLiteral("X-GNOME-Autostart-enabled=true")));
    QVERIFY(lines.contains(QStringLiteral("Categories=Science;Network;Utility;")));
    QVERIFY(std::any_of(lines.begin(), lines.end(),
        [](const QString &line) { return line.startsWith(QStringLiteral("Comment=")); }));
    for (const QString &line : lines)
        QVERIFY2(line.startsWith(QLatin1Char('[')) || line.contains(QLatin1Char('=')), qPrintable(line));

    // Enabling again rewrites the file in place (a moved executable gets its new path).
    Autostart moved(QStringLiteral("tributary.desktop"), { QStringLiteral("/usr/bin/tributary") });
    QVERIFY2(moved.setEnabled(true, &error), qPrintable(error));
    QVERIFY(readFile(moved.filePath()).contains(QStringLiteral("\nExec=/usr/bin/tributary\n")));
    QCOMPARE(QDir(m_configHome + QStringLiteral("/autostart")).entryList(QDir::Files),
        QStringList { QStringLiteral("tributary.desktop") });
}

void AutostartTest::quotesArgumentsAsTheSpecSays()
{
    // Plain arguments stay bare; the default command ends with --minimized.
    QCOMPARE(Autostart::execValue({ QStringLiteral("/usr/bin/tributary"), QStringLiteral("--minimized") }),
        QStringLiteral("/usr/bin/tributary --minimized"));
    QCOMPARE(Autostart::defaultCommand().value(1), QStringLiteral("--minimized"));
    QCOMPARE(Autostart::defaultCommand().value(0), QCoreApplication::applicationFilePath());
    // Spaces quote; ", `, $ and \ are backslash-escaped inside quotes, and then the
    // string escaping doubles every backslash; % doubles so it is no field code.
    QCOMPARE(Autostart::execValue({ QStringLiteral("/home/a b/$x\"y\\z"), QStringLiteral("100%") }),
        QStringLiteral("\"/home/a b/\\\\$x\\\\\"y\\\\\\\\z\" 100%%"));
    QCOMPARE(Autostart::execValue({ QStringLiteral("/a"), QString() }), QStringLiteral("/a \"\""));
}

void AutostartTest::disableRemovesTheFile()
{
    Autostart autostart(QStringLiteral("tributary.desktop"), { QStringLiteral("/usr/bin/tributary") });
    QString error;
    QVERIFY2(autostart.setEnabled(true, &error), qPrintable(error));
    QVERIFY(QFileInfo::exists(autostart.filePath()));

    QVERIFY2(autostart.setEnabled(false, &error), qPrintable(error));
    QVERIFY(!QFileInfo::exists(autostart.filePath()));
    QVERIFY(!autostart.isEnabled());
    // Disabling what is already off is no error.
    QVERIFY2(autostart.setEnabled(false, &error), qPrintable(error));
}

void AutostartTest::hiddenOrGnomeDisabledReadsAsDisabled()
{
    Autostart autostart;
    QVERIFY(writeFile(
        autostart.filePath(), "[Desktop Entry]\nType=Application\nName=Tributary\nExec=tributary\n"));
    QVERIFY(autostart.isEnabled());

    // As a desktop's "Startup Applications" dialog leaves it.
    QVERIFY(writeFile(
        autostart.filePath(), "[Desktop Entry]\nType=Application\nExec=tributary\nHidden = true\n"));
    QVERIFY(!autostart.isEnabled());
    QVERIFY(writeFile(autostart.filePath(),
        "# edited\n[Desktop Entry]\nExec=tributary\nX-GNOME-Autostart-enabled=false\n"));
    QVERIFY(!autostart.isEnabled());
    // A Hidden key in another group is not the entry's.
    QVERIFY(writeFile(
        autostart.filePath(), "[Desktop Entry]\nExec=tributary\n[Desktop Action x]\nHidden=true\n"));
    QVERIFY(autostart.isEnabled());

    // Turning it on again replaces the user's hidden file.
    QString error;
    QVERIFY(writeFile(autostart.filePath(), "[Desktop Entry]\nExec=tributary\nHidden=true\n"));
    QVERIFY2(autostart.setEnabled(true, &error), qPrintable(error));
    QVERIFY(autostart.isEnabled());
}

void AutostartTest::notADesktopEntryReadsAsDisabled()
{
    Autostart autostart;
    QVERIFY(writeFile(autostart.filePath(), "Exec=tributary\n"));
    QVERIFY(!autostart.isEnabled());
    QVERIFY(writeFile(autostart.filePath(), ""));
    QVERIFY(!autostart.isEnabled());
}

void AutostartTest::systemFileIsOverriddenByHidden()
{
    // An administrator's /etc/xdg/autostart/tributary.desktop starts the app for everyone.
    Autostart autostart(QStringLiteral("tributary.desktop"), { QStringLiteral("/usr/bin/tributary") });
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("system/autostart/tributary.desktop")),
        "[Desktop Entry]\nType=Application\nExec=tributary\n"));
    QVERIFY(autostart.isEnabled());

    // Turning it off cannot delete that file; a user file with Hidden=true masks it.
    QString error;
    QVERIFY2(autostart.setEnabled(false, &error), qPrintable(error));
    QVERIFY(!autostart.isEnabled());
    QVERIFY(readFile(autostart.filePath()).contains(QStringLiteral("\nHidden=true\n")));

    QVERIFY2(autostart.setEnabled(true, &error), qPrintable(error));
    QVERIFY(autostart.isEnabled());
}

void AutostartTest::unwritableFolderNamesThePath()
{
    // A config home below a regular file cannot be created, even by root.
    const QString blocker = m_dir->filePath(QStringLiteral("a-file"));
    QVERIFY(writeFile(blocker, "not a folder"));
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(blocker + QStringLiteral("/config")));
    Autostart autostart(QStringLiteral("tributary.desktop"), { QStringLiteral("/usr/bin/tributary") });

    QString error;
    QVERIFY(!autostart.setEnabled(true, &error));
    QVERIFY2(error.contains(blocker + QStringLiteral("/config/autostart")), qPrintable(error));
    QVERIFY(!autostart.isEnabled());
}

void AutostartTest::badFileNameIsRefused()
{
    QString error;
    QVERIFY(!Autostart(QStringLiteral("../evil.desktop")).setEnabled(true, &error));
    QVERIFY2(error.contains(QStringLiteral("\"../evil.desktop\" is not an autostart file name")),
        qPrintable(error));
    QVERIFY(!Autostart(QStringLiteral("tributary")).setEnabled(true, &error));
    QVERIFY2(error.contains(QStringLiteral("must end in .desktop")), qPrintable(error));
    QVERIFY(!Autostart(QStringLiteral("tributary.desktop"), {}).setEnabled(true, &error));
    QVERIFY2(error.contains(QStringLiteral("no program")), qPrintable(error));
    QVERIFY(!QFileInfo::exists(m_configHome));
}

QTEST_GUILESS_MAIN(AutostartTest)
#include "autostart_test.moc"
