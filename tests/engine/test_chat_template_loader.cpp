// ChatTemplateLoader::templateText: tokenizer_config.json's chat_template as a
// string or a list of named templates, and one line naming the file and field
// for anything else (seen while writing the chat_template fuzz target: a
// template whose "name" was not a string let nlohmann's type_error escape).
#include "core/engine/ChatTemplateLoader.h"
#include "core/util/Error.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <fstream>

using namespace poslab;
using poslab::test::tempDir;

class TestChatTemplateLoader : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void templateText_data() {
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("expected"); // the text, or the error after "<dir>/"
    QTest::newRow("string") << R"({"chat_template": "<|im_start|>"})"
                            << "<|im_start|>";
    QTest::newRow("none") << R"({"bos_token": "<s>"})"
                          << "";
    QTest::newRow("named list") << R"({"chat_template": [{"name": "tool_use", "template": "t"},
                                                           {"name": "default", "template": "d"}]})"
                                << "d";
    QTest::newRow("name a number") << R"({"chat_template": [{"name": 3, "template": "t"},
                                                              {"name": "default", "template": "d"}]})"
                                   << "d";
    QTest::newRow("no default")
        << R"({"chat_template": [{"name": 3, "template": "t"}]})"
        << R"(tokenizer_config.json: chat_template: expected a string or a list with a "default" template)";
    QTest::newRow("a number")
        << R"({"chat_template": 1})"
        << R"(tokenizer_config.json: chat_template: expected a string or a list with a "default" template)";
  }
  void templateText() {
    QFETCH(QString, config);
    QFETCH(QString, expected);
    const std::string dir = tempDir("chat");
    std::ofstream(dir + "/tokenizer_config.json") << config.toStdString();
    std::string got;
    try {
      got = ChatTemplateLoader::templateText(dir);
    } catch (const Error& e) {
      got = e.what();
      QVERIFY2(got.starts_with(dir + "/"), got.c_str());
      got = got.substr(dir.size() + 1);
    }
    QCOMPARE(QString::fromStdString(got), expected);
  }
};

QTEST_GUILESS_MAIN(TestChatTemplateLoader)
#include "test_chat_template_loader.moc"
