// ModelConfig::fromHuggingFaceJson: a config.json field of the wrong type is one
// line naming the file and that field (seen while writing the model_config
// fuzz target: the booleans and torch_dtype were read with nlohmann's value(),
// whose type error named neither).
#include "core/model/ModelConfig.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>

using namespace poslab;
using poslab::test::tempDir;

namespace {

nlohmann::json llamaConfig() {
  return {{"architectures", {"LlamaForCausalLM"}},
          {"hidden_size", 64},
          {"intermediate_size", 128},
          {"num_hidden_layers", 2},
          {"num_attention_heads", 4},
          {"vocab_size", 100}};
}

} // namespace

class TestModelConfig : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void readsTheOptionalFields() {
    const std::string path = tempDir("good") + "/config.json";
    nlohmann::json j = llamaConfig();
    j["tie_word_embeddings"] = true;
    j["attention_bias"] = true;
    j["torch_dtype"] = "bfloat16";
    j["rope_scaling"] = {{"type", "linear"}, {"factor", 2.0}};
    JsonFile::write(path, j);
    const ModelConfig c = ModelConfig::fromHuggingFaceJson(path);
    QVERIFY(c.tieWordEmbeddings);
    QVERIFY(c.attentionBias);
    QCOMPARE(c.storedDtype, std::string("bfloat16"));
    QCOMPARE(c.ropeScaling.kind, RopeScaling::Kind::Linear);
    QCOMPARE(c.ropeScaling.factor, 2.0);
  }

  void wrongTypeNamesFileAndField_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value"); // JSON
    QTest::addColumn<QString>("expected");
    QTest::newRow("tie_word_embeddings") << "tie_word_embeddings"
                                         << "\"yes\""
                                         << "tie_word_embeddings: expected true or false, found \"yes\"";
    QTest::newRow("attention_bias") << "attention_bias"
                                    << "1"
                                    << "attention_bias: expected true or false, found 1";
    QTest::newRow("use_sliding_window") << "use_sliding_window"
                                        << "[]"
                                        << "use_sliding_window: expected true or false, found []";
    QTest::newRow("torch_dtype") << "torch_dtype"
                                 << "16"
                                 << "torch_dtype: expected a string, found 16";
    QTest::newRow("rope_scaling.rope_type") << "rope_scaling"
                                            << "{\"rope_type\": 3}"
                                            << "rope_scaling.rope_type: expected a string, found 3";
    QTest::newRow("rope_scaling.type") << "rope_scaling"
                                       << "{\"type\": {}}"
                                       << "rope_scaling.rope_type: expected a string, found {}";
  }
  void wrongTypeNamesFileAndField() {
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, expected);
    const std::string path = tempDir("wrong-type") + "/config.json";
    nlohmann::json j = llamaConfig();
    j[key.toStdString()] = nlohmann::json::parse(value.toStdString());
    JsonFile::write(path, j);
    try {
      (void)ModelConfig::fromHuggingFaceJson(path);
      QFAIL("accepted");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.what()), QString::fromStdString(path + ": ") + expected);
    }
  }
};

QTEST_GUILESS_MAIN(TestModelConfig)
#include "test_model_config.moc"
