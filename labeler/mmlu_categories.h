// The 57 MMLU subjects and the standard four categories (stem, humanities, social_sciences,
// other), as lm-evaluation-harness groups them.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mom::labeler {

// Category of an MMLU subject ("anatomy" -> "stem"); nullopt for an unknown subject.
std::optional<std::string> mmlu_category(const std::string& subject);

// The four category names, in the harness's order.
const std::vector<std::string>& mmlu_category_names();

// "mmlu_anatomy" -> "anatomy"; other task names unchanged.
std::string mmlu_subject_of_task(const std::string& task);

}  // namespace mom::labeler
