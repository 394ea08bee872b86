// The contributor's per-device policy with a fake clock and fake telemetry (PolicyInputs
// built by hand): the order in which rules win, weekly schedules (also across midnight and
// the week's end) and the "next window" text, idle time with and without a source, the
// busy-GPU check, hysteresis on the temperature and power limits in both directions, the
// throttle's duty cycle, the memory budget, a changed policy applying at once, and the
// JSON form: round trip, defaults, and the message for each invalid field.

#include "app/contributor/policy/device_policy.h"
#include "app/contributor/policy/policy_engine.h"
#include "app/contributor/policy/policy_inputs.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace tributary;

using Action = PolicyDecision::Action;

Q_DECLARE_METATYPE(tributary::PolicyDecision::Action)

class PolicyEngineTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsAreOptInAndGentle();
    void precedence_data();
    void precedence();
    void batteryRule();
    void schedule_data();
    void schedule();
    void idle_data();
    void idle();
    void gpuBusy_data();
    void gpuBusy();
    void temperatureHysteresis();
    void powerHysteresis();
    void pauseOverLimit();
    void bothLimitsOver();
    void dutyCycle_data();
    void dutyCycle();
    void limitsTrackedWhilePaused();
    void missingReadings();
    void memoryBudget_data();
    void memoryBudget();
    void setPolicyAppliesAtOnce();
    void jsonRoundTrip();
    void jsonDefaultsAndUnknownKeys();
    void jsonErrors_data();
    void jsonErrors();
    void actionNames();
};

namespace {

// 3 June 2024 is a Monday; June has no daylight-saving change in any zone that has one.
QDateTime at(Qt::DayOfWeek day, int hour, int minute = 0)
{
    return QDateTime(QDate(2024, 6, 3).addDays(day - Qt::Monday), QTime(hour, minute));
}

// A policy that lets everything run: on, always, no limits.
DevicePolicy runningPolicy()
{
    DevicePolicy policy;
    policy.enabled = true;
    return policy;
}

// A quiet computer on mains power on a Tuesday afternoon.
PolicyInputs quietInputs()
{
    PolicyInputs inputs;
    inputs.now = at(Qt::Tuesday, 14);
    inputs.userIdleSeconds = 3600;
    inputs.onBattery = false;
    inputs.temperatureC = 50;
    inputs.powerW = 100;
    inputs.gpuUtilizationByOthersPercent = 0;
    inputs.deviceMemoryFreeBytes = 8ull << 30;
    return inputs;
}

PolicyInputs withTemperature(double celsius)
{
    PolicyInputs inputs = quietInputs();
    inputs.temperatureC = celsius;
    return inputs;
}

PolicyInputs withPower(double watts)
{
    PolicyInputs inputs = quietInputs();
    inputs.powerW = watts;
    return inputs;
}

ScheduleWindow window(QList<Qt::DayOfWeek> days, QTime start, QTime end)
{
    return ScheduleWindow { std::move(days), start, end };
}

QJsonObject parse(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("bad JSON in the test: %s", text.constData());
    return document.object();
}

} // namespace

void PolicyEngineTest::defaultsAreOptInAndGentle()
{
    const DevicePolicy policy;
    QCOMPARE(policy.enabled, false);
    QCOMPARE(policy.when, DevicePolicy::When::Always);
    QCOMPARE(policy.idleSeconds, 120);
    QCOMPARE(policy.pauseOnBattery, true);
    QCOMPARE(policy.pauseWhenGpuBusy, true);
    QCOMPARE(policy.gpuBusyUtilizationPercent, 20.0);
    QCOMPARE(policy.overLimitAction, DevicePolicy::OverLimitAction::Throttle);
    QVERIFY(!policy.temperatureLimitC && !policy.powerLimitW && !policy.memoryCapBytes);

    PolicyEngine engine;
    const PolicyDecision decision = engine.decide(quietInputs());
    QCOMPARE(decision.action, Action::Off);
    QCOMPARE(decision.dutyCycle, 0.0);
    QCOMPARE(decision.reason, QStringLiteral("switched off"));
}

// Every rule is armed in every row; the row switches conditions on, and the strongest wins.
void PolicyEngineTest::precedence_data()
{
    QTest::addColumn<bool>("disabled");
    QTest::addColumn<bool>("globalPause");
    QTest::addColumn<bool>("onBattery");
    QTest::addColumn<bool>("outsideSchedule");
    QTest::addColumn<bool>("gpuBusy");
    QTest::addColumn<bool>("overTemperature");
    QTest::addColumn<Action>("action");
    QTest::addColumn<QString>("reason");

    const QString off = QStringLiteral("switched off");
    const QString byYou = QStringLiteral("paused by you");
    const QString battery = QStringLiteral("paused: on battery power");
    const QString schedule = QStringLiteral("paused: outside the schedule (next window Fri 22:00)");
    const QString busy = QStringLiteral("paused: another program is using the GPU (blender)");
    const QString hot = QStringLiteral("throttled: 83 °C over the 80 °C limit");

    QTest::newRow("nothing") << false << false << false << false << false << false << Action::Run
                             << QStringLiteral("running");
    QTest::newRow("all") << true << true << true << true << true << true << Action::Off << off;
    QTest::newRow("off beats the rest")
        << true << false << true << true << true << true << Action::Off << off;
    QTest::newRow("global pause beats battery")
        << false << true << true << true << true << true << Action::Pause << byYou;
    QTest::newRow("battery beats schedule")
        << false << false << true << true << true << true << Action::Pause << battery;
    QTest::newRow("schedule beats busy GPU")
        << false << false << false << true << true << true << Action::Pause << schedule;
    QTest::newRow("busy GPU beats temperature")
        << false << false << false << false << true << true << Action::Pause << busy;
    QTest::newRow("temperature last")
        << false << false << false << false << false << true << Action::Throttle << hot;
    QTest::newRow("global pause alone")
        << false << true << false << false << false << false << Action::Pause << byYou;
    QTest::newRow("battery alone") << false << false << true << false << false << false << Action::Pause
                                   << battery;
    QTest::newRow("busy GPU alone") << false << false << false << false << true << false << Action::Pause
                                    << busy;
}

void PolicyEngineTest::precedence()
{
    QFETCH(bool, disabled);
    QFETCH(bool, globalPause);
    QFETCH(bool, onBattery);
    QFETCH(bool, outsideSchedule);
    QFETCH(bool, gpuBusy);
    QFETCH(bool, overTemperature);
    QFETCH(Action, action);
    QFETCH(QString, reason);

    DevicePolicy policy = runningPolicy();
    policy.enabled = !disabled;
    policy.when = DevicePolicy::When::Schedule;
    policy.schedule = { window({ Qt::Friday }, QTime(22, 0), QTime(7, 0)) };
    policy.gpuBusyProcesses = { QStringLiteral("blender") };
    policy.temperatureLimitC = 80;

    PolicyInputs inputs = quietInputs();
    inputs.now = outsideSchedule ? at(Qt::Friday, 12) : at(Qt::Friday, 23);
    inputs.globalPause = globalPause;
    inputs.onBattery = onBattery;
    if (gpuBusy)
        inputs.otherGpuProcesses = { { QStringLiteral("Xorg"), 900 }, { QStringLiteral("blender"), 4242 } };
    inputs.temperatureC = overTemperature ? 83 : 60;

    PolicyEngine engine(policy);
    const PolicyDecision decision = engine.decide(inputs);
    QCOMPARE(decision.action, action);
    QCOMPARE(decision.reason, reason);
    QCOMPARE(decision.dutyCycle, action == Action::Run ? 1.0 : action == Action::Throttle ? 0.7 : 0.0);
}

void PolicyEngineTest::batteryRule()
{
    PolicyEngine engine(runningPolicy());
    PolicyInputs inputs = quietInputs();
    inputs.onBattery = true;
    QCOMPARE(engine.decide(inputs).reason, QStringLiteral("paused: on battery power"));

    // No battery information: a desktop, on mains.
    inputs.onBattery.reset();
    QCOMPARE(engine.decide(inputs).action, Action::Run);

    DevicePolicy policy = runningPolicy();
    policy.pauseOnBattery = false;
    engine.setPolicy(policy);
    inputs.onBattery = true;
    QCOMPARE(engine.decide(inputs).action, Action::Run);
}

void PolicyEngineTest::schedule_data()
{
    QTest::addColumn<QList<ScheduleWindow>>("windows");
    QTest::addColumn<QDateTime>("now");
    QTest::addColumn<QString>("reason");

    const QString running = QStringLiteral("running");
    const auto outside = [](const char *next) {
        return QStringLiteral("paused: outside the schedule (next window %1)").arg(QLatin1String(next));
    };
    const QList<ScheduleWindow> friday = { window({ Qt::Friday }, QTime(22, 0), QTime(7, 0)) };
    QTest::newRow("fri night: before") << friday << at(Qt::Friday, 21, 59) << outside("Fri 22:00");
    QTest::newRow("fri night: start") << friday << at(Qt::Friday, 22, 0) << running;
    QTest::newRow("fri night: midnight") << friday << at(Qt::Saturday, 0, 0) << running;
    QTest::newRow("fri night: sat morning") << friday << at(Qt::Saturday, 6, 59) << running;
    QTest::newRow("fri night: end") << friday << at(Qt::Saturday, 7, 0) << outside("Fri 22:00");
    QTest::newRow("fri night: thu night") << friday << at(Qt::Thursday, 23, 0) << outside("Fri 22:00");
    QTest::newRow("fri night: fri morning") << friday << at(Qt::Friday, 6, 0) << outside("Fri 22:00");

    const QList<ScheduleWindow> sunday = { window({ Qt::Sunday }, QTime(23, 0), QTime(1, 0)) };
    QTest::newRow("across the week's end") << sunday << at(Qt::Monday, 0, 30) << running;
    QTest::newRow("after the week's end") << sunday << at(Qt::Monday, 1, 0) << outside("Sun 23:00");

    const QList<ScheduleWindow> office = { window(
        { Qt::Monday, Qt::Tuesday, Qt::Wednesday, Qt::Thursday, Qt::Friday }, QTime(9, 0), QTime(17, 0)) };
    QTest::newRow("office: inside") << office << at(Qt::Wednesday, 12) << running;
    QTest::newRow("office: evening") << office << at(Qt::Wednesday, 17) << outside("Thu 09:00");
    QTest::newRow("office: friday evening") << office << at(Qt::Friday, 18) << outside("Mon 09:00");
    QTest::newRow("office: early") << office << at(Qt::Tuesday, 8, 59) << outside("Tue 09:00");

    const QList<ScheduleWindow> weekly = { window({ Qt::Wednesday }, QTime(9, 0), QTime(10, 0)) };
    QTest::newRow("only window earlier today") << weekly << at(Qt::Wednesday, 11) << outside("Wed 09:00");

    const QList<ScheduleWindow> wholeDay = { window({ Qt::Monday }, QTime(0, 0), QTime(0, 0)) };
    QTest::newRow("whole day: start") << wholeDay << at(Qt::Monday, 0) << running;
    QTest::newRow("whole day: late") << wholeDay << at(Qt::Monday, 23, 59) << running;
    QTest::newRow("whole day: next day") << wholeDay << at(Qt::Tuesday, 0) << outside("Mon 00:00");

    const QList<ScheduleWindow> two = { window({ Qt::Saturday }, QTime(8, 0), QTime(12, 0)),
        window({ Qt::Thursday }, QTime(20, 30), QTime(23, 0)) };
    QTest::newRow("two windows: soonest named") << two << at(Qt::Tuesday, 12) << outside("Thu 20:30");
    QTest::newRow("two windows: the other") << two << at(Qt::Thursday, 23, 30) << outside("Sat 08:00");
    QTest::newRow("two windows: inside second") << two << at(Qt::Thursday, 21) << running;

    const QString empty
        = QStringLiteral("paused: the schedule has no windows (add one or choose another rule)");
    QTest::newRow("no windows") << QList<ScheduleWindow>() << at(Qt::Monday, 12) << empty;
    QTest::newRow("a window without days")
        << QList<ScheduleWindow> { window({}, QTime(0, 0), QTime(23, 0)) } << at(Qt::Monday, 12) << empty;
    QTest::newRow("unknown time")
        << friday << QDateTime()
        << QStringLiteral("paused: the time of day is unknown, so the schedule cannot be checked");
}

void PolicyEngineTest::schedule()
{
    QFETCH(QList<ScheduleWindow>, windows);
    QFETCH(QDateTime, now);
    QFETCH(QString, reason);

    DevicePolicy policy = runningPolicy();
    policy.when = DevicePolicy::When::Schedule;
    policy.schedule = windows;
    PolicyEngine engine(policy);
    PolicyInputs inputs = quietInputs();
    inputs.now = now;
    const PolicyDecision decision = engine.decide(inputs);
    QCOMPARE(decision.reason, reason);
    QCOMPARE(decision.action, reason == QLatin1String("running") ? Action::Run : Action::Pause);
}

void PolicyEngineTest::idle_data()
{
    QTest::addColumn<std::optional<int>>("idleSeconds");
    QTest::addColumn<QString>("reason");

    QTest::newRow("busy") << std::optional<int>(
        12) << QStringLiteral("paused: you are using the computer (idle 12 s of the 120 s needed)");
    QTest::newRow("almost") << std::optional<int>(
        119) << QStringLiteral("paused: you are using the computer (idle 119 s of the 120 s needed)");
    QTest::newRow("exactly") << std::optional<int>(120) << QStringLiteral("running");
    QTest::newRow("long idle") << std::optional<int>(86400) << QStringLiteral("running");
    QTest::newRow("no source") << std::optional<int>()
                               << QStringLiteral(
                                      "paused: no idle-time source on this system, so \"when idle\" "
                                      "never starts (choose another rule)");
}

void PolicyEngineTest::idle()
{
    QFETCH(std::optional<int>, idleSeconds);
    QFETCH(QString, reason);

    DevicePolicy policy = runningPolicy();
    policy.when = DevicePolicy::When::WhenIdle;
    PolicyEngine engine(policy);
    PolicyInputs inputs = quietInputs();
    inputs.userIdleSeconds = idleSeconds;
    QCOMPARE(engine.decide(inputs).reason, reason);

    // Idle time matters only to the WhenIdle rule.
    policy.when = DevicePolicy::When::Always;
    engine.setPolicy(policy);
    QCOMPARE(engine.decide(inputs).action, Action::Run);
}

void PolicyEngineTest::gpuBusy_data()
{
    QTest::addColumn<QStringList>("listed");
    QTest::addColumn<QStringList>("running");
    QTest::addColumn<std::optional<double>>("utilization");
    QTest::addColumn<QString>("reason");

    const QStringList blender = { QStringLiteral("blender") };
    const std::optional<double> quiet = 5;
    QTest::newRow("listed program") << blender
                                    << QStringList { QStringLiteral("Xorg"), QStringLiteral("blender") }
                                    << quiet
                                    << QStringLiteral("paused: another program is using the GPU (blender)");
    QTest::newRow("path and .exe") << blender
                                   << QStringList { QStringLiteral(
                                          "C:\\Program Files\\Blender\\Blender.EXE") }
                                   << quiet
                                   << QStringLiteral("paused: another program is using the GPU (Blender)");
    QTest::newRow("unix path") << blender << QStringList { QStringLiteral("/usr/bin/blender") } << quiet
                               << QStringLiteral("paused: another program is using the GPU (blender)");
    QTest::newRow("two listed") << QStringList { QStringLiteral("blender"), QStringLiteral("steam") }
                                << QStringList { QStringLiteral("steam"), QStringLiteral("blender"),
                                       QStringLiteral("steam") }
                                << quiet
                                << QStringLiteral(
                                       "paused: other programs are using the GPU (steam, blender)");
    QTest::newRow("unlisted programs do not count")
        << blender
        << QStringList { QStringLiteral("Xorg"), QStringLiteral("gnome-shell"), QStringLiteral("blend") }
        << quiet << QStringLiteral("running");
    QTest::newRow("busy by utilization")
        << QStringList() << QStringList { QStringLiteral("Xorg") } << std::optional<double>(45)
        << QStringLiteral("paused: other programs keep the GPU 45 % busy (over the 20 % allowed)");
    QTest::newRow("at the threshold")
        << QStringList() << QStringList() << std::optional<double>(20) << QStringLiteral("running");
    QTest::newRow("no utilization reading")
        << QStringList() << QStringList() << std::optional<double>() << QStringLiteral("running");
}

void PolicyEngineTest::gpuBusy()
{
    QFETCH(QStringList, listed);
    QFETCH(QStringList, running);
    QFETCH(std::optional<double>, utilization);
    QFETCH(QString, reason);

    DevicePolicy policy = runningPolicy();
    policy.gpuBusyProcesses = listed;
    PolicyEngine engine(policy);
    PolicyInputs inputs = quietInputs();
    qint64 pid = 100;
    for (const QString &name : running)
        inputs.otherGpuProcesses.append({ name, pid++ });
    inputs.gpuUtilizationByOthersPercent = utilization;
    QCOMPARE(engine.decide(inputs).reason, reason);

    // Switched off, nothing another program does pauses the device.
    policy.pauseWhenGpuBusy = false;
    engine.setPolicy(policy);
    QCOMPARE(engine.decide(inputs).action, Action::Run);
}

void PolicyEngineTest::temperatureHysteresis()
{
    DevicePolicy policy = runningPolicy();
    policy.temperatureLimitC = 80;
    PolicyEngine engine(policy);

    struct Step {
        double celsius;
        Action action;
        const char *reason;
    };
    const Step steps[] = {
        { 79, Action::Run, "running" },
        { 80, Action::Run, "running" }, // at the limit is not over it
        { 80.5, Action::Throttle, "throttled: 80.5 °C over the 80 °C limit" },
        { 79, Action::Throttle, "throttled: 79 °C, cooling down to 77 °C (80 °C limit)" },
        { 77.1, Action::Throttle, "throttled: 77.1 °C, cooling down to 77 °C (80 °C limit)" },
        { 77, Action::Run, "running" },
        { 79, Action::Run, "running" }, // going up again: the band does not apply
        { 80, Action::Run, "running" },
        { 83, Action::Throttle, "throttled: 83 °C over the 80 °C limit" },
        { 78, Action::Throttle, "throttled: 78 °C, cooling down to 77 °C (80 °C limit)" },
        { 60, Action::Run, "running" },
    };
    for (const Step &step : steps) {
        const PolicyDecision decision = engine.decide(withTemperature(step.celsius));
        const QByteArray where = "at " + QByteArray::number(step.celsius) + " °C";
        QVERIFY2(decision.action == step.action, where.constData());
        QCOMPARE(decision.reason, QString::fromUtf8(step.reason));
    }
}

void PolicyEngineTest::powerHysteresis()
{
    DevicePolicy policy = runningPolicy();
    policy.powerLimitW = 250;
    PolicyEngine engine(policy);

    struct Step {
        double watts;
        Action action;
        const char *reason;
    };
    const Step steps[] = {
        { 250, Action::Run, "running" },
        { 251, Action::Throttle, "throttled: 251 W over the 250 W limit" },
        { 240, Action::Throttle, "throttled: 240 W, coming down to 237.5 W (250 W limit)" },
        { 237.6, Action::Throttle, "throttled: 237.6 W, coming down to 237.5 W (250 W limit)" },
        { 237.5, Action::Run, "running" },
        { 249, Action::Run, "running" },
        { 260, Action::Throttle, "throttled: 260 W over the 250 W limit" },
        { 100, Action::Run, "running" },
    };
    for (const Step &step : steps) {
        const PolicyDecision decision = engine.decide(withPower(step.watts));
        const QByteArray where = "at " + QByteArray::number(step.watts) + " W";
        QVERIFY2(decision.action == step.action, where.constData());
        QCOMPARE(decision.reason, QString::fromUtf8(step.reason));
    }
}

void PolicyEngineTest::pauseOverLimit()
{
    DevicePolicy policy = runningPolicy();
    policy.powerLimitW = 250;
    policy.temperatureLimitC = 80;
    policy.overLimitAction = DevicePolicy::OverLimitAction::Pause;
    PolicyEngine engine(policy);

    PolicyDecision decision = engine.decide(withPower(260));
    QCOMPARE(decision.action, Action::Pause);
    QCOMPARE(decision.dutyCycle, 0.0);
    QCOMPARE(decision.reason, QStringLiteral("paused: 260 W over the 250 W limit"));
    // Pausing drops the power; the band still holds until 237.5 W.
    decision = engine.decide(withPower(245));
    QCOMPARE(decision.action, Action::Pause);
    QCOMPARE(decision.reason, QStringLiteral("paused: 245 W, coming down to 237.5 W (250 W limit)"));
    QCOMPARE(engine.decide(withPower(30)).action, Action::Run);

    decision = engine.decide(withTemperature(81));
    QCOMPARE(decision.action, Action::Pause);
    QCOMPARE(decision.reason, QStringLiteral("paused: 81 °C over the 80 °C limit"));
    decision = engine.decide(withTemperature(78));
    QCOMPARE(decision.reason, QStringLiteral("paused: 78 °C, cooling down to 77 °C (80 °C limit)"));
    QCOMPARE(engine.decide(withTemperature(70)).action, Action::Run);
}

void PolicyEngineTest::bothLimitsOver()
{
    DevicePolicy policy = runningPolicy();
    policy.powerLimitW = 250;
    policy.temperatureLimitC = 80;
    PolicyEngine engine(policy);

    PolicyInputs inputs = quietInputs();
    inputs.temperatureC = 82; // 0.8
    inputs.powerW = 500; // 0.5
    const PolicyDecision decision = engine.decide(inputs);
    QCOMPARE(decision.action, Action::Throttle);
    QCOMPARE(decision.dutyCycle, 0.5);
    QCOMPARE(decision.reason,
        QStringLiteral("throttled: 82 °C over the 80 °C limit and 500 W over the 250 W limit"));
}

void PolicyEngineTest::dutyCycle_data()
{
    QTest::addColumn<std::optional<double>>("celsius");
    QTest::addColumn<std::optional<double>>("watts");
    QTest::addColumn<double>("dutyCycle");

    const std::optional<double> none;
    QTest::newRow("just over: at most 0.9") << std::optional<double>(80.5) << none << 0.9;
    QTest::newRow("1 °C over") << std::optional<double>(81) << none << 0.9;
    QTest::newRow("2 °C over") << std::optional<double>(82) << none << 0.8;
    QTest::newRow("5 °C over") << std::optional<double>(85) << none << 0.5;
    QTest::newRow("9 °C over") << std::optional<double>(89) << none << 0.1;
    QTest::newRow("30 °C over: at least 0.1") << std::optional<double>(110) << none << 0.1;
    QTest::newRow("4 % over power: at most 0.9") << none << std::optional<double>(260) << 0.9;
    QTest::newRow("double the power") << none << std::optional<double>(500) << 0.5;
    QTest::newRow("twenty times the power: at least 0.1") << none << std::optional<double>(5000) << 0.1;
    QTest::newRow("both: the smaller") << std::optional<double>(87) << std::optional<double>(500) << 0.3;
}

void PolicyEngineTest::dutyCycle()
{
    QFETCH(std::optional<double>, celsius);
    QFETCH(std::optional<double>, watts);
    QFETCH(double, dutyCycle);

    DevicePolicy policy = runningPolicy();
    policy.temperatureLimitC = 80;
    policy.powerLimitW = 250;
    PolicyEngine engine(policy);
    PolicyInputs inputs = quietInputs();
    if (celsius)
        inputs.temperatureC = celsius;
    if (watts)
        inputs.powerW = watts;
    const PolicyDecision decision = engine.decide(inputs);
    QCOMPARE(decision.action, Action::Throttle);
    QVERIFY2(qAbs(decision.dutyCycle - dutyCycle) < 1e-9, QByteArray::number(decision.dutyCycle).constData());

    // Inside the band (back under the limit) the throttle keeps 0.9.
    inputs.temperatureC = 78.5;
    inputs.powerW = 245;
    const PolicyDecision cooling = engine.decide(inputs);
    QCOMPARE(cooling.action, Action::Throttle);
    QCOMPARE(cooling.dutyCycle, 0.9);
}

void PolicyEngineTest::limitsTrackedWhilePaused()
{
    DevicePolicy policy = runningPolicy();
    policy.temperatureLimitC = 80;
    PolicyEngine engine(policy);
    QCOMPARE(engine.decide(withTemperature(85)).action, Action::Throttle);

    // Paused by the user while it cools down: back to Run, not to a stale throttle.
    PolicyInputs paused = withTemperature(70);
    paused.globalPause = true;
    QCOMPARE(engine.decide(paused).action, Action::Pause);
    QCOMPARE(engine.decide(withTemperature(79)).action, Action::Run);

    // And heating up while paused is remembered too.
    paused.temperatureC = 90;
    QCOMPARE(engine.decide(paused).action, Action::Pause);
    QCOMPARE(engine.decide(withTemperature(78)).action, Action::Throttle);
}

void PolicyEngineTest::missingReadings()
{
    DevicePolicy policy = runningPolicy();
    policy.temperatureLimitC = 80;
    policy.powerLimitW = 250;
    PolicyEngine engine(policy);

    PolicyInputs inputs = quietInputs();
    inputs.temperatureC.reset();
    inputs.powerW.reset();
    PolicyDecision decision = engine.decide(inputs);
    QCOMPARE(decision.action, Action::Run);
    QCOMPARE(decision.reason,
        QStringLiteral("running (no temperature reading, so the 80 °C limit cannot be "
                       "checked; no power reading, so the 250 W limit cannot be checked)"));

    // A reading that drops out keeps what the band remembered for when it comes back.
    QCOMPARE(engine.decide(withTemperature(84)).action, Action::Throttle);
    inputs = withTemperature(0);
    inputs.temperatureC.reset();
    decision = engine.decide(inputs);
    QCOMPARE(decision.action, Action::Run);
    QCOMPARE(decision.reason,
        QStringLiteral("running (no temperature reading, so the 80 °C limit cannot be checked)"));
    QCOMPARE(engine.decide(withTemperature(79)).action, Action::Throttle);
}

void PolicyEngineTest::memoryBudget_data()
{
    QTest::addColumn<std::optional<quint64>>("cap");
    QTest::addColumn<std::optional<quint64>>("free");
    QTest::addColumn<std::optional<quint64>>("budget");

    const std::optional<quint64> none;
    const std::optional<quint64> gib2 = 2ull << 30;
    const std::optional<quint64> gib6 = 6ull << 30;
    QTest::newRow("neither known") << none << none << none;
    QTest::newRow("cap only") << gib2 << none << gib2;
    QTest::newRow("free only") << none << gib6 << gib6;
    QTest::newRow("cap below free") << gib2 << gib6 << gib2;
    QTest::newRow("free below cap") << gib6 << gib2 << gib2;
    QTest::newRow("nothing free") << gib6 << std::optional<quint64>(0) << std::optional<quint64>(0);
}

void PolicyEngineTest::memoryBudget()
{
    QFETCH(std::optional<quint64>, cap);
    QFETCH(std::optional<quint64>, free);
    QFETCH(std::optional<quint64>, budget);

    DevicePolicy policy = runningPolicy();
    policy.memoryCapBytes = cap;
    policy.temperatureLimitC = 80;
    PolicyEngine engine(policy);
    PolicyInputs inputs = quietInputs();
    inputs.deviceMemoryFreeBytes = free;

    QCOMPARE(engine.decide(inputs).memoryBudgetBytes, budget);
    inputs.temperatureC = 90;
    QCOMPARE(engine.decide(inputs).memoryBudgetBytes, budget); // throttled
    inputs.globalPause = true;
    QCOMPARE(engine.decide(inputs).memoryBudgetBytes, budget); // paused
}

void PolicyEngineTest::setPolicyAppliesAtOnce()
{
    PolicyEngine engine(runningPolicy());
    const PolicyInputs inputs = withTemperature(75);
    QCOMPARE(engine.decide(inputs).action, Action::Run);

    DevicePolicy policy = runningPolicy();
    policy.enabled = false;
    engine.setPolicy(policy);
    QCOMPARE(engine.policy(), policy);
    QCOMPARE(engine.decide(inputs).action, Action::Off);

    policy.enabled = true;
    policy.temperatureLimitC = 70;
    engine.setPolicy(policy);
    PolicyDecision decision = engine.decide(inputs);
    QCOMPARE(decision.action, Action::Throttle);
    QCOMPARE(decision.reason, QStringLiteral("throttled: 75 °C over the 70 °C limit"));

    // A changed limit is checked against what the band remembers: a device throttled for a
    // 70 °C limit that reads 75 °C is inside a 77 °C limit's band, but not an 80 °C one's.
    policy.temperatureLimitC = 77;
    engine.setPolicy(policy);
    decision = engine.decide(inputs);
    QCOMPARE(decision.action, Action::Throttle);
    QCOMPARE(decision.reason, QStringLiteral("throttled: 75 °C, cooling down to 74 °C (77 °C limit)"));
    policy.temperatureLimitC = 80;
    engine.setPolicy(policy);
    QCOMPARE(engine.decide(inputs).action, Action::Run);

    // Removing a limit forgets its band.
    policy.temperatureLimitC = 70;
    engine.setPolicy(policy);
    QCOMPARE(engine.decide(inputs).action, Action::Throttle);
    policy.temperatureLimitC.reset();
    engine.setPolicy(policy);
    QCOMPARE(engine.decide(inputs).action, Action::Run);
    policy.temperatureLimitC = 76;
    engine.setPolicy(policy);
    QCOMPARE(engine.decide(inputs).action, Action::Run);

    policy.when = DevicePolicy::When::WhenIdle;
    engine.setPolicy(policy);
    PolicyInputs busyUser = inputs;
    busyUser.userIdleSeconds = 3;
    QCOMPARE(engine.decide(busyUser).action, Action::Pause);
}

void PolicyEngineTest::jsonRoundTrip()
{
    DevicePolicy policy;
    policy.enabled = true;
    policy.when = DevicePolicy::When::Schedule;
    policy.idleSeconds = 300;
    policy.schedule = { window({ Qt::Friday, Qt::Saturday }, QTime(22, 0), QTime(7, 0)),
        window({ Qt::Monday, Qt::Tuesday, Qt::Wednesday, Qt::Thursday, Qt::Sunday }, QTime(0, 30),
            QTime(6, 45)) };
    policy.pauseOnBattery = false;
    policy.pauseWhenGpuBusy = false;
    policy.gpuBusyProcesses = { QStringLiteral("blender"), QStringLiteral("steam") };
    policy.gpuBusyUtilizationPercent = 35.5;
    policy.temperatureLimitC = 82.5;
    policy.powerLimitW = 250;
    policy.overLimitAction = DevicePolicy::OverLimitAction::Pause;
    policy.memoryCapBytes = (6ull << 30) + 1;

    const QJsonObject json = policy.toJson();
    QCOMPARE(json.value(QLatin1String("when")).toString(), QStringLiteral("schedule"));
    QCOMPARE(json.value(QLatin1String("overLimitAction")).toString(), QStringLiteral("pause"));
    const QJsonObject first = json.value(QLatin1String("schedule")).toArray().at(0).toObject();
    QCOMPARE(first.value(QLatin1String("days")).toArray(),
        QJsonArray({ QStringLiteral("fri"), QStringLiteral("sat") }));
    QCOMPARE(first.value(QLatin1String("start")).toString(), QStringLiteral("22:00"));
    QCOMPARE(first.value(QLatin1String("end")).toString(), QStringLiteral("07:00"));

    // Through text, as it is stored.
    const QByteArray text = QJsonDocument(json).toJson();
    QString error;
    const std::optional<DevicePolicy> back = DevicePolicy::fromJson(parse(text), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->memoryCapBytes, policy.memoryCapBytes);
    QVERIFY(*back == policy);

    // Every When and default values too.
    for (DevicePolicy::When when : { DevicePolicy::When::Always, DevicePolicy::When::WhenIdle }) {
        DevicePolicy simple;
        simple.when = when;
        const std::optional<DevicePolicy> again = DevicePolicy::fromJson(simple.toJson(), &error);
        QVERIFY2(again, qPrintable(error));
        QVERIFY(*again == simple);
        QVERIFY(!simple.toJson().contains(QLatin1String("temperatureLimitC")));
        QVERIFY(!simple.toJson().contains(QLatin1String("memoryCapBytes")));
    }
}

void PolicyEngineTest::jsonDefaultsAndUnknownKeys()
{
    QString error;
    std::optional<DevicePolicy> policy = DevicePolicy::fromJson(QJsonObject(), &error);
    QVERIFY2(policy, qPrintable(error));
    QVERIFY(*policy == DevicePolicy());

    policy = DevicePolicy::fromJson(
        parse(R"({"enabled": true, "fromTheFuture": {"x": 1}, "temperatureLimitC": null,
                                               "when": "whenIdle", "idleSeconds": 30,
                                               "schedule": [{"days": ["SAT", "sun"], "start": "7:05", "end": "23:59",
                                                             "label": "weekend"}]})"),
        &error);
    QVERIFY2(policy, qPrintable(error));
    QCOMPARE(policy->enabled, true);
    QCOMPARE(policy->when, DevicePolicy::When::WhenIdle);
    QCOMPARE(policy->idleSeconds, 30);
    QVERIFY(!policy->temperatureLimitC);
    QCOMPARE(policy->pauseOnBattery, true);
    QCOMPARE(policy->schedule.size(), 1);
    QCOMPARE(policy->schedule.first(), window({ Qt::Saturday, Qt::Sunday }, QTime(7, 5), QTime(23, 59)));

    // A null error pointer is allowed.
    QVERIFY(!DevicePolicy::fromJson(parse(R"({"enabled": 1})"), nullptr));
}

void PolicyEngineTest::jsonErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");

    const auto row = [](const char *name, const char *json, const char *error) {
        QTest::newRow(name) << QByteArray(json) << QString::fromUtf8(error);
    };
    row("enabled", R"({"enabled": "yes"})", "enabled: must be true or false");
    row("when unknown", R"({"when": "sometimes"})",
        R"(when: "sometimes" is not one of always, whenIdle, schedule)");
    row("when not text", R"({"when": 2})", "when: must be one of always, whenIdle, schedule");
    row("idle zero", R"({"idleSeconds": 0})", "idleSeconds: must be a whole number between 1 and 86400");
    row("idle fraction", R"({"idleSeconds": 1.5})",
        "idleSeconds: must be a whole number between 1 and 86400");
    row("idle text", R"({"idleSeconds": "120"})", "idleSeconds: must be a whole number between 1 and 86400");
    row("schedule not a list", R"({"schedule": {}})", "schedule: must be a list of windows");
    row("window not an object", R"({"schedule": ["fri"]})",
        "schedule[0]: must be an object with days, start and end");
    row("bad start", R"({"schedule": [{"days": ["fri"], "start": "22:00", "end": "07:00"},
                                      {"days": ["sat"], "start": "25:00", "end": "07:00"}]})",
        R"(schedule[1].start: "25:00" is not a time (HH:MM))");
    row("bad end", R"({"schedule": [{"days": ["fri"], "start": "22:00", "end": "7:60"}]})",
        R"(schedule[0].end: "7:60" is not a time (HH:MM))");
    row("time with seconds", R"({"schedule": [{"days": ["fri"], "start": "22:00:00", "end": "07:00"}]})",
        R"(schedule[0].start: "22:00:00" is not a time (HH:MM))");
    row("time not text", R"({"schedule": [{"days": ["fri"], "start": 22, "end": "07:00"}]})",
        "schedule[0].start: must be a time (HH:MM)");
    row("missing end", R"({"schedule": [{"days": ["fri"], "start": "22:00"}]})",
        "schedule[0].end: missing (HH:MM)");
    row("missing days", R"({"schedule": [{"start": "22:00", "end": "07:00"}]})",
        R"(schedule[0].days: missing (a list such as ["sat", "sun"]))");
    row("no days", R"({"schedule": [{"days": [], "start": "22:00", "end": "07:00"}]})",
        "schedule[0].days: must be a non-empty list of days (mon, tue, wed, thu, fri, sat, sun)");
    row("bad day", R"({"schedule": [{"days": ["mon", "funday"], "start": "22:00", "end": "07:00"}]})",
        R"(schedule[0].days[1]: "funday" is not a day (mon, tue, wed, thu, fri, sat, sun))");
    row("day not text", R"({"schedule": [{"days": [1], "start": "22:00", "end": "07:00"}]})",
        "schedule[0].days[0]: must be a day (mon, tue, wed, thu, fri, sat, sun)");
    row("battery", R"({"pauseOnBattery": "no"})", "pauseOnBattery: must be true or false");
    row("gpu busy", R"({"pauseWhenGpuBusy": 0})", "pauseWhenGpuBusy: must be true or false");
    row("process list", R"({"gpuBusyProcesses": "blender"})",
        "gpuBusyProcesses: must be a list of program names");
    row("process name", R"({"gpuBusyProcesses": ["blender", " "]})",
        "gpuBusyProcesses[1]: must be a program name");
    row("utilization", R"({"gpuBusyUtilizationPercent": 0})",
        "gpuBusyUtilizationPercent: must be between 1 and 100");
    row("temperature low", R"({"temperatureLimitC": 20})", "temperatureLimitC: must be between 30 and 110");
    row("temperature high", R"({"temperatureLimitC": 111})", "temperatureLimitC: must be between 30 and 110");
    row("temperature text", R"({"temperatureLimitC": "80"})", "temperatureLimitC: must be a number");
    row("power", R"({"powerLimitW": 5})", "powerLimitW: must be between 10 and 2000");
    row("action", R"({"overLimitAction": "explode"})",
        R"(overLimitAction: "explode" is not one of throttle, pause)");
    row("memory zero", R"({"memoryCapBytes": 0})", "memoryCapBytes: must be a whole number of bytes above 0");
    row("memory fraction", R"({"memoryCapBytes": 1.5})",
        "memoryCapBytes: must be a whole number of bytes above 0");
    row("memory text", R"({"memoryCapBytes": "4G"})",
        "memoryCapBytes: must be a whole number of bytes above 0");
    row("first problem wins", R"({"enabled": 3, "powerLimitW": 5})", "enabled: must be true or false");
}

void PolicyEngineTest::jsonErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);

    QString message = QStringLiteral("untouched");
    QVERIFY(!DevicePolicy::fromJson(parse(json), &message));
    QCOMPARE(message, error);
}

void PolicyEngineTest::actionNames()
{
    QCOMPARE(PolicyDecision::actionName(Action::Run), QStringLiteral("run"));
    QCOMPARE(PolicyDecision::actionName(Action::Throttle), QStringLiteral("throttle"));
    QCOMPARE(PolicyDecision::actionName(Action::Pause), QStringLiteral("pause"));
    QCOMPARE(PolicyDecision::actionName(Action::Off), QStringLiteral("off"));
}

QTEST_APPLESS_MAIN(PolicyEngineTest)

#include "policy_engine_test.moc"
