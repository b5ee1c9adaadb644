#pragma once
// The explorer for one placement: a slider over gold positions, the documents as a
// strip (gold highlighted, widths by tokens), the model's answer and whether it is
// right, the attention heatmap with its selectors, and attention per document as
// bars that follow the heatmap's head selection. Asks for data through signals
// (another position, another query, a token map); shows what setDetails gives it.
#include "widgets/PlacementDetails.h"

#include <QWidget>

class QLabel;
class QSlider;
class QSpinBox;

namespace poslab {

class AttentionBars;
class AttentionHeatmap;
class DocumentStrip;

class PlacementExplorer : public QWidget {
  Q_OBJECT
public:
  explicit PlacementExplorer(QWidget* parent = nullptr);

  // Gold positions the slider offers (the number of documents).
  void setPositionCount(int count);
  int requestedPosition() const; // 0-based
  const PlacementDetails& details() const { return details_; }

  DocumentStrip* documentStrip() const { return strip_; }
  AttentionHeatmap* attentionHeatmap() const { return heatmap_; }
  AttentionBars* attentionBars() const { return bars_; }
  QString answerText() const;

public Q_SLOTS:
  void setDetails(const poslab::PlacementDetails& details);

Q_SIGNALS:
  // The user moved the slider: the owner answers with setDetails for that position.
  void positionRequested(int goldPosition);
  void documentActivated(int document);

private:
  void updateBars();

  PlacementDetails details_;
  QSlider* slider_ = nullptr;
  QSpinBox* positionSpin_ = nullptr;
  QLabel* question_ = nullptr;
  QLabel* answer_ = nullptr;
  DocumentStrip* strip_ = nullptr;
  AttentionHeatmap* heatmap_ = nullptr;
  AttentionBars* bars_ = nullptr;
};

} // namespace poslab
