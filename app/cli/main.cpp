// poslab-cli: command dispatch. Each command lives in its own file (Command*.cpp)
// and registers itself in CommandTable.cpp.
#include "app/cli/CommandTable.h"

int main(int argc, char** argv) {
  return poslab::cli::dispatch(argc, argv);
}
