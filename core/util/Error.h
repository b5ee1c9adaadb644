#pragma once
// The one exception type that crosses core/'s boundary. Its message is a single
// user-readable line naming the file and the field (STYLE.md rule 7), e.g.
//   "model.safetensors: tensor 'model.norm.weight': ends at byte 9437184 but the file has 9000000"
// Front ends catch it at the worker / main() boundary and show what() as is.
#include <stdexcept>
#include <string>

namespace poslab {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Builds "<file>: <field>: <detail>" (omitting empty parts) and throws it.
[[noreturn]] void fail(const std::string& file, const std::string& field, const std::string& detail);

} // namespace poslab
