// load_text_classifier: the one place that picks a TextClassifier implementation.
#include "models/text_classifier.h"

#include <filesystem>

#include "core/error.h"
#include "core/json_util.h"
#include "models/encoder_presets.h"
#include "models/encoder_text_classifier.h"

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
  if (model_type == "preset" || model_type == "bert" || model_type == "modernbert" || model_type.empty()) {
    // Empty model_type: EncoderConfig infers the family from architectures or names the problem.
    return load_encoder_text_classifier(dir_or_preset, options);
  }
  throw Error(config_path.string() + ": model_type \"" + model_type +
              "\" is not a text classifier MOM knows (bert, modernbert)");
}

}  // namespace mom::models
