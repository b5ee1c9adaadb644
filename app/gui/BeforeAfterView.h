#pragma once
// Before / after for a training job: the base model's held-out sweep (eval/
// step-0) and a later step's (eval/step-N), run by the job on the identical
// examples, positions and settings. Both curves with Wilson intervals and the
// positions where they differ significantly starred (exact McNemar on the
// paired examples, RunComparer), and the paper's Table 1 columns: mean over
// positions, worst position and the gap best - worst, before, after and the change.
#include "core/jobs/JobSnapshot.h"
#include "widgets/PairedComparison.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableWidget;

namespace poslab {

class AttentionMassHeatmap;
class RunComparer;
class SweepPlot;

class BeforeAfterView : public QWidget {
  Q_OBJECT
public:
  explicit BeforeAfterView(QWidget* parent = nullptr);

  // The job's evaluations; the newest step is shown unless another was chosen.
  void setJob(const JobSnapshot& job);
  // The evaluated step shown as "after" (0 when the job has none beyond the base).
  long long afterStep() const;
  bool showStep(long long step);
  // The run folders compared ("" when nothing is shown).
  QString baseRun() const { return baseRun_; }
  QString afterRun() const { return afterRun_; }

  SweepPlot* plot() const { return plot_; }
  // Pos2Distill Fig. 7 before and after: attention mass per document × gold
  // position over the first `examples` held-out examples, base and the after
  // step's checkpoint, each from `poslab-cli attention --aggregate` (kept in
  // eval/step-N/attention-mass-<examples>.json and read back when there).
  void computeAttention(int examples);
  AttentionMassHeatmap* baseAttention() const { return baseMass_; }
  AttentionMassHeatmap* afterAttention() const { return afterMass_; }
  QPushButton* attentionButton() const { return attention_; }
  // The attention-matrix file shown on the left (0) or right (1), "" before any.
  QString attentionFile(int side) const { return attentionFiles_.value(side); }
  QTableWidget* summaryTable() const { return table_; }
  const PairedComparison& comparison() const { return comparison_; }

Q_SIGNALS:
  void comparisonShown();
  void attentionShown(bool ok);

private:
  void show(long long step);
  void fillTable();
  // The model folder that was evaluated at `step` (0: the base), "" with `why`.
  QString modelAt(long long step, QString* why) const;
  void attentionFinished();

  JobSnapshot job_;
  QTabWidget* inner_ = nullptr; // Accuracy | Attention mass (Fig. 7)
  QComboBox* step_ = nullptr;
  QLabel* note_ = nullptr;
  SweepPlot* plot_ = nullptr;
  QTableWidget* table_ = nullptr;
  RunComparer* comparer_ = nullptr;
  QString baseRun_, afterRun_;
  PairedComparison comparison_;
  QSpinBox* attentionExamples_ = nullptr;
  QPushButton* attention_ = nullptr;
  QLabel* attentionNote_ = nullptr;
  AttentionMassHeatmap* baseMass_ = nullptr;
  AttentionMassHeatmap* afterMass_ = nullptr;
  QLabel* baseMassTitle_ = nullptr;
  QLabel* afterMassTitle_ = nullptr;
  QStringList attentionFiles_; // base, after: what the running computation writes
  int attentionRunning_ = 0;
};

} // namespace poslab
