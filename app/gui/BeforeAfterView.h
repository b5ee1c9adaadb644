#pragma once
// Before / after for a training job: the base model's held-out sweep (eval/
// step-0) and a later step's (eval/step-N), run by the job on the identical
// examples, positions and settings. Both curves with Wilson intervals and the
// positions where they differ significantly starred (exact McNemar on the
// paired examples, RunComparer), and the paper's Table 1 columns: mean over
// positions, worst position and the gap best - worst, before, after and the change.
// The job evaluates at a few positions only; "Sweep this checkpoint vs base at
// all positions" sweeps both at every gold position (FullSweepRunner) and the
// same comparison is then shown for those two sweeps.
#include "core/jobs/JobSnapshot.h"
#include "widgets/PairedComparison.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableWidget;

namespace poslab {

class AttentionMassHeatmap;
class FullSweepRunner;
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

  // The base and the after step's checkpoint swept at every gold position over
  // the first `examples` held-out examples, in the background (kept in the run
  // folder, read back when there); shown when both are done.
  void sweepAllPositions(int examples);
  QPushButton* fullSweepButton() const { return fullSweep_; }
  QSpinBox* fullSweepExamples() const { return fullExamples_; }
  // Checked: the sweeps at all positions are compared (when the after step has them).
  QCheckBox* allPositionsBox() const { return allPositions_; }
  // Under the button: the sweeps' progress, their folders once kept (the full
  // paths as its tooltip) or why they could not run; hidden until then.
  QLabel* fullSweepNote() const { return fullNote_; }
  // True while the comparison shown is of the sweeps at all positions.
  bool showsAllPositions() const;
  const PairedComparison& comparison() const { return comparison_; }

Q_SIGNALS:
  void comparisonShown();
  void attentionShown(bool ok);
  // A sweepAllPositions() ended (`error` says why when !ok).
  void fullSweepDone(bool ok, const QString& error);

private:
  void show(long long step);
  // The comparison of the after step: the job's evaluation or the sweeps at all positions.
  void showSweeps();
  // <run>/eval/step-N: the job's evaluation at `step` ("" when it has none).
  QString evalFolder(long long step) const;
  // The base's and the after step's sweeps at all positions (for the examples chosen).
  QStringList fullSweepFolders() const;
  void updateFullSweepBox();
  // A progress or error message under the sweep button, as plain text.
  void setFullNote(const QString& plain);
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
  QPushButton* fullSweep_ = nullptr;
  QSpinBox* fullExamples_ = nullptr;
  QCheckBox* allPositions_ = nullptr;
  QLabel* fullNote_ = nullptr;
  FullSweepRunner* fullRunner_ = nullptr;
  QStringList sweeping_; // the folders of the sweeps running (base, after)
  int jobExamples_ = 0;  // the job's --eval-examples (100 until run.json says)
  bool wantAll_ = false; // the box's choice; it is unchecked while the step has no such sweeps
};

} // namespace poslab
