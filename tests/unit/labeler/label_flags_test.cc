// mom-label flag parsing: names and defaults of the original, and clear errors.
#include <gtest/gtest.h>

#include "core/error.h"
#include "labeler/label_flags.h"

namespace mom::labeler {
namespace {

std::optional<LabelCommand> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "mom-label");
  return parse_label_flags(static_cast<int>(args.size()), args.data());
}

TEST(LabelFlags, OriginalFlagsAndDefaults) {
  auto cmd = parse({"--model_ids", "12", "16", "19", "--datasets", "arc", "csqa", "--include_mmlu",
                    "--mmlu_categories", "stem", "social_sciences", "--base_path", "/data",
                    "--allow_missing", "--unsolved", "7", "--filter", "strict-match"});
  ASSERT_TRUE(cmd);
  const LabelOptions& o = cmd->options;
  EXPECT_EQ(o.model_ids, (std::vector<int>{12, 16, 19}));
  EXPECT_EQ(o.datasets, (std::vector<std::string>{"arc", "csqa"}));
  EXPECT_TRUE(o.include_mmlu);
  EXPECT_EQ(o.mmlu_categories, (std::vector<std::string>{"stem", "social_sciences"}));
  EXPECT_EQ(o.base_path, "/data");
  EXPECT_EQ(o.output_dir, "./labeled_data");
  EXPECT_TRUE(o.allow_missing);
  EXPECT_EQ(o.unsolved_model, 7);
  EXPECT_EQ(o.filter, "strict-match");
  EXPECT_FALSE(cmd->registry_path);
  auto dropping = parse({"--model_ids", "1"});
  EXPECT_FALSE(dropping->options.unsolved_model);
  EXPECT_FALSE(dropping->options.allow_missing);
}

TEST(LabelFlags, Errors) {
  EXPECT_THROW(parse({"--datasets", "arc"}), Error);  // --model_ids is required
  EXPECT_THROW(parse({"--model_ids", "x"}), Error);
  EXPECT_THROW(parse({"--model_ids", "1", "--unsolved", "sometimes"}), Error);
  EXPECT_THROW(parse({"--model_ids", "1", "--bogus"}), Error);
}

}  // namespace
}  // namespace mom::labeler
