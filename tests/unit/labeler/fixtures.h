// Builders for synthetic lm-eval samples lines and directory trees used by the labeler tests.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace mom::labeler::testing {

// A multiple-choice line as the harness logs it: one [loglikelihood, is_greedy] per choice,
// acc = (first argmax == gold).
inline nlohmann::json mc_line(int doc_id, const std::vector<double>& lls, int gold,
                              const std::string& hash = "", const std::string& question = "Q?") {
  nlohmann::json line;
  line["doc_id"] = doc_id;
  line["doc"] = {{"question", question}};
  line["target"] = std::to_string(gold);
  nlohmann::json args = nlohmann::json::object();
  nlohmann::json resps = nlohmann::json::array();
  size_t argmax = 0;
  for (size_t i = 0; i < lls.size(); ++i) {
    if (lls[i] > lls[argmax]) argmax = i;
    args["gen_args_" + std::to_string(i)] = {{"arg_0", "Question: " + question + "\nAnswer:"},
                                             {"arg_1", " choice" + std::to_string(i)}};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", lls[i]);
    resps.push_back({buf, "False"});
  }
  line["arguments"] = args;
  line["filtered_resps"] = resps;
  line["filter"] = "none";
  line["metrics"] = {"acc"};
  line["doc_hash"] = hash.empty() ? "h" + std::to_string(doc_id) : hash;
  line["acc"] = static_cast<int>(argmax) == gold ? 1.0 : 0.0;
  return line;
}

// A generation line scored with exact_match under `filter`.
inline nlohmann::json gen_line(int doc_id, bool correct, const std::string& filter = "flexible-extract") {
  nlohmann::json line;
  line["doc_id"] = doc_id;
  line["doc"] = {{"question", "q"}};
  line["target"] = "18";
  line["arguments"] = {{"gen_args_0", {{"arg_0", "Question: how many?\nAnswer:"},
                                       {"arg_1", {{"until", {"Question:"}}}}}}};
  line["resps"] = {{"x"}};
  line["filtered_resps"] = {correct ? "18" : "17"};
  line["filter"] = filter;
  line["metrics"] = {"exact_match"};
  line["doc_hash"] = "g" + std::to_string(doc_id);
  line["exact_match"] = correct ? 1.0 : 0.0;
  return line;
}

inline std::string jsonl(const std::vector<nlohmann::json>& lines) {
  std::string out;
  for (const auto& l : lines) out += l.dump() + "\n";
  return out;
}

// Writes <root>/<dataset>/<dir_name>/samples_<task>_<stamp>.jsonl
inline std::string write_samples(const mom::testing::TempDir& root, const std::string& dataset,
                                 const std::string& dir_name, const std::string& task,
                                 const std::string& content,
                                 const std::string& stamp = "2025-05-23T23-43-25.634180") {
  return root.write(dataset + "/" + dir_name + "/samples_" + task + "_" + stamp + ".jsonl", content);
}

}  // namespace mom::labeler::testing
