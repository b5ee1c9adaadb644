// JsonFile::readField and valueOr: a value of the wrong type, or an integral field given
// as a float that is not a whole number within the type's range (1e300, 2.5,
// 2^63 for int64) or as an integer outside it (-1 for a size_t), is one line naming the source and the key --
// never nlohmann's conversion, which is undefined for them (found by the fuzzers).
#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <QtTest/QtTest>

using namespace poslab;

namespace {

template <class T> QString refusal(const char* json) {
  T out{};
  try {
    JsonFile::readField(nlohmann::json::parse(json), "n", out, "settings.json");
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

} // namespace

class TestJsonFile : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void wholeFloatsInRangeAreRead() {
    int64_t big = 0;
    JsonFile::readField(nlohmann::json::parse(R"({"n": 4.0e18})"), "n", big, "s");
    QCOMPARE(big, int64_t(4000000000000000000));
    int small = 0;
    JsonFile::readField(nlohmann::json::parse(R"({"n": -3.0})"), "n", small, "s");
    QCOMPARE(small, -3);
    double d = 0;
    JsonFile::readField(nlohmann::json::parse(R"({"n": 2.5})"), "n", d, "s");
    QCOMPARE(d, 2.5);
    int missing = 7;
    JsonFile::readField(nlohmann::json::parse(R"({})"), "n", missing, "s");
    QCOMPARE(missing, 7);
  }

  void outOfRangeOrFractionalIsRefused() {
    QCOMPARE(refusal<int64_t>(R"({"n": 1e300})"),
             QString("settings.json: n: is 1e+300; expected a whole number that fits"));
    QVERIFY(refusal<int64_t>(R"({"n": 9.223372036854775808e18})").startsWith("settings.json: n: is "));
    QVERIFY(refusal<int>(R"({"n": 3e9})").startsWith("settings.json: n: is "));
    QVERIFY(refusal<size_t>(R"({"n": -1.0})").startsWith("settings.json: n: is "));
    QVERIFY(refusal<int>(R"({"n": 2.5})").startsWith("settings.json: n: is 2.5"));
    QCOMPARE(refusal<int>(R"({"n": "two"})"), QString("settings.json: n: has the wrong type (string)"));
    QCOMPARE(refusal<size_t>(R"({"n": -1})"),
             QString("settings.json: n: is -1; expected a whole number that fits"));
    QVERIFY(refusal<int>(R"({"n": 3000000000})").startsWith("settings.json: n: is 3000000000"));
    QVERIFY(refusal<int64_t>(R"({"n": 18446744073709551615})").startsWith("settings.json: n: is "));
    QVERIFY(refusal<uint64_t>(R"({"n": 18446744073709551615})").isEmpty());
    QVERIFY(refusal<double>(R"({"n": 1e300})").isEmpty()); // a double field takes it
  }

  // valueOr is readField with a fallback: nlohmann's value() would throw a
  // type_error naming neither the file nor the key ("summary.json" status 5).
  void valueOrFallsBackOnlyWhenAbsent() {
    const auto j = nlohmann::json::parse(R"({"status": "finished", "pid": 12, "bad": 5})");
    QCOMPARE(JsonFile::valueOr(j, "status", std::string(), "summary.json"), std::string("finished"));
    QCOMPARE(JsonFile::valueOr(j, "absent", std::string("none"), "summary.json"), std::string("none"));
    QCOMPARE(JsonFile::valueOr(j, "pid", 0LL, "launch.json"), 12LL);
    QCOMPARE(JsonFile::valueOr(nlohmann::json::array(), "status", std::string("x"), "f"), std::string("x"));
    try {
      (void)JsonFile::valueOr(j, "bad", std::string(), "eval/step-10/summary.json");
      QFAIL("a number read as a string");
    } catch (const Error& e) {
      QCOMPARE(QString(e.what()), QString("eval/step-10/summary.json: bad: has the wrong type (number)"));
    }
  }
};

QTEST_GUILESS_MAIN(TestJsonFile)
#include "test_json_file.moc"
