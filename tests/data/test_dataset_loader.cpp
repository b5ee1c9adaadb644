// Loaders on the real lost-in-the-middle files and on small malformed files:
// every error names the file, the line and the field. Two-hop records (MuSiQue,
// PosLab with two gold documents) keep their hops in order.
#include "core/data/DataFingerprint.h"
#include "core/data/DatasetLoader.h"
#include "core/data/GzipLineReader.h"
#include "core/util/Error.h"
#include "tests/util/TestPaths.h"

#include <algorithm>
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

// A MuSiQue-Ans record as the dataset ships it; hop 1 is paragraph idx 3, hop 2 idx 1,
// the reverse of their order in the list.
std::string musique(const std::string& patch = "") {
  std::string r = R"({"id": "2hop__13548_13529", "paragraphs": [
    {"idx": 0, "title": "Green", "paragraph_text": "Green is a colour.", "is_supporting": false},
    {"idx": 1, "title": "Paris", "paragraph_text": "Paris is the capital of France.", "is_supporting": true},
    {"idx": 2, "title": "Blue", "paragraph_text": "Blue is a colour.", "is_supporting": false},
    {"idx": 3, "title": "Victor Hugo", "paragraph_text": "Victor Hugo was born in Paris.", "is_supporting": true}],
    "question": "What country is the birthplace of Victor Hugo the capital of?",
    "question_decomposition": [
      {"id": 13548, "question": "Where was Victor Hugo born?", "answer": "Paris", "paragraph_support_idx": 3},
      {"id": 13529, "question": "#1 is the capital of what?", "answer": "France", "paragraph_support_idx": 1}],
    "answer": "France", "answer_aliases": ["French Republic"], "answerable": true})";
  r.erase(std::remove(r.begin(), r.end(), '\n'), r.end());
  if (!patch.empty()) {
    const size_t at = r.find(patch.substr(0, patch.find('|')));
    r.replace(at, patch.find('|'), patch.substr(patch.find('|') + 1));
  }
  return r;
}

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
  // Two-hop data (R2, METHOD.md §2): MuSiQue records and PosLab records with two
  // gold documents load as TwoHop examples with their hops in order.
  void musiqueRecord() {
    const auto ds = DatasetLoader::load(writeFile(tempDir("musique"), "musique.jsonl", musique() + "\n"));
    QCOMPARE(ds.format, DataFormat::Musique);
    const RetrievalExample& ex = ds.examples.at(0);
    QCOMPARE(ex.kind, TaskKind::TwoHop);
    QCOMPARE(ex.id, std::string("2hop__13548_13529"));
    QCOMPARE(ex.documents.size(), size_t(4));
    QCOMPARE(ex.documents[1].text, std::string("Paris is the capital of France."));
    // The decomposition orders the hops, not the list.
    QCOMPARE(ex.hopIndices(), (std::vector<size_t>{3, 1}));
    QCOMPARE(ex.goldIndex(), std::optional<size_t>(3));
    QCOMPARE(ex.answers, (std::vector<std::string>{"France", "French Republic"}));
  }
  void musiqueWithoutDecompositionKeepsListOrder() {
    std::string r = musique();
    r = r.substr(0, r.find(R"("question_decomposition")")) +
        r.substr(r.find(R"("answer": "France", "answer_aliases")"));
    const auto ds = DatasetLoader::load(writeFile(tempDir("two-hop-plain"), "plain.jsonl", r + "\n"));
    QCOMPARE(ds.examples.at(0).hopIndices(), (std::vector<size_t>{1, 3}));
  }
  void badMusiqueRecords_data() {
    QTest::addColumn<QString>("patch");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unanswerable") << R"("answerable": true|"answerable": false)"
                                  << "line 1: field 'answerable': false";
    QTest::newRow("three hops") << R"("is_supporting": false|"is_supporting": true)"
                                << "field 'paragraphs': expected two gold documents (the two hops), found 3";
    QTest::newRow("no answer")
        << R"("answer": "France", "answer_aliases"|"answer_text": "France", "answer_aliases")"
        << "field 'answer': missing";
    QTest::newRow("text missing") << R"("paragraph_text": "Green is a colour."|"text": "Green")"
                                  << "field 'paragraphs[0].paragraph_text': missing";
    QTest::newRow("support names nothing")
        << R"("paragraph_support_idx": 3|"paragraph_support_idx": 9)"
        << "field 'question_decomposition[0].paragraph_support_idx': names no";
    QTest::newRow("support not supporting") << R"("paragraph_support_idx": 3|"paragraph_support_idx": 2)"
                                            << "is not is_supporting";
    QTest::newRow("aliases not strings") << R"("answer_aliases": ["French Republic"]|"answer_aliases": [7])"
                                         << "field 'answer_aliases[0]': expected a string";
  }
  void badMusiqueRecords() {
    QFETCH(QString, patch);
    QFETCH(QString, expected);
    const std::string file =
        writeFile(tempDir("musique-bad"), "bad.jsonl", musique(patch.toStdString()) + "\n");
    const std::string e = errorOf([&] { DatasetLoader::load(file); });
    QVERIFY2(e.find("bad.jsonl") != std::string::npos, e.c_str());
    QVERIFY2(e.find(expected.toStdString()) != std::string::npos, e.c_str());
  }
  void posLabTwoGold() {
    const std::string line =
        R"({"question": "q", "answers": ["a"], "documents": [{"title": "x", "text": "x"},)"
        R"({"title": "h2", "text": "b", "is_gold": true, "hop": 2}, {"title": "h1", "text": "a", "is_gold": true, "hop": 1}]})";
    const auto ds = DatasetLoader::load(writeFile(tempDir("two-hop-poslab"), "poslab.jsonl", line + "\n"));
    QCOMPARE(ds.examples.at(0).kind, TaskKind::TwoHop);
    QCOMPARE(ds.examples.at(0).hopIndices(), (std::vector<size_t>{2, 1}));
    // Without hop numbers, the file order is the hop order.
    std::string plain = line;
    for (const char* h : {R"(, "hop": 2)", R"(, "hop": 1)"})
      plain.erase(plain.find(h), std::string(h).size());
    QCOMPARE(DatasetLoader::load(writeFile(tempDir("two-hop-plain"), "plain.jsonl", plain + "\n"))
                 .examples.at(0)
                 .hopIndices(),
             (std::vector<size_t>{1, 2}));
    // Two hop 1s, and a hop out of range, are refused.
    std::string twice = line;
    twice.replace(twice.find(R"("hop": 2)"), 8, R"("hop": 1)");
    QVERIFY(errorOf([&] {
              DatasetLoader::load(writeFile(tempDir("two-hop-twice"), "twice.jsonl", twice + "\n"));
            }).find("must be hop 1 and hop 2") != std::string::npos);
    std::string three = line;
    three.replace(three.find(R"("hop": 2)"), 8, R"("hop": 3)");
    const std::string e = errorOf(
        [&] { DatasetLoader::load(writeFile(tempDir("two-hop-three"), "three.jsonl", three + "\n")); });
    QVERIFY2(e.find("field 'documents[1].hop': expected 1 or 2") != std::string::npos, e.c_str());
  }
};

QTEST_GUILESS_MAIN(TestDatasetLoader)
#include "test_dataset_loader.moc"
