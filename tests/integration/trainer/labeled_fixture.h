// A generated labeled JSONL for trainer tests: three topics, each answered well by one model, so
// a router can learn something; deterministic given the seed.
#pragma once

#include <random>
#include <string>
#include <vector>

namespace mom::trainer::testing {

inline std::string make_labeled_jsonl(int questions, unsigned seed = 1, int num_models = 3) {
  const std::vector<std::pair<int, std::string>> models = {
      {1, "meta-llama/Llama-3.2-1B-Instruct"}, {6, "google/gemma-2-2b-it"}, {7, "google/gemma-2-9b-it"}};
  const std::vector<std::vector<std::string>> topics = {
      {"sum", "number", "equation", "prime", "integer", "fraction", "angle", "algebra"},
      {"king", "war", "empire", "century", "treaty", "revolution", "dynasty", "battle"},
      {"atom", "energy", "physics", "electron", "force", "mass", "quantum", "gravity"}};
  const std::vector<std::string> filler = {"which", "of", "the", "following", "is", "most", "likely", "true", "about", "a"};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::string out;
  for (int k = 0, written = 0; written < questions; ++k) {
    int topic = static_cast<int>(rng() % 3);
    std::string text = "Question " + std::to_string(k) + ":";
    for (int w = 0; w < 10; ++w) {
      bool topical = w % 2 == 0 || u(rng) < 0.3;
      const auto& pool = topical ? topics[static_cast<size_t>(topic)] : filler;
      text += " " + pool[rng() % pool.size()];
    }
    std::vector<bool> correct;
    for (int m = 0; m < num_models; ++m) correct.push_back(u(rng) < (m == topic ? 0.9 : 0.3));
    int label = -1;
    if (topic < num_models && correct[static_cast<size_t>(topic)]) label = topic;
    for (int m = 0; m < num_models && label < 0; ++m)
      if (correct[static_cast<size_t>(m)]) label = m;
    if (label < 0) continue;  // nobody right: the labeler drops it
    std::string line = "{\"text\": \"" + text + "\", \"dataset\": \"" + (k % 2 ? "mmlu" : "arc") +
                       "\", \"task\": \"t\", \"doc_id\": " + std::to_string(k) +
                       ", \"kind\": \"multiple_choice\", \"label\": {\"id\": " +
                       std::to_string(models[static_cast<size_t>(label)].first) + ", \"name\": \"" +
                       models[static_cast<size_t>(label)].second + "\"}, \"unsolved\": false, \"models\": [";
    for (int m = 0; m < num_models; ++m) {
      line += std::string(m ? ", " : "") + "{\"id\": " + std::to_string(models[static_cast<size_t>(m)].first) +
              ", \"name\": \"" + models[static_cast<size_t>(m)].second + "\", \"correct\": " +
              (correct[static_cast<size_t>(m)] ? "true" : "false") + ", \"confidence\": 0.5, \"absent\": false}";
    }
    out += line + "]}\n";
    ++written;
  }
  return out;
}

}  // namespace mom::trainer::testing
