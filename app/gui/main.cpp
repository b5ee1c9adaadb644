// poslab [MODEL] [--screenshot FILE]: the PosLab desktop lab.
// With no MODEL it opens the stories260K stand-in from the shared models folder
// beside the checkout when there is one (until the bundled demo model exists).
#include "app/gui/EngineController.h"
#include "app/gui/MainWindow.h"
#include "app/gui/SweepPanel.h"
#include "widgets/GenerationView.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTimer>
#include <cstdio>

namespace {

// <checkout>/../shared/models/...: look in each folder above the executable.
QString findDemoModel() {
  const QString rel = QStringLiteral("shared/models/stories260K/stories260K.gguf");
  QDir dir(QCoreApplication::applicationDirPath());
  do {
    const QString candidate = dir.filePath(rel);
    if (QFileInfo(candidate).isFile()) return QDir::cleanPath(candidate);
  } while (dir.cdUp());
  return {};
}

// Waits for the model, generates a short continuation, saves the window as an
// image and quits (for documentation; exit status 1 if anything fails).
void runScreenshot(poslab::MainWindow& window, const QString& file, const QString& prompt, int tokens) {
  auto fail = [](const QString& why) {
    std::fprintf(stderr, "poslab: screenshot: %s\n", qPrintable(why));
    QCoreApplication::exit(1);
  };
  auto save = [&window, file, fail] {
    QTimer::singleShot(300, &window, [&window, file, fail] {
      if (!window.grab().save(file)) return fail(QStringLiteral("cannot write %1").arg(file));
      QCoreApplication::exit(0);
    });
  };
  if (!window.sweepPanel()->dataPath().isEmpty()) { // with DATA: a sweep, shot when it ends
    QObject::connect(&window, &poslab::MainWindow::modelReady, window.sweepPanel(),
                     &poslab::SweepPanel::requestRun);
    QObject::connect(&window, &poslab::MainWindow::sweepDone, &window,
                     [save, fail](const QString&, const QString& status) {
                       if (status == "failed") return fail(QStringLiteral("the sweep failed"));
                       save();
                     });
    QObject::connect(window.engine(), &poslab::EngineController::loadFailed, &window, fail);
    QTimer::singleShot(600'000, &window, [fail] { fail(QStringLiteral("timed out")); });
    return;
  }
  QObject::connect(&window, &poslab::MainWindow::modelReady, &window, [&window, prompt, tokens] {
    poslab::GenerationView* view = window.generationView();
    view->setPrompt(prompt);
    view->setMaxNewTokens(tokens);
    view->requestGeneration();
  });
  QObject::connect(&window, &poslab::MainWindow::generationDone, &window, save);
  QObject::connect(window.engine(), &poslab::EngineController::loadFailed, &window, fail);
  QTimer::singleShot(120'000, &window, [fail] { fail(QStringLiteral("timed out")); });
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
  QApplication::setOrganizationName("PosLab");
  QApplication::setOrganizationDomain("poslab.org");
  QApplication::setApplicationName("PosLab");
  QApplication::setApplicationDisplayName("PosLab");
  QApplication::setApplicationVersion(POSLAB_VERSION);

  QCommandLineParser parser;
  parser.setApplicationDescription("PosLab: a desktop lab for positional bias in local language models.");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument("MODEL", "A .gguf file or a Hugging Face model folder to open.", "[MODEL]");
  parser.addPositionalArgument("DATA", "A dataset to sweep (QA, KV or PosLab JSONL).", "[DATA]");
  const QCommandLineOption screenshot("screenshot", "Load, generate a little, save the window to FILE, quit.",
                                      "FILE");
  const QCommandLineOption prompt("prompt", "Prompt for --screenshot.", "TEXT", "Once upon a time");
  const QCommandLineOption tokens("tokens", "Tokens to generate for --screenshot.", "N", "60");
  const QCommandLineOption limit("limit", "Examples to sweep (with DATA).", "N", "50");
  parser.addOptions({screenshot, prompt, tokens, limit});
  parser.process(app);

  QString model = parser.positionalArguments().value(0);
  if (model.isEmpty()) model = findDemoModel();

  poslab::MainWindow window;
  if (const QString data = parser.positionalArguments().value(1); !data.isEmpty()) {
    window.sweepPanel()->setDataPath(data); // as given: relative to the current folder
    window.sweepPanel()->setLimit(parser.value(limit).toInt());
  }
  if (parser.isSet(screenshot)) {
    if (model.isEmpty()) {
      std::fprintf(stderr, "poslab: --screenshot needs a MODEL\n");
      return 2;
    }
    window.resize(1120, 720);
    runScreenshot(window, parser.value(screenshot), parser.value(prompt), parser.value(tokens).toInt());
  }
  window.show();
  if (!model.isEmpty()) QTimer::singleShot(0, &window, [&window, model] { window.openModel(model); });
  return app.exec();
}
