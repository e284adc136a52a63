// load_text_classifier: the one place that picks a TextClassifier implementation.
#include "models/text_classifier.h"

#include <filesystem>

#include "core/error.h"
#include "core/json_util.h"
#include "models/encoder_presets.h"
#include "models/encoder_text_classifier.h"
#include "models/knn_classifier.h"
#include "models/ngram_classifier.h"

namespace mom::models {

std::unique_ptr<TextClassifier> load_text_classifier(const std::string& dir_or_preset,
                                                     const TextClassifierOptions& options) {
  const std::filesystem::path config_path = std::filesystem::path(dir_or_preset) / "config.json";
  std::string model_type;
  if (std::filesystem::is_regular_file(config_path)) {
    Json config = read_json_file(config_path.string());
    model_type = config.is_object() && config.contains("model_type") && config["model_type"].is_string()
                     ? config["model_type"].get<std::string>()
                     : "";
  } else {
    LabelConfig none = LabelConfig::default_labels(1);
    if (encoder_preset(dir_or_preset, none)) model_type = "preset";
  }
  // The trainer's fastText-style baseline: "ngram" (fresh, over options.labels) or its checkpoints.
  if (dir_or_preset == "ngram" && model_type.empty()) {
    NgramConfig config;
    config.id2label = options.labels.empty() ? LabelConfig::default_labels(options.num_labels).id2label : options.labels;
    return make_ngram_text_classifier(NgramClassifier(config));
  }
  if (model_type == "mom-ngram") return make_ngram_text_classifier(load_ngram_classifier(dir_or_preset));
  if (model_type == "mom-knn") return load_knn_text_classifier(dir_or_preset);
  if (model_type == "preset" || model_type == "bert" || model_type == "modernbert" || model_type.empty()) {
    // Empty model_type: EncoderConfig infers the family from architectures or names the problem.
    return load_encoder_text_classifier(dir_or_preset, options);
  }
  throw Error(config_path.string() + ": model_type \"" + model_type +
              "\" is not a text classifier MOM knows (bert, modernbert, mom-ngram, mom-knn)");
}

}  // namespace mom::models
