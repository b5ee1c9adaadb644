// The lab as a user with a keyboard, a small screen or a dark desktop meets it
// (offscreen, no model needed): every control in every view and dialog has a
// tooltip, Tab reaches every enabled control of each view, the window fits a
// 1280×800 screen, and text and plots stay readable on the light and the dark
// palette (WCAG contrast of the palette's text, and of a plot's pixels).
#include "app/gui/AggregatePanel.h"
#include "app/gui/DatasetDialog.h"
#include "app/gui/DepthPanel.h"
#include "app/gui/MainWindow.h"
#include "app/gui/ModelOpenDialog.h"
#include "app/gui/Palettes.h"
#include "app/gui/SweepPanel.h"
#include "tests/gui/GuiTestSettings.h"
#include "tests/gui/RunFolderData.h"
#include "tests/util/TestPaths.h"
#include "widgets/SweepPlot.h"

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QStyleFactory>
#include <QTabBar>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>
#include <QtTest/QtTest>
#include <map>
#include <memory>
#include <tuple>

using namespace poslab;

namespace {

// The controls a user operates. Parts Qt makes itself (a combo box's or spin
// box's line edit, tab-bar scroll arrows, dock title buttons, the toolbar's
// overflow arrow) are left out: they carry no meaning of their own.
QList<QWidget*> controls(QWidget* root) {
  QList<QWidget*> out;
  for (QWidget* w : root->findChildren<QWidget*>()) {
    const bool control = qobject_cast<QAbstractButton*>(w) || qobject_cast<QComboBox*>(w) ||
                         qobject_cast<QSlider*>(w) || qobject_cast<QAbstractSpinBox*>(w) ||
                         qobject_cast<QLineEdit*>(w);
    if (!control) continue;
    QWidget* parent = w->parentWidget();
    if (qobject_cast<QLineEdit*>(w) &&
        (qobject_cast<QComboBox*>(parent) || qobject_cast<QAbstractSpinBox*>(parent)))
      continue;
    if (qobject_cast<QTabBar*>(parent) || qobject_cast<QDockWidget*>(parent)) continue;
    if (w->objectName().startsWith("qt_")) continue;
    // Qt's own select-all corner of a table (unnamed, unlike its other parts); our
    // tables select single rows and hide the row header, and the corner with it.
    if (w->inherits("QTableCornerButton")) continue;
    out << w;
  }
  return out;
}

QString describe(QWidget* w) {
  QString text;
  if (auto* b = qobject_cast<QAbstractButton*>(w)) text = b->text();
  return QString("%1 '%2' \"%3\" in %4")
      .arg(w->metaObject()->className(), w->objectName(), text,
           w->parentWidget() ? w->parentWidget()->metaObject()->className() : "-");
}

QStringList withoutToolTip(QWidget* root) {
  QStringList missing;
  for (QWidget* w : controls(root)) {
    QString tip = w->toolTip();
    if (auto* tool = qobject_cast<QToolButton*>(w); tool && tool->defaultAction())
      tip = tool->defaultAction()->toolTip();
    if (tip.trimmed().isEmpty()) missing << describe(w);
  }
  return missing;
}

// The colour most pixels have (the background) and the largest WCAG contrast
// any pixel has against it (the text and lines drawn on it).
std::pair<QColor, double> backgroundAndContrast(const QImage& image) {
  std::map<QRgb, int> counts;
  for (int y = 0; y < image.height(); y += 2)
    for (int x = 0; x < image.width(); x += 2)
      ++counts[image.pixel(x, y)];
  const QColor background(std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) {
                            return a.second < b.second;
                          })->first);
  double best = 1;
  for (const auto& [rgb, n] : counts)
    best = std::max(best, Palettes::contrast(background, QColor(rgb)));
  return {background, best};
}

// Alt+letter mnemonics of what is visible in `window` ('&x' in a label with a
// buddy, a button, a tab or a menu title); a letter used twice makes Alt+letter
// cycle instead of act.
QStringList mnemonicClashes(QWidget* window) {
  std::map<QChar, QStringList> users;
  const auto add = [&users](const QString& text) {
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
      if (text[i] != '&') continue;
      if (text[i + 1] == '&') {
        ++i;
        continue;
      }
      users[text[i + 1].toLower()] << text;
      return;
    }
  };
  for (QWidget* w : window->findChildren<QWidget*>()) {
    if (!w->isVisibleTo(window)) continue;
    if (auto* label = qobject_cast<QLabel*>(w); label && label->buddy()) add(label->text());
    if (auto* button = qobject_cast<QAbstractButton*>(w);
        button && !qobject_cast<QToolBar*>(w->parentWidget()))
      add(button->text());
    if (auto* tabs = qobject_cast<QTabBar*>(w))
      for (int i = 0; i < tabs->count(); ++i)
        add(tabs->tabText(i));
    if (auto* bar = qobject_cast<QMenuBar*>(w))
      for (QAction* a : bar->actions())
        add(a->text());
  }
  QStringList clashes;
  for (const auto& [letter, texts] : users)
    if (texts.size() > 1) clashes << QString("Alt+%1: %2").arg(letter, texts.join(" | "));
  return clashes;
}

} // namespace

class TestGuiQuality : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    workspace_ = test::isolatedWorkspace("test_gui_quality", "gui-quality");
    // Two runs, so the sweep plot has curves and the comparison controls are live.
    test::writeRun(workspace_.toStdString(), "sweep-1-a", test::records({{1, 0, 1}, {0, 0, 1}}), 3);
    test::writeRun(workspace_.toStdString(), "sweep-2-b", test::records({{1, 1, 1}, {0, 1, 1}}), 3);
    window_ = std::make_unique<MainWindow>();
    window_->resize(1200, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }
  void cleanupTestCase() {
    window_.reset();
    QSettings().clear();
  }

  void everyControlHasATooltip() {
    QStringList missing = withoutToolTip(window_.get());
    SweepSettings s;
    s.dataPath = "missing.jsonl";
    DatasetDialog data(s, {});
    missing << withoutToolTip(&data);
    ModelOpenDialog model({}, {{"CPU · f32", "cpu|f32"}}, "cpu|f32");
    missing << withoutToolTip(&model);
    QVERIFY2(controls(window_.get()).size() > 30,
             qPrintable(QString::number(controls(window_.get()).size())));
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join("\n")));
    for (QAction* action : window_->menuBar()->actions())
      for (QAction* item : action->menu()->actions())
        if (!item->isSeparator() && !item->menu() && item->isEnabled() && item->text() != "About &Qt")
          QVERIFY2(!item->statusTip().isEmpty() || !item->toolTip().isEmpty(), qPrintable(item->text()));
  }

  void tabReachesEveryControl_data() {
    QTest::addColumn<QString>("view");
    for (const QString& name : MainWindow::viewNames())
      QTest::newRow(qPrintable(name)) << name;
  }

  void tabReachesEveryControl() {
    QFETCH(QString, view);
    QVERIFY(window_->showView(view));
    QWidget* page = window_->views()->currentWidget();
    QApplication::setActiveWindow(window_.get());
    window_->views()->tabBar()->setFocus();
    QSet<QWidget*> reached;
    for (int i = 0; i < 300; ++i) {
      QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
      reached << QApplication::focusWidget();
    }
    QStringList unreached;
    for (QWidget* w : controls(page)) {
      if (!w->isVisibleTo(window_.get()) || !w->isEnabled()) continue;
      QWidget* proxy = w->focusProxy() ? w->focusProxy() : w;
      if (!reached.contains(w) && !reached.contains(proxy)) unreached << describe(w);
    }
    QVERIFY2(unreached.isEmpty(), qPrintable(unreached.join("\n")));
  }

  void mnemonicsAreUnique() {
    QStringList clashes;
    for (const QString& view : MainWindow::viewNames()) {
      window_->showView(view);
      for (const QString& clash : mnemonicClashes(window_.get()))
        clashes << view + ": " + clash;
    }
    SweepSettings s;
    DatasetDialog data(s, {});
    data.show();
    clashes << mnemonicClashes(&data);
    ModelOpenDialog model({}, {{"CPU · f32", "cpu|f32"}}, "cpu|f32");
    model.show();
    clashes << mnemonicClashes(&model);
    QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join("\n")));
  }

  void fitsASmallScreen() {
    const QSize minimum = window_->minimumSizeHint().expandedTo(window_->minimumSize());
    qInfo("window minimum %dx%d", minimum.width(), minimum.height());
    QVERIFY(minimum.width() <= 1280 && minimum.height() <= 800);
    for (int i = 0; i < window_->views()->count(); ++i) {
      const QSize page = window_->viewAt(i)->minimumSizeHint(); // without scrolling
      qInfo("%s minimum %dx%d", qPrintable(MainWindow::viewNames()[i]), page.width(), page.height());
      QVERIFY2(page.width() <= 1280 - 340 && page.height() <= 800 - 120,
               qPrintable(MainWindow::viewNames()[i]));
    }
  }

  void readableOnLightAndDark_data() {
    QTest::addColumn<bool>("dark");
    QTest::newRow("light") << false;
    QTest::newRow("dark") << true;
  }

  void readableOnLightAndDark() {
    QFETCH(bool, dark);
    const QPalette original = QApplication::palette();
    QApplication::setStyle(QStyleFactory::create("Fusion"));
    QApplication::setPalette(dark ? Palettes::dark() : QApplication::style()->standardPalette());
    const QPalette p = QApplication::palette();
    // Text needs 4.5:1 (WCAG 2.1 AA); a selection's text is a UI component, 3:1.
    for (auto [text, back, needed] : {std::tuple{QPalette::WindowText, QPalette::Window, 4.5},
                                      {QPalette::Text, QPalette::Base, 4.5},
                                      {QPalette::ButtonText, QPalette::Button, 4.5},
                                      {QPalette::ToolTipText, QPalette::ToolTipBase, 4.5},
                                      {QPalette::HighlightedText, QPalette::Highlight, 3.0}})
      QVERIFY2(Palettes::contrast(p.color(text), p.color(back)) >= needed,
               qPrintable(QString("role %1 on %2: %3")
                              .arg(text)
                              .arg(back)
                              .arg(Palettes::contrast(p.color(text), p.color(back)))));

    window_->showView("sweep");
    SweepPanel* sweep = window_->sweepPanel();
    if (sweep->plot()->runs().isEmpty()) { // both runs overlaid and compared
      QSignalSpy compared(sweep, &SweepPanel::comparisonShown);
      sweep->compareRuns(sweep->runFolders().value(1), sweep->runFolders().value(0));
      QTRY_COMPARE(compared.count(), 1);
    }
    SweepPlot* plot = sweep->plot();
    QVERIFY(plot->runs().size() >= 1);
    plot->replotNow();
    QTest::qWait(50);
    const auto [background, contrast] = backgroundAndContrast(plot->grab().toImage());
    qInfo("%s plot background %s, best contrast %.1f", dark ? "dark" : "light", qPrintable(background.name()),
          contrast);
    QCOMPARE(background.lightness() < 128, dark); // the plot follows the palette
    QVERIFY(contrast >= 7);                       // axis text and curves stand out
    if (const QByteArray dir = qgetenv("POSLAB_SCREENSHOT_DIR"); !dir.isEmpty())
      window_->grab().save(QString::fromLocal8Bit(dir) + (dark ? "/dark.png" : "/light.png"));
    QApplication::setPalette(original);
  }

private:
  std::unique_ptr<MainWindow> window_;
  QString workspace_;
};

QTEST_MAIN(TestGuiQuality)
#include "test_gui_quality.moc"
