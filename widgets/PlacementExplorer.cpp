#include "widgets/PlacementExplorer.h"

#include "widgets/AttentionBars.h"
#include "widgets/AttentionHeatmap.h"
#include "widgets/DocumentStrip.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

namespace poslab {

PlacementExplorer::PlacementExplorer(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->setSpacing(6);

  auto* positionRow = new QHBoxLayout;
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setObjectName("goldPositionSlider");
  slider_->setToolTip(tr("Position of the gold document among the documents (1 = first)"));
  slider_->setFocusPolicy(Qt::StrongFocus);
  slider_->setTickPosition(QSlider::TicksBelow);
  slider_->setPageStep(1);
  positionSpin_ = new QSpinBox(this);
  positionSpin_->setObjectName("goldPositionSpin");
  positionSpin_->setToolTip(slider_->toolTip());
  positionSpin_->setFocusPolicy(Qt::StrongFocus);
  auto* positionLabel = new QLabel(tr("Gold &position"), this);
  positionLabel->setBuddy(slider_);
  positionRow->addWidget(positionLabel);
  positionRow->addWidget(slider_, 1);
  positionRow->addWidget(positionSpin_);
  layout->addLayout(positionRow);

  question_ = new QLabel(this);
  question_->setObjectName("questionLabel");
  question_->setWordWrap(true);
  question_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(question_);
  answer_ = new QLabel(this);
  answer_->setObjectName("answerLabel");
  answer_->setWordWrap(true);
  answer_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  answer_->setToolTip(
      tr("What the model answered at this position, scored by best_subspan_em against the gold answers"));
  layout->addWidget(answer_);

  strip_ = new DocumentStrip(this);
  strip_->setObjectName("documentStrip");
  layout->addWidget(strip_);

  auto* splitter = new QSplitter(Qt::Vertical, this);
  heatmap_ = new AttentionHeatmap(splitter);
  bars_ = new AttentionBars(splitter);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 1);
  bars_->setMinimumHeight(170);
  splitter->setChildrenCollapsible(false);
  layout->addWidget(splitter, 1);

  setPositionCount(1);
  connect(slider_, &QSlider::valueChanged, positionSpin_, [this](int value) {
    const QSignalBlocker block(positionSpin_);
    positionSpin_->setValue(value + 1);
    Q_EMIT positionRequested(value);
  });
  connect(positionSpin_, qOverload<int>(&QSpinBox::valueChanged), slider_,
          [this](int value) { slider_->setValue(value - 1); });
  connect(heatmap_, &AttentionHeatmap::headSelectionChanged, this, &PlacementExplorer::updateBars);
  connect(strip_, &DocumentStrip::activated, this, &PlacementExplorer::documentActivated);
  setMinimumSize(480, 520);
  setDetails(PlacementDetails{});
}

void PlacementExplorer::setPositionCount(int count) {
  count = std::max(1, count);
  const QSignalBlocker blockSlider(slider_);
  const QSignalBlocker blockSpin(positionSpin_);
  slider_->setRange(0, count - 1);
  positionSpin_->setRange(1, count);
  positionSpin_->setValue(slider_->value() + 1);
}

int PlacementExplorer::requestedPosition() const {
  return slider_->value();
}

QString PlacementExplorer::answerText() const {
  return answer_->text();
}

void PlacementExplorer::setDetails(const PlacementDetails& details) {
  details_ = details;
  {
    const QSignalBlocker blockSlider(slider_);
    const QSignalBlocker blockSpin(positionSpin_);
    if (details_.documents.size() > 0) {
      slider_->setRange(0, int(details_.documents.size()) - 1);
      positionSpin_->setRange(1, int(details_.documents.size()));
    }
    slider_->setValue(details_.goldPosition);
    positionSpin_->setValue(details_.goldPosition + 1);
  }
  if (details_.question.isEmpty()) {
    question_->setText(tr("No placement selected."));
    answer_->clear();
  } else {
    question_->setText(tr("<b>Example %1, gold at position %2:</b> %3")
                           .arg(details_.example)
                           .arg(details_.goldPosition + 1)
                           .arg(details_.question.toHtmlEscaped()));
    const QString verdict = details_.correct ? tr("<span style='color:#1a9850'>✔ right</span>")
                                             : tr("<span style='color:#d73027'>✘ wrong</span>");
    QString text = tr("<b>Answer:</b> %1 — %2 · gold: %3")
                       .arg(details_.prediction.toHtmlEscaped(), verdict,
                            details_.goldAnswers.join(QStringLiteral(" | ")).toHtmlEscaped());
    if (details_.answerLogprob) text += tr(" · log-prob %1").arg(*details_.answerLogprob, 0, 'f', 3);
    if (details_.promptTokens > 0) text += tr(" · %1 prompt tokens").arg(details_.promptTokens);
    answer_->setText(text);
  }
  strip_->setItems(details_.documents);
  heatmap_->setGrid(details_.attention);
  updateBars();
}

void PlacementExplorer::updateBars() {
  QStringList titles;
  for (const DocumentStripItem& item : details_.documents)
    titles << item.title;
  bars_->setValues(heatmap_->documentMass(), details_.attention.goldIndex, titles, tr("Mean attention"));
}

} // namespace poslab
