#include "ui/device_card.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QFont>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace tributary::ui {

namespace {

constexpr int kChartHeight = 100;
constexpr std::array<const char *, 7> kDayNames = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

QString number(double value)
{
    return QString::number(value, 'g', 6);
}

QString duration(int seconds)
{
    if (seconds % 3600 == 0)
        return QStringLiteral("%1 h").arg(seconds / 3600);
    if (seconds % 60 == 0)
        return QStringLiteral("%1 min").arg(seconds / 60);
    if (seconds < 60)
        return QStringLiteral("%1 s").arg(seconds);
    return QStringLiteral("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
}

// "Mon–Fri", "Sat, Sun", "Mon, Wed–Fri", "Every day".
QString daysText(QList<Qt::DayOfWeek> days)
{
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    if (days.size() == 7)
        return QStringLiteral("Every day");
    QStringList parts;
    for (qsizetype i = 0; i < days.size();) {
        qsizetype last = i;
        while (last + 1 < days.size() && days[last + 1] == days[last] + 1)
            ++last;
        const auto name = [](Qt::DayOfWeek day) { return QLatin1String(kDayNames[std::size_t(day) - 1]); };
        if (last - i >= 2) {
            parts << name(days[i]) + QStringLiteral("–") + name(days[last]);
        } else {
            for (qsizetype j = i; j <= last; ++j)
                parts << name(days[j]);
        }
        i = last + 1;
    }
    return parts.join(QStringLiteral(", "));
}

QString whenText(const DevicePolicy &policy)
{
    switch (policy.when) {
    case DevicePolicy::When::Always:
        return QStringLiteral("Runs any time");
    case DevicePolicy::When::WhenIdle:
        return QStringLiteral("Runs when idle for %1").arg(duration(policy.idleSeconds));
    case DevicePolicy::When::Schedule:
        break;
    }
    if (policy.schedule.isEmpty())
        return QStringLiteral("Never runs (the schedule has no windows)");
    if (policy.schedule.size() > 1)
        return QStringLiteral("Runs in %1 weekly windows").arg(policy.schedule.size());
    const ScheduleWindow &window = policy.schedule.first();
    return QStringLiteral("Runs %1 %2–%3")
        .arg(daysText(window.days), window.start.toString(QStringLiteral("HH:mm")),
            window.end.toString(QStringLiteral("HH:mm")));
}

// The policy engine writes "paused: on battery power"; the chip already says Paused.
QString reasonText(const QString &reason)
{
    QString text = reason.trimmed();
    for (const QString &prefix : { QStringLiteral("paused:"), QStringLiteral("throttled:") }) {
        if (text.startsWith(prefix, Qt::CaseInsensitive))
            text = text.mid(prefix.size()).trimmed();
    }
    if (text.compare(QStringLiteral("running"), Qt::CaseInsensitive) == 0)
        return {};
    if (!text.isEmpty())
        text[0] = text[0].toUpper();
    return text;
}

// A range holding [low, high] (a little padded) in two or three steps of a round size, so
// that the labels of a small chart read as whole numbers; the tightest such range wins.
struct RoundRange {
    double bottom = 0;
    double top = 0;
    int steps = 0;
};

RoundRange roundRange(double low, double high)
{
    const double padding = std::max(1.0, (high - low) * 0.05);
    low -= padding;
    high += padding;
    const double magnitude = std::pow(10.0, std::floor(std::log10((high - low) / 3)));
    RoundRange best;
    for (double scale : { 1.0, 10.0, 100.0 }) {
        for (double multiple : { 1.0, 2.0, 2.5, 5.0 }) {
            const double step = multiple * magnitude * scale;
            if (step < 1 || (multiple == 2.5 && step < 10))
                continue; // labels are whole numbers
            for (int steps : { 2, 3 }) {
                const double bottom = std::floor(low / step) * step;
                const double top = bottom + steps * step;
                if (top >= high && (best.steps == 0 || top - bottom < best.top - best.bottom))
                    best = { bottom, top, steps };
            }
        }
    }
    return best;
}

} // namespace

DeviceCard::DeviceCard(QString deviceId, QString title, QString detail, QWidget *parent)
    : QFrame(parent)
    , m_deviceId(std::move(deviceId))
    , m_title(std::move(title))
{
    setObjectName(QStringLiteral("deviceCard"));
    setFrameShape(QFrame::StyledPanel);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->setSpacing(6);

    // Header: what the device is (left), what it does now and its controls (right).
    auto *header = new QGridLayout;
    header->setHorizontalSpacing(12);
    header->setVerticalSpacing(2);
    auto *titleLabel = new QLabel(m_title, this);
    titleLabel->setTextFormat(Qt::PlainText);
    QFont titleFont = titleLabel->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    titleLabel->setFont(titleFont);
    header->addWidget(titleLabel, 0, 0);
    auto *detailLabel = new QLabel(detail, this);
    detailLabel->setTextFormat(Qt::PlainText);
    detailLabel->setForegroundRole(QPalette::PlaceholderText);
    header->addWidget(detailLabel, 1, 0);

    auto *stateRow = new QHBoxLayout;
    stateRow->setSpacing(8);
    m_state = new QLabel(this);
    m_state->setObjectName(QStringLiteral("stateLabel"));
    m_reason = new QLabel(this);
    m_reason->setObjectName(QStringLiteral("reasonLabel"));
    m_reason->setTextFormat(Qt::PlainText);
    stateRow->addStretch(1);
    stateRow->addWidget(m_reason);
    stateRow->addWidget(m_state);
    header->addLayout(stateRow, 0, 1);

    auto *controls = new QHBoxLayout;
    controls->setSpacing(8);
    controls->addStretch(1);
    m_switch = new QCheckBox(QStringLiteral("Share this device"), this);
    m_switch->setObjectName(QStringLiteral("enabledSwitch"));
    m_switch->setToolTip(QStringLiteral("Let the network compute on this device when its rules allow"));
    connect(m_switch, &QCheckBox::toggled, this, [this](bool enabled) {
        m_policy.enabled = enabled;
        Q_EMIT enabledToggled(m_deviceId, enabled);
    });
    controls->addWidget(m_switch);
    m_policyButton = new QPushButton(QStringLiteral("Edit rules…"), this);
    m_policyButton->setObjectName(QStringLiteral("policyButton"));
    m_policyButton->setToolTip(QStringLiteral("When this device may compute, and its limits"));
    connect(m_policyButton, &QPushButton::clicked, this, &DeviceCard::editPolicy);
    controls->addWidget(m_policyButton);
    header->addLayout(controls, 1, 1);
    header->setColumnStretch(0, 1);
    layout->addLayout(header);

    m_advice = new QLabel(this);
    m_advice->setObjectName(QStringLiteral("adviceLabel"));
    m_advice->setWordWrap(true);
    m_advice->setTextFormat(Qt::PlainText);
    m_advice->setStyleSheet(QStringLiteral("QLabel { color: #b3261e; }"));
    m_advice->hide();
    layout->addWidget(m_advice);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    layout->addWidget(m_summary);

    auto *taskRow = new QHBoxLayout;
    m_task = new QLabel(this);
    m_task->setObjectName(QStringLiteral("taskLabel"));
    m_task->setTextFormat(Qt::PlainText);
    // Long task ids must not widen the card.
    m_task->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_taskProgress = new QProgressBar(this);
    m_taskProgress->setObjectName(QStringLiteral("taskProgress"));
    m_taskProgress->setRange(0, 0); // busy: a task reports no progress of its own
    m_taskProgress->setTextVisible(false);
    m_taskProgress->setMaximumHeight(10);
    taskRow->addWidget(m_task, 1);
    taskRow->addWidget(m_taskProgress, 1);
    layout->addLayout(taskRow);

    m_charts = new QWidget(this);
    auto *chartsColumn = new QVBoxLayout(m_charts);
    chartsColumn->setContentsMargins(0, 0, 0, 0);
    chartsColumn->setSpacing(0);
    auto *charts = new QHBoxLayout;
    chartsColumn->addLayout(charts);
    charts->addWidget(createMetric(
        m_utilization, QStringLiteral("Utilization"), QStringLiteral(" %"), QColor(0x1e, 0x6f, 0xd9)));
    charts->addWidget(createMetric(
        m_temperature, QStringLiteral("Temperature"), QStringLiteral(" °C"), QColor(0xe0, 0x6c, 0x00)));
    charts->addWidget(
        createMetric(m_power, QStringLiteral("Power"), QStringLiteral(" W"), QColor(0x7b, 0x3f, 0xb5)));
    m_utilization.valueAxis->setRange(0, 100);
    auto *span = new QLabel(QStringLiteral("Last 5 minutes, newest on the right"), m_charts);
    QFont spanFont = span->font();
    spanFont.setPointSizeF(spanFont.pointSizeF() * 0.85);
    span->setFont(spanFont);
    span->setForegroundRole(QPalette::PlaceholderText);
    span->setAlignment(Qt::AlignRight);
    chartsColumn->addWidget(span);
    layout->addWidget(m_charts);

    setPolicy(m_policy);
    setDecision(QStringLiteral("off"), QString());
    clearCurrentTask();
}

QWidget *DeviceCard::createMetric(
    Metric &metric, const QString &name, const QString &unit, const QColor &colour)
{
    auto *box = new QWidget(this);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    metric.name = name;
    metric.unit = unit;
    metric.caption = new QLabel(name, box);
    metric.caption->setTextFormat(Qt::PlainText);
    layout->addWidget(metric.caption);

    metric.series = new QLineSeries;
    QPen pen(colour);
    pen.setWidthF(1.5);
    metric.series->setPen(pen);
    metric.chart = new QChart;
    metric.chart->addSeries(metric.series);
    metric.chart->legend()->hide();
    metric.chart->setMargins(QMargins(0, 0, 0, 0));
    metric.chart->layout()->setContentsMargins(0, 0, 0, 0);
    metric.chart->setBackgroundVisible(false); // the card's own background shows through

    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    // Time runs left to right over the last kChartWindowMs; one grid line a minute and no
    // labels: a line under the charts says "last 5 minutes".
    metric.timeAxis = new QValueAxis;
    metric.timeAxis->setRange(-double(kChartWindowMs), 0);
    metric.timeAxis->setTickCount(6);
    metric.timeAxis->setLabelsVisible(false);
    metric.valueAxis = new QValueAxis;
    metric.valueAxis->setTickCount(3);
    metric.valueAxis->setLabelFormat(QStringLiteral("%.0f"));
    metric.valueAxis->setLabelsFont(small);
    metric.valueAxis->setRange(0, 100);
    metric.chart->addAxis(metric.timeAxis, Qt::AlignBottom);
    metric.chart->addAxis(metric.valueAxis, Qt::AlignLeft);
    metric.series->attachAxis(metric.timeAxis);
    metric.series->attachAxis(metric.valueAxis);

    metric.view = new QChartView(metric.chart, box);
    metric.view->setRenderHint(QPainter::Antialiasing);
    metric.view->setBackgroundBrush(Qt::NoBrush);
    metric.view->setFrameShape(QFrame::NoFrame);
    metric.view->setStyleSheet(QStringLiteral("background: transparent"));
    metric.view->setFixedHeight(kChartHeight);
    metric.view->setMinimumWidth(160);
    metric.note = new QLabel(QStringLiteral("not reported by this device"), box);
    metric.note->setAlignment(Qt::AlignCenter);
    metric.note->setWordWrap(true);
    metric.note->setForegroundRole(QPalette::PlaceholderText);
    metric.note->setFixedHeight(kChartHeight);
    metric.stack = new QStackedWidget(box);
    metric.stack->addWidget(metric.view);
    metric.stack->addWidget(metric.note);
    layout->addWidget(metric.stack);
    return box;
}

void DeviceCard::setPolicy(const DevicePolicy &policy)
{
    m_policy = policy;
    {
        const QSignalBlocker blocker(m_switch);
        m_switch->setChecked(policy.enabled);
    }
    m_summary->setText(QStringLiteral("Rules: ") + summarize(policy));
}

QString DeviceCard::summarize(const DevicePolicy &policy)
{
    QStringList parts { whenText(policy) };
    if (policy.pauseOnBattery)
        parts << QStringLiteral("pauses on battery");
    if (policy.pauseWhenGpuBusy)
        parts << QStringLiteral("pauses when other programs use the GPU");
    QStringList limits;
    if (policy.temperatureLimitC)
        limits << number(*policy.temperatureLimitC) + QStringLiteral(" °C");
    if (policy.powerLimitW)
        limits << number(*policy.powerLimitW) + QStringLiteral(" W");
    if (!limits.isEmpty()) {
        const bool throttle = policy.overLimitAction == DevicePolicy::OverLimitAction::Throttle;
        parts << QStringLiteral("%1 %2 (%3)")
                     .arg(limits.join(QStringLiteral(" and ")),
                         limits.size() > 1 ? QStringLiteral("limits") : QStringLiteral("limit"),
                         throttle ? QStringLiteral("throttle") : QStringLiteral("pause"));
    }
    if (policy.memoryCapBytes) {
        const double gib = double(*policy.memoryCapBytes) / (1024.0 * 1024.0 * 1024.0);
        parts << QStringLiteral("at most %1 GiB of memory").arg(QString::number(gib, 'g', 3));
    }
    return parts.join(QStringLiteral(" · "));
}

void DeviceCard::setDecision(const QString &action, const QString &reason)
{
    if (m_unavailable)
        return; // the advice matters more than what the runtime last said
    m_reason->setText(reasonText(reason));
    m_state->setToolTip(reason);
    if (action == QLatin1String("run"))
        showState(QStringLiteral("Running"), QStringLiteral("#dcf2e0"), QStringLiteral("#1b5e20"));
    else if (action == QLatin1String("throttle"))
        showState(QStringLiteral("Throttled"), QStringLiteral("#fff0c2"), QStringLiteral("#7a4f00"));
    else if (action == QLatin1String("pause"))
        showState(QStringLiteral("Paused"), QStringLiteral("#e3e8f4"), QStringLiteral("#2c3e73"));
    else if (action == QLatin1String("off"))
        showState(QStringLiteral("Off"), QStringLiteral("#e6e6e6"), QStringLiteral("#444444"));
    else
        showState(action, QStringLiteral("#e6e6e6"), QStringLiteral("#444444"));
}

void DeviceCard::showState(const QString &text, const QString &background, const QString &foreground)
{
    m_state->setText(text);
    m_state->setStyleSheet(
        QStringLiteral("QLabel { background: %1; color: %2; border-radius: 9px; padding: 2px 10px; "
                       "font-weight: 600; }")
            .arg(background, foreground));
}

void DeviceCard::addSample(const DeviceReading &sample)
{
    appendPoint(m_utilization, sample.atMs, sample.utilizationPercent, false);
    appendPoint(m_temperature, sample.atMs, sample.temperatureC, true);
    appendPoint(m_power, sample.atMs, sample.powerW, true);
}

void DeviceCard::appendPoint(Metric &metric, qint64 atMs, std::optional<double> value, bool autoRange)
{
    const qint64 cutoffMs = atMs - kChartWindowMs;
    QLineSeries *series = metric.series;
    if (value)
        series->append(double(atMs), *value);
    int stale = 0;
    while (stale < series->count() && series->at(stale).x() < double(cutoffMs))
        ++stale;
    if (stale > 0)
        series->removePoints(0, stale);
    metric.timeAxis->setRange(double(cutoffMs), double(atMs));

    metric.caption->setText(
        value ? metric.name + QLatin1Char(' ') + QString::number(*value, 'f', 0) + metric.unit : metric.name);
    // No reading anywhere in the window: say so rather than draw an empty chart.
    metric.stack->setCurrentWidget(series->count() == 0 ? static_cast<QWidget *>(metric.note) : metric.view);
    if (!autoRange || series->count() == 0)
        return;
    double low = series->at(0).y();
    double high = low;
    for (int i = 1; i < series->count(); ++i) {
        low = std::min(low, series->at(i).y());
        high = std::max(high, series->at(i).y());
    }
    const RoundRange range = roundRange(low, high);
    if (metric.valueAxis->min() != range.bottom || metric.valueAxis->max() != range.top) {
        metric.valueAxis->setRange(range.bottom, range.top);
        metric.valueAxis->setTickCount(range.steps + 1);
    }
}

void DeviceCard::setCurrentTask(const QString &taskId, const QString &jobId)
{
    m_task->setText(QStringLiteral("Task %1 of job %2").arg(taskId, jobId));
    m_task->setToolTip(m_task->text());
    m_taskProgress->setVisible(true);
}

void DeviceCard::clearCurrentTask()
{
    m_task->setText(QStringLiteral("No task"));
    m_task->setToolTip(QString());
    m_taskProgress->setVisible(false);
}

void DeviceCard::setUnavailable(const QString &advice)
{
    m_unavailable = true;
    m_switch->setEnabled(false);
    m_advice->setText(advice);
    m_advice->setVisible(!advice.isEmpty());
    m_charts->setVisible(false);
    showState(QStringLiteral("Unavailable"), QStringLiteral("#fbe3e1"), QStringLiteral("#8c1d18"));
    m_reason->clear();
}

void DeviceCard::setAvailable()
{
    m_unavailable = false;
    m_switch->setEnabled(true);
    m_advice->clear();
    m_advice->hide();
    m_charts->setVisible(true);
    setDecision(QStringLiteral("off"), QString());
}

void DeviceCard::editPolicy()
{
    if (m_editor) {
        m_editor->raise();
        m_editor->activateWindow();
        return;
    }
    m_editor = new PolicyEditor(m_policy, m_title, this);
    connect(m_editor, &QDialog::finished, this, &DeviceCard::applyEditor);
    Q_EMIT editorOpened(m_editor);
    m_editor->open();
}

void DeviceCard::applyEditor(int result)
{
    PolicyEditor *editor = m_editor;
    m_editor = nullptr;
    if (!editor)
        return;
    editor->deleteLater();
    if (result != QDialog::Accepted)
        return;
    const DevicePolicy edited = editor->policy();
    if (edited == m_policy)
        return;
    setPolicy(edited);
    Q_EMIT policyChanged(m_deviceId, edited);
}

} // namespace tributary::ui
