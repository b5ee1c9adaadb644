// JobPage's curves follow what a run logs: an R1 run's KL by gold position is a
// heatmap; a run whose objective is cross-entropy (R2, SFT, SeqKD) logs no KL,
// and the page says so in the heatmap's place instead of an empty plot; a
// two-hop run's held-out curves are drawn over hop-pair places.
#include "app/gui/JobPage.h"
#include "core/jobs/JobSnapshot.h"
#include "widgets/EvalCurvesPlot.h"
#include "widgets/MatrixHeatmap.h"

#include <QLabel>
#include <QtTest/QtTest>

using namespace poslab;

namespace {

JobSnapshot run(const std::string& method, const std::string& task) {
  JobSnapshot s;
  s.kind = "distill";
  s.method = method;
  s.status = JobStatus::Finished;
  s.step = s.totalSteps = 3;
  s.runJson = {{"prompt", {{"task", task}}}};
  for (long long i = 1; i <= 3; ++i) {
    JobStep step;
    step.step = i;
    step.loss = 1.0 / static_cast<double>(i);
    step.lr = 1e-3;
    if (method == "r1")
      step.klByPosition = {{4, 0.5 / static_cast<double>(i)}, {9, 0.8 / static_cast<double>(i)}};
    s.steps.push_back(step);
  }
  for (long long at : {0LL, 3LL}) {
    JobEval e;
    e.step = at;
    e.path = "eval/step-" + std::to_string(at);
    for (int p : {0, 9, 18})
      e.positions.push_back({p, 100, at == 0 ? 0.5 : 0.9});
    s.evals.push_back(e);
  }
  return s;
}

// The visible label of the page's KL note, "" when it is hidden.
QString klNote(const JobPage& page) {
  for (QLabel* label : page.findChildren<QLabel*>())
    if (label->text().contains("KL") && !label->isHidden()) return label->text();
  return {};
}

} // namespace

class TestJobPage : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void anR1RunShowsItsKlByPosition() {
    JobPage page;
    page.setSnapshot(run("r1", "qa"));
    QVERIFY(!page.klHeatmap()->isHidden());
    QCOMPARE(page.klHeatmap()->matrix().rows, 10); // positions 0..9
    QVERIFY(klNote(page).isEmpty());
    QCOMPARE(page.evalPlot()->positionTitle(), QString("gold document position"));
  }

  void anR2RunSaysItHasNoKl() {
    JobPage page;
    page.setSnapshot(run("r2", "two-hop"));
    QVERIFY(page.klHeatmap()->isHidden());
    QVERIFY2(klNote(page).startsWith("R2 trains cross-entropy"), qPrintable(klNote(page)));
    QVERIFY(page.evalPlot()->positionTitle().startsWith("hop pair place"));
    // The same page then shown an R1 run: the heatmap is back, the note gone.
    page.setSnapshot(run("r1", "qa"));
    QVERIFY(!page.klHeatmap()->isHidden());
    QVERIFY(klNote(page).isEmpty());
    QCOMPARE(page.evalPlot()->positionTitle(), QString("gold document position"));
  }
};

QTEST_MAIN(TestJobPage)
#include "test_job_page.moc"
