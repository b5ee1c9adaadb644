#include "core/weights/GgufReader.h"

#include "core/util/Error.h"

namespace poslab {

namespace {

using Type = GgufValue::Type;

// Fewest bytes one value of a type can occupy: bounds array counts before any
// allocation (a count above remaining / this is a lie).
uint64_t minEncodedSize(Type t) {
  switch (t) {
  case Type::U8:
  case Type::I8:
  case Type::Bool:
    return 1;
  case Type::U16:
  case Type::I16:
    return 2;
  case Type::U32:
  case Type::I32:
  case Type::F32:
    return 4;
  case Type::U64:
  case Type::I64:
  case Type::F64:
  case Type::String:
    return 8; // the length
  case Type::Array:
    return 12; // element type + count
  }
  return 1;
}

} // namespace

const char* GgufReader::typeName(Type t) {
  switch (t) {
  case Type::U8:
    return "u8";
  case Type::I8:
    return "i8";
  case Type::U16:
    return "u16";
  case Type::I16:
    return "i16";
  case Type::U32:
    return "u32";
  case Type::I32:
    return "i32";
  case Type::F32:
    return "f32";
  case Type::Bool:
    return "bool";
  case Type::String:
    return "string";
  case Type::Array:
    return "array";
  case Type::U64:
    return "u64";
  case Type::I64:
    return "i64";
  case Type::F64:
    return "f64";
  }
  return "?";
}

void GgufReader::need(uint64_t n, const std::string& field) const {
  if (n > remaining())
    fail(file_, field,
         "file ends at byte " + std::to_string(size_) + " while reading " + std::to_string(n) +
             " bytes at byte " + std::to_string(pos_));
}

std::string GgufReader::readString(const std::string& field) {
  const auto len = read<uint64_t>(field);
  if (len > remaining())
    fail(file_, field,
         "string length " + std::to_string(len) + " exceeds the " + std::to_string(remaining()) +
             " bytes left in the file");
  std::string s(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(len));
  pos_ += len;
  return s;
}

GgufReader::Type GgufReader::readType(const std::string& field) {
  const auto raw = read<uint32_t>(field);
  if (raw > static_cast<uint32_t>(Type::F64)) fail(file_, field, "unknown value type " + std::to_string(raw));
  return static_cast<Type>(raw);
}

GgufValue GgufReader::readValue(Type type, const std::string& field, int depth) {
  GgufValue v;
  v.type = type;
  switch (type) {
  case Type::U8:
    v.u = read<uint8_t>(field);
    break;
  case Type::U16:
    v.u = read<uint16_t>(field);
    break;
  case Type::U32:
    v.u = read<uint32_t>(field);
    break;
  case Type::U64:
    v.u = read<uint64_t>(field);
    break;
  case Type::I8:
    v.i = read<int8_t>(field);
    break;
  case Type::I16:
    v.i = read<int16_t>(field);
    break;
  case Type::I32:
    v.i = read<int32_t>(field);
    break;
  case Type::I64:
    v.i = read<int64_t>(field);
    break;
  case Type::F32:
    v.f = read<float>(field);
    break;
  case Type::F64:
    v.f = read<double>(field);
    break;
  case Type::Bool: {
    const auto b = read<uint8_t>(field);
    if (b > 1) fail(file_, field, "bool value " + std::to_string(b) + " is neither 0 nor 1");
    v.u = b;
    break;
  }
  case Type::String:
    v.s = readString(field);
    break;
  case Type::Array:
    readArray(v, field, depth);
    break;
  }
  return v;
}

void GgufReader::readArray(GgufValue& v, const std::string& field, int depth) {
  if (depth >= kMaxArrayDepth)
    fail(file_, field, "arrays nested deeper than " + std::to_string(kMaxArrayDepth) + " levels");
  v.elementType = readType(field + " (array element type)");
  const auto count = read<uint64_t>(field);
  const uint64_t minSize = minEncodedSize(v.elementType);
  if (count > remaining() / minSize)
    fail(file_, field,
         "array count " + std::to_string(count) + " of " + typeName(v.elementType) + " cannot fit in the " +
             std::to_string(remaining()) + " bytes left in the file");
  arrayElements_ += count;
  if (arrayElements_ > kMaxArrayElements)
    fail(file_, field,
         "metadata arrays hold more than " + std::to_string(kMaxArrayElements) + " values in all");
  v.array.reserve(static_cast<size_t>(count));
  for (uint64_t k = 0; k < count; ++k)
    v.array.push_back(readValue(v.elementType, field, depth + 1));
}

} // namespace poslab
