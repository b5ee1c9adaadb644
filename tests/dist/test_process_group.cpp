// ProcessGroup over real c10d Gloo on the loopback, its ranks as threads of
// this test: sums that span several buckets and mix dtypes (bf16 summed in
// fp32), sums of doubles, the stop vote, barriers, and a failure that names
// the rank that did not come.
#include "core/dist/ProcessGroup.h"
#include "core/util/Error.h"
#include "tests/util/FreePort.h"

#include <QtTest/QtTest>
#include <future>
#include <thread>

using namespace poslab;

namespace {

DistributedEnvironment rankOf(int rank, int world, int port) {
  DistributedEnvironment e;
  e.rank = rank;
  e.localRank = rank;
  e.worldSize = world;
  e.masterAddr = "127.0.0.1";
  e.masterPort = port;
  e.launcher = "env";
  return e;
}

ProcessGroup::Options quick(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  ProcessGroup::Options o;
  o.backend = "gloo";
  o.timeout = timeout;
  return o;
}

// Runs body(group) on `world` ranks, each a thread with its own group; returns each rank's error ("" = none).
std::vector<std::string> onRanks(int world, const std::function<void(ProcessGroup&)>& body,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const int port = test::freePort();
  std::vector<std::future<std::string>> ranks;
  for (int r = 0; r < world; ++r)
    ranks.push_back(std::async(std::launch::async, [=] {
      try {
        std::unique_ptr<ProcessGroup> g = ProcessGroup::join(rankOf(r, world, port), quick(timeout));
        body(*g);
        return std::string();
      } catch (const std::exception& e) {
        return std::string(e.what());
      }
    }));
  std::vector<std::string> errors;
  for (auto& f : ranks)
    errors.push_back(f.get());
  return errors;
}

} // namespace

class TestProcessGroup : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void sumsAcrossBucketsAndDtypes() {
    // 3 × 4 M floats (48 MiB) cross the 25 MiB bucket; a bf16 and a double tensor start buckets of their own.
    std::vector<std::vector<double>> seen(2);
    const std::vector<std::string> errors = onRanks(2, [&](ProcessGroup& g) {
      const double r = g.rank() + 1; // 1, 2: the sums are 3
      std::vector<at::Tensor> t = {at::full({4 << 20}, r, at::kFloat),
                                   at::full({2048, 2048}, 2 * r, at::kFloat), at::full({7}, r, at::kBFloat16),
                                   at::full({4 << 20}, -r, at::kFloat), at::full({3}, r / 4, at::kDouble)};
      g.allReduceSum(t, "the test tensors");
      // (Recorded here, compared on the test's thread: Qt Test's checks are not thread-safe.)
      std::vector<double>& out = seen[static_cast<size_t>(g.rank())];
      for (const at::Tensor& x : t) {
        out.push_back(x.min().item<double>());
        out.push_back(x.max().item<double>());
      }
      out.push_back(t[2].scalar_type() == at::kBFloat16); // summed in fp32, stored back in its own dtype
    });
    QCOMPARE(errors, std::vector<std::string>(2));
    const std::vector<double> want = {3, 3, 6, 6, 3, 3, -3, -3, 0.75, 0.75, 1};
    QCOMPARE(seen[0], want);
    QCOMPARE(seen[1], want);
  }

  void doublesVotesAndBarriers() {
    std::vector<std::vector<double>> sums(3);
    std::vector<int> votes(3, -1);
    const std::vector<std::string> errors = onRanks(3, [&](ProcessGroup& g) {
      std::vector<double> mine(5, 0.0);
      mine[static_cast<size_t>(g.rank())] =
          0.1 * (g.rank() + 1); // a zero-padded share: the gather the trainer does
      sums[static_cast<size_t>(g.rank())] = g.allReduceSum(mine, "the shares");
      g.barrier("a barrier");
      const bool nobody = !g.anyRank(false, "nobody stops");
      votes[static_cast<size_t>(g.rank())] = nobody && g.anyRank(g.rank() == 2, "rank 2 stops") ? 1 : 0;
    });
    QCOMPARE(errors, std::vector<std::string>(3));
    for (const std::vector<double>& s : sums)
      QCOMPARE(s, (std::vector<double>{0.1, 0.2, 0.30000000000000004, 0, 0})); // x + 0 = x: exact
    QCOMPARE(votes, (std::vector<int>{1, 1, 1}));
  }

  void aRankThatDoesNotComeIsNamedWithinTheTimeout() {
    QElapsedTimer clock;
    clock.start();
    const std::vector<std::string> errors = onRanks(
        2,
        [&](ProcessGroup& g) {
          g.barrier("the first barrier");
          if (g.rank() == 1) { // hangs past the timeout instead of joining the sum
            std::this_thread::sleep_for(std::chrono::seconds(4));
            return;
          }
          g.allReduceSum(std::vector<double>{1.0}, "the losses of step 7");
        },
        std::chrono::seconds(2));
    QVERIFY2(clock.elapsed() < 15000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY2(QString::fromStdString(errors[0]).startsWith(
                 "rank 0: the losses of step 7: the gloo collective failed"),
             errors[0].c_str());
    // Rank 1 is this process: alive, and one collective behind or level with rank 0.
    QVERIFY2(QString::fromStdString(errors[0]).contains(
                 QRegularExpression("rank 1 \\(pid \\d+ on [^)]+\\): running")),
             errors[0].c_str());
    QVERIFY2(QString::fromStdString(errors[0]).contains("--resume continues"), errors[0].c_str());
    QVERIFY2(QString::fromStdString(errors[0]).contains("in collective #1 (this rank: #2)"),
             errors[0].c_str());
    QVERIFY(!QString::fromStdString(errors[0]).contains('\n'));
  }

  void aStoreNobodyHostsFailsTheJoinNamingIt() {
    const int port = test::freePort();
    try {
      ProcessGroup::join(rankOf(1, 2, port), quick(std::chrono::seconds(1)));
      QFAIL("joined a job without rank 0");
    } catch (const Error& e) {
      const QString m = e.what();
      QVERIFY2(m.startsWith(
                   QString("rank 1: the rendezvous store at 127.0.0.1:%1: cannot join within 1 s").arg(port)),
               e.what());
      QVERIFY2(m.contains("is rank 0 up"), e.what());
    }
  }

  void badOptions() {
    QVERIFY_EXCEPTION_THROWN(ProcessGroup::join(rankOf(0, 1, 1), quick()), std::logic_error);
    ProcessGroup::Options o = quick();
    o.backend = "mpi";
    try {
      ProcessGroup::join(rankOf(0, 2, test::freePort()), o);
      QFAIL("accepted mpi");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).startsWith("--dist-backend: is \"mpi\""), e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestProcessGroup)
#include "test_process_group.moc"
