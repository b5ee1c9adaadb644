// File → Open Dataset: what the dialog's fields become in the sweep settings —
// task, documents (random distractors for an oracle file, switched on by its
// name), a built-in or a file prompt template, a chat template — and that Open
// stays off until the file exists and the numbers make sense.
#include "app/gui/DatasetDialog.h"
#include "tests/util/TestPaths.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QPushButton>
#include <QSpinBox>
#include <QtTest/QtTest>
#include <fstream>

using namespace poslab;

class TestDatasetDialog : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    dir_ = QString::fromStdString(test::tempDir("dataset-dialog"));
    for (const char* name : {"/qa.jsonl", "/nq-open-oracle.jsonl.gz"})
      std::ofstream((dir_ + name).toStdString()) << "{}\n";
  }

  void fieldsBecomeSettings() {
    SweepSettings current;
    current.dataPath = (dir_ + "/qa.jsonl").toStdString();
    current.docs = 10;
    current.promptTemplate = "qa_query_aware";
    current.chatTemplate = "llama3";
    current.maxNewTokens = 7; // not the dialog's: kept
    DatasetDialog dialog(current, {dir_ + "/qa.jsonl"});
    QVERIFY(open(dialog)->isEnabled());
    SweepSettings s = dialog.apply(current);
    QCOMPARE(s.dataPath, current.dataPath);
    QCOMPARE(s.task, std::string("auto"));
    QCOMPARE(s.docs, size_t(10));
    QCOMPARE(s.randomDistractors, size_t(0));
    QCOMPARE(s.promptTemplate, std::string("qa_query_aware"));
    QCOMPARE(s.chatTemplate, std::string("llama3"));
    QCOMPARE(s.maxNewTokens, int64_t(7));

    auto combos = dialog.findChildren<QComboBox*>();
    combos[1]->setCurrentIndex(combos[1]->findData("kv"));   // task
    combos[2]->setCurrentText(dir_ + "/my.prompt");          // a template file
    combos[3]->setCurrentIndex(combos[3]->findData("none")); // chat
    s = dialog.apply(current);
    QCOMPARE(s.task, std::string("kv"));
    QCOMPARE(s.promptTemplate, (dir_ + "/my.prompt").toStdString());
    QCOMPARE(s.chatTemplate, std::string("none"));
  }

  void oracleFileGetsRandomDistractors() {
    DatasetDialog dialog(SweepSettings{}, {});
    auto* path = dialog.findChildren<QComboBox*>()[0];
    auto* random = dialog.findChild<QCheckBox*>();
    QVERIFY(!open(dialog)->isEnabled()); // no file yet
    path->setCurrentText(dir_ + "/nq-open-oracle.jsonl.gz");
    QVERIFY(random->isChecked());
    const SweepSettings s = dialog.apply({});
    QCOMPARE(s.randomDistractors, size_t(10));
    QCOMPARE(s.docs, size_t(0));
    QVERIFY(open(dialog)->isEnabled());
    dialog.findChild<QSpinBox*>()->setValue(1); // one document cannot hold a distractor
    QVERIFY(!open(dialog)->isEnabled());
    path->setCurrentText(dir_ + "/missing.jsonl");
    dialog.findChild<QSpinBox*>()->setValue(5);
    QVERIFY(!open(dialog)->isEnabled());
  }

  void namesComeFromCore() {
    QVERIFY(DatasetDialog::promptTemplateNames().contains("qa"));
    QVERIFY(DatasetDialog::promptTemplateNames().contains("kv_query_aware"));
    QVERIFY(DatasetDialog::promptTemplateNames().contains("pos2distill"));
    QCOMPARE(DatasetDialog::chatTemplateNames().value(0), QString("auto"));
    QVERIFY(DatasetDialog::chatTemplateNames().contains("llama3"));
    QVERIFY(DatasetDialog::chatTemplateNames().contains("none"));
  }

private:
  static QPushButton* open(const DatasetDialog& dialog) {
    return dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Open);
  }
  QString dir_;
};

QTEST_MAIN(TestDatasetDialog)
#include "test_dataset_dialog.moc"
