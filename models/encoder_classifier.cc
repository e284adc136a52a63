// Encoder classifier factory and checkpoint directories (load strict or from a pretrained base, save).
#include "models/encoder_classifier.h"

#include <torch/torch.h>

#include <filesystem>

#include "core/error.h"
#include "core/file_io.h"
#include "core/logging.h"
#include "core/safetensors/safetensors.h"
#include "models/encoders/bert.h"
#include "models/encoders/modernbert.h"
#include "models/weights.h"

namespace mom::models {

std::string classifier_architecture(EncoderFamily family) {
  return family == EncoderFamily::kBert ? "BertForSequenceClassification" : "ModernBertForSequenceClassification";
}

std::shared_ptr<EncoderClassifierImpl> make_encoder_classifier(const EncoderConfig& config) {
  switch (config.family) {
    case EncoderFamily::kBert: return encoders::make_bert_classifier(config);
    case EncoderFamily::kModernBert: return encoders::make_modernbert_classifier(config);
  }
  throw Error("unknown encoder family");
}

namespace {

bool is_classifier_checkpoint(const EncoderConfig& config) {
  for (const auto& a : config.architectures) {
    if (a.size() >= 25 && a.compare(a.size() - 25, 25, "ForSequenceClassification") == 0) return true;
  }
  return false;
}

std::string join(const std::vector<std::string>& v, size_t max_items) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < max_items; ++i) out += (i ? ", " : "") + v[i];
  if (v.size() > max_items) out += ", ... (" + std::to_string(v.size()) + " in all)";
  return out;
}

}  // namespace

std::shared_ptr<EncoderClassifierImpl> load_encoder_classifier(const std::string& dir,
                                                               const std::vector<std::string>& labels) {
  EncoderConfig config = EncoderConfig::load(dir);
  const std::string config_path = (std::filesystem::path(dir) / "config.json").string();
  const bool classifier = is_classifier_checkpoint(config);
  if (classifier && !labels.empty() && labels != config.labels.id2label) {
    throw Error(config_path + ": the checkpoint classifies into [" + join(config.labels.id2label, 8) +
                "] but [" + join(labels, 8) + "] were requested; start from a base checkpoint or a preset instead");
  }
  if (!classifier && !labels.empty()) config.labels.id2label = labels;
  auto checkpoint = safetensors::Checkpoint::open(dir);
  auto model = make_encoder_classifier(config);
  LoadOptions options;
  if (!classifier) {
    // Pretrained base: the encoder must be complete; the task head starts fresh; MLM heads and
    // other task tensors are not ours.
    options.allow_missing = model->head_prefixes();
    options.ignore_unexpected = true;
  }
  LoadReport report = load_state(*model, *checkpoint, "", options);
  if (!classifier) {
    logger("models")->info("{}: loaded {} tensors of a pretrained {}; initialised fresh: {}; ignored: {}", dir,
                           report.loaded, config.architectures.empty() ? config.model_type : config.architectures[0],
                           report.missing.empty() ? "none" : join(report.missing, 6),
                           report.unexpected.empty() ? "none" : join(report.unexpected, 6));
  }
  model->eval();
  return model;
}

void save_encoder_classifier(const EncoderClassifierImpl& model, const std::string& dir) {
  std::filesystem::create_directories(dir);
  EncoderConfig config = model.config();
  config.architectures = {classifier_architecture(config.family)};
  write_file((std::filesystem::path(dir) / "config.json").string(), config.to_json().dump(2) + "\n");
  save_state(model, (std::filesystem::path(dir) / "model.safetensors").string());
}

}  // namespace mom::models
