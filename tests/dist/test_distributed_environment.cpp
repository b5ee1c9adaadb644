// DistributedEnvironment: what torchrun and Slurm set becomes rank, world and
// rendezvous; a wrong value is one line naming the variable.
#include "core/dist/DistributedEnvironment.h"
#include "core/util/Error.h"

#include <QtTest/QtTest>
#include <map>

using namespace poslab;

namespace {

using Vars = std::map<std::string, std::string>;

DistributedEnvironment readFrom(const Vars& vars) {
  return DistributedEnvironment::read([&](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

} // namespace

class TestDistributedEnvironment : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void noVariablesIsOneProcess() {
    const DistributedEnvironment e = readFrom({});
    QVERIFY(!e.distributed());
    QCOMPARE(e.rank, 0);
    QCOMPARE(e.worldSize, 1);
    QCOMPARE(e.launcher, std::string());
  }

  void aWorldOfOneIsOneProcess() {
    // torchrun --nproc_per_node 1 sets the variables; no group is needed.
    QVERIFY(!readFrom({{"RANK", "0"}, {"WORLD_SIZE", "1"}}).distributed());
  }

  void torchrunUnderItsAgent() {
    const DistributedEnvironment e = readFrom({{"RANK", "3"},
                                               {"WORLD_SIZE", "8"},
                                               {"LOCAL_RANK", "1"},
                                               {"MASTER_ADDR", "node7"},
                                               {"MASTER_PORT", "29400"},
                                               {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                                               {"TORCHELASTIC_RESTART_COUNT", "2"},
                                               {"TORCHELASTIC_RUN_ID", "none"}});
    QVERIFY(e.distributed());
    QCOMPARE(e.rank, 3);
    QCOMPARE(e.worldSize, 8);
    QCOMPARE(e.localRank, 1);
    QCOMPARE(e.masterAddr, std::string("node7"));
    QCOMPARE(e.masterPort, 29400);
    QVERIFY(e.agentStore);
    QCOMPARE(e.storePrefix(), std::string("/worker/attempt_2"));
    QCOMPARE(e.launcher, std::string("torchrun"));
  }

  void plainVariablesWithoutAnAgent() {
    const DistributedEnvironment e =
        readFrom({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}});
    QVERIFY(!e.agentStore);
    QCOMPARE(e.storePrefix(), std::string());
    QCOMPARE(e.localRank, 1); // LOCAL_RANK defaults to RANK: one host
    QCOMPARE(e.masterPort, 29500);
    QCOMPARE(e.launcher, std::string("env"));
  }

  void slurmTasks() {
    const DistributedEnvironment e = readFrom({{"SLURM_PROCID", "5"},
                                               {"SLURM_NTASKS", "8"},
                                               {"SLURM_LOCALID", "1"},
                                               {"MASTER_ADDR", "gpu01"},
                                               {"MASTER_PORT", "12345"}});
    QCOMPARE(e.rank, 5);
    QCOMPARE(e.worldSize, 8);
    QCOMPARE(e.localRank, 1);
    QCOMPARE(e.launcher, std::string("slurm"));
    // A single-task allocation is one process, whatever else Slurm set.
    QVERIFY(!readFrom({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}}).distributed());
    // torchrun inside an allocation: its variables win.
    const DistributedEnvironment t = readFrom({{"SLURM_PROCID", "0"},
                                               {"SLURM_NTASKS", "1"},
                                               {"RANK", "1"},
                                               {"WORLD_SIZE", "4"},
                                               {"MASTER_ADDR", "gpu01"}});
    QCOMPARE(t.worldSize, 4);
    QCOMPARE(t.rank, 1);
  }

  void badValuesNameTheVariable_data() {
    QTest::addColumn<QString>("vars");
    QTest::addColumn<QString>("message");
    QTest::newRow("rank not a number") << "RANK=one WORLD_SIZE=2 MASTER_ADDR=h"
                                       << "environment: RANK: is \"one\"";
    QTest::newRow("rank outside the world") << "RANK=2 WORLD_SIZE=2 MASTER_ADDR=h"
                                            << "environment: RANK: is \"2\"";
    QTest::newRow("negative world") << "RANK=0 WORLD_SIZE=-2 MASTER_ADDR=h"
                                    << "environment: WORLD_SIZE: is \"-2\"";
    QTest::newRow("trailing junk") << "RANK=0 WORLD_SIZE=2x MASTER_ADDR=h"
                                   << "environment: WORLD_SIZE: is \"2x\"";
    QTest::newRow("absurd world") << "RANK=0 WORLD_SIZE=99999999999 MASTER_ADDR=h"
                                  << "environment: WORLD_SIZE: is \"99999999999\"";
    QTest::newRow("rank without world") << "RANK=0"
                                        << "environment: WORLD_SIZE: missing";
    QTest::newRow("no master address") << "RANK=0 WORLD_SIZE=2"
                                       << "environment: MASTER_ADDR: missing";
    QTest::newRow("slurm without master address") << "SLURM_PROCID=0 SLURM_NTASKS=2"
                                                  << "environment: MASTER_ADDR: missing: a Slurm job";
    QTest::newRow("port out of range") << "RANK=0 WORLD_SIZE=2 MASTER_ADDR=h MASTER_PORT=70000"
                                       << "environment: MASTER_PORT: is \"70000\"";
    QTest::newRow("slurm procid past ntasks") << "SLURM_PROCID=4 SLURM_NTASKS=2 MASTER_ADDR=h"
                                              << "environment: SLURM_PROCID: is \"4\"";
  }
  void badValuesNameTheVariable() {
    QFETCH(QString, vars);
    QFETCH(QString, message);
    Vars v;
    for (const QString& pair : vars.split(' ')) {
      const qsizetype eq = pair.indexOf('=');
      v[pair.left(eq).toStdString()] = pair.mid(eq + 1).toStdString();
    }
    try {
      readFrom(v);
      QFAIL("accepted");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).startsWith(message), e.what());
      QVERIFY(!QString(e.what()).contains('\n'));
    }
  }
};

QTEST_GUILESS_MAIN(TestDistributedEnvironment)
#include "test_distributed_environment.moc"
