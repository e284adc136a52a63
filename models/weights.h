// Between safetensors checkpoints and torch modules: tensor conversion, strict state loading with
// errors that name the tensor, and saving a module's parameters.
#pragma once

#include <torch/nn/module.h>

#include <map>
#include <string>
#include <vector>

#include "core/safetensors/safetensors.h"

namespace mom::models {

// A CPU tensor holding a copy of `view`'s data. Floating tensors (F32/F16/BF16/F64) become
// float32 when `upcast_to_f32`, else keep their dtype. Throws mom::Error naming the tensor for
// dtypes torch cannot hold.
torch::Tensor to_tensor(const safetensors::TensorView& view, bool upcast_to_f32 = true);

struct LoadOptions {
  // Strict: every parameter/buffer of the module must be in the checkpoint and every checkpoint
  // tensor under `prefix` must be used. Non-strict (fine-tuning from a pretrained base) lists them
  // in the report instead. Shape and dtype mismatches always throw.
  bool strict = true;
  // Module names that may be absent even when strict (e.g. a fresh classifier: "classifier.").
  // An entry ending in '.' matches a name prefix, otherwise the whole name.
  std::vector<std::string> allow_missing;
  // Checkpoint tensors no module name uses (a masked-LM head when fine-tuning) are only reported.
  bool ignore_unexpected = false;
};

struct LoadReport {
  std::vector<std::string> missing;     // module names not found in the checkpoint (kept as is)
  std::vector<std::string> unexpected;  // checkpoint names under the prefix no module name used
  size_t loaded = 0;
};

// Copies checkpoint tensors into `module`'s parameters and persistent buffers: module name `n`
// reads checkpoint tensor `prefix + n` (legacy "LayerNorm.gamma/beta" are accepted for
// ".weight/.bias"). Floating checkpoint dtypes are converted to the parameter's dtype; an integer
// tensor for a float parameter is a "wrong dtype" error. Errors name the checkpoint file/tensor.
LoadReport load_state(torch::nn::Module& module, const safetensors::Checkpoint& checkpoint,
                      const std::string& prefix = "", const LoadOptions& options = {});

// Writes `module`'s parameters and buffers as `prefix + name` to one .safetensors file (CPU,
// contiguous, in their own dtype).
void save_state(const torch::nn::Module& module, const std::string& path,
                const std::string& prefix = "",
                const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

// The same for an explicit name -> tensor list (several modules under different prefixes).
void save_tensors(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                  const std::string& path,
                  const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

}  // namespace mom::models
