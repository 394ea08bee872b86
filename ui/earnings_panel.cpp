#include "ui/earnings_panel.h"

#include "app/storage/task_history.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QHeaderView>
#include <QStackedBarSeries>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace tributary::ui {

namespace {

constexpr qint64 kAllTimeEndMs = std::numeric_limits<qint64>::max();

QString credits(qint64 units)
{
    return QStringLiteral("%1 credits").arg(QString::number(double(units) / double(kCreditUnitsPerCredit), 'g', 6));
}

QString summary(const TaskHistory::Totals &totals)
{
    return QStringLiteral("%1 verified, %2 pending · %3 tasks")
        .arg(credits(totals.verifiedUnits), credits(totals.pendingUnits))
        .arg(totals.tasks);
}

} // namespace

EarningsPanel::EarningsPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_today = new QLabel(this);
    m_total = new QLabel(this);
    m_energy = new QLabel(this);
    m_energy->setWordWrap(true);
    form->addRow(QStringLiteral("Today:"), m_today);
    form->addRow(QStringLiteral("All time:"), m_total);

    auto *prices = new QHBoxLayout;
    m_pricePerKWh = new QDoubleSpinBox(this);
    m_pricePerKWh->setRange(0, 10);
    m_pricePerKWh->setDecimals(3);
    m_pricePerKWh->setSingleStep(0.01);
    m_pricePerKWh->setValue(0.30);
    m_pricePerKWh->setSuffix(QStringLiteral(" per kWh"));
    m_creditValue = new QDoubleSpinBox(this);
    m_creditValue->setRange(0, 1'000'000);
    m_creditValue->setDecimals(2);
    m_creditValue->setSuffix(QStringLiteral(" per credit"));
    prices->addWidget(m_pricePerKWh);
    prices->addWidget(m_creditValue);
    prices->addStretch(1);
    form->addRow(QStringLiteral("Electricity, credit value:"), prices);
    form->addRow(QStringLiteral("Electricity:"), m_energy);
    layout->addLayout(form);

    m_verifiedSet = new QBarSet(QStringLiteral("Verified"));
    m_pendingSet = new QBarSet(QStringLiteral("Pending"));
    auto *series = new QStackedBarSeries;
    series->append(m_verifiedSet);
    series->append(m_pendingSet);
    m_chart = new QChart;
    m_chart->addSeries(series);
    m_chart->setTitle(QStringLiteral("Credits per day"));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chartView = new QChartView(m_chart, this);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(180);
    layout->addWidget(m_chartView, 1);

    auto *groups = new QHBoxLayout;
    m_byDevice = createGroupTable(QStringLiteral("Device"));
    m_byJob = createGroupTable(QStringLiteral("Job"));
    groups->addWidget(m_byDevice);
    groups->addWidget(m_byJob);
    layout->addLayout(groups);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    m_exportButton = new QPushButton(QStringLiteral("Export CSV…"), this);
    connect(m_exportButton, &QPushButton::clicked, this, &EarningsPanel::chooseExportFile);
    buttons->addWidget(m_exportButton);
    layout->addLayout(buttons);

    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(1000);
    connect(&m_refreshTimer, &QTimer::timeout, this, &EarningsPanel::refresh);
    for (QDoubleSpinBox *box : { m_pricePerKWh, m_creditValue })
        connect(box, &QDoubleSpinBox::valueChanged, this, &EarningsPanel::refresh);
    refresh();
}

void EarningsPanel::setHistory(TaskHistory *history)
{
    if (m_history)
        disconnect(m_history, nullptr, this, nullptr);
    m_history = history;
    if (m_history) {
        // Emitted on the history's writer thread: queued here, then coalesced.
        connect(m_history, &TaskHistory::committed, this, [this] {
            if (!m_refreshTimer.isActive())
                m_refreshTimer.start();
        });
    }
    refresh();
}

void EarningsPanel::refresh()
{
    m_exportButton->setEnabled(m_history != nullptr);
    if (!m_history) {
        m_today->setText(QStringLiteral("No task history on this machine."));
        m_total->clear();
        m_energy->clear();
        m_byDevice->setRowCount(0);
        m_byJob->setRowCount(0);
        return;
    }
    const QDateTime now = QDateTime::currentDateTime();
    const qint64 todayStart = now.date().startOfDay().toMSecsSinceEpoch();
    const TaskHistory::Totals today = m_history->totals(todayStart, kAllTimeEndMs);
    const TaskHistory::Totals total = m_history->totals(0, kAllTimeEndMs);
    m_today->setText(summary(today));
    m_total->setText(summary(total));

    const double cost = estimatedCost(total.energyWh, m_pricePerKWh->value());
    const double value = double(total.verifiedUnits) / double(kCreditUnitsPerCredit) * m_creditValue->value();
    if (total.energyWh <= 0 && total.tasks > 0) {
        m_energy->setText(QStringLiteral("not measured on this machine's devices (GPUs with NVIDIA, AMD or Intel drivers report it, and CPUs where RAPL is readable); net %1")
                              .arg(QString::number(value, 'f', 2)));
    } else {
        m_energy->setText(QStringLiteral("%1 kWh, costing %2; net %3")
                              .arg(QString::number(total.energyWh / 1000.0, 'f', 3), QString::number(cost, 'f', 2),
                                  QString::number(value - cost, 'f', 2)));
    }

    fillGroupTable(m_byDevice, m_history->byDevice(0, kAllTimeEndMs));
    fillGroupTable(m_byJob, m_history->byJob(0, kAllTimeEndMs));

    // The last kChartDays local days, empty days included.
    const QDate first = now.date().addDays(-(kChartDays - 1));
    const QList<TaskHistory::DayCredits> days
        = m_history->creditsPerDay(first.startOfDay().toMSecsSinceEpoch(), kAllTimeEndMs);
    QStringList labels;
    QList<qreal> verified, pending;
    for (int i = 0; i < kChartDays; ++i) {
        const QDate day = first.addDays(i);
        labels << day.toString(QStringLiteral("d/M"));
        const auto found = std::find_if(days.begin(), days.end(), [&](const auto &d) { return d.day == day; });
        verified << (found == days.end() ? 0.0 : double(found->verifiedUnits) / double(kCreditUnitsPerCredit));
        pending << (found == days.end() ? 0.0 : double(found->pendingUnits) / double(kCreditUnitsPerCredit));
    }
    m_verifiedSet->remove(0, m_verifiedSet->count());
    m_pendingSet->remove(0, m_pendingSet->count());
    m_verifiedSet->append(verified);
    m_pendingSet->append(pending);
    for (QAbstractAxis *axis : m_chart->axes())
        m_chart->removeAxis(axis);
    auto *dayAxis = new QBarCategoryAxis;
    dayAxis->append(labels);
    auto *creditAxis = new QValueAxis;
    creditAxis->setTitleText(QStringLiteral("credits"));
    double top = 0;
    for (int i = 0; i < kChartDays; ++i)
        top = std::max(top, verified[i] + pending[i]);
    creditAxis->setRange(0, top > 0 ? top * 1.1 : 1.0);
    m_chart->addAxis(dayAxis, Qt::AlignBottom);
    m_chart->addAxis(creditAxis, Qt::AlignLeft);
    for (QAbstractSeries *series : m_chart->series()) {
        series->attachAxis(dayAxis);
        series->attachAxis(creditAxis);
    }
}

QTableWidget *EarningsPanel::createGroupTable(const QString &keyTitle)
{
    auto *table = new QTableWidget(0, 5, this);
    table->setHorizontalHeaderLabels({ keyTitle, QStringLiteral("Tasks"), QStringLiteral("Verified"),
        QStringLiteral("Pending"), QStringLiteral("Energy") });
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int column = 1; column < 5; ++column)
        table->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    table->setMinimumHeight(110);
    return table;
}

void EarningsPanel::fillGroupTable(QTableWidget *table, const QList<TaskHistory::GroupTotals> &groups)
{
    table->setRowCount(int(groups.size()));
    for (int row = 0; row < groups.size(); ++row) {
        const TaskHistory::GroupTotals &group = groups[row];
        const QStringList cells { group.key, QString::number(group.tasks),
            QString::number(double(group.verifiedUnits) / double(kCreditUnitsPerCredit), 'g', 6),
            QString::number(double(group.pendingUnits) / double(kCreditUnitsPerCredit), 'g', 6),
            group.energyWh > 0 ? QStringLiteral("%1 Wh").arg(QString::number(group.energyWh, 'f', 1))
                               : QStringLiteral("not measured") };
        for (int column = 0; column < cells.size(); ++column) {
            auto *item = new QTableWidgetItem(cells[column]);
            if (column > 0)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table->setItem(row, column, item);
        }
    }
}

bool EarningsPanel::exportCsv(const QString &path, QString *error)
{
    if (!m_history) {
        *error = QStringLiteral("there is no task history to export");
        return false;
    }
    return m_history->exportCsv(path, 0, kAllTimeEndMs, error);
}

void EarningsPanel::chooseExportFile()
{
    const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Export task history"),
        QStringLiteral("tributary-earnings.csv"), QStringLiteral("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportCsv(path, &error))
        QMessageBox::warning(this, QStringLiteral("Export failed"), error);
}

} // namespace tributary::ui
