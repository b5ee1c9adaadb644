#pragma once
// Reading a JSON file with errors that name it (STYLE.md rule 7). One place, so
// every loader reports "config.json: not valid JSON (...)" the same way.
#include "core/util/Error.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <utility>

namespace poslab {

class JsonFile {
public:
  // The parsed document; poslab::Error if the file cannot be read or parsed.
  static nlohmann::json read(const std::string& path);
  // As read(), and the top level must be an object.
  static nlohmann::json readObject(const std::string& path);
  // readObject() if the file exists, else an empty object.
  static nlohmann::json readObjectIfPresent(const std::string& path);
  // Pretty-printed with a trailing newline, written atomically (AtomicFile).
  static void write(const std::string& path, const nlohmann::json& j);
  static void write(const std::string& path, const nlohmann::ordered_json& j);

  // Settings structs: `out` = j[key] when present; a value of the wrong type is
  // an error naming `source` and the key ("run.json: lr: has the wrong type (string)").
  template <class T>
  static void readField(const nlohmann::json& j, const char* key, T& out, const std::string& source) {
    auto it = j.find(key);
    if (it == j.end()) return;
    // An integral field given as a float must be a whole number within T's range:
    // nlohmann's get<T>() would convert 1e300 or 2.5 with undefined behaviour.
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (it->is_number_float()) {
        const double v = it->get<double>();
        const double end = std::ldexp(1.0, std::numeric_limits<T>::digits); // 2^63 for int64: exact
        const double low = std::is_signed_v<T> ? -end : 0.0;
        if (!(v == std::floor(v) && v >= low && v < end))
          fail(source, key, "is " + it->dump() + "; expected a whole number that fits");
        out = static_cast<T>(v);
        return;
      }
      // An integer must fit too: get<T>() would wrap -1 into a size_t of 2^64 - 1.
      const bool fits = it->is_number_unsigned()  ? std::in_range<T>(it->get<uint64_t>())
                        : it->is_number_integer() ? std::in_range<T>(it->get<int64_t>())
                                                  : true;
      if (!fits) fail(source, key, "is " + it->dump() + "; expected a whole number that fits");
    }
    try {
      out = it->get<T>();
    } catch (const nlohmann::json::exception&) {
      fail(source, key, std::string("has the wrong type (") + it->type_name() + ")");
    }
  }

  // j[key] when present, else `fallback`, checked as readField() checks: unlike
  // nlohmann's value(), a wrong type is an error naming `source` and the key,
  // not a type_error that names neither.
  template <class T>
  static T valueOr(const nlohmann::json& j, const char* key, T fallback, const std::string& source) {
    readField(j, key, fallback, source);
    return fallback;
  }
};

} // namespace poslab
