#include "app/contributor/policy/device_policy.h"

#include <QJsonArray>
#include <QJsonValue>

#include <algorithm>
#include <array>
#include <limits>

namespace tributary {

namespace {

// Index i holds Qt::DayOfWeek i + 1 (Monday = 1).
constexpr std::array<const char *, 7> kDayKeys = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
const char *const kDayList = "mon, tue, wed, thu, fri, sat, sun";

QString dayKey(Qt::DayOfWeek day)
{
    return QString::fromLatin1(kDayKeys[std::clamp(int(day), 1, 7) - 1]);
}

std::optional<Qt::DayOfWeek> dayFromKey(const QString &key)
{
    for (int i = 0; i < int(kDayKeys.size()); ++i) {
        if (key.compare(QLatin1String(kDayKeys[i]), Qt::CaseInsensitive) == 0)
            return Qt::DayOfWeek(i + 1);
    }
    return std::nullopt;
}

QString timeText(QTime time)
{
    return time.toString(QStringLiteral("HH:mm"));
}

// "HH:MM" (a one-digit hour is accepted too); written by hand because QTime::fromString
// would also take forms that the file format does not promise.
std::optional<QTime> timeFromText(const QString &text)
{
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon < 1 || colon > 2 || text.size() != colon + 3)
        return std::nullopt;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (i != colon && !text.at(i).isDigit())
            return std::nullopt;
    }
    const int hour = text.left(colon).toInt();
    const int minute = text.mid(colon + 1).toInt();
    if (hour > 23 || minute > 59)
        return std::nullopt;
    return QTime(hour, minute);
}

QString quoted(const QString &text)
{
    return QLatin1Char('"') + text + QLatin1Char('"');
}

// Reads fields of one JSON object into *error's first problem; readers of nested objects
// share the same *error. A missing or null key leaves the output alone, so the default
// stands. `prefix` names the object in messages ("schedule[1].").
class Reader {
public:
    Reader(const QJsonObject &json, QString prefix, QString *error)
        : m_json(json)
        , m_prefix(std::move(prefix))
        , m_error(*error)
    {
    }

    bool ok() const { return m_error.isEmpty(); }
    void fail(const QString &path, const QString &problem)
    {
        if (ok())
            m_error = path + QStringLiteral(": ") + problem;
    }
    QString path(const char *key) const { return m_prefix + QLatin1String(key); }

    // The value under `key`, or nullopt when it is absent or null, or a problem was met.
    std::optional<QJsonValue> value(const char *key) const
    {
        const QJsonValue value = m_json.value(QLatin1String(key));
        if (!ok() || value.isUndefined() || value.isNull())
            return std::nullopt;
        return value;
    }

    void boolean(const char *key, bool *out)
    {
        if (const auto v = value(key)) {
            if (v->isBool())
                *out = v->toBool();
            else
                fail(path(key), QStringLiteral("must be true or false"));
        }
    }

    void number(const char *key, double min, double max, double *out)
    {
        std::optional<double> read;
        optionalNumber(key, min, max, &read);
        if (read)
            *out = *read;
    }

    void optionalNumber(const char *key, double min, double max, std::optional<double> *out)
    {
        const auto v = value(key);
        if (!v)
            return;
        if (!v->isDouble())
            return fail(path(key), QStringLiteral("must be a number"));
        const double number = v->toDouble();
        if (number < min || number > max)
            return fail(path(key), QStringLiteral("must be between %1 and %2").arg(min).arg(max));
        *out = number;
    }

    void wholeNumber(const char *key, int min, int max, int *out)
    {
        const auto v = value(key);
        if (!v)
            return;
        const qint64 number = v->toInteger(std::numeric_limits<qint64>::min());
        if (number < min || number > max)
            return fail(
                path(key), QStringLiteral("must be a whole number between %1 and %2").arg(min).arg(max));
        *out = int(number);
    }

    // `names` lists the accepted texts; the result is the index of the one given.
    void choice(const char *key, const QStringList &names, int *out)
    {
        const auto v = value(key);
        if (!v)
            return;
        const QString text = v->toString();
        const qsizetype index = names.indexOf(text);
        if (!v->isString() || index < 0) {
            const QString given
                = v->isString() ? quoted(text) + QStringLiteral(" is not") : QStringLiteral("must be");
            return fail(path(key), given + QStringLiteral(" one of ") + names.join(QStringLiteral(", ")));
        }
        *out = int(index);
    }

    // A required "HH:MM" time.
    void time(const char *key, QTime *out)
    {
        if (!ok())
            return;
        const auto v = value(key);
        if (!v)
            return fail(path(key), QStringLiteral("missing (HH:MM)"));
        const std::optional<QTime> time = v->isString() ? timeFromText(v->toString()) : std::nullopt;
        if (!time) {
            const QString given = v->isString() ? quoted(v->toString()) + QStringLiteral(" is not")
                                                : QStringLiteral("must be");
            return fail(path(key), given + QStringLiteral(" a time (HH:MM)"));
        }
        *out = *time;
    }

private:
    const QJsonObject &m_json;
    const QString m_prefix;
    QString &m_error;
};

// In enum order: When(i + 1), OverLimitAction(i + 1).
QStringList whenNames()
{
    return { QStringLiteral("always"), QStringLiteral("whenIdle"), QStringLiteral("schedule") };
}

QStringList actionNames()
{
    return { QStringLiteral("throttle"), QStringLiteral("pause") };
}

void readDays(Reader &reader, const QJsonValue &value, QList<Qt::DayOfWeek> *days)
{
    const QString path = reader.path("days");
    if (!value.isArray() || value.toArray().isEmpty())
        return reader.fail(
            path, QStringLiteral("must be a non-empty list of days (%1)").arg(QLatin1String(kDayList)));
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const std::optional<Qt::DayOfWeek> day
            = array.at(i).isString() ? dayFromKey(array.at(i).toString()) : std::nullopt;
        if (!day) {
            const QString given = array.at(i).isString()
                ? quoted(array.at(i).toString()) + QStringLiteral(" is not")
                : QStringLiteral("must be");
            return reader.fail(path + QStringLiteral("[%1]").arg(i),
                given + QStringLiteral(" a day (%1)").arg(QLatin1String(kDayList)));
        }
        days->append(*day);
    }
}

void readSchedule(Reader &reader, QString *error, QList<ScheduleWindow> *schedule)
{
    const auto value = reader.value("schedule");
    if (!value)
        return;
    if (!value->isArray())
        return reader.fail(reader.path("schedule"), QStringLiteral("must be a list of windows"));
    const QJsonArray array = value->toArray();
    for (qsizetype i = 0; i < array.size() && reader.ok(); ++i) {
        const QString windowPath = reader.path("schedule") + QStringLiteral("[%1]").arg(i);
        if (!array.at(i).isObject())
            return reader.fail(windowPath, QStringLiteral("must be an object with days, start and end"));
        const QJsonObject object = array.at(i).toObject();
        Reader windowReader(object, windowPath + QLatin1Char('.'), error);
        ScheduleWindow window;
        if (const auto days = windowReader.value("days"))
            readDays(windowReader, *days, &window.days);
        else
            windowReader.fail(
                windowReader.path("days"), QStringLiteral("missing (a list such as [\"sat\", \"sun\"])"));
        windowReader.time("start", &window.start);
        windowReader.time("end", &window.end);
        if (!windowReader.ok())
            return;
        schedule->append(window);
    }
}

void readProcessNames(Reader &reader, QStringList *names)
{
    const auto value = reader.value("gpuBusyProcesses");
    if (!value)
        return;
    if (!value->isArray())
        return reader.fail(
            reader.path("gpuBusyProcesses"), QStringLiteral("must be a list of program names"));
    const QJsonArray array = value->toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString name = array.at(i).toString().trimmed();
        if (!array.at(i).isString() || name.isEmpty())
            return reader.fail(reader.path("gpuBusyProcesses") + QStringLiteral("[%1]").arg(i),
                QStringLiteral("must be a program name"));
        names->append(name);
    }
}

} // namespace

QJsonObject DevicePolicy::toJson() const
{
    QJsonArray windows;
    for (const ScheduleWindow &window : schedule) {
        QJsonArray days;
        for (Qt::DayOfWeek day : window.days)
            days.append(dayKey(day));
        windows.append(QJsonObject {
            { QStringLiteral("days"), days },
            { QStringLiteral("start"), timeText(window.start) },
            { QStringLiteral("end"), timeText(window.end) },
        });
    }

    QJsonObject json {
        { QStringLiteral("enabled"), enabled },
        { QStringLiteral("when"), whenNames().at(int(when) - 1) },
        { QStringLiteral("idleSeconds"), idleSeconds },
        { QStringLiteral("schedule"), windows },
        { QStringLiteral("pauseOnBattery"), pauseOnBattery },
        { QStringLiteral("pauseWhenGpuBusy"), pauseWhenGpuBusy },
        { QStringLiteral("gpuBusyProcesses"), QJsonArray::fromStringList(gpuBusyProcesses) },
        { QStringLiteral("gpuBusyUtilizationPercent"), gpuBusyUtilizationPercent },
        { QStringLiteral("overLimitAction"), actionNames().at(int(overLimitAction) - 1) },
    };
    if (temperatureLimitC)
        json.insert(QStringLiteral("temperatureLimitC"), *temperatureLimitC);
    if (powerLimitW)
        json.insert(QStringLiteral("powerLimitW"), *powerLimitW);
    if (memoryCapBytes) {
        // JSON integers are signed 64-bit in Qt; no device comes near the clamp.
        const quint64 maximum = quint64(std::numeric_limits<qint64>::max());
        json.insert(QStringLiteral("memoryCapBytes"), qint64(std::min(*memoryCapBytes, maximum)));
    }
    return json;
}

std::optional<DevicePolicy> DevicePolicy::fromJson(const QJsonObject &json, QString *error)
{
    DevicePolicy policy;
    QString problem;
    Reader reader(json, QString(), &problem);

    reader.boolean("enabled", &policy.enabled);
    int when = int(policy.when) - 1;
    reader.choice("when", whenNames(), &when);
    policy.when = When(when + 1);
    reader.wholeNumber("idleSeconds", 1, 86400, &policy.idleSeconds);
    readSchedule(reader, &problem, &policy.schedule);

    reader.boolean("pauseOnBattery", &policy.pauseOnBattery);
    reader.boolean("pauseWhenGpuBusy", &policy.pauseWhenGpuBusy);
    readProcessNames(reader, &policy.gpuBusyProcesses);
    reader.number("gpuBusyUtilizationPercent", 1, 100, &policy.gpuBusyUtilizationPercent);

    reader.optionalNumber("temperatureLimitC", 30, 110, &policy.temperatureLimitC);
    reader.optionalNumber("powerLimitW", 10, 2000, &policy.powerLimitW);
    int action = int(policy.overLimitAction) - 1;
    reader.choice("overLimitAction", actionNames(), &action);
    policy.overLimitAction = OverLimitAction(action + 1);

    if (const auto cap = reader.value("memoryCapBytes")) {
        const qint64 bytes = cap->toInteger(-1);
        if (bytes <= 0)
            reader.fail(
                reader.path("memoryCapBytes"), QStringLiteral("must be a whole number of bytes above 0"));
        else
            policy.memoryCapBytes = quint64(bytes);
    }

    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return std::nullopt;
    }
    return policy;
}

} // namespace tributary
