#include "app/cli/CommandTable.h"

#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

namespace poslab::cli {

namespace {

// Library exceptions (c10::Error with a backtrace, nlohmann's) can span many
// lines; the contract is one line on stderr.
std::string firstLine(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

} // namespace

int dispatch(int argc, char** argv) {
  CLI::App app{"poslab-cli — measure and fix positional bias in local LLMs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("poslab-cli ") + POSLAB_VERSION);
  addInfoCommand(app);
  addTokenizeCommand(app);
  addForwardCommand(app);
  addGenerateCommand(app);
  addConvertCommand(app);
  addBenchCommand(app);
  addSweepCommand(app);
  addCompareCommand(app);
  addAttentionCommand(app);
  addTrainCommand(app);
  addDistillCommand(app);
  addDistillLossCommand(app);
  addMakeDemoCommand(app);
  addMakeTwoHopCommand(app);
  addExportCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const Error& e) {
    std::cerr << "poslab-cli: " << firstLine(e.what()) << '\n';
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "poslab-cli: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "poslab-cli: " << firstLine(e.what()) << '\n';
    return 1;
  }
  return 0;
}

} // namespace poslab::cli
