#include "widgets/DocumentStrip.h"

#include "widgets/PlotTheme.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

namespace poslab {

namespace {

constexpr int kMargin = 2;
constexpr int kGap = 2;
constexpr int kMinBox = 6; // a tiny document stays visible and clickable

} // namespace

DocumentStrip::DocumentStrip(QWidget* parent) : QWidget(parent) {
  setFocusPolicy(Qt::StrongFocus);
  setToolTip(tr("The prompt's documents in order, each as wide as its tokens; the gold document is "
                "highlighted. Left/Right choose a document, Enter opens it."));
  setMouseTracking(true);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void DocumentStrip::setItems(const QVector<DocumentStripItem>& items) {
  items_ = items;
  current_ = items_.isEmpty() ? -1 : std::clamp(current_, 0, int(items_.size()) - 1);
  update();
}

void DocumentStrip::setCurrentIndex(int index) {
  if (index < 0 || index >= items_.size() || index == current_) return;
  current_ = index;
  update();
  Q_EMIT currentIndexChanged(index);
}

QSize DocumentStrip::sizeHint() const {
  return QSize(640, minimumSizeHint().height());
}

QSize DocumentStrip::minimumSizeHint() const {
  return QSize(200, 2 * fontMetrics().height() + 12);
}

QVector<QRect> DocumentStrip::boxes() const {
  QVector<QRect> out;
  if (items_.isEmpty()) return out;
  const int n = items_.size();
  const int available = width() - 2 * kMargin - (n - 1) * kGap;
  qint64 total = 0;
  for (const DocumentStripItem& item : items_)
    total += std::max(0, item.tokenCount);
  // Every box gets at least kMinBox; the rest is shared by token count.
  const int spare = std::max(0, available - n * kMinBox);
  double x = kMargin;
  for (int i = 0; i < n; ++i) {
    const double share = total > 0 ? double(std::max(0, items_[i].tokenCount)) / total : 1.0 / n;
    const double w = kMinBox + spare * share;
    out << QRect(QPoint(qRound(x), kMargin), QPoint(qRound(x + w) - 1, height() - kMargin - 1));
    x += w + kGap;
  }
  return out;
}

int DocumentStrip::indexAt(const QPoint& point) const {
  const QVector<QRect> rects = boxes();
  for (int i = 0; i < rects.size(); ++i)
    if (rects[i].adjusted(0, 0, kGap, 0).contains(point)) return i;
  return -1;
}

void DocumentStrip::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  const QPalette pal = palette();
  const QVector<QRect> rects = boxes();
  if (rects.isEmpty()) {
    painter.setPen(pal.color(QPalette::PlaceholderText));
    painter.drawText(rect(), Qt::AlignCenter, tr("No documents"));
    return;
  }
  const QColor gold = PlotTheme::goldColor();
  const QFontMetrics metrics = fontMetrics();
  // "tok" after the counts only when every box has room for it, so the row reads alike.
  bool roomForUnit = true;
  for (int i = 0; i < rects.size(); ++i)
    roomForUnit = roomForUnit &&
                  metrics.horizontalAdvance(tr("%1 tok").arg(items_[i].tokenCount)) + 4 <= rects[i].width();
  for (int i = 0; i < rects.size(); ++i) {
    const DocumentStripItem& item = items_[i];
    const QRectF box = QRectF(rects[i]).adjusted(0.5, 0.5, -0.5, -0.5);
    QColor fill = item.isGold ? gold : pal.color(QPalette::Button);
    QColor border = item.isGold ? gold.darker(130) : pal.color(QPalette::Mid);
    painter.setPen(QPen(border, item.isGold ? 2 : 1));
    painter.setBrush(fill);
    painter.drawRoundedRect(box, 3, 3);
    if (i == current_ && hasFocus()) {
      painter.setPen(QPen(pal.color(QPalette::Highlight), 2, Qt::DotLine));
      painter.setBrush(Qt::NoBrush);
      painter.drawRoundedRect(box.adjusted(2, 2, -2, -2), 2, 2);
    } else if (i == current_) {
      painter.setPen(QPen(pal.color(QPalette::Highlight), 2));
      painter.drawLine(box.bottomLeft() + QPointF(3, -2), box.bottomRight() + QPointF(-3, -2));
    }
    // Text only where it fits: the index, then the token count on a second line.
    painter.setPen(item.isGold ? QColor(Qt::white) : pal.color(QPalette::ButtonText));
    const QString index = QString::number(i + 1);
    const QString tokens = QString::number(item.tokenCount);
    const QRectF top(box.left(), box.top() + 3, box.width(), metrics.height());
    const QRectF bottom(box.left(), box.top() + 3 + metrics.height(), box.width(), metrics.height());
    if (metrics.horizontalAdvance(index) + 4 <= box.width()) painter.drawText(top, Qt::AlignCenter, index);
    const QString tokenText = roomForUnit ? tr("%1 tok").arg(tokens) : tokens;
    if (metrics.horizontalAdvance(tokenText) + 4 <= box.width())
      painter.drawText(bottom, Qt::AlignCenter, tokenText);
  }
}

bool DocumentStrip::event(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    const int i = indexAt(help->pos());
    if (i < 0) return QWidget::event(event); // the widget's own tooltip
    const DocumentStripItem& item = items_[i];
    QString text = tr("<b>Document %1%2</b><br>%3<br>%4 tokens")
                       .arg(i + 1)
                       .arg(item.isGold ? tr(" (gold)") : QString())
                       .arg(item.title.toHtmlEscaped())
                       .arg(item.tokenCount);
    QToolTip::showText(help->globalPos(), text, this, boxes()[i]);
    return true;
  }
  return QWidget::event(event);
}

void DocumentStrip::keyPressEvent(QKeyEvent* event) {
  if (items_.isEmpty()) return QWidget::keyPressEvent(event);
  switch (event->key()) {
  case Qt::Key_Left:
    setCurrentIndex(std::max(0, current_ - 1));
    break;
  case Qt::Key_Right:
    setCurrentIndex(std::min(int(items_.size()) - 1, current_ + 1));
    break;
  case Qt::Key_Home:
    setCurrentIndex(0);
    break;
  case Qt::Key_End:
    setCurrentIndex(int(items_.size()) - 1);
    break;
  case Qt::Key_Return:
  case Qt::Key_Enter:
  case Qt::Key_Space:
    if (current_ >= 0) Q_EMIT activated(current_);
    break;
  default:
    QWidget::keyPressEvent(event);
  }
}

void DocumentStrip::mousePressEvent(QMouseEvent* event) {
  const int i = indexAt(event->position().toPoint());
  if (i >= 0) setCurrentIndex(i);
  QWidget::mousePressEvent(event);
}

void DocumentStrip::mouseDoubleClickEvent(QMouseEvent* event) {
  const int i = indexAt(event->position().toPoint());
  if (i >= 0) Q_EMIT activated(i);
}

} // namespace poslab
