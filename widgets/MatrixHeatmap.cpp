#include "widgets/MatrixHeatmap.h"

#include "widgets/PlotTheme.h"

#include <QEvent>
#include <QToolTip>
#include <QVBoxLayout>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

namespace poslab {

namespace {

constexpr int kMaxTicks = 24;
constexpr int kMaxAnnotatedCells = 300;

QString labelAt(const QStringList& labels, int index) {
  return index < labels.size() ? labels[index] : QString::number(index + 1);
}

// Text ticks at every cell, or at every k-th when there are too many to read.
QSharedPointer<QCPAxisTickerText> cellTicker(const QStringList& labels, int count) {
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  const int step = std::max(1, static_cast<int>(std::ceil(count / double(kMaxTicks))));
  for (int i = 0; i < count; i += step) {
    QString text = labelAt(labels, i);
    if (text.size() > 18) text = text.left(17) + QChar(0x2026);
    ticker->addTick(i, text);
  }
  return ticker;
}

QString formatValue(double v) {
  if (!std::isfinite(v)) return QStringLiteral("—");
  const double a = std::abs(v);
  return a != 0 && (a < 1e-3 || a >= 1e5) ? QString::number(v, 'e', 2) : QString::number(v, 'g', 4);
}

} // namespace

MatrixHeatmap::MatrixHeatmap(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  plot_ = new QCustomPlot(this);
  plot_->setObjectName("heatmapPlot");
  plot_->setToolTip(tr("Hover a cell for its value"));
  plot_->setMinimumSize(300, 220);
  layout->addWidget(plot_);

  QCPAxisRect* rect = plot_->axisRect();
  map_ = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  map_->setInterpolate(false);
  map_->setTightBoundary(false);
  scale_ = new QCPColorScale(plot_);
  scale_->setType(QCPAxis::atRight);
  scale_->setBarWidth(14);
  scale_->setGradient(PlotTheme::viridis());
  plot_->plotLayout()->addElement(0, 1, scale_);
  map_->setColorScale(scale_);
  map_->setGradient(PlotTheme::viridis());
  auto* margins = new QCPMarginGroup(plot_);
  rect->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
  scale_->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
  for (QCPAxis* axis : rect->axes())
    axis->grid()->setVisible(false);

  connect(plot_, &QCustomPlot::mouseMove, this, &MatrixHeatmap::showCellToolTip);
  connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
    int row = 0, column = 0;
    if (cellAt(event->position(), &row, &column)) Q_EMIT cellClicked(row, column);
  });
  setMinimumSize(300, 220);
  PlotTheme::apply(plot_, palette());
  redraw();
}

MatrixHeatmap::~MatrixHeatmap() = default;

QCustomPlot* MatrixHeatmap::customPlot() const {
  return plot_;
}

void MatrixHeatmap::setExportName(const QString& name, const QString& description) {
  exportName_ = name;
  exportDescription_ = description;
}

void MatrixHeatmap::setCellNotes(const QStringList& notes) {
  notes_ = notes;
}

void MatrixHeatmap::setMatrix(const HeatmapMatrix& matrix) {
  matrix_ = matrix;
  if (matrix_.values.size() != matrix_.rows * matrix_.columns) {
    // A malformed matrix is shown as empty rather than read out of bounds.
    matrix_.values.clear();
    matrix_.rows = matrix_.columns = 0;
  }
  if (notes_.size() != matrix_.values.size()) notes_.clear();
  redraw();
}

void MatrixHeatmap::redraw() {
  plot_->clearItems();
  QCPAxis* x = plot_->axisRect()->axis(QCPAxis::atBottom);
  QCPAxis* y = plot_->axisRect()->axis(QCPAxis::atLeft);
  const int rows = matrix_.rows, columns = matrix_.columns;
  QCPColorMapData* cells = map_->data();
  cells->setSize(std::max(columns, 1), std::max(rows, 1));
  // QCPColorMap spans the first to the last cell centre and widens by half a
  // cell only when a dimension has two or more cells: a single row (the last
  // token's attention) or column (one context length) needs the cell's own
  // extent as its range, else it is drawn zero pixels high.
  const auto extent = [](int n) { return n > 1 ? QCPRange(0, n - 1) : QCPRange(-0.5, 0.5); };
  cells->setRange(extent(columns), extent(rows));
  double lower = std::numeric_limits<double>::infinity(), upper = -lower;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < columns; ++c) {
      const double v = matrix_.at(r, c);
      cells->setCell(c, r, v);
      if (std::isfinite(v)) {
        lower = std::min(lower, v);
        upper = std::max(upper, v);
      }
    }
  if (rows == 0 || columns == 0) cells->fill(std::numeric_limits<double>::quiet_NaN());
  if (!std::isfinite(lower)) {
    lower = 0;
    upper = 1;
  }
  if (matrix_.minimum) lower = *matrix_.minimum;
  if (matrix_.maximum) upper = *matrix_.maximum;
  if (!(upper > lower)) upper = lower + std::max(1e-6, std::abs(lower) * 0.01);
  scale_->setDataRange(QCPRange(lower, upper));
  // "No data" cells: a flat colour close to the background, never a viridis colour.
  QCPColorGradient gradient = PlotTheme::viridis();
  const QColor base = palette().color(QPalette::Base);
  gradient.setNanColor(PlotTheme::isDark(palette()) ? base.lighter(160) : base.darker(112));
  scale_->setGradient(gradient);
  map_->setGradient(gradient);
  scale_->axis()->setLabel(matrix_.valueTitle);

  x->setTicker(cellTicker(matrix_.columnLabels, columns));
  y->setTicker(cellTicker(matrix_.rowLabels, rows));
  x->setRange(-0.5, std::max(columns, 1) - 0.5);
  y->setRange(-0.5, std::max(rows, 1) - 0.5);
  y->setRangeReversed(matrix_.rowsTopToBottom);
  x->setLabel(matrix_.columnTitle);
  y->setLabel(matrix_.rowTitle);
  x->setSubTicks(false);
  y->setSubTicks(false);
  x->setTickLength(0, 3);
  y->setTickLength(0, 3);

  const QPen outline(PlotTheme::goldColor(), 2.5);
  const auto outlineCells = [&](double left, double right, double bottom, double top) {
    auto* box = new QCPItemRect(plot_);
    box->topLeft->setCoords(left, top);
    box->bottomRight->setCoords(right, bottom);
    box->setPen(outline);
    box->setBrush(Qt::NoBrush);
    return box;
  };
  const bool columnLabel = matrix_.highlightColumn >= 0 && matrix_.highlightColumn < columns;
  if (columnLabel) {
    const int c = matrix_.highlightColumn;
    outlineCells(c - 0.5, c + 0.5, -0.5, rows - 0.5);
    if (!matrix_.highlightLabel.isEmpty()) {
      auto* label = new QCPItemText(plot_);
      label->setClipToAxisRect(false);
      label->position->setTypeX(QCPItemPosition::ptPlotCoords);
      label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
      label->position->setCoords(c, 0);
      label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
      label->setPadding(QMargins(0, 0, 0, 3));
      label->setText(matrix_.highlightLabel);
      label->setColor(PlotTheme::goldColor());
      QFont bold = font();
      bold.setBold(true);
      label->setFont(bold);
    }
  }
  plot_->axisRect()->setMinimumMargins(
      QMargins(0, columnLabel && !matrix_.highlightLabel.isEmpty() ? 22 : 6, 0, 0));
  for (const QPoint& cell : matrix_.highlightCells)
    if (cell.x() >= 0 && cell.x() < columns && cell.y() >= 0 && cell.y() < rows)
      outlineCells(cell.x() - 0.5, cell.x() + 0.5, cell.y() - 0.5, cell.y() + 0.5)
          ->setPen(QPen(PlotTheme::goldColor(), 1.5));

  if (matrix_.valueDecimals >= 0 && rows * columns <= kMaxAnnotatedCells) {
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < columns; ++c) {
        const double v = matrix_.at(r, c);
        if (!std::isfinite(v)) continue;
        QRgb rgb = 0;
        gradient.colorize(&v, QCPRange(lower, upper), &rgb, 1);
        auto* text = new QCPItemText(plot_);
        text->position->setCoords(c, r);
        text->setText(QString::number(v, 'f', matrix_.valueDecimals));
        text->setFont(small);
        text->setColor(qGray(rgb) > 140 ? Qt::black : Qt::white); // readable on every viridis colour
      }
  }
  plot_->replot();
}

double MatrixHeatmap::drawnCell(int row, int column) const {
  return map_->data()->cell(column, row);
}

QSize MatrixHeatmap::drawnSize() const {
  if (matrix_.rows == 0 || matrix_.columns == 0) return {};
  return QSize(map_->data()->keySize(), map_->data()->valueSize());
}

double MatrixHeatmap::colorRangeLower() const {
  return scale_->dataRange().lower;
}

double MatrixHeatmap::colorRangeUpper() const {
  return scale_->dataRange().upper;
}

QPoint MatrixHeatmap::cellCentre(int row, int column) const {
  QCPAxisRect* rect = plot_->axisRect();
  return QPointF(rect->axis(QCPAxis::atBottom)->coordToPixel(column),
                 rect->axis(QCPAxis::atLeft)->coordToPixel(row))
      .toPoint();
}

QWidget* MatrixHeatmap::plotWidget() const {
  return plot_;
}

bool MatrixHeatmap::cellAt(const QPointF& pixel, int* row, int* column) const {
  QCPAxisRect* rect = plot_->axisRect();
  if (!rect->rect().contains(pixel.toPoint()) || matrix_.rows == 0) return false;
  *column = static_cast<int>(std::lround(rect->axis(QCPAxis::atBottom)->pixelToCoord(pixel.x())));
  *row = static_cast<int>(std::lround(rect->axis(QCPAxis::atLeft)->pixelToCoord(pixel.y())));
  return *column >= 0 && *column < matrix_.columns && *row >= 0 && *row < matrix_.rows;
}

void MatrixHeatmap::showCellToolTip(QMouseEvent* event) {
  int row = 0, column = 0;
  if (!cellAt(event->position(), &row, &column)) {
    QToolTip::hideText();
    return;
  }
  QString text =
      QStringLiteral("%1 %2 · %3 %4<br><b>%5</b>")
          .arg(matrix_.rowTitle.toHtmlEscaped(), labelAt(matrix_.rowLabels, row).toHtmlEscaped(),
               matrix_.columnTitle.toHtmlEscaped(), labelAt(matrix_.columnLabels, column).toHtmlEscaped(),
               formatValue(matrix_.at(row, column)));
  if (!matrix_.valueTitle.isEmpty()) text += QStringLiteral(" ") + matrix_.valueTitle.toHtmlEscaped();
  const int index = row * matrix_.columns + column;
  if (index < notes_.size() && !notes_[index].isEmpty()) text += QStringLiteral("<br>") + notes_[index];
  QToolTip::showText(event->globalPosition().toPoint(), text, plot_);
}

PlotData MatrixHeatmap::plotData() const {
  PlotData table;
  table.name = exportName_;
  table.description =
      exportDescription_.isEmpty()
          ? QStringLiteral("%1 by %2 and %3").arg(matrix_.valueTitle, matrix_.rowTitle, matrix_.columnTitle)
          : exportDescription_;
  table.columns = {"row", "row_label", "column", "column_label", "value"};
  for (int r = 0; r < matrix_.rows; ++r)
    for (int c = 0; c < matrix_.columns; ++c) {
      const double v = matrix_.at(r, c);
      table.rows.push_back({r, labelAt(matrix_.rowLabels, r), c, labelAt(matrix_.columnLabels, c),
                            std::isfinite(v) ? QVariant(v) : QVariant()});
    }
  return table;
}

void MatrixHeatmap::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange && plot_) {
    PlotTheme::apply(plot_, palette());
    redraw();
  }
}

} // namespace poslab
