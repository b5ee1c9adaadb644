// The job page's checkpoint actions and the before/after sweep at all positions,
// offscreen, on a small real Pos2Distill run of the bundled demo (poslab-cli
// distill: 4 steps, a checkpoint every 2, the held-out evaluation over 3
// examples at 3 of the 20 gold positions): Pin / Unpin write pins.json, Delete
// (the confirmation answered) removes the folder and is refused for the
// checkpoint a resume starts from, Export runs `poslab-cli export` into the
// folder chosen, Show in folder asks for the checkpoint's URL; "Sweep this
// checkpoint vs base at all positions" sweeps both at every gold position into
// the run folder with the evaluation's settings, and the comparison shown is
// those two sweeps' numbers.
#include "app/gui/BeforeAfterView.h"
#include "app/gui/FullSweepRunner.h"
#include "app/gui/JobMonitor.h"
#include "app/gui/JobPage.h"
#include "app/gui/TrainPanel.h"
#include "core/util/CheckpointPins.h"
#include "tests/gui/BeforeAfterChecks.h"
#include "tests/gui/GuiTestSettings.h"
#include "tests/util/TestPaths.h"

#include <QApplication>
#include <QCheckBox>
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QUrl>
#include <QtTest/QtTest>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

using namespace poslab;

namespace {

nlohmann::json readJson(const QString& file) {
  std::ifstream in(file.toStdString());
  return in ? nlohmann::json::parse(in) : nlohmann::json();
}

// Answers the next modal dialog of type T (opened by a click that waits for it
// in its own event loop) with `answer`; `answered` counts the answers.
template <class T> void answerNext(std::function<void(T*)> answer, int* answered) {
  auto* timer = new QTimer;
  timer->setInterval(20);
  QObject::connect(timer, &QTimer::timeout, [timer, answer, answered] {
    auto* dialog = qobject_cast<T*>(QApplication::activeModalWidget());
    if (!dialog || !dialog->isVisible()) return;
    timer->stop();
    timer->deleteLater();
    ++*answered;
    answer(dialog);
  });
  timer->start();
}

void clickMessageBox(QMessageBox::StandardButton button, int* answered) {
  answerNext<QMessageBox>([button](QMessageBox* box) { box->button(button)->click(); }, answered);
}

} // namespace

class TestJobCheckpoints : public QObject {
  Q_OBJECT

private:
  QString run_;
  std::unique_ptr<TrainPanel> train_;

  JobPage* page() const { return train_->page(); }
  QString checkpointFolder(long long step) const {
    return QDir(run_).filePath(QStringLiteral("checkpoints/step-%1").arg(step, 6, 10, QLatin1Char('0')));
  }
  QStringList pinned() const {
    QStringList names;
    for (const auto& name : readJson(QString::fromStdString(CheckpointPins::path(run_.toStdString())))
                                .value("pinned", nlohmann::json::array()))
      names << QString::fromStdString(name.get<std::string>());
    return names;
  }
  QString shownCell(long long step, int column) const {
    QTableWidget* table = page()->checkpointTable();
    for (int r = 0; r < table->rowCount(); ++r)
      if (table->item(r, 0)->text() == QString::number(step)) return table->item(r, column)->text();
    return QStringLiteral("(no row)");
  }

private Q_SLOTS:
  void initTestCase() {
    const QString workspace = test::isolatedWorkspace("test_job_checkpoints", "gui-checkpoints");
    run_ = QDir(workspace).filePath("runs/distill-small");
    const QString demo = QString::fromStdString(test::resourcePath("demo"));
    QProcess distill;
    distill.setProcessChannelMode(QProcess::MergedChannels);
    distill.start(JobMonitor::cliProgram(), {"distill",
                                             "--preset",
                                             "demo",
                                             "--method",
                                             "r1",
                                             "--model",
                                             demo + "/poslab-demo-llama",
                                             "--data",
                                             demo + "/train.jsonl.gz",
                                             "--eval-data",
                                             demo + "/heldout.jsonl.gz",
                                             "--questions",
                                             "8",
                                             "--batch",
                                             "4",
                                             "--steps",
                                             "4",
                                             "--warmup",
                                             "1",
                                             "--checkpoint-every",
                                             "2",
                                             "--eval-every",
                                             "4",
                                             "--eval-examples",
                                             "3",
                                             "--eval-positions",
                                             "0,9,19",
                                             "--threads",
                                             "1",
                                             "--out",
                                             run_});
    QVERIFY(distill.waitForFinished(240'000));
    QVERIFY2(distill.exitCode() == 0, distill.readAll().constData());
    for (long long step : {2, 4})
      QVERIFY(QFileInfo::exists(checkpointFolder(step) + "/config.json"));

    train_ = std::make_unique<TrainPanel>();
    train_->setWorkspace(workspace);
    train_->resize(1300, 850);
    train_->show();
    QVERIFY(QTest::qWaitForWindowExposed(train_.get()));
    QTRY_VERIFY(train_->selectRun(run_));
    QTRY_COMPARE(page()->checkpointTable()->rowCount(), 2);
    QTRY_COMPARE(page()->snapshot().evals.size(), size_t(2)); // the base and step 4
  }
  void cleanupTestCase() {
    train_.reset();
    QSettings().clear();
  }

  void theSweepsTakeTheEvaluationsSettings() {
    nlohmann::json settings = {{"data", "held.jsonl"},
                               {"data_format", "auto"},
                               {"task", "qa"},
                               {"docs", 0},
                               {"shuffle_seed", 0},
                               {"distractor_seed", 7},
                               {"random_distractors", 0},
                               {"prompt_template", "qa"},
                               {"chat_template", "none"},
                               {"system", ""},
                               {"max_new_tokens", 12},
                               {"dtype", "f32"},
                               {"skip_bad", true}};
    const QStringList args = FullSweepRunner::arguments(settings, "m", "out", 5);
    const auto after = [&args](const QString& flag) {
      const qsizetype i = args.indexOf(flag);
      return i < 0 ? QString("(absent)") : args.value(i + 1);
    };
    QCOMPARE(args.value(0), QString("sweep"));
    QCOMPARE(after("--positions"), QString("all"));
    QCOMPARE(after("--limit"), QString("5"));
    QCOMPARE(after("--data"), QString("held.jsonl"));
    QCOMPARE(after("--shuffle-seed"), QString("0")); // seed 0 shuffles; only null does not
    QCOMPARE(after("--distractor-seed"), QString("7"));
    QCOMPARE(after("--docs"), QString("(absent)")); // 0: the task's default
    QCOMPARE(after("--system"), QString("(absent)"));
    QCOMPARE(after("--max-new-tokens"), QString("12"));
    QCOMPARE(after("--chat-template"), QString("none"));
    QVERIFY(args.contains("--skip-bad"));
    settings["shuffle_seed"] = nullptr;
    QVERIFY(!FullSweepRunner::arguments(settings, "m", "out", 5).contains("--shuffle-seed"));
    // A job whose run.json is not written yet.
    BeforeAfterView view;
    JobSnapshot starting;
    starting.runDir = "starting";
    view.setJob(starting);
    QCOMPARE(view.fullSweepExamples()->value(), 100);
    QVERIFY(!view.fullSweepButton()->isEnabled());
  }

  void pinWritesPinsJsonAndUnpinRemovesIt() {
    QVERIFY(page()->selectCheckpoint(2));
    QVERIFY(page()->pinButton()->isEnabled());
    QCOMPARE(page()->pinButton()->text(), QString("Pin"));
    page()->pinButton()->click();
    QCOMPARE(pinned(), QStringList{"step-000002"});
    QCOMPARE(page()->pinButton()->text(), QString("Unpin"));
    QCOMPARE(shownCell(2, 6), QString("yes"));
    QCOMPARE(shownCell(4, 6), QString());
    // The monitor reads it back from the run folder the same.
    train_->monitor()->poll();
    QTRY_COMPARE(shownCell(2, 6), QString("yes"));
    page()->pinButton()->click();
    QCOMPARE(pinned(), QStringList());
    QTRY_COMPARE(shownCell(2, 6), QString());
  }

  void showInFolderAsksForTheCheckpointsUrl() {
    QList<QUrl> opened;
    page()->setUrlOpener([&opened](const QUrl& url) {
      opened << url;
      return true;
    });
    QVERIFY(page()->selectCheckpoint(2));
    page()->showFolderButton()->click();
    QCOMPARE(opened, QList<QUrl>{QUrl::fromLocalFile(checkpointFolder(2))});
    QVERIFY(page()->selectCheckpoint(4));
    page()->showFolderButton()->click();
    QCOMPARE(opened.value(1), QUrl::fromLocalFile(checkpointFolder(4)));
  }

  void exportWritesAHuggingFaceFolder() {
    const QString parent = QString::fromStdString(test::tempDir("checkpoint-export"));
    QVERIFY(page()->selectCheckpoint(2));
    QSignalSpy exported(page(), &JobPage::exported);
    int answered = 0;
    // The format, then the folder to export into.
    answerNext<QInputDialog>(
        [&answered, parent](QInputDialog* format) {
          QCOMPARE(format->comboBoxItems(), QStringList{"hf"}); // a full run: no PEFT/merged choice
          format->setTextValue("hf");
          format->accept();
          answerNext<QFileDialog>(
              [parent](QFileDialog* folder) {
                folder->setDirectory(parent);
                QMetaObject::invokeMethod(folder, "accept"); // protected: a slot
              },
              &answered);
        },
        &answered);
    page()->exportButton()->click();
    QCOMPARE(answered, 2);
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 120'000);
    QVERIFY(exported.at(0).at(1).toBool());
    const QString out = exported.at(0).at(0).toString();
    QCOMPARE(QFileInfo(out).absolutePath(), QFileInfo(parent).absoluteFilePath());
    QVERIFY2(out.endsWith("-step-2-hf"), qPrintable(out));
    for (const char* file : {"config.json", "model.safetensors", "tokenizer.model"})
      QVERIFY2(QFileInfo::exists(QDir(out).filePath(file)), file);
    QCOMPARE(readJson(QDir(out).filePath("config.json"))["hidden_size"],
             readJson(checkpointFolder(2) + "/config.json")["hidden_size"]);
  }

  void deleteAsksThenRemovesTheFolder() {
    // The checkpoint a resume starts from is refused, its folder kept.
    QVERIFY(page()->selectCheckpoint(4));
    int answered = 0;
    clickMessageBox(QMessageBox::Ok, &answered);
    page()->deleteButton()->click();
    QCOMPARE(answered, 1);
    QVERIFY(QFileInfo::exists(checkpointFolder(4)));
    // "No" keeps it.
    QVERIFY(page()->selectCheckpoint(2));
    page()->pinButton()->click();
    QCOMPARE(pinned(), QStringList{"step-000002"});
    clickMessageBox(QMessageBox::No, &answered);
    page()->deleteButton()->click();
    QCOMPARE(answered, 2);
    QVERIFY(QFileInfo::exists(checkpointFolder(2)));
    // "Yes" removes the folder and its pin.
    QSignalSpy message(page(), &JobPage::message);
    clickMessageBox(QMessageBox::Yes, &answered);
    page()->deleteButton()->click();
    QCOMPARE(answered, 3);
    QVERIFY(!QFileInfo::exists(checkpointFolder(2)));
    QVERIFY(QFileInfo::exists(checkpointFolder(4)));
    QCOMPARE(pinned(), QStringList());
    QCOMPARE(message.count(), 1);
    QVERIFY2(message.at(0).at(0).toString().startsWith("Deleted "),
             qPrintable(message.at(0).at(0).toString()));
    // The table learns it from the run folder: step 2 is no longer on disk.
    train_->monitor()->poll();
    QTRY_VERIFY(shownCell(2, 7) == "(no row)" || shownCell(2, 7).startsWith("pruned"));
  }

  void sweepsBaseAndCheckpointAtAllPositions() {
    BeforeAfterView* view = page()->beforeAfter();
    page()->sections()->setCurrentWidget(view);
    QVERIFY(view->showStep(4));
    QTRY_COMPARE(view->comparison().positions.size(), qsizetype(3)); // the job's evaluation: 3 positions
    QCOMPARE(view->fullSweepExamples()->value(), 3);                 // the job's count of examples
    QVERIFY(!view->allPositionsBox()->isEnabled());                  // nothing swept yet
    QSignalSpy done(view, &BeforeAfterView::fullSweepDone);
    QVERIFY(view->fullSweepButton()->isEnabled());
    view->fullSweepButton()->click();
    QVERIFY(!view->fullSweepButton()->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 180'000);
    QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(1).toString()));

    // Kept in the run folder, with the evaluation's settings at every position.
    const QString base = QDir(run_).filePath("eval/step-0/full-sweep-3");
    const QString after = QDir(run_).filePath("eval/step-4/full-sweep-3");
    const nlohmann::json evalRun = readJson(QDir(run_).filePath("eval/step-0/run.json"));
    for (const QString& dir : {base, after}) {
      const nlohmann::json summary = readJson(dir + "/summary.json");
      QCOMPARE(summary.value("status", std::string()), std::string("finished"));
      QCOMPARE(summary["positions"].size(), size_t(20));
      for (const auto& p : summary["positions"])
        QCOMPARE(p["n"].get<int>(), 3);
      const nlohmann::json settings = readJson(dir + "/run.json")["settings"];
      for (const char* key :
           {"data", "data_format", "task", "docs", "prompt_template", "chat_template", "system",
            "max_new_tokens", "dtype", "shuffle_seed", "random_distractors", "distractor_seed"})
        QVERIFY2(settings[key] == evalRun["settings"][key], key);
      QCOMPARE(settings["positions"], nlohmann::json("all"));
    }
    QCOMPARE(readJson(after + "/run.json")["settings"]["model"].get<std::string>(),
             checkpointFolder(4).toStdString());

    // Shown: the two sweeps' curves, Table 1 columns and McNemar tests.
    QTRY_VERIFY(view->showsAllPositions() && view->comparison().positions.size() == 20);
    QCOMPARE(view->baseRun(), base);
    QCOMPARE(view->afterRun(), after);
    QVERIFY(view->allPositionsBox()->isChecked());
    test::verifyBeforeAfter(view, "step 4", 20);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(view->summaryTable()->item(4, 0)->text(), QString("3")); // n: examples per position
    // Said under the button, each folder unbroken, the full paths as its tooltip.
    const QLabel* note = view->fullSweepNote();
    QVERIFY(!note->isHidden());
    QVERIFY2(note->text().contains("<nobr>eval/step-0/full-sweep-3</nobr>") &&
                 note->text().contains("<nobr>eval/step-4/full-sweep-3</nobr>"),
             qPrintable(note->text()));
    QCOMPARE(note->toolTip(), QDir::toNativeSeparators(base) + "\n" + QDir::toNativeSeparators(after));

    // Unchecked: the job's evaluation again; a second click reads the sweeps back.
    view->allPositionsBox()->setChecked(false);
    QTRY_COMPARE(view->comparison().positions.size(), qsizetype(3));
    QCOMPARE(view->baseRun(), QDir(run_).filePath("eval/step-0"));
    const QDateTime written = QFileInfo(after + "/summary.json").lastModified();
    view->fullSweepButton()->click();
    QTRY_COMPARE(done.count(), 2);
    QVERIFY(done.at(1).at(0).toBool());
    QCOMPARE(QFileInfo(after + "/summary.json").lastModified(), written); // not swept again
    QTRY_COMPARE(view->comparison().positions.size(), qsizetype(20));
  }
};

QTEST_MAIN(TestJobCheckpoints)
#include "test_job_checkpoints.moc"
