#include "app/contributor/policy/policy_engine.h"

#include <QStringList>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace tributary {

namespace {

constexpr double kMinDutyCycle = 0.1;
constexpr double kMaxDutyCycle = 0.9;
constexpr double kDutyStepC = 10; // degrees over the limit that cost the whole duty cycle

// Index i holds Qt::DayOfWeek i + 1; English like the rest of the reasons.
constexpr std::array<const char *, 7> kDayNames = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

// At most one decimal and no trailing ".0": "83", "237.5".
QString number(double value)
{
    return QString::number(std::round(value * 10) / 10);
}

QString degrees(double value)
{
    return number(value) + QStringLiteral(" °C");
}

QString watts(double value)
{
    return number(value) + QStringLiteral(" W");
}

int nextDay(int dayOfWeek, int ahead)
{
    return (dayOfWeek - 1 + ahead) % 7 + 1;
}

bool startsOn(const ScheduleWindow &window, int dayOfWeek)
{
    return window.days.contains(Qt::DayOfWeek(dayOfWeek));
}

bool covers(const ScheduleWindow &window, int dayOfWeek, QTime time)
{
    const bool crossesMidnight = window.end <= window.start;
    if (startsOn(window, dayOfWeek) && time >= window.start && (crossesMidnight || time < window.end))
        return true;
    // The tail of a window that started yesterday.
    return crossesMidnight && startsOn(window, nextDay(dayOfWeek, 6)) && time < window.end;
}

// The first window start after (dayOfWeek, time), as "Fri 22:00"; empty when no window
// has a day.
QString nextWindowStart(const QList<ScheduleWindow> &schedule, int dayOfWeek, QTime time)
{
    std::optional<std::pair<int, QTime>> soonest; // days ahead, start time
    for (const ScheduleWindow &window : schedule) {
        // Up to 7 days ahead: a window earlier today next starts a week from now.
        for (int ahead = 0; ahead <= 7; ++ahead) {
            if (!startsOn(window, nextDay(dayOfWeek, ahead)) || (ahead == 0 && window.start <= time))
                continue;
            const std::pair<int, QTime> start { ahead, window.start };
            if (!soonest || start < *soonest)
                soonest = start;
            break;
        }
    }
    if (!soonest)
        return {};
    return QLatin1String(kDayNames[nextDay(dayOfWeek, soonest->first) - 1]) + QLatin1Char(' ')
        + soonest->second.toString(QStringLiteral("HH:mm"));
}

// "C:\Program Files\Blender\blender.exe" and "/usr/bin/blender" both match "blender".
QString programName(const QString &name)
{
    QString base
        = name.mid(std::max(name.lastIndexOf(QLatin1Char('/')), name.lastIndexOf(QLatin1Char('\\'))) + 1);
    if (base.endsWith(QLatin1String(".exe"), Qt::CaseInsensitive))
        base.chop(4);
    return base.trimmed();
}

} // namespace

QString PolicyDecision::actionName(Action action)
{
    switch (action) {
    case Action::Run:
        return QStringLiteral("run");
    case Action::Throttle:
        return QStringLiteral("throttle");
    case Action::Pause:
        return QStringLiteral("pause");
    case Action::Off:
        return QStringLiteral("off");
    }
    return QStringLiteral("unknown");
}

PolicyEngine::PolicyEngine(DevicePolicy policy)
    : m_policy(std::move(policy))
{
}

void PolicyEngine::setPolicy(DevicePolicy policy)
{
    m_policy = std::move(policy);
}

PolicyDecision PolicyEngine::decide(const PolicyInputs &inputs)
{
    trackLimits(inputs);

    std::optional<quint64> memoryBudget = m_policy.memoryCapBytes;
    if (const std::optional<quint64> free = inputs.deviceMemoryFreeBytes)
        memoryBudget = memoryBudget ? std::min(*memoryBudget, *free) : *free;

    PolicyDecision decision;
    if (!m_policy.enabled) {
        decision.action = PolicyDecision::Action::Off;
        decision.reason = QStringLiteral("switched off");
    } else if (inputs.globalPause) {
        decision.action = PolicyDecision::Action::Pause;
        decision.reason = QStringLiteral("paused by you");
    } else if (m_policy.pauseOnBattery && inputs.onBattery.value_or(false)) {
        decision.action = PolicyDecision::Action::Pause;
        decision.reason = QStringLiteral("paused: on battery power");
    } else if (QString reason = whenRuleBlocks(inputs); !reason.isEmpty()) {
        decision.action = PolicyDecision::Action::Pause;
        decision.reason = std::move(reason);
    } else if (QString reason = gpuBusyBlocks(inputs); !reason.isEmpty()) {
        decision.action = PolicyDecision::Action::Pause;
        decision.reason = std::move(reason);
    } else {
        decision = applyLimits(inputs);
    }
    decision.memoryBudgetBytes = memoryBudget;
    return decision;
}

void PolicyEngine::trackLimits(const PolicyInputs &inputs)
{
    // Over the limit to enter the band; at or below its lower edge to leave it.
    if (!m_policy.temperatureLimitC)
        m_overTemperature = false;
    else if (inputs.temperatureC)
        m_overTemperature = *inputs.temperatureC
            > *m_policy.temperatureLimitC - (m_overTemperature ? kTemperatureHysteresisC : 0);

    if (!m_policy.powerLimitW)
        m_overPower = false;
    else if (inputs.powerW)
        m_overPower
            = *inputs.powerW > *m_policy.powerLimitW * (1 - (m_overPower ? kPowerHysteresisFraction : 0));
}

QString PolicyEngine::whenRuleBlocks(const PolicyInputs &inputs) const
{
    switch (m_policy.when) {
    case DevicePolicy::When::Always:
        return {};
    case DevicePolicy::When::WhenIdle:
        if (!inputs.userIdleSeconds)
            return QStringLiteral("paused: no idle-time source on this system, so \"when idle\" never starts "
                                  "(choose another rule)");
        if (*inputs.userIdleSeconds < m_policy.idleSeconds)
            return QStringLiteral("paused: you are using the computer (idle %1 s of the %2 s needed)")
                .arg(*inputs.userIdleSeconds)
                .arg(m_policy.idleSeconds);
        return {};
    case DevicePolicy::When::Schedule: {
        if (!inputs.now.isValid())
            return QStringLiteral("paused: the time of day is unknown, so the schedule cannot be checked");
        const int day = inputs.now.date().dayOfWeek();
        const QTime time = inputs.now.time();
        if (std::any_of(m_policy.schedule.begin(), m_policy.schedule.end(),
                [&](const ScheduleWindow &window) { return covers(window, day, time); }))
            return {};
        const QString next = nextWindowStart(m_policy.schedule, day, time);
        if (next.isEmpty())
            return QStringLiteral("paused: the schedule has no windows (add one or choose another rule)");
        return QStringLiteral("paused: outside the schedule (next window %1)").arg(next);
    }
    }
    return QStringLiteral("paused: unknown rule");
}

QString PolicyEngine::gpuBusyBlocks(const PolicyInputs &inputs) const
{
    if (!m_policy.pauseWhenGpuBusy)
        return {};

    QStringList named;
    for (const GpuProcess &process : inputs.otherGpuProcesses) {
        const QString name = programName(process.name);
        const bool listed = std::any_of(m_policy.gpuBusyProcesses.begin(), m_policy.gpuBusyProcesses.end(),
            [&](const QString &busy) { return programName(busy).compare(name, Qt::CaseInsensitive) == 0; });
        if (listed && !named.contains(name))
            named.append(name);
    }
    if (named.size() == 1)
        return QStringLiteral("paused: another program is using the GPU (%1)").arg(named.first());
    if (named.size() > 1)
        return QStringLiteral("paused: other programs are using the GPU (%1)")
            .arg(named.join(QStringLiteral(", ")));

    const std::optional<double> busy = inputs.gpuUtilizationByOthersPercent;
    if (busy && *busy > m_policy.gpuBusyUtilizationPercent)
        return QStringLiteral("paused: other programs keep the GPU %1 % busy (over the %2 % allowed)")
            .arg(number(*busy), number(m_policy.gpuBusyUtilizationPercent));
    return {};
}

PolicyDecision PolicyEngine::applyLimits(const PolicyInputs &inputs) const
{
    QStringList over; // why a limit is in force
    QStringList unchecked; // limits that have no reading to check
    double dutyCycle = 1;

    if (const std::optional<double> limit = m_policy.temperatureLimitC) {
        const std::optional<double> reading = inputs.temperatureC;
        if (!reading) {
            unchecked.append(QStringLiteral("no temperature reading, so the %1 limit cannot be checked")
                                 .arg(degrees(*limit)));
        } else if (m_overTemperature) {
            dutyCycle = std::min(
                dutyCycle, std::clamp(1 - (*reading - *limit) / kDutyStepC, kMinDutyCycle, kMaxDutyCycle));
            over.append(*reading > *limit
                    ? QStringLiteral("%1 over the %2 limit").arg(degrees(*reading), degrees(*limit))
                    : QStringLiteral("%1, cooling down to %2 (%3 limit)")
                          .arg(
                              degrees(*reading), degrees(*limit - kTemperatureHysteresisC), degrees(*limit)));
        }
    }

    if (const std::optional<double> limit = m_policy.powerLimitW) {
        const std::optional<double> reading = inputs.powerW;
        if (!reading) {
            unchecked.append(
                QStringLiteral("no power reading, so the %1 limit cannot be checked").arg(watts(*limit)));
        } else if (m_overPower) {
            dutyCycle = std::min(dutyCycle, std::clamp(*limit / *reading, kMinDutyCycle, kMaxDutyCycle));
            over.append(*reading > *limit
                    ? QStringLiteral("%1 over the %2 limit").arg(watts(*reading), watts(*limit))
                    : QStringLiteral("%1, coming down to %2 (%3 limit)")
                          .arg(watts(*reading), watts(*limit * (1 - kPowerHysteresisFraction)),
                              watts(*limit)));
        }
    }

    PolicyDecision decision;
    if (!over.isEmpty()) {
        const bool pause = m_policy.overLimitAction == DevicePolicy::OverLimitAction::Pause;
        decision.action = pause ? PolicyDecision::Action::Pause : PolicyDecision::Action::Throttle;
        decision.dutyCycle = pause ? 0 : dutyCycle;
        decision.reason = (pause ? QStringLiteral("paused: ") : QStringLiteral("throttled: "))
            + over.join(QStringLiteral(" and "));
        return decision;
    }

    decision.action = PolicyDecision::Action::Run;
    decision.dutyCycle = 1;
    decision.reason = QStringLiteral("running");
    if (!unchecked.isEmpty())
        decision.reason += QStringLiteral(" (") + unchecked.join(QStringLiteral("; ")) + QLatin1Char(')');
    return decision;
}

} // namespace tributary
