// JobQueue: <workspace>/jobs/queue.json, one job per device, survives a restart.
#include "core/jobs/JobQueue.h"
#include "core/util/Error.h"
#include "tests/util/FileBytes.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <fstream>

using namespace poslab;
using poslab::test::tempDir;

class TestJobQueue : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void firstComeFirstServedPerDevice() {
    const std::string path = tempDir("queue") + "/jobs/queue.json";
    JobQueue q(path);
    QVERIFY(q.jobs().empty()); // no file yet: an empty queue
    q.push({"runs/a", "cpu", {"distill", "--out", "runs/a"}, ""});
    q.push({"runs/b", "cuda:0", {"distill", "--out", "runs/b"}, ""});
    q.push({"runs/c", "cpu", {"distill", "--out", "runs/c"}, ""});
    // Another process (a GUI opened later) reads the same queue.
    JobQueue again(path);
    QCOMPARE(again.jobs().size(), size_t{3});
    QVERIFY(!again.jobs()[0].queued.empty());
    QueuedJob next;
    QVERIFY(again.take("cpu", next));
    QCOMPARE(next.run, std::string("runs/a"));
    QCOMPARE(next.args.back(), std::string("runs/a"));
    QVERIFY(again.take("cpu", next));
    QCOMPARE(next.run, std::string("runs/c"));
    QVERIFY(!again.take("cpu", next));
    QVERIFY(q.remove("runs/b"));
    QVERIFY(!q.remove("runs/b"));
    QVERIFY(q.jobs().empty());
  }

  void aDamagedQueueNamesTheFileAndTheField_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("jobs not a list") << R"({"jobs": 3})"
                                     << "queue.json: jobs: is not a list";
    QTest::newRow("entry not an object") << R"({"jobs": [3]})"
                                         << "queue.json: jobs[0]: is not an object";
    QTest::newRow("no device") << R"({"jobs": [{"run": "r", "args": ["distill"]}]})"
                               << "queue.json: jobs[0].device: is missing";
    QTest::newRow("args wrong type") << R"({"jobs": [{"run": "r", "device": "cpu", "args": "distill"}]})"
                                     << "queue.json: args: has the wrong type";
    QTest::newRow("torn") << R"({"jobs": [)"
                          << "queue.json";
  }
  void aDamagedQueueNamesTheFileAndTheField() {
    QFETCH(QString, text);
    QFETCH(QString, message);
    const std::string path = tempDir("queue-bad") + "/queue.json";
    std::ofstream(path) << text.toStdString();
    JobQueue q(path);
    try {
      q.jobs();
      QFAIL("read a damaged queue");
    } catch (const Error& e) {
      QVERIFY2(QString::fromStdString(e.what()).contains(message), e.what());
    }
    // Nothing already saved is lost: a push refuses rather than overwrite it.
    QVERIFY_THROWS_EXCEPTION(Error, q.push({"r", "cpu", {"distill"}, ""}));
    QCOMPARE(QString::fromStdString(test::fileBytes(path)), text);
  }
};

QTEST_GUILESS_MAIN(TestJobQueue)
#include "test_job_queue.moc"
