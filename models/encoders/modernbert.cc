// ModernBERT as in Hugging Face's ModernBertForSequenceClassification: normed token embeddings
// (no positions), pre-norm layers with rotary attention (global layers every Nth with
// global_rope_theta, sliding-window local layers with local_rope_theta), GeGLU MLP, final norm,
// CLS or mean pooling, dense + activation + norm head, classifier.
#include "models/encoders/modernbert.h"

#include <cmath>
#include <mutex>

#include "models/encoders/layers.h"

namespace mom::models::encoders {
namespace {

namespace nn = torch::nn;

nn::Linear linear(int64_t in, int64_t out, bool bias) { return nn::Linear(nn::LinearOptions(in, out).bias(bias)); }

// x * cos + rotate_half(x) * sin, rotate_half(x) = cat(-x2, x1) over the halves of the head dim.
torch::Tensor apply_rotary(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  int64_t half = x.size(-1) / 2;
  torch::Tensor x1 = x.narrow(-1, 0, half), x2 = x.narrow(-1, half, half);
  return x * cos + torch::cat({-x2, x1}, -1) * sin;
}

// cos/sin tables [seq, head_dim] for positions 0..seq-1 at `theta`.
std::pair<torch::Tensor, torch::Tensor> rotary_tables(int64_t seq, int64_t head_dim, double theta,
                                                      const torch::TensorOptions& options) {
  torch::Tensor inv_freq =
      1.0 / torch::pow(theta, torch::arange(0, head_dim, 2, torch::kFloat64) / static_cast<double>(head_dim));
  torch::Tensor freqs = torch::outer(torch::arange(seq, torch::kFloat64), inv_freq);
  torch::Tensor emb = torch::cat({freqs, freqs}, -1);
  return {emb.cos().to(options), emb.sin().to(options)};
}

struct ModernBertEmbeddingsImpl : nn::Module {
  explicit ModernBertEmbeddingsImpl(const EncoderConfig& c) {
    tok_embeddings = register_module(
        "tok_embeddings", nn::Embedding(nn::EmbeddingOptions(c.vocab_size, c.hidden_size).padding_idx(c.pad_token_id)));
    norm = register_module("norm", Norm(c.hidden_size, c.layer_norm_eps, c.norm_bias));
    drop = register_module("drop", nn::Dropout(c.embedding_dropout));
  }
  torch::Tensor forward(const torch::Tensor& ids) { return drop(norm(tok_embeddings(ids))); }
  nn::Embedding tok_embeddings{nullptr};
  Norm norm{nullptr};
  nn::Dropout drop{nullptr};
};
TORCH_MODULE(ModernBertEmbeddings);

struct ModernBertAttentionImpl : nn::Module {
  explicit ModernBertAttentionImpl(const EncoderConfig& c)
      : heads(c.num_attention_heads), head_dim(c.head_dim()), dropout_p(c.attention_dropout) {
    Wqkv = register_module("Wqkv", linear(c.hidden_size, 3 * c.hidden_size, c.attention_bias));
    Wo = register_module("Wo", linear(c.hidden_size, c.hidden_size, c.attention_bias));
    out_drop = register_module("out_drop", nn::Dropout(c.attention_dropout));
  }
  // bias: additive [B,1,S,S] (or broadcastable); cos/sin: [S, D].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& bias, const torch::Tensor& cos,
                        const torch::Tensor& sin) {
    int64_t b = x.size(0), s = x.size(1);
    // [B,S,3,H,D] -> [3,B,H,S,D]
    torch::Tensor qkv = Wqkv(x).view({b, s, 3, heads, head_dim}).permute({2, 0, 3, 1, 4});
    torch::Tensor q = apply_rotary(qkv[0], cos, sin);
    torch::Tensor k = apply_rotary(qkv[1], cos, sin);
    torch::Tensor v = qkv[2];
    torch::Tensor out = attention(q, k, v, bias, dropout_p, is_training()).transpose(1, 2).contiguous().view({b, s, heads * head_dim});
    return out_drop(Wo(out));
  }
  int64_t heads, head_dim;
  double dropout_p;
  nn::Linear Wqkv{nullptr}, Wo{nullptr};
  nn::Dropout out_drop{nullptr};
};
TORCH_MODULE(ModernBertAttention);

// GeGLU-style gated MLP: Wi -> (input, gate) halves -> act(input) * gate -> Wo.
struct ModernBertMLPImpl : nn::Module {
  explicit ModernBertMLPImpl(const EncoderConfig& c) : act(c.hidden_act) {
    Wi = register_module("Wi", linear(c.hidden_size, 2 * c.intermediate_size, c.mlp_bias));
    drop = register_module("drop", nn::Dropout(c.mlp_dropout));
    Wo = register_module("Wo", linear(c.intermediate_size, c.hidden_size, c.mlp_bias));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto halves = Wi(x).chunk(2, -1);
    return Wo(drop(activation(act, halves[0]) * halves[1]));
  }
  std::string act;
  nn::Linear Wi{nullptr}, Wo{nullptr};
  nn::Dropout drop{nullptr};
};
TORCH_MODULE(ModernBertMLP);

struct ModernBertLayerImpl : nn::Module {
  ModernBertLayerImpl(const EncoderConfig& c, int64_t index) {
    // The first layer has no attention norm: the embedding norm just ran (Identity in HF).
    if (index != 0) attn_norm = register_module("attn_norm", Norm(c.hidden_size, c.layer_norm_eps, c.norm_bias));
    attn = register_module("attn", ModernBertAttention(c));
    mlp_norm = register_module("mlp_norm", Norm(c.hidden_size, c.layer_norm_eps, c.norm_bias));
    mlp = register_module("mlp", ModernBertMLP(c));
    is_global = index % c.global_attn_every_n_layers == 0;
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& bias, const torch::Tensor& cos,
                        const torch::Tensor& sin) {
    torch::Tensor h = x + attn(attn_norm ? attn_norm(x) : x, bias, cos, sin);
    return h + mlp(mlp_norm(h));
  }
  Norm attn_norm{nullptr}, mlp_norm{nullptr};
  ModernBertAttention attn{nullptr};
  ModernBertMLP mlp{nullptr};
  bool is_global = true;
};
TORCH_MODULE(ModernBertLayer);

struct ModernBertModelImpl : nn::Module {
  explicit ModernBertModelImpl(const EncoderConfig& c) {
    embeddings = register_module("embeddings", ModernBertEmbeddings(c));
    layers = register_module("layers", nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) layers->push_back(ModernBertLayer(c, i));
    final_norm = register_module("final_norm", Norm(c.hidden_size, c.layer_norm_eps, c.norm_bias));
  }
  ModernBertEmbeddings embeddings{nullptr};
  nn::ModuleList layers{nullptr};
  Norm final_norm{nullptr};
};
TORCH_MODULE(ModernBertModel);

struct ModernBertPredictionHeadImpl : nn::Module {
  explicit ModernBertPredictionHeadImpl(const EncoderConfig& c) : act(c.classifier_activation) {
    dense = register_module("dense", linear(c.hidden_size, c.hidden_size, c.classifier_bias));
    norm = register_module("norm", Norm(c.hidden_size, c.layer_norm_eps, c.norm_bias));
  }
  torch::Tensor forward(const torch::Tensor& x) { return norm(activation(act, dense(x))); }
  std::string act;
  nn::Linear dense{nullptr};
  Norm norm{nullptr};
};
TORCH_MODULE(ModernBertPredictionHead);

class ModernBertClassifier : public EncoderClassifierImpl {
 public:
  explicit ModernBertClassifier(const EncoderConfig& c) : EncoderClassifierImpl(c) {
    check_activation(c.hidden_act, "ModernBERT config hidden_activation");
    check_activation(c.classifier_activation, "ModernBERT config classifier_activation");
    model = register_module("model", ModernBertModel(c));
    head = register_module("head", ModernBertPredictionHead(c));
    drop = register_module("drop", nn::Dropout(c.classifier_dropout.value_or(0.0)));
    classifier = register_module("classifier", nn::Linear(c.hidden_size, static_cast<int64_t>(c.labels.num_labels())));
    reset_parameters();
  }

  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) override {
    const EncoderConfig& c = config_;
    int64_t seq = input_ids.size(1);
    torch::Tensor x = model->embeddings(input_ids);
    auto dtype = x.scalar_type();
    // Global layers: padding bias only. Local layers: additionally mask keys farther than
    // local_attention/2 from the query (HF: distance <= local_attention // 2 is attended).
    torch::Tensor global_bias = padding_bias(attention_mask, dtype);
    torch::Tensor local_bias = global_bias;  // when the window covers the whole sequence
    if (c.local_attention / 2 < seq - 1) {
      torch::Tensor pos = torch::arange(seq, input_ids.options());
      torch::Tensor outside = (pos.unsqueeze(0) - pos.unsqueeze(1)).abs() > c.local_attention / 2;
      torch::Tensor base = global_bias.defined() ? global_bias.expand({-1, 1, seq, seq})
                                                 : torch::zeros({1, 1, seq, seq}, x.options());
      local_bias = base.masked_fill(outside, lowest_value(dtype));
    }
    auto [gcos, gsin] = rotary_tables(seq, c.head_dim(), c.global_rope_theta, x.options());
    auto [lcos, lsin] = rotary_tables(seq, c.head_dim(), c.local_rope_theta, x.options());
    for (const auto& m : *model->layers) {
      auto* layer = m->as<ModernBertLayerImpl>();
      x = layer->is_global ? layer->forward(x, global_bias, gcos, gsin) : layer->forward(x, local_bias, lcos, lsin);
    }
    x = model->final_norm(x);
    torch::Tensor pooled;
    if (c.classifier_pooling == "mean") {
      torch::Tensor mask = attention_mask.unsqueeze(-1).to(dtype);
      pooled = (x * mask).sum(1) / mask.sum(1);
    } else {
      pooled = x.select(1, 0);
    }
    return classifier(drop(head(pooled)));
  }

  void reset_parameters() override {
    // Hugging Face's ModernBertPreTrainedModel._init_weights: truncated normal (cutoff 2 std),
    // std = initializer_range for inputs, scaled by 1/sqrt(2 * layers) for outputs, hidden^-0.5
    // for the head's dense and the classifier; zero biases; norms 1/0.
    torch::NoGradGuard no_grad;
    const EncoderConfig& c = config_;
    const double std = c.initializer_range, cutoff = 2.0;
    const double out_std = std / std::sqrt(2.0 * static_cast<double>(c.num_hidden_layers));
    const double final_std = 1.0 / std::sqrt(static_cast<double>(c.hidden_size));
    auto init_linear = [&](nn::Linear& l, double s) {
      trunc_normal_(l->weight, s, cutoff);
      if (l->bias.defined()) l->bias.zero_();
    };
    trunc_normal_(model->embeddings->tok_embeddings->weight, std, cutoff);
    for (const auto& m : *model->layers) {
      auto* layer = m->as<ModernBertLayerImpl>();
      init_linear(layer->attn->Wqkv, std);
      init_linear(layer->attn->Wo, out_std);
      init_linear(layer->mlp->Wi, std);
      init_linear(layer->mlp->Wo, out_std);
    }
    init_linear(head->dense, out_std);
    init_linear(classifier, final_std);
    for (auto& m : modules(false)) {
      if (auto* n = m->as<NormImpl>()) n->reset();
    }
  }

  std::vector<std::string> head_prefixes() const override { return {"classifier.", "head."}; }

 private:
  ModernBertModel model{nullptr};
  ModernBertPredictionHead head{nullptr};
  nn::Dropout drop{nullptr};
  nn::Linear classifier{nullptr};
};

}  // namespace

std::shared_ptr<EncoderClassifierImpl> make_modernbert_classifier(const EncoderConfig& config) {
  return std::make_shared<ModernBertClassifier>(config);
}

}  // namespace mom::models::encoders
