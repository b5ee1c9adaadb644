// Where responses end and how they are scored, per task: QA/KV read the first
// line; a two-hop chain of thought runs until its "The answer is" line ends and
// is scored by exact match on the text after the cue (METHOD.md §2, R2).
#include "core/eval/TaskResponse.h"

#include <QtTest/QtTest>

using namespace poslab;

namespace {

RetrievalExample twoHop() {
  RetrievalExample ex;
  ex.kind = TaskKind::TwoHop;
  ex.answers = {"France", "French Republic"};
  return ex;
}

} // namespace

class TestTaskResponse : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void oneLineTasks() {
    QVERIFY(!TaskResponse::complete(TaskKind::Qa, "Paris"));
    QVERIFY(TaskResponse::complete(TaskKind::Qa, "Paris\nand"));
    QVERIFY(TaskResponse::complete(TaskKind::Kv, "abc\n"));
    QCOMPARE(TaskResponse::prediction(TaskKind::Qa, "Paris\nand more"), std::string("Paris"));
    RetrievalExample qa;
    qa.answers = {"Paris"};
    QCOMPARE(TaskResponse::score(qa, "It is Paris."), 1.0);
    QCOMPARE(TaskResponse::exactMatch(qa, "It is Paris."), 0.0);
  }
  void chainOfThoughtEndsAfterTheCueLine() {
    const std::string cot = "Victor Hugo was born in Paris.\nParis is the capital of France.\n";
    QVERIFY(!TaskResponse::complete(TaskKind::TwoHop, cot));
    QVERIFY(!TaskResponse::complete(TaskKind::TwoHop, cot + "The answer is: France"));
    QVERIFY(TaskResponse::complete(TaskKind::TwoHop, cot + "The answer is: France.\nExtra"));
    QCOMPARE(TaskResponse::prediction(TaskKind::TwoHop, cot + "The answer is: France.\nExtra"),
             cot + "The answer is: France.");
    // Without the cue the whole text is the prediction (it scores 0).
    QCOMPARE(TaskResponse::prediction(TaskKind::TwoHop, cot), cot);
  }
  void answerAfterTheLastCue() {
    QCOMPARE(TaskResponse::answerAfterCue("so the answer is: France\n"), std::string_view("France"));
    QCOMPARE(TaskResponse::answerAfterCue("The answer is Paris? No. THE ANSWER IS   France."),
             std::string_view("France."));
    QCOMPARE(TaskResponse::answerAfterCue("France"), std::string_view(""));
    QCOMPARE(TaskResponse::answerAfterCue("The answer is:"), std::string_view(""));
  }
  void twoHopExactMatch_data() {
    QTest::addColumn<QString>("prediction");
    QTest::addColumn<double>("score");
    QTest::newRow("exact") << "Hugo was born in Paris. The answer is: France" << 1.0;
    QTest::newRow("alias, normalised") << "The answer is: the French Republic." << 1.0;
    QTest::newRow("more words") << "The answer is: France, in Europe" << 0.0;
    QTest::newRow("right word, no cue") << "France" << 0.0;
    QTest::newRow("cue, then the wrong answer") << "France is near. The answer is: Paris" << 0.0;
    QTest::newRow("empty after the cue") << "The answer is: " << 0.0;
  }
  void twoHopExactMatch() {
    QFETCH(QString, prediction);
    QFETCH(double, score);
    QCOMPARE(TaskResponse::score(twoHop(), prediction.toStdString()), score);
    QCOMPARE(TaskResponse::exactMatch(twoHop(), prediction.toStdString()), score);
  }
};

QTEST_GUILESS_MAIN(TestTaskResponse)
#include "test_task_response.moc"
