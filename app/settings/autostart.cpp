#include "app/settings/autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <utility>

namespace tributary {

namespace {

// The spec ignores a relative XDG_CONFIG_HOME (or XDG_CONFIG_DIRS entry).
QString configHome()
{
    const QString configured = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (!configured.isEmpty() && QDir::isAbsolutePath(configured))
        return configured;
    return QDir::homePath() + QStringLiteral("/.config");
}

QStringList configDirs()
{
    QStringList dirs;
    for (const QString &dir :
        qEnvironmentVariable("XDG_CONFIG_DIRS").split(QLatin1Char(':'), Qt::SkipEmptyParts)) {
        if (QDir::isAbsolutePath(dir))
            dirs << dir;
    }
    if (dirs.isEmpty())
        dirs << QStringLiteral("/etc/xdg");
    return dirs;
}

// Characters that oblige the Desktop Entry spec's Exec quoting.
bool needsQuoting(const QString &argument)
{
    static const QString reserved = QStringLiteral(" \t\n\"'\\><~|&;$*?#`()");
    if (argument.isEmpty())
        return true;
    for (QChar c : argument) {
        if (reserved.contains(c))
            return true;
    }
    return false;
}

QString quoteArgument(const QString &argument)
{
    QString quoted;
    if (!needsQuoting(argument))
        quoted = argument;
    else {
        quoted = QStringLiteral("\"");
        for (QChar c : argument) {
            if (c == QLatin1Char('"') || c == QLatin1Char('`') || c == QLatin1Char('$')
                || c == QLatin1Char('\\'))
                quoted += QLatin1Char('\\');
            quoted += c;
        }
        quoted += QLatin1Char('"');
    }
    // A lone % would start a field code (%f, %u...).
    return quoted.replace(QLatin1Char('%'), QStringLiteral("%%"));
}

// The escapes of a string value, applied after the Exec quoting (so a backslash the
// quoting added is doubled, as the spec's examples show).
QString escapeValue(const QString &value)
{
    QString escaped;
    for (QChar c : value) {
        if (c == QLatin1Char('\\'))
            escaped += QStringLiteral("\\\\");
        else if (c == QLatin1Char('\n'))
            escaped += QStringLiteral("\\n");
        else if (c == QLatin1Char('\t'))
            escaped += QStringLiteral("\\t");
        else if (c == QLatin1Char('\r'))
            escaped += QStringLiteral("\\r");
        else
            escaped += c;
    }
    return escaped;
}

// Whether a .desktop file makes the session start its program. Reads only what the
// autostart spec looks at; a file that is not a desktop entry does not start anything.
bool startsOnLogin(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QString text = QString::fromUtf8(file.readAll());
    bool inDesktopEntry = false;
    bool sawDesktopEntry = false;
    bool enabled = true;
    for (QString line : text.split(QLatin1Char('\n'))) {
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        if (line.startsWith(QLatin1Char('['))) {
            inDesktopEntry = line == QLatin1String("[Desktop Entry]");
            sawDesktopEntry = sawDesktopEntry || inDesktopEntry;
            continue;
        }
        const qsizetype equals = line.indexOf(QLatin1Char('='));
        if (!inDesktopEntry || equals < 0)
            continue;
        const QString key = line.left(equals).trimmed();
        const QString value = line.mid(equals + 1).trimmed();
        if (key == QLatin1String("Hidden") && value.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0)
            enabled = false;
        if (key == QLatin1String("X-GNOME-Autostart-enabled")
            && value.compare(QLatin1String("false"), Qt::CaseInsensitive) == 0)
            enabled = false;
    }
    return sawDesktopEntry && enabled;
}

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

Autostart::Autostart(QString fileName, QStringList command)
    : m_fileName(std::move(fileName))
    , m_command(std::move(command))
{
}

QStringList Autostart::defaultCommand()
{
    return { QCoreApplication::applicationFilePath(), QStringLiteral("--minimized") };
}

QString Autostart::filePath() const
{
    return configHome() + QStringLiteral("/autostart/") + m_fileName;
}

QString Autostart::systemFilePath() const
{
    for (const QString &dir : configDirs()) {
        const QString path = dir + QStringLiteral("/autostart/") + m_fileName;
        if (QFileInfo::exists(path))
            return path;
    }
    return {};
}

bool Autostart::isEnabled() const
{
    // The user's file, whatever it says, overrides a system one of the same name.
    const QString userFile = filePath();
    if (QFileInfo::exists(userFile))
        return startsOnLogin(userFile);
    const QString systemFile = systemFilePath();
    return !systemFile.isEmpty() && startsOnLogin(systemFile);
}

QString Autostart::execValue(const QStringList &command)
{
    QStringList arguments;
    for (const QString &argument : command)
        arguments << quoteArgument(argument);
    return escapeValue(arguments.join(QLatin1Char(' ')));
}

bool Autostart::setEnabled(bool enabled, QString *error)
{
    if (m_fileName.isEmpty() || m_fileName.contains(QLatin1Char('/'))
        || !m_fileName.endsWith(QLatin1String(".desktop"))) {
        setError(error,
            QStringLiteral("\"%1\" is not an autostart file name: it must end in .desktop and name no folder")
                .arg(m_fileName));
        return false;
    }

    if (enabled) {
        if (m_command.isEmpty() || m_command.first().isEmpty()) {
            setError(error, QStringLiteral("Cannot start on login: no program to run was given"));
            return false;
        }
        const QString contents
            = QStringLiteral("[Desktop Entry]\n"
                             "Type=Application\n"
                             "Name=Tributary\n"
                             "Comment=Share this computer's GPUs with the Tributary network\n"
                             "Exec=%1\n"
                             "Icon=tributary\n"
                             "Terminal=false\n"
                             "Categories=Science;Network;Utility;\n"
                             "X-GNOME-Autostart-enabled=true\n")
                  .arg(execValue(m_command));
        return writeFile(contents, error);
    }

    const QString path = filePath();
    if (QFileInfo::exists(path) && !QFile::remove(path)) {
        setError(error, QStringLiteral("Could not remove %1").arg(QDir::toNativeSeparators(path)));
        return false;
    }
    // Removing ours would let an administrator's file of the same name start the app;
    // the spec's way to opt out of that one is a user file that hides it.
    const QString systemFile = systemFilePath();
    if (!systemFile.isEmpty() && startsOnLogin(systemFile))
        return writeFile(
            QStringLiteral("[Desktop Entry]\nType=Application\nName=Tributary\nHidden=true\n"), error);
    return true;
}

bool Autostart::writeFile(const QString &contents, QString *error) const
{
    const QString path = filePath();
    const QString dir = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(dir)) {
        setError(error, QStringLiteral("Could not create the folder %1").arg(QDir::toNativeSeparators(dir)));
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        setError(error,
            QStringLiteral("Could not write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
        return false;
    }
    file.write(contents.toUtf8());
    if (!file.commit()) {
        setError(error,
            QStringLiteral("Could not write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
        return false;
    }
    return true;
}

} // namespace tributary
