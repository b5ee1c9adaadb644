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
class QTableWidget;

namespace poslab {

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
  QTableWidget* summaryTable() const { return table_; }
  const PairedComparison& comparison() const { return comparison_; }

Q_SIGNALS:
  void comparisonShown();

private:
  void show(long long step);
  void fillTable();

  JobSnapshot job_;
  QComboBox* step_ = nullptr;
  QLabel* note_ = nullptr;
  SweepPlot* plot_ = nullptr;
  QTableWidget* table_ = nullptr;
  RunComparer* comparer_ = nullptr;
  QString baseRun_, afterRun_;
  PairedComparison comparison_;
};

} // namespace poslab
