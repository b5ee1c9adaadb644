// PEFT LoRA adapters against the independent Python reference
// (tests/reference/make_lora_reference.py): adapters made there (list, regex,
// all-linear, rsLoRA, layers_to_transform, exclude_modules, bf16 storage, the
// default targets, Qwen2 biases, GQA) give its fp32 logits to 1e-3 unmerged and
// merged; an adapter folder given as the model loads its base; switching the
// adapter off gives the base; written adapters read back the same; every
// unsupported or broken adapter is refused naming the file and the field.
#include "core/engine/Engine.h"
#include "core/lora/PeftAdapter.h"
#include "core/model/LlamaModel.h"
#include "core/model/ModelLoader.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/weights/SafetensorsWriter.h"
#include "tests/model/ModelTestSupport.h"

#include <ATen/Parallel.h>
#include <filesystem>
#include <fstream>

using namespace poslab;
using namespace poslab::test;
namespace fs = std::filesystem;

namespace {

const char* kAdapters[] = {"qv", "all_rslora", "regex", "layers_bf16", "qwen_default", "gqa_exclude"};

std::string adapterDir(const std::string& name) {
  return fixturePath("lora/" + name);
}

std::string baseOf(const std::string& name) {
  const nlohmann::json m = JsonFile::readObject(fixturePath("lora/MANIFEST.json"));
  return fixturePath(m.at("adapters").at(name).at("base").get<std::string>());
}

// The reference's ids and logits [T, vocab] for an adapter.
std::pair<std::vector<int32_t>, at::Tensor> expected(const std::string& name) {
  SafetensorsFile f(adapterDir(name) + "/expected.safetensors");
  const at::Tensor ids = loadTensor(*f.find("ids"), f.mapping(), at::kLong).clone();
  const at::Tensor logits = loadTensor(*f.find("logits"), f.mapping(), at::kFloat).clone();
  std::vector<int32_t> list;
  for (int64_t i = 0; i < ids.numel(); ++i)
    list.push_back(static_cast<int32_t>(ids[i].item<int64_t>()));
  return {list, logits};
}

at::Tensor logitsOf(const Engine& e, const std::vector<int32_t>& ids) {
  std::vector<float> v = e.logits(ids);
  return at::from_blob(v.data(), {static_cast<int64_t>(ids.size()), e.info().vocabSize}, at::kFloat).clone();
}

// Copies the "qv" adapter to a fresh folder for a test to break.
std::string copyOfQv(const std::string& name) {
  const std::string dir = tempDir("lora-" + name);
  for (const char* f : {"adapter_config.json", "adapter_model.safetensors"})
    fs::copy_file(adapterDir("qv") + "/" + f, dir + "/" + f);
  return dir;
}

void editConfig(const std::string& dir, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = JsonFile::readObject(dir + "/adapter_config.json");
  edit(j);
  JsonFile::write(dir + "/adapter_config.json", j);
}

// Rewrites adapter_model.safetensors with `edit` applied to its tensors.
void editTensors(const std::string& dir,
                 const std::function<void(std::map<std::string, at::Tensor>&)>& edit) {
  std::map<std::string, at::Tensor> tensors;
  {
    SafetensorsFile f(dir + "/adapter_model.safetensors");
    for (const TensorView& v : f.tensors())
      tensors[v.name] = loadTensor(v, f.mapping(), at::kFloat).clone();
  }
  edit(tensors);
  std::vector<SafetensorsWriter::Entry> entries;
  for (auto& [name, t] : tensors)
    entries.push_back({name, DType::F32, t.sizes().vec(), t.data_ptr(), t.nbytes()});
  SafetensorsWriter::write(dir + "/adapter_model.safetensors", entries);
}

} // namespace

class TestPeftAdapter : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { at::set_num_threads(2); }

  void adapters_data() {
    QTest::addColumn<QString>("adapter");
    for (const char* a : kAdapters)
      QTest::newRow(a) << a;
  }

  void unmergedLogitsMatchReference_data() { adapters_data(); }
  void unmergedLogitsMatchReference() {
    QFETCH(QString, adapter);
    const std::string name = adapter.toStdString();
    auto [ids, want] = expected(name);
    LoadOptions o;
    o.adapter = adapterDir(name);
    const auto e = Engine::open(baseOf(name), o);
    const at::Tensor got = logitsOf(*e, ids);
    QVERIFY2(maxAbsDiff(got, want) <= 1e-3, qPrintable(QString::number(maxAbsDiff(got, want))));
    // The adapter must matter, or the comparison above proves nothing.
    const at::Tensor base = Golden(fs::path(baseOf(name)).filename().string()).get("logits_1");
    QVERIFY(maxAbsDiff(got, base) > 0.05);
    QCOMPARE(e->info().adapterPath, adapterDir(name));
    QVERIFY(e->info().adapterParameters > 0);
    QVERIFY(!e->info().adapterMerged);
  }

  void mergedLogitsMatchReference_data() { adapters_data(); }
  void mergedLogitsMatchReference() {
    QFETCH(QString, adapter);
    const std::string name = adapter.toStdString();
    auto [ids, want] = expected(name);
    LoadOptions o;
    o.adapter = adapterDir(name);
    o.mergeAdapter = true;
    const auto e = Engine::open(baseOf(name), o);
    QVERIFY(!e->model().adapter());
    QVERIFY(e->info().adapterMerged);
    const at::Tensor got = logitsOf(*e, ids);
    QVERIFY2(maxAbsDiff(got, want) <= 1e-3, qPrintable(QString::number(maxAbsDiff(got, want))));
  }

  void adapterFolderAsModelLoadsItsBase() {
    auto [ids, want] = expected("regex");
    const auto e = Engine::open(adapterDir("regex"));
    QCOMPARE(fs::canonical(e->info().path), fs::canonical(fixturePath("llama_basic")));
    QCOMPARE(e->info().adapterPath, adapterDir("regex"));
    QCOMPARE(e->info().adapterRank, int64_t(2));
    QCOMPARE(e->info().adapterModules, int64_t(3));
    QVERIFY(maxAbsDiff(logitsOf(*e, ids), want) <= 1e-3);
    const ModelInfo info = Engine::inspect(adapterDir("regex"));
    QCOMPARE(info.adapterModules, int64_t(3));
    QCOMPARE(info.adapterParameters, e->info().adapterParameters); // from the config, without loading
    QCOMPARE(e->info().adapterParameters, e->model().adapter()->parameterCount());
    QCOMPARE(info.adapterScale, 1.5);
  }

  void switchedOffIsTheBase() {
    auto [ids, want] = expected("all_rslora");
    LoadOptions o;
    o.adapter = adapterDir("all_rslora");
    const auto e = Engine::open(fixturePath("llama_basic"), o);
    e->model().setAdapterEnabled(false);
    QVERIFY(maxAbsDiff(logitsOf(*e, ids), Golden("llama_basic").get("logits_1")) <= 1e-3);
    e->model().setAdapterEnabled(true);
    QVERIFY(maxAbsDiff(logitsOf(*e, ids), want) <= 1e-3);
  }

  void writtenAdapterReadsBackTheSame() {
    auto [ids, want] = expected("gqa_exclude");
    LoadedModel base = ModelLoader::load(fixturePath("gqa"), at::kFloat, at::kCPU);
    const LoadedAdapter a = PeftAdapter::load(adapterDir("gqa_exclude"), *base.model);
    const std::string dir = tempDir("lora-written");
    PeftAdapter::write(dir, a.config, *a.weights);
    LoadOptions o;
    o.adapter = dir;
    const auto e = Engine::open(fixturePath("gqa"), o);
    QVERIFY(maxAbsDiff(logitsOf(*e, ids), want) <= 1e-3);
    const nlohmann::json j = JsonFile::readObject(dir + "/adapter_config.json");
    QCOMPARE(j.at("peft_type").get<std::string>(), std::string("LORA"));
    QCOMPARE(j.at("exclude_modules")[0].get<std::string>(), std::string("model.layers.0.mlp.down_proj"));
  }

  void badAdaptersAreRefused_data() {
    QTest::addColumn<QString>("breakage");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("field");
    for (const char* row : {"peft_type",
                            "use_dora",
                            "bias",
                            "modules_to_save",
                            "lm_head_target",
                            "embedding_target",
                            "rank_mismatch",
                            "missing_tensor",
                            "extra_tensor",
                            "layer_out_of_range",
                            "rank_pattern",
                            "no_config",
                            "pickle_only",
                            "corrupt_json",
                            "fan_in_fan_out",
                            "unknown_field",
                            "bad_regex",
                            "matches_nothing",
                            "nan",
                            "task_type"}) {
      const std::string r = row;
      const bool weights = r == "rank_mismatch" || r == "missing_tensor" || r == "extra_tensor" || r == "nan";
      const char* field =
          r == "lm_head_target" || r == "embedding_target" || r == "bad_regex" || r == "matches_nothing"
              ? "target_modules"
          : r == "layer_out_of_range" ? "layers_to_transform"
          : r == "rank_mismatch"      ? "tensor 'base_model.model.model.layers.0.self_attn.q_proj"
          : r == "missing_tensor"     ? "tensor 'base_model.model.model.layers.1.self_attn.v_proj"
          : r == "extra_tensor"       ? "lora_magnitude_vector"
          : r == "unknown_field"      ? "use_foo"
          : r == "no_config" || r == "corrupt_json" ? ""
          : r == "pickle_only"                      ? "PyTorch pickles"
          : r == "nan"                              ? "NaN"
                                                    : row;
      const char* file = weights              ? "adapter_model.safetensors"
                         : r == "pickle_only" ? "adapter_model.bin"
                                              : "adapter_config.json";
      QTest::newRow(row) << QString(row) << QString(file) << QString(field);
    }
  }
  void badAdaptersAreRefused() {
    QFETCH(QString, breakage);
    QFETCH(QString, file);
    QFETCH(QString, field);
    const std::string b = breakage.toStdString();
    const std::string dir = copyOfQv(b);
    auto set = [&](const char* key, nlohmann::json value) {
      editConfig(dir, [&](nlohmann::json& j) { j[key] = std::move(value); });
    };
    if (b == "peft_type") set("peft_type", "LOHA");
    if (b == "use_dora") set("use_dora", true);
    if (b == "bias") set("bias", "all");
    if (b == "modules_to_save") set("modules_to_save", {"lm_head"});
    if (b == "lm_head_target") set("target_modules", {"q_proj", "lm_head"});
    if (b == "embedding_target") set("target_modules", {"q_proj", "embed_tokens"});
    if (b == "rank_mismatch") set("r", 5);
    if (b == "layer_out_of_range") set("layers_to_transform", {0, 7});
    if (b == "rank_pattern") set("rank_pattern", {{"q_proj", 2}});
    if (b == "fan_in_fan_out") set("fan_in_fan_out", true);
    if (b == "unknown_field") set("use_foo", true);
    if (b == "bad_regex") set("target_modules", "model\\.layers\\.(");
    if (b == "matches_nothing") set("target_modules", {"w1"});
    if (b == "task_type") set("task_type", "SEQ_CLS");
    if (b == "no_config") fs::remove(dir + "/adapter_config.json");
    if (b == "corrupt_json") std::ofstream(dir + "/adapter_config.json") << "{\"peft_type\": \"LORA\", ";
    if (b == "pickle_only") {
      fs::rename(dir + "/adapter_model.safetensors", dir + "/adapter_model.bin");
    }
    if (b == "missing_tensor")
      editTensors(dir,
                  [](auto& t) { t.erase("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"); });
    if (b == "extra_tensor")
      editTensors(dir, [](auto& t) {
        t["base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector"] = at::ones({64});
      });
    if (b == "nan")
      editTensors(dir, [](auto& t) {
        t["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"][0][0] = std::nan("");
      });
    LoadOptions o;
    o.adapter = dir;
    try {
      Engine::open(fixturePath("llama_basic"), o);
      QFAIL("a bad adapter was accepted");
    } catch (const Error& e) {
      const std::string what = e.what();
      QVERIFY2(what.find(file.toStdString()) != std::string::npos, e.what());
      QVERIFY2(what.find(field.toStdString()) != std::string::npos, e.what());
      QVERIFY2(what.find('\n') == std::string::npos, e.what());
    }
  }

  void adapterForAnotherBaseIsRefused() {
    LoadOptions o;
    o.adapter = adapterDir("gqa_exclude"); // k/v of 8-wide heads on a base with 16-wide ones
    try {
      Engine::open(fixturePath("llama_basic"), o);
      QFAIL("an adapter for another base was accepted");
    } catch (const Error& e) {
      const std::string what = e.what();
      QVERIFY2(what.find("adapter_model.safetensors") != std::string::npos, e.what());
      QVERIFY2(what.find("k_proj") != std::string::npos, e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestPeftAdapter)
#include "test_peft_adapter.moc"
