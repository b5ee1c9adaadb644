#pragma once
// The documents of one prompt as a row of boxes in prompt order, each as wide as its
// share of the tokens, the gold one highlighted. Hover: title and token count.
// Keyboard: Left/Right/Home/End move the current document, Enter activates it.
#include "widgets/DocumentStripItem.h"

#include <QRect>
#include <QVector>
#include <QWidget>

namespace poslab {

class DocumentStrip : public QWidget {
  Q_OBJECT
public:
  explicit DocumentStrip(QWidget* parent = nullptr);

  void setItems(const QVector<DocumentStripItem>& items);
  const QVector<DocumentStripItem>& items() const { return items_; }
  int currentIndex() const { return current_; }
  // The box of each document in widget coordinates (after layout).
  QVector<QRect> boxes() const;
  int indexAt(const QPoint& point) const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

public Q_SLOTS:
  void setCurrentIndex(int index);

Q_SIGNALS:
  void currentIndexChanged(int index);
  void activated(int index);

protected:
  bool event(QEvent* event) override;
  void paintEvent(QPaintEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
  QVector<DocumentStripItem> items_;
  int current_ = -1;
};

} // namespace poslab
