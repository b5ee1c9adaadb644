// Loaders on the real lost-in-the-middle files and on small malformed files:
// every error names the file, the line and the field.
#include "core/data/DataFingerprint.h"
#include "core/data/DatasetLoader.h"
#include "core/data/GzipLineReader.h"
#include "core/util/Error.h"
#include "tests/util/TestPaths.h"

#include <filesystem>
#include <fstream>
#include <zlib.h>

using namespace poslab;
using poslab::test::sharedPath;
using poslab::test::tempDir;

namespace {

const std::string kOracle = "data/lost-in-the-middle/qa_data/nq-open-oracle.jsonl.gz";
const std::string kKv140 = "data/lost-in-the-middle/kv_retrieval_data/kv-retrieval-140_keys.jsonl.gz";

std::string writeFile(const std::string& dir, const std::string& name, const std::string& content) {
  const std::string path = dir + "/" + name;
  if (name.ends_with(".gz")) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, content.data(), static_cast<unsigned>(content.size()));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary) << content;
  }
  return path;
}

std::string errorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

const std::string kGoodQa =
    R"({"question": "q", "answers": ["a"], "ctxs": [{"title": "t", "text": "x", "isgold": true}]})";

} // namespace

class TestDatasetLoader : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void oracleFile() {
    const auto ds = DatasetLoader::load(sharedPath(kOracle));
    QCOMPARE(ds.format, DataFormat::LitmQa);
    QCOMPARE(ds.examples.size(), size_t(2655));
    QCOMPARE(ds.skipped, size_t(0));
    const auto& first = ds.examples.front();
    QCOMPARE(first.kind, TaskKind::Qa);
    QCOMPARE(QString::fromStdString(first.question), QString("who got the first nobel prize in physics"));
    QCOMPARE(first.answers.size(), size_t(1));
    QCOMPARE(QString::fromStdString(first.answers[0]), QString::fromUtf8("Wilhelm Conrad R\u00f6ntgen"));
    QCOMPARE(first.documents.size(), size_t(1));
    QVERIFY(first.documents[0].isGold);
    QCOMPARE(QString::fromStdString(first.documents[0].title), QString("List of Nobel laureates in Physics"));
    QCOMPARE(first.line, size_t(1));
    for (size_t i = 0; i < ds.examples.size(); ++i) {
      QCOMPARE(ds.examples[i].index, i);
      QCOMPARE(ds.examples[i].goldIndex(), std::optional<size_t>(0));
    }
  }
  void kv140File() {
    const auto ds = DatasetLoader::load(sharedPath(kKv140));
    QCOMPARE(ds.format, DataFormat::LitmKv);
    QCOMPARE(ds.examples.size(), size_t(500));
    for (const auto& ex : ds.examples) {
      QCOMPARE(ex.kind, TaskKind::Kv);
      QCOMPARE(ex.pairs.size(), size_t(140));
      QVERIFY(ex.goldIndex().has_value());
      QCOMPARE(ex.key.size(), size_t(36)); // a UUID
    }
  }
  void limit() { QCOMPARE(DatasetLoader::load(sharedPath(kKv140), {.limit = 7}).examples.size(), size_t(7)); }
  void fingerprintsMatchSourceMd() {
    QCOMPARE(DataFingerprint::ofFile(sharedPath(kOracle)),
             std::string("sha256:6a7f72b846f663a133ef952244e5a4e43f06bcf190afe34e8fbe687ce0d1653e"));
    QCOMPARE(DataFingerprint::ofFile(sharedPath(kKv140)),
             std::string("sha256:66d54aae7e38779da482895ccd538faaf5309f144e54f30dc530a95091581fa1"));
  }

  void posLabFormat() {
    const auto dir = tempDir("poslab-format");
    const std::string qa =
        R"({"id": "nq-1", "question": "q?", "answers": ["x", "y"], "documents": [{"title": "A", "text": "a"},)"
        R"( {"title": "B", "text": "b", "is_gold": true}], "metadata": {"source": "test"}})"
        "\n"
        R"({"id": 7, "question": "r?", "answers": ["z"], "documents": [{"title": "C", "text": "c", "is_gold": true}]})"
        "\n";
    const auto ds = DatasetLoader::load(writeFile(dir, "mine.jsonl", qa));
    QCOMPARE(ds.format, DataFormat::PosLab);
    QCOMPARE(ds.examples.size(), size_t(2));
    QCOMPARE(QString::fromStdString(ds.examples[0].id), QString("nq-1"));
    QCOMPARE(QString::fromStdString(ds.examples[1].id), QString("7"));
    QCOMPARE(ds.examples[0].goldIndex(), std::optional<size_t>(1));
    QCOMPARE(QString::fromStdString(ds.examples[0].metadata.at("source")), QString("test"));
    const std::string kv = R"({"pairs": [["k1", "v1"], ["k2", "v2"]], "key": "k2", "value": "v2"})"
                           "\n";
    const auto kds = DatasetLoader::load(writeFile(dir, "kv.jsonl.gz", kv));
    QCOMPARE(kds.examples[0].kind, TaskKind::Kv);
    QCOMPARE(kds.examples[0].goldIndex(), std::optional<size_t>(1));
    QCOMPARE(QString::fromStdString(kds.examples[0].id), QString("0"));
  }

  void malformedRecord_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("message");
    QTest::newRow("missing field") << R"({"question": "q", "ctxs": []})"
                                   << "bad.jsonl: line 2: field 'answers': missing";
    QTest::newRow("wrong type") << R"({"question": "q", "answers": ["a"], "ctxs": {"title": "t"}})"
                                << "bad.jsonl: line 2: field 'ctxs': expected an array, found object";
    QTest::newRow("nested wrong type")
        << R"({"question": "q", "answers": ["a"], "ctxs": [{"title": 3, "text": "x", "isgold": true}]})"
        << "bad.jsonl: line 2: field 'ctxs[0].title': expected a string, found number";
    QTest::newRow("answer not a string")
        << R"({"question": "q", "answers": [1], "ctxs": []})"
        << "bad.jsonl: line 2: field 'answers[0]': expected a string, found number";
    QTest::newRow("isgold not bool")
        << R"({"question": "q", "answers": ["a"], "ctxs": [{"title": "t", "text": "x", "isgold": "yes"}]})"
        << "bad.jsonl: line 2: field 'ctxs[0].isgold': expected true or false, found string";
    QTest::newRow("no gold")
        << R"({"question": "q", "answers": ["a"], "ctxs": [{"title": "t", "text": "x"}]})"
        << "bad.jsonl: line 2: field 'ctxs': expected exactly one gold document, found 0";
    QTest::newRow("bad json") << R"({"question": "q", "answers": )"
                              << "bad.jsonl: line 2: invalid JSON";
    QTest::newRow("not an object") << "[1, 2]"
                                   << "bad.jsonl: line 2: expected a JSON object, found array";
  }
  void malformedRecord() {
    QFETCH(QString, line);
    QFETCH(QString, message);
    const auto dir = tempDir("malformed");
    const auto path =
        writeFile(dir, "bad.jsonl", kGoodQa + "\n" + line.toStdString() + "\n\n" + kGoodQa + "\n");
    const QString err = QString::fromStdString(errorOf([&] { DatasetLoader::load(path); }));
    QVERIFY2(err.startsWith(message), qPrintable(err));

    const auto ds = DatasetLoader::load(path, {.skipBad = true});
    QCOMPARE(ds.examples.size(), size_t(2));
    QCOMPARE(ds.skipped, size_t(1));
    QCOMPARE(ds.skipReasons.size(), size_t(1));
    QVERIFY(QString::fromStdString(ds.skipReasons[0]).startsWith(message));
    QCOMPARE(ds.examples[1].line, size_t(4)); // the blank line 3 is counted, not loaded
    QCOMPARE(ds.examples[1].index, size_t(1));
  }
  void kvErrors() {
    const auto dir = tempDir("kv-errors");
    auto err = [&](const std::string& rec) {
      return errorOf([&] { DatasetLoader::load(writeFile(dir, "kv.jsonl", rec + "\n")); });
    };
    QCOMPARE(
        err(R"({"ordered_kv_records": [["a", "b"]], "key": "a", "value": "c"})"),
        std::string(
            "kv.jsonl: line 1: field 'ordered_kv_records': does not hold the queried pair [key, value]"));
    QCOMPARE(err(R"({"ordered_kv_records": [["a", "b"], ["a", "c"]], "key": "a", "value": "b"})"),
             std::string("kv.jsonl: line 1: field 'ordered_kv_records': duplicate key \"a\""));
    QCOMPARE(err(R"({"ordered_kv_records": [["a"]], "key": "a", "value": "b"})"),
             std::string(
                 "kv.jsonl: line 1: field 'ordered_kv_records[0]': expected a [key, value] pair of strings"));
  }
  void forcedFormatMismatch() {
    const auto dir = tempDir("forced");
    const auto path = writeFile(dir, "qa.jsonl", kGoodQa + "\n");
    QCOMPARE(errorOf([&] { DatasetLoader::load(path, {.format = DataFormat::LitmKv}); }),
             std::string("qa.jsonl: line 1: field 'ordered_kv_records': missing"));
    QCOMPARE(parseDataFormat("litm-kv"), DataFormat::LitmKv);
    QVERIFY_THROWS_EXCEPTION(Error, parseDataFormat("csv"));
  }
  void unknownFormat() {
    const auto dir = tempDir("unknown");
    const auto path = writeFile(dir, "x.jsonl", "{\"foo\": 1}\n");
    QVERIFY(QString::fromStdString(errorOf([&] {
              DatasetLoader::load(path);
            })).startsWith("x.jsonl: line 1: cannot tell the data format"));
  }

  void truncatedGzip() {
    const auto dir = tempDir("truncated");
    std::string content;
    for (int i = 0; i < 2000; ++i)
      content += kGoodQa + "\n";
    const auto path = writeFile(dir, "cut.jsonl.gz", content);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) - 20);
    for (bool skipBad : {false, true}) {
      const QString err =
          QString::fromStdString(errorOf([&] { DatasetLoader::load(path, {.skipBad = skipBad}); }));
      QVERIFY2(err.startsWith("cut.jsonl.gz: line ") && err.contains("truncated gzip file"), qPrintable(err));
    }
  }
  void corruptGzip() {
    const auto dir = tempDir("corrupt");
    std::string content;
    for (int i = 0; i < 2000; ++i)
      content += kGoodQa + " " + std::to_string(i) + "\n";
    const auto path = writeFile(dir, "bad.jsonl.gz", content);
    {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(40);
      f.write("\xff\xff\xff\xff\xff\xff\xff\xff", 8);
    }
    const QString err =
        QString::fromStdString(errorOf([&] { DatasetLoader::load(path, {.skipBad = true}); }));
    QVERIFY2(
        err.startsWith("bad.jsonl.gz: line ") &&
            (err.contains("corrupt gzip data") || err.contains("invalid JSON") || err.contains("truncated")),
        qPrintable(err));
  }
  void notGzipDespiteName() {
    const auto dir = tempDir("notgz");
    const auto path = writeFile(dir, "plain.jsonl", kGoodQa + "\n");
    std::filesystem::rename(path, dir + "/plain.jsonl.gz");
    QVERIFY(QString::fromStdString(errorOf([&] {
              DatasetLoader::load(dir + "/plain.jsonl.gz");
            })).contains("not a gzip file"));
  }
  void readerLineNumbersAndCrLf() {
    const auto dir = tempDir("reader");
    const auto path = writeFile(dir, "r.jsonl.gz", "a\r\n\nb\nlast");
    GzipLineReader reader(path);
    std::string line;
    std::vector<std::string> lines;
    while (reader.next(line))
      lines.push_back(line);
    QCOMPARE(lines, (std::vector<std::string>{"a", "", "b", "last"}));
    QCOMPARE(reader.lineNumber(), size_t(4));
    QVERIFY(QString::fromStdString(errorOf([&] {
              GzipLineReader r(dir + "/missing.jsonl");
            })).startsWith("missing.jsonl: no such file"));
  }
};

QTEST_GUILESS_MAIN(TestDatasetLoader)
#include "test_dataset_loader.moc"
