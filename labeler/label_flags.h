// mom-label's command line -> LabelOptions (unit-tested separately from main).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "labeler/labeler.h"

namespace mom::labeler {

struct LabelCommand {
  LabelOptions options;
  std::optional<std::string> registry_path;  // --registry
};

// Parses argv. Throws mom::Error with CLI11's message on bad flags; returns nullopt after
// printing help for --help.
std::optional<LabelCommand> parse_label_flags(int argc, const char* const* argv);

}  // namespace mom::labeler
