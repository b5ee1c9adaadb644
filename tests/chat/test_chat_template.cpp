// Chat templates: every built-in family renders exactly what the real Jinja
// template in data/chat-templates renders (expected texts written out by hand
// from the templates), every template there is recognised (or reported as not),
// and the mistral-common v3 sample gives mistral-common's own text and ids.
#include "core/chat/ChatTemplate.h"
#include "core/chat/ChatTemplateDetector.h"
#include "core/tokenizer/BpeTokenizer.h"
#include "core/tokenizer/SentencePieceTokenizer.h"
#include "core/util/Error.h"
#include "tests/util/TestPaths.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace poslab;
using namespace poslab::test;

namespace {

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) qFatal("cannot read %s", path.c_str());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const std::vector<ChatMessage> kSystemUser = {{"system", "You are a helpful assistant."},
                                              {"user", "What is the capital of France?"}};
const std::vector<ChatMessage> kUserOnly = {{"user", "What is the capital of France?"}};

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

} // namespace

Q_DECLARE_METATYPE(std::vector<ChatMessage>)

class TestChatTemplate : public QObject {
  Q_OBJECT
private Q_SLOTS:
  // Real template file -> detected family (with the settings read from it) ->
  // the text that template renders for the messages plus the generation prompt.
  void rendersLikeTheRealTemplate_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("family");
    QTest::addColumn<std::vector<ChatMessage>>("messages");
    QTest::addColumn<QString>("expected");
    const QString llama31 =
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
        "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
        "You are a helpful assistant.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of France?<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n";
    QTest::newRow("llama-3.1") << "meta-llama-Llama-3.1-8B-Instruct.jinja"
                               << "llama3" << kSystemUser << llama31;
    QTest::newRow("llama-3.2") << "meta-llama-Llama-3.2-3B-Instruct.jinja"
                               << "llama3" << kSystemUser << llama31;
    QTest::newRow("llama-3.3") << "meta-llama-Llama-3.3-70B-Instruct.jinja"
                               << "llama3" << kSystemUser << llama31;
    QTest::newRow("llama-3.1 no system")
        << "meta-llama-Llama-3.1-8B-Instruct.jinja"
        << "llama3" << kUserOnly
        << "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
           "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
           "<|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of France?<|eot_id|>"
           "<|start_header_id|>assistant<|end_header_id|>\n\n";
    QTest::newRow("llama-3.1 trims")
        << "meta-llama-Llama-3.1-8B-Instruct.jinja"
        << "llama3" << std::vector<ChatMessage>{{"system", "  Be brief.\n"}, {"user", "\tHi  \n"}}
        << "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
           "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nBe brief.<|eot_id|>"
           "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
           "<|start_header_id|>assistant<|end_header_id|>\n\n";
    QTest::newRow("qwen2.5") << "Qwen-Qwen2.5-7B-Instruct.jinja"
                             << "chatml" << kSystemUser
                             << "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                                "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n"
                                "<|im_start|>assistant\n";
    QTest::newRow("qwen2.5 default system")
        << "Qwen-Qwen2.5-7B-Instruct.jinja"
        << "chatml" << kUserOnly
        << "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
           "assistant.<|im_end|>\n"
           "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n";
    QTest::newRow("qwq no system") << "Qwen-QwQ-32B.jinja"
                                   << "chatml" << kUserOnly
                                   << "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n"
                                      "<|im_start|>assistant\n<think>\n";
    QTest::newRow("phi-3.5") << "microsoft-Phi-3.5-mini-instruct.jinja"
                             << "phi3" << kSystemUser
                             << "<|system|>\nYou are a helpful assistant.<|end|>\n"
                                "<|user|>\nWhat is the capital of France?<|end|>\n<|assistant|>\n";
    QTest::newRow("mistral v3")
        << "mistral-common-v3_spm.jinja"
        << "mistral" << kSystemUser
        << "<s>[INST] You are a helpful assistant.\n\nWhat is the capital of France?[/INST]";
    QTest::newRow("mistral v3 multi-turn") << "mistral-common-v3_spm.jinja"
                                           << "mistral"
                                           << std::vector<ChatMessage>{{"system", "Be brief."},
                                                                       {"user", "Hi"},
                                                                       {"assistant", "Hello!"},
                                                                       {"user", "2+2?"}}
                                           << "<s>[INST] Hi[/INST] Hello!</s>[INST] Be brief.\n\n2+2?[/INST]";
    QTest::newRow("mistral nemo")
        << "mistralai-Mistral-Nemo-Instruct-2407.jinja"
        << "mistral" << kSystemUser
        << "<s>[INST]You are a helpful assistant.\n\nWhat is the capital of France?[/INST]";
  }
  void rendersLikeTheRealTemplate() {
    QFETCH(QString, file);
    QFETCH(QString, family);
    QFETCH(std::vector<ChatMessage>, messages);
    QFETCH(QString, expected);
    const ChatTemplateDetection d =
        ChatTemplateDetector::detect(readText(sharedPath("data/chat-templates/" + file.toStdString())));
    QVERIFY2(d.family, d.reason.c_str());
    QCOMPARE(QString::fromStdString(ChatTemplate::familyName(*d.family)), family);
    const ChatTemplate chat(*d.family, d.settings);
    QCOMPARE(QString::fromStdString(chat.render(messages, true)), expected);
  }

  // Built-in families by name, for the formats without a template file here.
  void llama2ByName() {
    const ChatTemplate chat = ChatTemplate::fromName("llama2");
    QCOMPARE(chat.render(kSystemUser, true),
             std::string("<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\n"
                         "What is the capital of France? [/INST]"));
    QCOMPARE(chat.render({{"user", "Hi"}, {"assistant", "Hello"}, {"user", "Bye"}}, true),
             std::string("<s>[INST] Hi [/INST] Hello </s><s>[INST] Bye [/INST]"));
    QCOMPARE(ChatTemplate::fromName("none").render(kSystemUser, true),
             std::string("You are a helpful assistant.\n\nWhat is the capital of France?"));
    ChatTemplateSettings llama30;
    llama30.llama3DateHeader = false; // Meta-Llama-3-8B-Instruct's template
    QCOMPARE(
        ChatTemplate(ChatFamily::Llama3, llama30).render(kSystemUser, true),
        std::string("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful "
                    "assistant.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of "
                    "France?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"));
  }

  void detection_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("family"); // "" = reported as unrecognised
    QTest::newRow("llama-3.1") << "meta-llama-Llama-3.1-8B-Instruct.jinja"
                               << "llama3";
    QTest::newRow("llama-3.2") << "meta-llama-Llama-3.2-3B-Instruct.jinja"
                               << "llama3";
    QTest::newRow("llama-3.3") << "meta-llama-Llama-3.3-70B-Instruct.jinja"
                               << "llama3";
    QTest::newRow("qwen2.5") << "Qwen-Qwen2.5-7B-Instruct.jinja"
                             << "chatml";
    QTest::newRow("qwq") << "Qwen-QwQ-32B.jinja"
                         << "chatml";
    QTest::newRow("mistral-common v3") << "mistral-common-v3_spm.jinja"
                                       << "mistral";
    QTest::newRow("mistral nemo") << "mistralai-Mistral-Nemo-Instruct-2407.jinja"
                                  << "mistral";
    QTest::newRow("mistral small 3.2") << "Mistral-Small-3.2-24B-Instruct-2506.jinja"
                                       << "";
    QTest::newRow("phi-3.5") << "microsoft-Phi-3.5-mini-instruct.jinja"
                             << "phi3";
  }
  void detection() {
    QFETCH(QString, file);
    QFETCH(QString, family);
    const std::string jinja = readText(sharedPath("data/chat-templates/" + file.toStdString()));
    const ChatTemplateDetection d = ChatTemplateDetector::detect(jinja);
    if (family.isEmpty()) {
      QVERIFY(!d.family);
      QVERIFY2(d.reason.starts_with("unrecognised chat template"), d.reason.c_str());
      try {
        ChatTemplateDetector::choose(jinja);
        QFAIL("an unrecognised template was used");
      } catch (const Error& e) {
        QVERIFY2(
            QString(e.what()).contains("choose one by name: llama2, llama3, mistral, chatml, phi3, none"),
            e.what());
      }
      QCOMPARE(ChatTemplateDetector::choose(jinja, "mistral").family(), ChatFamily::Mistral); // user override
    } else {
      QVERIFY2(d.family, d.reason.c_str());
      QCOMPARE(QString::fromStdString(ChatTemplate::familyName(*d.family)), family);
    }
  }

  void unknownTemplateAndNames() {
    const ChatTemplateDetection d =
        ChatTemplateDetector::detect("{% for m in messages %}{{ m.content }}{% endfor %}");
    QVERIFY(!d.family);
    QVERIFY2(d.reason.starts_with("unrecognised chat template"), d.reason.c_str());
    QCOMPARE(ChatTemplateDetector::choose("anything", "chatml").family(), ChatFamily::ChatMl);
    try {
      ChatTemplate::fromName("vicuna");
      QFAIL("an unknown name was accepted");
    } catch (const Error& e) {
      QCOMPARE(
          QString(e.what()),
          QString("chat template 'vicuna': unknown (known: llama2, llama3, mistral, chatml, phi3, none)"));
    }
    try {
      ChatTemplate::fromName("llama3").render({{"tool", "42"}}, true);
      QFAIL("an unknown role was accepted");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("role 'tool'"), e.what());
    }
  }

  // encode() == encoding render()'s text with special tokens parsed (BPE has no dummy prefix).
  void llama3EncodeMatchesText() {
    auto tokenizer = BpeTokenizer::fromTokenizerJson(fixturePath("llama3-tokenizer/tokenizer.json"));
    const ChatTemplate chat = ChatTemplate::fromName("llama3");
    const std::string text = chat.render(kSystemUser, true);
    const Encoding viaTemplate = chat.encode(*tokenizer, kSystemUser, true);
    const Encoding viaText = tokenizer->encode(text, {.addBos = false, .parseSpecial = true});
    QCOMPARE(viaTemplate.ids, viaText.ids);
    QCOMPARE(viaTemplate.ids.front(), 128000);
    QCOMPARE(viaTemplate.ids.back(), 271); // "\n\n" after the assistant header
    for (size_t i = 0; i < viaText.ids.size(); ++i) {
      QCOMPARE(viaTemplate.offsets[i].begin, viaText.offsets[i].begin);
      QCOMPARE(viaTemplate.offsets[i].end, viaText.offsets[i].end);
    }
    // Message text is never parsed for special tokens.
    const Encoding injected = chat.encode(*tokenizer, {{"user", "<|eot_id|>"}}, false);
    QCOMPARE(std::count(injected.ids.begin(), injected.ids.end(), 128009), 2); // system + user turn ends only
  }

  // mistral-common's no_tools sample: the rendered text is text_v3.txt (with
  // "▁" for spaces) and encode() with the v3 SentencePiece model gives tokens_v3.json.
  void mistralCommonV3Sample() {
    const std::string dir = sharedPath("data/tokenizer-vectors/mistral-common-v3/no_tools/");
    const nlohmann::json sample = nlohmann::json::parse(readText(dir + "sample.json"));
    std::vector<ChatMessage> messages;
    for (const auto& m : sample["messages"])
      messages.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
    const ChatTemplate chat = ChatTemplate::fromName("mistral");
    const std::string expectedText = replaceAll(readText(dir + "text_v3.txt"), "\xE2\x96\x81", " ");
    QCOMPARE(chat.render(messages, true), expectedText);

    std::vector<int32_t> expectedIds;
    const nlohmann::json tokens = nlohmann::json::parse(readText(dir + "tokens_v3.json"));
    for (const auto& id : tokens["tokens"])
      expectedIds.push_back(id.get<int32_t>());
    QCOMPARE(expectedIds.size(), size_t(98));
    auto spm = SentencePieceTokenizer::fromFile(
        sharedPath("data/tokenizers/mistral-7b-instruct-v0.3/mistral_instruct_tokenizer_240323.model.v3"));
    const Encoding e = chat.encode(*spm, messages, true);
    QCOMPARE(e.ids, expectedIds);
  }
};

QTEST_GUILESS_MAIN(TestChatTemplate)
#include "test_chat_template.moc"
