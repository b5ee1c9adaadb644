#pragma once
// One training/distill job as its run folder tells it (JobSnapshot): phase,
// progress, ETA and tokens/s; the loss (raw + smoothed, linear/log), the
// learning rate, mean KL per gold position over steps, and the held-out
// accuracy by gold position after each evaluation (the base as step 0); the
// checkpoint table with its actions; the run's settings and its event log.
// Every plot exports on right-click like the lab's.
#include "core/jobs/JobSnapshot.h"

#include <QWidget>
#include <functional>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTabWidget;
class QUrl;

namespace poslab {

class BeforeAfterView;
class EvalCurvesPlot;
class ExportablePlot;
class MatrixHeatmap;
class StepSeriesPlot;

class JobPage : public QWidget {
  Q_OBJECT
public:
  explicit JobPage(QWidget* parent = nullptr);

  void setSnapshot(const JobSnapshot& job);
  const JobSnapshot& snapshot() const { return job_; }

  StepSeriesPlot* lossPlot() const { return loss_; }
  StepSeriesPlot* lrPlot() const { return lr_; }
  EvalCurvesPlot* evalPlot() const { return eval_; }
  MatrixHeatmap* klHeatmap() const { return kl_; }
  QTableWidget* checkpointTable() const { return checkpoints_; }
  // The checkpoint table's actions (enabled for a selected checkpoint on disk).
  QPushButton* openButton() const { return open_; }
  QPushButton* pinButton() const { return pin_; }
  QPushButton* deleteButton() const { return delete_; }
  QPushButton* showFolderButton() const { return showFolder_; }
  QPushButton* exportButton() const { return export_; }
  // How "Show in folder" opens a folder: QDesktopServices::openUrl unless set
  // (a test records the URL instead of starting a file manager).
  void setUrlOpener(std::function<bool(const QUrl&)> opener) { openUrl_ = std::move(opener); }
  BeforeAfterView* beforeAfter() const { return beforeAfter_; }
  QTabWidget* sections() const { return tabs_; }
  QLabel* statusLabel() const { return status_; }
  QProgressBar* progressBar() const { return progress_; }
  // The figures and the stems they export under.
  QVector<QPair<const ExportablePlot*, QString>> figures() const;

  // `poslab-cli export` of a checkpoint into `out` (hf | peft | merged), in the
  // background; message() says how it ended. False when one is still running.
  bool exportCheckpoint(const QString& checkpoint, const QString& format, const QString& out);
  // The formats a checkpoint exports to: hf for a full run, peft and merged for LoRA.
  static QStringList exportFormats(const QString& checkpoint);

  // The checkpoint of the table's selected row (relative path), "" when none.
  QString selectedCheckpoint() const;
  bool selectCheckpoint(long long step);

Q_SIGNALS:
  void openCheckpoint(const QString& folder); // in the lab (Sweep/Explore/Aggregate)
  void message(const QString& text);
  void exported(const QString& out, bool ok);

private:
  void updateHeader();
  void updateCurves();
  void updateCheckpoints();
  void updateCheckpointActions(); // the buttons, for the selected row
  void updateText();
  void pinSelected();
  void deleteSelected();
  void showSelectedInFolder();
  void exportSelected();
  const JobCheckpoint* selected() const;

  JobSnapshot job_;
  QLabel* title_ = nullptr;
  QLabel* status_ = nullptr;
  QLabel* detail_ = nullptr;
  QLabel* speed_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  StepSeriesPlot* loss_ = nullptr;
  StepSeriesPlot* lr_ = nullptr;
  EvalCurvesPlot* eval_ = nullptr;
  MatrixHeatmap* kl_ = nullptr;
  QLabel* klNote_ = nullptr; // in kl_'s place for methods that log no KL
  QTableWidget* checkpoints_ = nullptr;
  BeforeAfterView* beforeAfter_ = nullptr;
  QPushButton* open_ = nullptr;
  QPushButton* pin_ = nullptr;
  QPushButton* delete_ = nullptr;
  QPushButton* showFolder_ = nullptr;
  QPushButton* export_ = nullptr;
  QPlainTextEdit* settings_ = nullptr;
  QPlainTextEdit* log_ = nullptr;
  std::function<bool(const QUrl&)> openUrl_;
  size_t shownLogLines_ = 0;
  std::string shownRun_;
};

} // namespace poslab
