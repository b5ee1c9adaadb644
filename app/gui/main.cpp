// poslab [MODEL [DATA]] [--screenshot FILE [--view NAME]]: the PosLab desktop lab.
// With no MODEL it opens the bundled demo (the model make-demo built and its
// held-out data: resources/demo/ in a checkout, share/poslab/demo/ installed),
// ready to sweep.
#include "app/gui/AggregatePanel.h"
#include "app/gui/BeforeAfterView.h"
#include "app/gui/DatasetDialog.h"
#include "app/gui/DepthPanel.h"
#include "app/gui/EngineController.h"
#include "app/gui/ExplorerPanel.h"
#include "app/gui/JobLaunchDialog.h"
#include "app/gui/JobMonitor.h"
#include "app/gui/JobPage.h"
#include "app/gui/LegacyLocations.h"
#include "app/gui/MainWindow.h"
#include "app/gui/Palettes.h"
#include "app/gui/SweepPanel.h"
#include "app/gui/TrainPanel.h"
#include "widgets/GenerationView.h"
#include "widgets/PlotExporter.h"
#include "widgets/SweepPlot.h"

#include <QStyleFactory>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>

namespace {

// The bundled demo: installed, <prefix>/share/poslab/demo/ beside <prefix>/bin/
// (packaging/CMakeLists.txt installs it there); in a build tree, resources/demo/
// of the checkout it was built from, in some folder above the executable.
struct BundledDemo {
  QString model, data;
};
BundledDemo findBundledDemo() {
  QDir dir(QCoreApplication::applicationDirPath());
  QStringList candidates{dir.filePath(QStringLiteral("../share/poslab/demo"))};
  do
    candidates << dir.filePath(QStringLiteral("resources/demo"));
  while (dir.cdUp());
  for (const QString& demo : candidates) {
    const QString model = demo + QStringLiteral("/poslab-demo-llama");
    const QString data = demo + QStringLiteral("/heldout.jsonl.gz");
    if (QFileInfo(model + "/config.json").isFile() && QFileInfo(data).isFile())
      return {QDir::cleanPath(model), QDir::cleanPath(data)};
  }
  return {};
}

// Waits for the model, does the view's work (generate a little, sweep, explore
// one placement, aggregate, run a depth study), saves the window as an image
// and quits (for documentation; exit status 1 if anything fails).
void runScreenshot(poslab::MainWindow& window, const QString& file, const QString& view, bool compare,
                   int tokenLayer, const QString& prompt, int tokens, const QString& figure,
                   const QString& section) {
  using poslab::MainWindow;
  auto fail = [](const QString& why) {
    std::fprintf(stderr, "poslab: screenshot: %s\n", qPrintable(why));
    QCoreApplication::exit(1);
  };
  auto save = [&window, file, fail] {
    QTimer::singleShot(400, &window, [&window, file, fail] {
      if (!window.grab().save(file)) return fail(QStringLiteral("cannot write %1").arg(file));
      QCoreApplication::exit(0);
    });
  };
  QObject::connect(window.engine(), &poslab::EngineController::loadFailed, &window, fail);
  QObject::connect(window.engine(), &poslab::EngineController::sweepFailed, &window, fail);
  QObject::connect(window.engine(), &poslab::EngineController::aggregateFailed, &window, fail);
  QObject::connect(window.engine(), &poslab::EngineController::depthFailed, &window, fail);
  QObject::connect(window.engine(), &poslab::EngineController::exploreFailed, &window,
                   [fail](const QString&, const QString& message) { fail(message); });
  QTimer::singleShot(600'000, &window, [fail] { fail(QStringLiteral("timed out")); });
  const bool hasData = !window.sweepPanel()->dataPath().isEmpty();
  if (view != "generate" && !hasData) return fail(QStringLiteral("the %1 view needs DATA").arg(view));
  QObject::connect(&window, &MainWindow::modelReady, &window, [&window, view] { window.showView(view); });
  if (view == "sweep") {
    QObject::connect(&window, &MainWindow::modelReady, window.sweepPanel(), &poslab::SweepPanel::requestRun);
    QObject::connect(
        &window, &MainWindow::sweepDone, &window,
        [&window, save, fail, compare, figure](const QString& runDir, const QString& status) {
          if (status == "failed") return fail(QStringLiteral("the sweep failed"));
          QString error;
          if (!figure.isEmpty() && !poslab::PlotExporter::save(*window.sweepPanel()->plot(), figure,
                                                               {QSize(1600, 1000), 200, true}, &error))
            return fail(error);
          const QStringList runs = window.sweepPanel()->runFolders();
          if (!compare) return save();
          if (runs.size() < 2) return fail(QStringLiteral("--compare needs an earlier run"));
          // The new run as B against the newest other run as A.
          QObject::connect(window.sweepPanel(), &poslab::SweepPanel::comparisonShown, &window, save);
          window.sweepPanel()->compareRuns(runs[runs[0] == runDir ? 1 : 0], runDir);
        });
  } else if (view == "explore" && tokenLayer >= 0) { // the token map's window instead of the main one
    poslab::ExplorerPanel* explorer = window.explorerPanel();
    QObject::connect(explorer, &poslab::ExplorerPanel::placementShown, explorer, [explorer, tokenLayer] {
      if (!explorer->tokenMapDialog()) explorer->requestTokenMap(tokenLayer, poslab::HeadReduction{});
    });
    QObject::connect(explorer, &poslab::ExplorerPanel::tokenMapShown, &window, [explorer, file, fail] {
      QTimer::singleShot(400, explorer, [explorer, file, fail] {
        if (!explorer->tokenMapDialog()->grab().save(file))
          return fail(QStringLiteral("cannot write %1").arg(file));
        QCoreApplication::exit(0);
      });
    });
  } else if (view == "explore") { // switching to the tab asks for the first placement
    QObject::connect(window.explorerPanel(), &poslab::ExplorerPanel::placementShown, &window, save);
  } else if (view == "aggregate") {
    QObject::connect(&window, &MainWindow::modelReady, window.aggregatePanel(),
                     &poslab::AggregatePanel::requestCompute);
    QObject::connect(&window, &MainWindow::aggregateDone, &window, [save, fail](bool complete) {
      if (!complete) return fail(QStringLiteral("the aggregate failed"));
      save();
    });
  } else if (view == "train") { // the workspace's jobs as they stand; a job page section or the dialog
    QObject::connect(&window, &MainWindow::modelReady, &window, [&window, save, fail, file, section] {
      QTimer::singleShot(1500, &window, [&window, save, fail, file, section] {
        poslab::TrainPanel* train = window.trainPanel();
        train->monitor()->poll();
        if (section == "dialog" || section == "cluster") { // the launch dialog, or its "Cluster job…" dialog
          poslab::JobLaunchDialog* dialog = train->openLaunchDialog();
          QObject::connect(dialog, &poslab::JobLaunchDialog::clusterDialogOpened, dialog,
                           [file, fail](QDialog* c) {
                             QTimer::singleShot(400, c, [c, file, fail] {
                               if (!c->grab().save(file))
                                 return fail(QStringLiteral("cannot write %1").arg(file));
                               QCoreApplication::exit(0);
                             });
                           });
          QTimer::singleShot(400, dialog, [dialog, file, fail, section] {
            if (section == "cluster") return dialog->clusterButton()->click();
            if (!dialog->grab().save(file)) return fail(QStringLiteral("cannot write %1").arg(file));
            QCoreApplication::exit(0);
          });
          return;
        }
        QTabWidget* sections = train->page()->sections();
        for (int i = 0; i < sections->count(); ++i)
          if (sections->tabText(i).compare(section, Qt::CaseInsensitive) == 0) sections->setCurrentIndex(i);
        poslab::BeforeAfterView* beforeAfter = train->page()->beforeAfter();
        if (section == "all positions") { // base vs the newest step at every position, then the comparison
          sections->setCurrentWidget(beforeAfter);
          QObject::connect(beforeAfter, &poslab::BeforeAfterView::fullSweepDone, &window,
                           [beforeAfter, save, fail](bool ok, const QString& error) {
                             if (!ok) return fail(error);
                             QObject::connect(beforeAfter, &poslab::BeforeAfterView::comparisonShown,
                                              beforeAfter, save, Qt::SingleShotConnection);
                           });
          beforeAfter->sweepAllPositions(beforeAfter->fullSweepExamples()->value());
          return;
        }
        if (section != "attention") return save();
        // Before / after's attention mass (Fig. 7) over 10 held-out examples.
        sections->setCurrentWidget(beforeAfter);
        QObject::connect(beforeAfter, &poslab::BeforeAfterView::attentionShown, &window,
                         [save, fail](bool ok) {
                           if (!ok) return fail(QStringLiteral("the attention mass could not be computed"));
                           save();
                         });
        beforeAfter->computeAttention(10);
      });
    });
  } else if (view == "depth") {
    QObject::connect(&window, &MainWindow::modelReady, window.depthPanel(), &poslab::DepthPanel::requestRun);
    QObject::connect(&window, &MainWindow::depthDone, &window, [save, fail](const QString& status) {
      if (status != "finished") return fail(QStringLiteral("the depth study ended: %1").arg(status));
      save();
    });
  } else {
    QObject::connect(&window, &MainWindow::modelReady, &window, [&window, prompt, tokens] {
      poslab::GenerationView* generation = window.generationView();
      generation->setPrompt(prompt);
      generation->setMaxNewTokens(tokens);
      generation->requestGeneration();
    });
    QObject::connect(&window, &MainWindow::generationDone, &window, save);
  }
}

// --help and --version must work in a terminal without a display: QApplication
// aborts without one, so these run on the offscreen platform.
void allowHeadlessInfo(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const QByteArray arg(argv[i]);
    if ((arg == "-h" || arg == "--help" || arg == "-v" || arg == "--version") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
      qputenv("QT_QPA_PLATFORM", "offscreen");
  }
}

} // namespace

int main(int argc, char** argv) {
  allowHeadlessInfo(argc, argv);
  QApplication app(argc, argv);
  // No organization name: with it the data folder would be ~/.local/share/PosLab/PosLab.
  // QSettings takes the domain instead (LegacyLocations).
  QApplication::setOrganizationDomain("poslab.org");
  QApplication::setApplicationName("PosLab");
  QApplication::setApplicationDisplayName("PosLab");
  QApplication::setApplicationVersion(POSLAB_VERSION);
  // Lets Wayland compositors and docks match windows to the installed entry.
  QGuiApplication::setDesktopFileName(QStringLiteral("org.poslab.PosLab"));

  QCommandLineParser parser;
  parser.setApplicationDescription("PosLab: a desktop lab for positional bias in local language models.");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument("MODEL", "A .gguf file or a Hugging Face model folder to open.", "[MODEL]");
  parser.addPositionalArgument("DATA", "A dataset to sweep (QA, KV or PosLab JSONL).", "[DATA]");
  const QCommandLineOption screenshot(
      "screenshot",
      "Load, do the --view's work (generate a little, sweep, explore a placement, "
      "aggregate, run a depth study), save the window to FILE, quit.",
      "FILE");
  const QCommandLineOption prompt("prompt", "Prompt for --screenshot.", "TEXT", "Once upon a time");
  const QCommandLineOption tokens("tokens", "Tokens to generate for --screenshot.", "N", "60");
  const QCommandLineOption limit("limit", "Examples to sweep (with DATA).", "N", "50");
  const QCommandLineOption docs(
      "docs", "Documents per prompt (with DATA; an oracle file gets random distractors).", "K");
  const QCommandLineOption view(
      "view", "The view to open: " + poslab::MainWindow::viewNames().join(", ") + ".", "NAME", "sweep");
  const QCommandLineOption depthDocs("depth-docs", "Documents per prompt of the depth study, e.g. 3,5,8.",
                                     "LIST");
  const QCommandLineOption examples("examples", "Examples the aggregate view averages over.", "N", "10");
  const QCommandLineOption palette("palette", "light (the platform's) or dark (Fusion with a dark palette).",
                                   "NAME", "light");
  const QCommandLineOption compareOption(
      "compare",
      "With --view sweep: compare the new run with the newest earlier one (McNemar) before the shot.");
  const QCommandLineOption tokenLayer(
      "token-layer", "With --view explore: shoot the token map of layer L (mean of heads) instead.", "L");
  const QCommandLineOption figure(
      "figure",
      "With --view sweep: also export the sweep plot to FILE (.png 1600x1000 px at 200 dpi, .pdf, .svg; "
      "paper colours).",
      "FILE");
  const QCommandLineOption section("section",
                                   "With --view train: the job page's section (curves, \"before / after\", "
                                   "\"all positions\" (before / after swept at every position), "
                                   "attention, checkpoints, settings, log) or dialog.",
                                   "NAME", "curves");
  parser.addOptions({screenshot, prompt, tokens, limit, docs, view, depthDocs, examples, palette,
                     compareOption, tokenLayer, figure, section});
  parser.process(app);

  QString model = parser.positionalArguments().value(0);
  QString data = parser.positionalArguments().value(1);
  if (model.isEmpty()) {
    const BundledDemo demo = findBundledDemo();
    model = demo.model;
    data = demo.data;
  }

  if (parser.value(palette) == "dark") {
    QApplication::setStyle(QStyleFactory::create("Fusion"));
    QApplication::setPalette(poslab::Palettes::dark());
  }
  // Before the window reads its settings and lists the workspace's runs.
  if (const QString failed = poslab::LegacyLocations::migrate(); !failed.isEmpty())
    std::fprintf(stderr, "poslab: %s\n", qPrintable(failed));
  poslab::MainWindow window;
  if (!data.isEmpty()) {
    poslab::SweepSettings dataset = window.sweepPanel()->settings();
    dataset.dataPath = data.toStdString(); // as given: relative to the current folder
    dataset.docs = parser.value(docs).toULongLong();
    dataset.randomDistractors = 0;
    if (poslab::DatasetDialog::looksLikeOracle(data))
      dataset.randomDistractors = dataset.docs ? dataset.docs : 5;
    window.sweepPanel()->setDataset(dataset);
    window.sweepPanel()->setLimit(parser.value(limit).toInt());
  }
  if (parser.isSet(depthDocs)) window.depthPanel()->setDocumentCounts(parser.value(depthDocs));
  window.aggregatePanel()->setExamples(parser.value(examples).toInt());
  if (!poslab::MainWindow::viewNames().contains(parser.value(view))) {
    std::fprintf(stderr, "poslab: --view: one of %s\n",
                 qPrintable(poslab::MainWindow::viewNames().join(", ")));
    return 2;
  }
  if (parser.isSet(screenshot)) {
    if (model.isEmpty()) {
      std::fprintf(stderr, "poslab: --screenshot needs a MODEL\n");
      return 2;
    }
    window.resize(1200, 800);
    runScreenshot(window, parser.value(screenshot), parser.value(view), parser.isSet(compareOption),
                  parser.isSet(tokenLayer) ? parser.value(tokenLayer).toInt() : -1, parser.value(prompt),
                  parser.value(tokens).toInt(), parser.value(figure), parser.value(section));
  } else {
    QObject::connect(&window, &poslab::MainWindow::modelReady, &window,
                     [&window, name = parser.value(view)] { window.showView(name); });
  }
  window.show();
  if (!model.isEmpty()) QTimer::singleShot(0, &window, [&window, model] { window.openModel(model); });
  return app.exec();
}
