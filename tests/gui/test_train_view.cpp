// The Train view on the bundled demo, offscreen, with real `poslab-cli distill`
// processes: a job launched from the dialog (the demo preset with nothing
// changed, then made small), progress and a checkpoint appear, cancel, resume,
// the window closed and reopened while the job runs (shown live again), the
// job's process killed (shown dead, resumable), resumed to its end and
// extended; the held-out curves drawn are eval/step-N/summary.json's numbers,
// and a checkpoint opens in the lab.
#include "app/gui/AttentionMatrixFile.h"
#include "app/gui/BeforeAfterView.h"
#include "app/gui/JobLaunchDialog.h"
#include "app/gui/JobMonitor.h"
#include "app/gui/JobPage.h"
#include "app/gui/MainWindow.h"
#include "app/gui/SweepPanel.h"
#include "app/gui/TrainPanel.h"
#include "core/jobs/JobLauncher.h"
#include "tests/gui/BeforeAfterChecks.h"
#include "tests/gui/GuiTestSettings.h"
#include "tests/gui/LabWindow.h"
#include "tests/util/TestPaths.h"
#include "widgets/AttentionMassHeatmap.h"
#include "widgets/EvalCurvesPlot.h"
#include "widgets/StepSeriesPlot.h"
#include "widgets/SweepPlot.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QtTest/QtTest>
#include <csignal>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

using namespace poslab;

namespace {

// Under Qt Test's 300 s per test function.
constexpr int kJobTimeoutMs = 240'000;

} // namespace

class TestTrainView : public QObject {
  Q_OBJECT

private:
  std::unique_ptr<MainWindow> window_;
  QString run_;    // the job launched from the dialog
  QString second_; // a job launched while it runs: queued behind it
  JobSettings settings_;

  void openWindow() {
    window_ = std::make_unique<MainWindow>();
    QVERIFY(
        test::showWithModel(*window_, QString::fromStdString(test::resourcePath("demo/poslab-demo-llama"))));
    window_->sweepPanel()->setDataPath(QString::fromStdString(test::resourcePath("demo/heldout.jsonl.gz")));
    QVERIFY(window_->showView("train"));
  }
  TrainPanel* train() const { return window_->trainPanel(); }
  const JobSnapshot* job() const { return train()->monitor()->job(run_); }
  // Freezes (or thaws) the job's process: a stopped process keeps its run.lock, so
  // it is still a live job, and the steps below do not race a fast machine.
  void freeze(bool stop) {
    const long long pid = JobLauncher::owner(run_.toStdString());
    QVERIFY(pid > 0);
    QCOMPARE(::kill(static_cast<pid_t>(pid), stop ? SIGSTOP : SIGCONT), 0);
  }
  JobStatus secondStatus() const {
    const JobSnapshot* j = train()->monitor()->job(second_);
    return j ? j->status : JobStatus::Failed;
  }
  JobStatus status() const { return job() ? job()->status : JobStatus::Queued; }
  long long step() const { return job() ? job()->step : -1; }
  QString shownStatus() const { // what the job table says
    QTableWidget* t = train()->jobTable();
    for (int r = 0; r < t->rowCount(); ++r)
      if (t->item(r, 0)->data(Qt::UserRole).toString() == run_) return t->item(r, 2)->text();
    return {};
  }

private Q_SLOTS:
  void initTestCase() {
    test::isolatedWorkspace("test_train_view", "gui-train");
    openWindow();
  }
  void cleanupTestCase() {
    for (const QString& run : {run_, second_}) // never leave a job behind
      if (!run.isEmpty()) JobLauncher::kill(run.toStdString());
    window_.reset();
    QSettings().clear();
  }

  void aDemoJobStartsFromTheDialog() {
    JobLaunchDialog* dialog = train()->openLaunchDialog();
    QVERIFY(dialog);
    // On the open demo model, a new job is the demo preset with no option changed.
    const JobSettings defaults = dialog->settings();
    QCOMPARE(defaults.preset, std::string("demo"));
    QCOMPARE(defaults.method, std::string("r1"));
    QVERIFY(defaults.options.empty());
    QVERIFY(QString::fromStdString(defaults.data).endsWith("demo/train.jsonl.gz"));
    QVERIFY(QString::fromStdString(defaults.evalData).endsWith("demo/heldout.jsonl.gz"));
    QVERIFY(dialog->command().contains(" distill --preset demo --method r1 --model "));
    QVERIFY(dialog->startButton()->isEnabled());
    // Made small for the test (each field overrides the preset, and the command shows it).
    const std::pair<const char*, const char*> small[] = {
        {"questions", "16"},         {"batch", "4"},       {"steps", "60"},
        {"checkpoint-every", "5"},   {"eval-every", "30"}, {"eval-examples", "8"},
        {"eval-positions", "0,9,19"}};
    for (const auto& [flag, value] : small) {
      QLineEdit* field = dialog->optionField(flag);
      QVERIFY2(field, flag);
      field->setText(value);
    }
    dialog->findChild<QSpinBox*>()->setValue(1); // threads: leave a core to the rest of the suite
    QVERIFY(dialog->command().contains("--questions 16 ") && dialog->command().contains("--threads 1 "));
    settings_ = dialog->settings();
    const QString shownRun = dialog->runDir();
    QVERIFY(dialog->command().endsWith("--out " + shownRun)); // no quoting needed in this workspace
    QVERIFY(QFileInfo(shownRun).fileName().startsWith("distill-r1-"));
    dialog->startButton()->click();
    run_ = train()->selectedRun();
    QCOMPARE(run_, shownRun); // the command shown is the one that runs
    QVERIFY(QFileInfo::exists(run_ + "/logs/launch.json"));

    // Progress, then a checkpoint in the table, with the loss drawn as it comes.
    QTRY_VERIFY_WITH_TIMEOUT(step() >= 1, kJobTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(job() && !job()->checkpoints.empty(), kJobTimeoutMs);
    QVERIFY(JobStatusName::active(status()));
    QCOMPARE(train()->selectedRun(), run_);
    QTRY_VERIFY(train()->page()->checkpointTable()->rowCount() >= 1);
    QTRY_VERIFY(!train()->page()->lossPlot()->drawnRaw().isEmpty());
    QTRY_VERIFY(train()->page()->evalPlot()->drawnNames().contains("base (step 0)"));
  }

  void cancelThenResume() {
    QVERIFY(train()->cancelButton()->isEnabled());
    train()->cancelButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(status(), JobStatus::Cancelled, kJobTimeoutMs);
    QCOMPARE(shownStatus(), QString("cancelled"));
    const long long stoppedAt = step();
    QVERIFY2(stoppedAt < 60, "the job ended before the cancel reached it");
    QVERIFY(train()->resumeButton()->isEnabled());
    train()->resumeButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(status() == JobStatus::Training && step() > stoppedAt, kJobTimeoutMs);
    freeze(true);
    // One job per device: a second one waits in the queue.
    JobSettings second = settings_;
    second.options["steps"] = "10";
    QString error;
    second_ = train()->launch(second, false, &error);
    QVERIFY2(!second_.isEmpty(), qPrintable(error));
    QCOMPARE(secondStatus(), JobStatus::Queued);
    QVERIFY(!QFileInfo::exists(second_ + "/logs/launch.json")); // not started
  }

  void reopenedWhileRunningItIsLiveAgain() {
    window_.reset(); // the GUI closes; the job does not
    QVERIFY(JobLauncher::owner(run_.toStdString()) > 0);
    openWindow();
    QTRY_VERIFY(job());
    QVERIFY(train()->selectRun(run_));
    QTRY_VERIFY(shownStatus() == "training" || shownStatus() == "evaluating");
    QCOMPARE(secondStatus(), JobStatus::Queued); // the queue survived the restart
    const long long seen = step();
    freeze(false);
    QTRY_VERIFY_WITH_TIMEOUT(step() > seen, kJobTimeoutMs); // live: the step moves on
    freeze(true);
  }

  void aKilledJobIsDeadAndResumable() {
    QVERIFY(JobLauncher::kill(run_.toStdString())); // kill -9, as a crash
    QTRY_COMPARE_WITH_TIMEOUT(status(), JobStatus::Dead, 20'000);
    QTRY_COMPARE(shownStatus(), QString("dead"));
    // The device is free: the queued job starts; the resume waits for it in turn.
    QTRY_VERIFY_WITH_TIMEOUT(JobStatusName::active(secondStatus()), 20'000);
    QVERIFY(train()->selectRun(run_));
    QVERIFY(train()->resumeButton()->isEnabled());
    train()->resumeButton()->click();
    QTRY_COMPARE(status(), JobStatus::Queued);
    QTRY_COMPARE_WITH_TIMEOUT(secondStatus(), JobStatus::Finished, kJobTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(status(), JobStatus::Finished, kJobTimeoutMs);
    QCOMPARE(step(), 60LL);
    // Extend: more steps from the last checkpoint.
    QString error;
    QVERIFY2(train()->resumeSelected(65, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(status() == JobStatus::Finished && step() == 65, kJobTimeoutMs);
  }

  void heldOutCurvesAreTheSweepsNumbers() {
    QTRY_VERIFY(train()->page()->snapshot().evals.size() >= 3); // base, 30, 60 (and 65)
    EvalCurvesPlot* plot = train()->page()->evalPlot();
    const JobSnapshot& shown = train()->page()->snapshot();
    for (int i = 0; i < static_cast<int>(shown.evals.size()); ++i) {
      const JobEval& e = shown.evals[static_cast<size_t>(i)];
      std::ifstream in(QDir(run_).filePath(QString::fromStdString(e.path) + "/summary.json").toStdString());
      QVERIFY2(in, e.path.c_str());
      const auto summary = nlohmann::json::parse(in);
      const QVector<QPointF> drawn = plot->drawnCurve(i);
      QCOMPARE(drawn.size(), qsizetype(summary["positions"].size()));
      for (int k = 0; k < drawn.size(); ++k) {
        QCOMPARE(drawn[k].x(), summary["positions"][static_cast<size_t>(k)]["position"].get<double>() + 1);
        QCOMPARE(drawn[k].y(),
                 100.0 * summary["positions"][static_cast<size_t>(k)]["accuracy"].get<double>());
      }
    }
  }

  void beforeAfterShowsTheTwoSweepsNumbers() {
    BeforeAfterView* view = train()->page()->beforeAfter();
    QSignalSpy shown(view, &BeforeAfterView::comparisonShown);
    QVERIFY(view->showStep(60));
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() >= 1, 30'000);
    QCOMPARE(view->baseRun(), QDir(run_).filePath("eval/step-0"));
    QCOMPARE(view->afterRun(), QDir(run_).filePath("eval/step-60"));
    test::verifyBeforeAfter(view, "step 60", 3); // positions 1, 10, 20
  }

  void attentionMassBeforeAndAfter() {
    BeforeAfterView* view = train()->page()->beforeAfter();
    QVERIFY(view->showStep(60)); // its checkpoint is kept (--keep-checkpoints 2: steps 60 and 65)
    QSignalSpy shown(view, &BeforeAfterView::attentionShown);
    view->computeAttention(2);
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() == 1, kJobTimeoutMs);
    QVERIFY(shown.at(0).at(0).toBool());
    for (const auto& [heatmap, dir] : {std::pair{view->baseAttention(), view->baseRun()},
                                       std::pair{view->afterAttention(), view->afterRun()}}) {
      const QString file = QDir(dir).filePath("attention-mass-2.json");
      QString error;
      const auto grid = AttentionMatrixFile::read(file, &error);
      QVERIFY2(grid, qPrintable(error));
      QCOMPARE(grid->documents, 20);
      QCOMPARE(grid->counts, QVector<int>(20, 2)); // 2 examples at every gold position
      QCOMPARE(heatmap->matrix().mass, grid->mass);
      for (int g = 0; g < 20; ++g) { // shares of one prompt's attention
        double sum = 0;
        for (int d = 0; d < 20; ++d)
          sum += grid->at(d, g);
        QVERIFY2(sum > 0 && sum <= 1.0 + 1e-4, qPrintable(QString::number(sum)));
      }
    }
    QVERIFY(view->baseAttention()->matrix().mass != view->afterAttention()->matrix().mass); // two models
    // A file of another kind is refused with its name and the field.
    const QString wrong = QDir(view->baseRun()).filePath("summary.json");
    QString error;
    QVERIFY(!AttentionMatrixFile::read(wrong, &error));
    QVERIFY2(error.contains("summary.json: format"), qPrintable(error));
  }

  void theJobsCurvesGoIntoTheExportBundle() {
    QVERIFY(train()->selectRun(run_));
    const QString folder = QString::fromStdString(test::tempDir("train-bundle"));
    QString error;
    QVERIFY2(window_->exportBundle(folder, &error), qPrintable(error));
    for (const char* name : {"training_loss", "heldout_accuracy_by_step", "kl_by_position", "learning_rate",
                             "before_after", "attention_mass_before", "attention_mass_after"})
      for (const char* format : {"pdf", "svg", "png", "csv", "json"})
        QVERIFY2(QFileInfo::exists(QStringLiteral("%1/%2.%3").arg(folder, name, format)), name);
    std::ifstream in(QDir(folder).filePath("manifest.json").toStdString());
    const auto manifest = nlohmann::json::parse(in);
    QVERIFY2(manifest.dump().find("\"kind\":\"training\"") != std::string::npos, manifest.dump().c_str());
    QVERIFY2(manifest.dump().find("\"kind\":\"before_after\"") != std::string::npos, manifest.dump().c_str());
  }

  void aCheckpointOpensInTheLab() {
    JobPage* page = train()->page();
    const JobCheckpoint& last = page->snapshot().checkpoints.back();
    QVERIFY(last.latest && !last.pruned);
    QVERIFY(page->selectCheckpoint(last.step));
    QSignalSpy ready(window_.get(), &MainWindow::modelReady);
    QPushButton* open = nullptr;
    for (QPushButton* b : page->findChildren<QPushButton*>())
      if (b->text() == "Open in lab") open = b;
    QVERIFY(open && open->isEnabled());
    open->click();
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 60'000);
    QCOMPARE(window_->recentModels().value(0), QDir(run_).filePath(QString::fromStdString(last.path)));
    QCOMPARE(window_->viewAt(window_->views()->currentIndex()), static_cast<QWidget*>(window_->sweepPanel()));
  }

  void planFirstThenStartTraining() {
    QVERIFY(window_->showView("train"));
    JobSettings small = settings_;
    small.options["steps"] = "6";
    QString error;
    const QString run = train()->launch(small, true, &error);
    QVERIFY2(!run.isEmpty(), qPrintable(error));
    const auto statusOf = [&] {
      return train()->monitor()->job(run) ? train()->monitor()->job(run)->status : JobStatus::Queued;
    };
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(), JobStatus::Planned, kJobTimeoutMs);
    QVERIFY(train()->selectRun(run));
    QTRY_COMPARE(train()->resumeButton()->text(), QString("Start training"));
    bool planShown = false;
    for (QLabel* label : train()->page()->findChildren<QLabel*>())
      planShown = planShown ||
                  (label->text().startsWith("Memory plan: needs about") && label->text().contains("fits"));
    QVERIFY(planShown);
    train()->resumeButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(), JobStatus::Finished, kJobTimeoutMs);
    QCOMPARE(train()->monitor()->job(run)->step, 6LL);
  }

  void aPlanThatDoesNotFitIsRefusedWithWhy() {
    JobSettings huge = settings_;
    huge.options["batch"] = "2000000";
    huge.options["micro-batch"] = "2000000";
    QString error;
    const QString run = train()->launch(huge, false, &error);
    QVERIFY2(!run.isEmpty(), qPrintable(error));
    const JobSnapshot* j = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((j = train()->monitor()->job(run)) && j->status == JobStatus::Failed,
                             kJobTimeoutMs);
    const QString why = QString::fromStdString(j->statusDetail);
    QVERIFY2(why.contains("memory_plan: the run needs about") && why.contains("MiB available"),
             qPrintable(why));
  }
};

QTEST_MAIN(TestTrainView)
#include "test_train_view.moc"
