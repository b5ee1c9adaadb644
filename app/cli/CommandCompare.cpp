// poslab-cli compare RUN_A RUN_B [--json]
// Per gold position, an exact McNemar test on the records two sweeps share.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "core/sweep/SweepComparison.h"

#include <CLI/CLI.hpp>
#include <cstdio>

namespace poslab::cli {

void addCompareCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("compare", "Paired per-position comparison of two sweeps (exact McNemar)");
  auto a = std::make_shared<std::string>(), b = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("RUN_A", *a, "First sweep's run folder")->required();
  cmd->add_option("RUN_B", *b, "Second sweep's run folder")->required();
  cmd->add_flag("--json", *json, "Print one JSON document");
  cmd->callback([=] {
    const SweepComparison c = SweepComparison::ofRuns(*a, *b);
    if (*json) {
      printJson(c.toJson());
      return;
    }
    std::printf("position  pairs  acc A    acc B    A only  B only  p (exact McNemar)\n");
    for (const auto& r : c.rows) {
      const std::string name = r.position ? std::to_string(*r.position + 1) : r.baseline;
      std::printf("%-9s %-6zu %6.1f%%  %6.1f%%  %-7zu %-7zu %.4g%s\n", name.c_str(), r.pairs,
                  100 * r.accuracyA, 100 * r.accuracyB, r.test.b, r.test.c, r.test.pValue,
                  r.test.pValue < 0.05 ? "  *" : "");
    }
    std::printf("(positions 1-based; * p < 0.05, not corrected for multiple positions)  unpaired: %zu in A, "
                "%zu in B\n",
                c.onlyInA, c.onlyInB);
  });
}

} // namespace poslab::cli
