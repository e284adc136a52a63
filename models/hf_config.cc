// config.json -> EncoderConfig and back, with Hugging Face's field names and defaults.
#include "models/hf_config.h"

#include <filesystem>

#include "core/error.h"
#include "core/file_io.h"

namespace mom::models {

const Json* ConfigReader::find(const std::string& key, bool required) const {
  if (!json_.is_object()) throw Error(where_ + ": config is not a JSON object");
  auto it = json_.find(key);
  if (it == json_.end() || it->is_null()) {
    if (required) throw Error(where_ + ": field '" + key + "' is missing");
    return nullptr;
  }
  return &*it;
}

bool ConfigReader::has(const std::string& key) const { return find(key, false) != nullptr; }

int64_t ConfigReader::get_int(const std::string& key, std::optional<int64_t> fallback) const {
  const Json* v = find(key, !fallback.has_value());
  if (v == nullptr) return *fallback;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float() && v->get<double>() == static_cast<double>(static_cast<int64_t>(v->get<double>()))) {
    return static_cast<int64_t>(v->get<double>());
  }
  throw Error(where_ + ": field '" + key + "' must be an integer, got " + v->dump());
}

double ConfigReader::get_double(const std::string& key, std::optional<double> fallback) const {
  const Json* v = find(key, !fallback.has_value());
  if (v == nullptr) return *fallback;
  if (!v->is_number()) throw Error(where_ + ": field '" + key + "' must be a number, got " + v->dump());
  return v->get<double>();
}

bool ConfigReader::get_bool(const std::string& key, std::optional<bool> fallback) const {
  const Json* v = find(key, !fallback.has_value());
  if (v == nullptr) return *fallback;
  if (!v->is_boolean()) throw Error(where_ + ": field '" + key + "' must be true/false, got " + v->dump());
  return v->get<bool>();
}

std::string ConfigReader::get_string(const std::string& key, std::optional<std::string> fallback) const {
  const Json* v = find(key, !fallback.has_value());
  if (v == nullptr) return *fallback;
  if (!v->is_string()) throw Error(where_ + ": field '" + key + "' must be a string, got " + v->dump());
  return v->get<std::string>();
}

std::optional<int64_t> LabelConfig::label_id(const std::string& label) const {
  for (size_t i = 0; i < id2label.size(); ++i) {
    if (id2label[i] == label) return static_cast<int64_t>(i);
  }
  return std::nullopt;
}

LabelConfig LabelConfig::default_labels(size_t n) {
  LabelConfig labels;
  for (size_t i = 0; i < n; ++i) labels.id2label.push_back("LABEL_" + std::to_string(i));
  return labels;
}

namespace {

LabelConfig parse_labels(const ConfigReader& r) {
  const std::string& where = r.where();
  if (r.has("id2label")) {
    const Json& map = r.json()["id2label"];
    if (!map.is_object()) throw Error(where + ": id2label must be an object {\"0\": name, ...}");
    LabelConfig labels;
    labels.id2label.resize(map.size());
    std::vector<bool> seen(map.size(), false);
    for (auto it = map.begin(); it != map.end(); ++it) {
      size_t id = 0;
      try {
        size_t used = 0;
        long long v = std::stoll(it.key(), &used);
        if (used != it.key().size() || v < 0) throw std::invalid_argument("id");
        id = static_cast<size_t>(v);
      } catch (const std::exception&) {
        throw Error(where + ": id2label key '" + it.key() + "' is not a class id");
      }
      if (id >= map.size() || seen[id]) {
        throw Error(where + ": id2label ids must be 0.." + std::to_string(map.size() - 1) +
                    " without gaps (got " + it.key() + ")");
      }
      if (!it.value().is_string()) throw Error(where + ": id2label[" + it.key() + "] is not a string");
      seen[id] = true;
      labels.id2label[id] = it.value().get<std::string>();
    }
    if (r.has("num_labels") && r.get_int("num_labels") != static_cast<int64_t>(map.size())) {
      throw Error(where + ": num_labels " + std::to_string(r.get_int("num_labels")) +
                  " disagrees with id2label's " + std::to_string(map.size()) + " entries");
    }
    return labels;
  }
  return LabelConfig::default_labels(static_cast<size_t>(r.get_int("num_labels", 2)));
}

}  // namespace

void EncoderConfig::validate(const std::string& where) const {
  auto positive = [&](const char* name, int64_t v) {
    if (v <= 0) throw Error(where + ": " + name + " must be positive, got " + std::to_string(v));
  };
  positive("vocab_size", vocab_size);
  positive("hidden_size", hidden_size);
  positive("num_hidden_layers", num_hidden_layers);
  positive("num_attention_heads", num_attention_heads);
  positive("intermediate_size", intermediate_size);
  positive("max_position_embeddings", max_position_embeddings);
  if (hidden_size % num_attention_heads != 0) {
    throw Error(where + ": hidden_size " + std::to_string(hidden_size) +
                " is not a multiple of num_attention_heads " + std::to_string(num_attention_heads));
  }
  if (family == EncoderFamily::kModernBert) {
    positive("global_attn_every_n_layers", global_attn_every_n_layers);
    positive("local_attention", local_attention);
    if (head_dim() % 2 != 0) throw Error(where + ": rotary embeddings need an even head size");
    if (classifier_pooling != "cls" && classifier_pooling != "mean") {
      throw Error(where + ": classifier_pooling must be \"cls\" or \"mean\", got \"" +
                  classifier_pooling + "\"");
    }
  }
  if (pad_token_id < 0 || pad_token_id >= vocab_size) {
    throw Error(where + ": pad_token_id " + std::to_string(pad_token_id) + " outside the vocabulary");
  }
  if (labels.num_labels() == 0) throw Error(where + ": the classifier needs at least one label");
}

EncoderConfig EncoderConfig::from_json(const Json& json, const std::string& where) {
  ConfigReader r(json, where);
  EncoderConfig c;
  c.original = json;
  c.model_type = r.get_string("model_type", std::string());
  if (r.has("architectures")) {
    const Json& archs = json["architectures"];
    if (!archs.is_array()) throw Error(where + ": architectures must be a list of names");
    for (const Json& a : archs) {
      if (!a.is_string()) throw Error(where + ": architectures must be a list of names");
      c.architectures.push_back(a.get<std::string>());
    }
  }
  if (c.model_type.empty() && !c.architectures.empty()) {
    // Older configs omit model_type; the architecture name says the family.
    if (c.architectures[0].rfind("ModernBert", 0) == 0) c.model_type = "modernbert";
    else if (c.architectures[0].rfind("Bert", 0) == 0) c.model_type = "bert";
  }
  if (c.model_type == "bert") {
    c.family = EncoderFamily::kBert;
    c.vocab_size = r.get_int("vocab_size", 30522);
    c.hidden_size = r.get_int("hidden_size", 768);
    c.num_hidden_layers = r.get_int("num_hidden_layers", 12);
    c.num_attention_heads = r.get_int("num_attention_heads", 12);
    c.intermediate_size = r.get_int("intermediate_size", 3072);
    c.hidden_act = r.get_string("hidden_act", "gelu");
    c.max_position_embeddings = r.get_int("max_position_embeddings", 512);
    c.layer_norm_eps = r.get_double("layer_norm_eps", 1e-12);
    c.initializer_range = r.get_double("initializer_range", 0.02);
    c.pad_token_id = r.get_int("pad_token_id", 0);
    c.type_vocab_size = r.get_int("type_vocab_size", 2);
    c.hidden_dropout_prob = r.get_double("hidden_dropout_prob", 0.1);
    c.attention_probs_dropout_prob = r.get_double("attention_probs_dropout_prob", 0.1);
    std::string pos = r.get_string("position_embedding_type", "absolute");
    if (pos != "absolute") {
      throw Error(where + ": position_embedding_type \"" + pos + "\" is not supported (only \"absolute\")");
    }
  } else if (c.model_type == "modernbert") {
    c.family = EncoderFamily::kModernBert;
    c.vocab_size = r.get_int("vocab_size", 50368);
    c.hidden_size = r.get_int("hidden_size", 768);
    c.num_hidden_layers = r.get_int("num_hidden_layers", 22);
    c.num_attention_heads = r.get_int("num_attention_heads", 12);
    c.intermediate_size = r.get_int("intermediate_size", 1152);
    c.hidden_act = r.get_string("hidden_activation", "gelu");
    c.max_position_embeddings = r.get_int("max_position_embeddings", 8192);
    c.layer_norm_eps = r.get_double("norm_eps", 1e-5);
    c.initializer_range = r.get_double("initializer_range", 0.02);
    c.pad_token_id = r.get_int("pad_token_id", 50283);
    c.global_rope_theta = r.get_double("global_rope_theta", 160000.0);
    c.local_rope_theta = r.get_double("local_rope_theta", 10000.0);
    c.local_attention = r.get_int("local_attention", 128);
    c.global_attn_every_n_layers = r.get_int("global_attn_every_n_layers", 3);
    c.norm_bias = r.get_bool("norm_bias", false);
    c.attention_bias = r.get_bool("attention_bias", false);
    c.mlp_bias = r.get_bool("mlp_bias", false);
    c.classifier_bias = r.get_bool("classifier_bias", false);
    c.classifier_pooling = r.get_string("classifier_pooling", "cls");
    c.classifier_activation = r.get_string("classifier_activation", "gelu");
    c.embedding_dropout = r.get_double("embedding_dropout", 0.0);
    c.attention_dropout = r.get_double("attention_dropout", 0.0);
    c.mlp_dropout = r.get_double("mlp_dropout", 0.0);
  } else {
    throw Error(where + ": unknown model_type \"" + c.model_type +
                "\" for an encoder (supported: \"bert\", \"modernbert\")");
  }
  if (r.has("classifier_dropout")) c.classifier_dropout = r.get_double("classifier_dropout");
  c.problem_type = r.get_string("problem_type", std::string());
  if (!c.problem_type.empty() && c.problem_type != "single_label_classification" &&
      c.problem_type != "multi_label_classification") {
    throw Error(where + ": problem_type \"" + c.problem_type +
                "\" is not supported (single_label_classification or multi_label_classification)");
  }
  c.labels = parse_labels(r);
  c.validate(where);
  return c;
}

EncoderConfig EncoderConfig::load(const std::string& dir) {
  std::string path = (std::filesystem::path(dir) / "config.json").string();
  if (!std::filesystem::is_regular_file(path)) throw Error(path + ": config.json not found");
  return from_json(read_json_file(path), path);
}

Json EncoderConfig::to_json() const {
  Json j = original.is_object() ? original : Json::object();
  j["model_type"] = model_type;
  j["architectures"] = architectures;
  j["vocab_size"] = vocab_size;
  j["hidden_size"] = hidden_size;
  j["num_hidden_layers"] = num_hidden_layers;
  j["num_attention_heads"] = num_attention_heads;
  j["intermediate_size"] = intermediate_size;
  j["max_position_embeddings"] = max_position_embeddings;
  j["initializer_range"] = initializer_range;
  j["pad_token_id"] = pad_token_id;
  if (family == EncoderFamily::kBert) {
    j["hidden_act"] = hidden_act;
    j["layer_norm_eps"] = layer_norm_eps;
    j["type_vocab_size"] = type_vocab_size;
    j["hidden_dropout_prob"] = hidden_dropout_prob;
    j["attention_probs_dropout_prob"] = attention_probs_dropout_prob;
    j["position_embedding_type"] = "absolute";
  } else {
    j["hidden_activation"] = hidden_act;
    j["norm_eps"] = layer_norm_eps;
    j["global_rope_theta"] = global_rope_theta;
    j["local_rope_theta"] = local_rope_theta;
    j["local_attention"] = local_attention;
    j["global_attn_every_n_layers"] = global_attn_every_n_layers;
    j["norm_bias"] = norm_bias;
    j["attention_bias"] = attention_bias;
    j["mlp_bias"] = mlp_bias;
    j["classifier_bias"] = classifier_bias;
    j["classifier_pooling"] = classifier_pooling;
    j["classifier_activation"] = classifier_activation;
    j["embedding_dropout"] = embedding_dropout;
    j["attention_dropout"] = attention_dropout;
    j["mlp_dropout"] = mlp_dropout;
  }
  if (classifier_dropout) j["classifier_dropout"] = *classifier_dropout;
  else j["classifier_dropout"] = nullptr;
  Json id2label = Json::object();
  Json label2id = Json::object();
  for (size_t i = 0; i < labels.id2label.size(); ++i) {
    id2label[std::to_string(i)] = labels.id2label[i];
    label2id[labels.id2label[i]] = static_cast<int64_t>(i);
  }
  j["id2label"] = id2label;
  j["label2id"] = label2id;
  j["num_labels"] = static_cast<int64_t>(labels.num_labels());
  if (!problem_type.empty()) j["problem_type"] = problem_type;
  else j.erase("problem_type");
  if (!j.contains("torch_dtype")) j["torch_dtype"] = "float32";
  return j;
}

std::string checkpoint_model_type(const std::string& dir) {
  std::string config_path = dir + "/config.json";
  if (!file_exists(config_path)) return "";
  try {
    Json config = read_json_file(config_path);
    return config.is_object() && config.contains("model_type") && config["model_type"].is_string()
               ? config["model_type"].get<std::string>()
               : "";
  } catch (const Error&) {
    return "";
  }
}

}  // namespace mom::models
