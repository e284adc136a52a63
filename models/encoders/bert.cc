// BERT as in Hugging Face's BertForSequenceClassification: absolute position + token type
// embeddings, post-norm transformer layers, tanh pooler over [CLS], dropout, linear classifier.
#include "models/encoders/bert.h"

#include <cmath>

#include "models/encoders/layers.h"

namespace mom::models::encoders {
namespace {

namespace nn = torch::nn;

nn::LayerNorm make_layer_norm(const EncoderConfig& c) {
  return nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps));
}

struct BertEmbeddingsImpl : nn::Module {
  explicit BertEmbeddingsImpl(const EncoderConfig& c) {
    word_embeddings = register_module(
        "word_embeddings", nn::Embedding(nn::EmbeddingOptions(c.vocab_size, c.hidden_size).padding_idx(c.pad_token_id)));
    position_embeddings =
        register_module("position_embeddings", nn::Embedding(c.max_position_embeddings, c.hidden_size));
    token_type_embeddings = register_module("token_type_embeddings", nn::Embedding(c.type_vocab_size, c.hidden_size));
    LayerNorm = register_module("LayerNorm", make_layer_norm(c));
    dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
  }
  torch::Tensor forward(const torch::Tensor& input_ids) {
    int64_t seq = input_ids.size(1);
    torch::Tensor positions = torch::arange(seq, input_ids.options());
    // token_type_ids default to zeros (single-segment input), as in Hugging Face.
    torch::Tensor x = word_embeddings(input_ids) + position_embeddings(positions).unsqueeze(0) +
                      token_type_embeddings->weight[0];
    return dropout(LayerNorm(x));
  }
  nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  nn::LayerNorm LayerNorm{nullptr};
  nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertEmbeddings);

struct BertSelfAttentionImpl : nn::Module {
  explicit BertSelfAttentionImpl(const EncoderConfig& c)
      : heads(c.num_attention_heads), head_dim(c.head_dim()), dropout_p(c.attention_probs_dropout_prob) {
    query = register_module("query", nn::Linear(c.hidden_size, c.hidden_size));
    key = register_module("key", nn::Linear(c.hidden_size, c.hidden_size));
    value = register_module("value", nn::Linear(c.hidden_size, c.hidden_size));
  }
  torch::Tensor split(const torch::Tensor& x) {  // [B,S,H*D] -> [B,H,S,D]
    return x.view({x.size(0), x.size(1), heads, head_dim}).transpose(1, 2);
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& bias) {
    torch::Tensor ctx = attention(split(query(x)), split(key(x)), split(value(x)), bias, dropout_p, is_training());
    return ctx.transpose(1, 2).contiguous().view({x.size(0), x.size(1), heads * head_dim});
  }
  int64_t heads, head_dim;
  double dropout_p;
  nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
};
TORCH_MODULE(BertSelfAttention);

// The "output" blocks: dense -> dropout -> LayerNorm(x + residual).
struct BertOutputImpl : nn::Module {
  BertOutputImpl(const EncoderConfig& c, int64_t in) {
    dense = register_module("dense", nn::Linear(in, c.hidden_size));
    LayerNorm = register_module("LayerNorm", make_layer_norm(c));
    dropout = register_module("dropout", nn::Dropout(c.hidden_dropout_prob));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual) {
    return LayerNorm(dropout(dense(x)) + residual);
  }
  nn::Linear dense{nullptr};
  nn::LayerNorm LayerNorm{nullptr};
  nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertOutput);

struct BertAttentionImpl : nn::Module {
  explicit BertAttentionImpl(const EncoderConfig& c) {
    self = register_module("self", BertSelfAttention(c));
    output = register_module("output", BertOutput(c, c.hidden_size));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& bias) { return output(self(x, bias), x); }
  BertSelfAttention self{nullptr};
  BertOutput output{nullptr};
};
TORCH_MODULE(BertAttention);

struct BertIntermediateImpl : nn::Module {
  explicit BertIntermediateImpl(const EncoderConfig& c) : act(c.hidden_act) {
    dense = register_module("dense", nn::Linear(c.hidden_size, c.intermediate_size));
  }
  torch::Tensor forward(const torch::Tensor& x) { return activation(act, dense(x)); }
  std::string act;
  nn::Linear dense{nullptr};
};
TORCH_MODULE(BertIntermediate);

struct BertLayerImpl : nn::Module {
  explicit BertLayerImpl(const EncoderConfig& c) {
    attention = register_module("attention", BertAttention(c));
    intermediate = register_module("intermediate", BertIntermediate(c));
    output = register_module("output", BertOutput(c, c.intermediate_size));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& bias) {
    torch::Tensor a = attention(x, bias);
    return output(intermediate(a), a);
  }
  BertAttention attention{nullptr};
  BertIntermediate intermediate{nullptr};
  BertOutput output{nullptr};
};
TORCH_MODULE(BertLayer);

struct BertEncoderImpl : nn::Module {
  explicit BertEncoderImpl(const EncoderConfig& c) {
    layer = register_module("layer", nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) layer->push_back(BertLayer(c));
  }
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& bias) {
    for (const auto& m : *layer) x = m->as<BertLayerImpl>()->forward(x, bias);
    return x;
  }
  nn::ModuleList layer{nullptr};
};
TORCH_MODULE(BertEncoder);

struct BertPoolerImpl : nn::Module {
  explicit BertPoolerImpl(const EncoderConfig& c) { dense = register_module("dense", nn::Linear(c.hidden_size, c.hidden_size)); }
  torch::Tensor forward(const torch::Tensor& hidden) {
    return torch::tanh(dense(hidden.select(1, 0)));  // the first ([CLS]) token
  }
  nn::Linear dense{nullptr};
};
TORCH_MODULE(BertPooler);

struct BertModelImpl : nn::Module {
  explicit BertModelImpl(const EncoderConfig& c) {
    embeddings = register_module("embeddings", BertEmbeddings(c));
    encoder = register_module("encoder", BertEncoder(c));
    pooler = register_module("pooler", BertPooler(c));
  }
  nn::Module* self() { return this; }
  BertEmbeddings embeddings{nullptr};
  BertEncoder encoder{nullptr};
  BertPooler pooler{nullptr};
};
TORCH_MODULE(BertModel);

class BertClassifier : public EncoderClassifierImpl {
 public:
  explicit BertClassifier(const EncoderConfig& c) : EncoderClassifierImpl(c) {
    check_activation(c.hidden_act, "BERT config hidden_act");
    bert = register_module("bert", BertModel(c));
    dropout = register_module("dropout", nn::Dropout(c.classifier_dropout.value_or(c.hidden_dropout_prob)));
    classifier = register_module("classifier", nn::Linear(c.hidden_size, static_cast<int64_t>(c.labels.num_labels())));
    reset_parameters();
  }

  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) override {
    torch::Tensor x = bert->embeddings(input_ids);
    torch::Tensor bias = padding_bias(attention_mask, x.scalar_type());
    x = bert->encoder(x, bias);
    return classifier(dropout(bert->pooler(x)));
  }

  void reset_parameters() override {
    torch::NoGradGuard no_grad;
    const double std = config_.initializer_range;
    for (auto& m : modules(/*include_self=*/false)) {
      if (auto* lin = m->as<nn::Linear>()) {
        lin->weight.normal_(0.0, std);
        if (lin->bias.defined()) lin->bias.zero_();
      } else if (auto* emb = m->as<nn::Embedding>()) {
        emb->weight.normal_(0.0, std);
      } else if (auto* ln = m->as<nn::LayerNorm>()) {
        ln->weight.fill_(1.0);
        ln->bias.zero_();
      }
    }
    bert->embeddings->word_embeddings->weight[config_.pad_token_id].zero_();
  }

  // Masked-LM checkpoints (BertForMaskedLM) may lack the pooler; HF then starts it fresh too.
  std::vector<std::string> head_prefixes() const override { return {"classifier.", "bert.pooler."}; }

 private:
  BertModel bert{nullptr};
  nn::Dropout dropout{nullptr};
  nn::Linear classifier{nullptr};
};

}  // namespace

std::shared_ptr<EncoderClassifierImpl> make_bert_classifier(const EncoderConfig& config) {
  return std::make_shared<BertClassifier>(config);
}

}  // namespace mom::models::encoders
