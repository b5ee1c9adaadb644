// TokenizerLoader: the special tokens a model folder's tokenizer_config.json,
// generation_config.json and config.json lay over the vocabulary, and the one
// line naming file and field when one of them has the wrong shape (seen while
// writing the model_config fuzz target: "bos_token": 5 let nlohmann's
// type_error escape and end the program).
#include "core/engine/TokenizerLoader.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <fstream>

using namespace poslab;
using poslab::test::tempDir;

namespace {

// A byte-level BPE vocabulary with <s> (3) and </s> (4) as added tokens.
std::string modelFolder(const std::string& name) {
  const std::string dir = tempDir(name);
  std::ofstream(dir + "/tokenizer.json") << R"({
    "added_tokens": [{"id": 3, "content": "<s>", "special": true}, {"id": 4, "content": "</s>", "special": true}],
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
    "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}})";
  return dir;
}

} // namespace

class TestTokenizerLoader : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void folderSettingsOverlayTheVocabulary() {
    const std::string dir = modelFolder("settings");
    JsonFile::write(
        dir + "/tokenizer_config.json",
        nlohmann::json{{"bos_token", {{"content", "<s>"}}}, {"eos_token", "</s>"}, {"add_bos_token", false}});
    JsonFile::write(dir + "/generation_config.json", nlohmann::json{{"eos_token_id", {4, 2}}});
    const auto tok = TokenizerLoader::load(dir);
    QVERIFY(tok);
    QCOMPARE(tok->specialTokens().bos, 3);
    QCOMPARE(tok->specialTokens().eos, 4);
    QVERIFY(!tok->specialTokens().addBos);
    QCOMPARE(tok->specialTokens().extraEos, std::vector<int32_t>{2});
  }

  void badSettingNamesFileAndField_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected"); // after "<dir>/"
    QTest::newRow("bos_token a number")
        << "tokenizer_config.json"
        << R"({"bos_token": 5})"
        << R"(tokenizer_config.json: bos_token: expected a token text or {"content": ...})";
    QTest::newRow("eos_token content a number")
        << "tokenizer_config.json"
        << R"({"eos_token": {"content": 7}})"
        << "tokenizer_config.json: eos_token.content: expected a token text";
    QTest::newRow("pad_token a list")
        << "tokenizer_config.json"
        << R"({"pad_token": ["<s>"]})"
        << R"(tokenizer_config.json: pad_token: expected a token text or {"content": ...})";
    QTest::newRow("eos_token_id past int32")
        << "generation_config.json"
        << R"({"eos_token_id": [2, 4294967297]})"
        << "generation_config.json: eos_token_id: token id 4294967297 is out of range";
    QTest::newRow("bos_token_id negative") << "config.json"
                                           << R"({"bos_token_id": -7})"
                                           << "config.json: bos_token_id: token id -7 is out of range";
  }
  void badSettingNamesFileAndField() {
    QFETCH(QString, file);
    QFETCH(QString, json);
    QFETCH(QString, expected);
    const std::string dir = modelFolder("bad");
    std::ofstream(dir + "/" + file.toStdString()) << json.toStdString();
    try {
      (void)TokenizerLoader::load(dir);
      QFAIL("accepted");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.what()), QString::fromStdString(dir + "/") + expected);
    }
  }
};

QTEST_GUILESS_MAIN(TestTokenizerLoader)
#include "test_tokenizer_loader.moc"
