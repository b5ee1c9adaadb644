#pragma once
// poslab-cli's commands. Each add*Command registers one subcommand (its options
// and its action) on the top-level CLI11 app; dispatch() runs the chosen one and
// turns every error into one line on stderr and a non-zero exit status.
namespace CLI {
class App;
}

namespace poslab::cli {

void addInfoCommand(CLI::App& app);
void addTokenizeCommand(CLI::App& app);
void addForwardCommand(CLI::App& app);
void addGenerateCommand(CLI::App& app);
void addConvertCommand(CLI::App& app);
void addBenchCommand(CLI::App& app);
void addBenchSweepCommand(CLI::App& bench); // a subcommand of bench
void addBenchTrainCommand(CLI::App& bench); // a subcommand of bench
void addSweepCommand(CLI::App& app);
void addCompareCommand(CLI::App& app);
void addAttentionCommand(CLI::App& app);
void addTrainCommand(CLI::App& app);
void addDistillCommand(CLI::App& app);
void addDistillLossCommand(CLI::App& app);
void addMakeDemoCommand(CLI::App& app);
void addMakeTwoHopCommand(CLI::App& app);
void addExportCommand(CLI::App& app);

int dispatch(int argc, char** argv);

} // namespace poslab::cli
