// safetensors <-> torch: conversion, strict loading and saving.
#include "models/weights.h"

#include <torch/torch.h>

#include <optional>
#include <set>
#include <sstream>

#include "core/error.h"

namespace mom::models {
namespace {

namespace st = safetensors;

std::optional<torch::ScalarType> scalar_type(st::DType dtype) {
  switch (dtype) {
    case st::DType::kF32: return torch::kFloat32;
    case st::DType::kF16: return torch::kFloat16;
    case st::DType::kBF16: return torch::kBFloat16;
    case st::DType::kF64: return torch::kFloat64;
    case st::DType::kI64: return torch::kInt64;
    case st::DType::kI32: return torch::kInt32;
    case st::DType::kI16: return torch::kInt16;
    case st::DType::kI8: return torch::kInt8;
    case st::DType::kU8: return torch::kUInt8;
    case st::DType::kBool: return torch::kBool;
  }
  return std::nullopt;
}

st::DType to_dtype(torch::ScalarType type, const std::string& name) {
  switch (type) {
    case torch::kFloat32: return st::DType::kF32;
    case torch::kFloat16: return st::DType::kF16;
    case torch::kBFloat16: return st::DType::kBF16;
    case torch::kFloat64: return st::DType::kF64;
    case torch::kInt64: return st::DType::kI64;
    case torch::kInt32: return st::DType::kI32;
    case torch::kInt16: return st::DType::kI16;
    case torch::kInt8: return st::DType::kI8;
    case torch::kUInt8: return st::DType::kU8;
    case torch::kBool: return st::DType::kBool;
    default: break;
  }
  throw Error("tensor '" + name + "': dtype " + std::string(c10::toString(type)) +
              " cannot be saved to safetensors");
}

bool is_floating(st::DType d) {
  return d == st::DType::kF32 || d == st::DType::kF16 || d == st::DType::kBF16 || d == st::DType::kF64;
}

std::string shape_str(c10::IntArrayRef shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << "]";
  return out.str();
}

bool matches_any(const std::string& name, const std::vector<std::string>& patterns) {
  for (const auto& p : patterns) {
    if (!p.empty() && p.back() == '.' ? name.rfind(p, 0) == 0 : name == p) return true;
  }
  return false;
}

// Old TF-converted BERT checkpoints name LayerNorm parameters gamma/beta.
std::string legacy_name(const std::string& name) {
  auto replace_suffix = [&](const std::string& from, const std::string& to) -> std::string {
    if (name.size() >= from.size() && name.compare(name.size() - from.size(), from.size(), from) == 0) {
      return name.substr(0, name.size() - from.size()) + to;
    }
    return "";
  };
  std::string s = replace_suffix("LayerNorm.weight", "LayerNorm.gamma");
  if (s.empty()) s = replace_suffix("LayerNorm.bias", "LayerNorm.beta");
  return s;
}

}  // namespace

torch::Tensor to_tensor(const st::TensorView& view, bool upcast_to_f32) {
  auto type = scalar_type(view.dtype);
  if (!type) throw Error(view.file + ": tensor '" + view.name + "': unsupported dtype");
  std::vector<int64_t> shape(view.shape.begin(), view.shape.end());
  // from_blob does not own the mmap'd bytes, so clone (the result outlives the Checkpoint).
  torch::Tensor t = torch::from_blob(const_cast<void*>(view.data), shape,
                                     torch::TensorOptions().dtype(*type))
                        .clone();
  if (upcast_to_f32 && is_floating(view.dtype) && view.dtype != st::DType::kF32) {
    t = t.to(torch::kFloat32);
  }
  return t;
}

LoadReport load_state(torch::nn::Module& module, const st::Checkpoint& checkpoint,
                      const std::string& prefix, const LoadOptions& options) {
  LoadReport report;
  std::set<std::string> used;
  torch::NoGradGuard no_grad;
  auto load_one = [&](const std::string& name, torch::Tensor& target) {
    std::string full = prefix + name;
    const st::TensorView* view = checkpoint.find(full);
    if (view == nullptr) {
      std::string alt = legacy_name(full);
      if (!alt.empty()) view = checkpoint.find(alt);
    }
    if (view == nullptr) {
      report.missing.push_back(name);
      return;
    }
    used.insert(view->name);
    const std::string where = view->file + ": tensor '" + view->name + "'";
    std::vector<int64_t> shape(view->shape.begin(), view->shape.end());
    if (c10::IntArrayRef(shape) != target.sizes()) {
      throw Error(where + ": shape " + shape_str(shape) + " does not match the model's " +
                  shape_str(target.sizes()) + " (config.json and weights disagree?)");
    }
    if (target.is_floating_point() != is_floating(view->dtype)) {
      throw Error(where + ": wrong dtype " + st::dtype_name(view->dtype) + " for a " +
                  c10::toString(target.scalar_type()) + " parameter");
    }
    target.copy_(to_tensor(*view, false).to(target.scalar_type()));
    ++report.loaded;
  };
  for (auto& item : module.named_parameters(true)) load_one(item.key(), item.value());
  for (auto& item : module.named_buffers(true)) load_one(item.key(), item.value());

  for (const std::string& name : checkpoint.names()) {
    if (name.rfind(prefix, 0) != 0 || used.count(name) != 0) continue;
    // HF's position_ids buffers are derived, not weights; older checkpoints still carry them.
    if (name.size() >= 12 && name.compare(name.size() - 12, 12, "position_ids") == 0) continue;
    report.unexpected.push_back(name);
  }
  std::vector<std::string> missing_required;
  for (const auto& m : report.missing) {
    if (!matches_any(m, options.allow_missing)) missing_required.push_back(m);
  }
  if (options.strict && !missing_required.empty()) {
    std::string where = checkpoint.names().empty() ? std::string("checkpoint")
                                                   : checkpoint.get(checkpoint.names()[0]).file;
    throw Error(where + ": tensor '" + prefix + missing_required[0] + "' missing" +
                (missing_required.size() > 1
                     ? " (and " + std::to_string(missing_required.size() - 1) + " more)"
                     : std::string()) +
                "; is this checkpoint for this architecture?");
  }
  if (options.strict && !options.ignore_unexpected && !report.unexpected.empty()) {
    const st::TensorView& v = checkpoint.get(report.unexpected[0]);
    throw Error(v.file + ": unexpected tensor '" + v.name + "'" +
                (report.unexpected.size() > 1
                     ? " (and " + std::to_string(report.unexpected.size() - 1) + " more)"
                     : std::string()) +
                " that the model has no parameter for (config.json and weights disagree?)");
  }
  return report;
}

void save_tensors(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                  const std::string& path, const std::map<std::string, std::string>& metadata) {
  std::vector<torch::Tensor> keep;  // contiguous CPU copies alive until written
  std::vector<st::TensorToWrite> out;
  keep.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) {
    torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
    keep.push_back(t);
    st::TensorToWrite w;
    w.name = name;
    w.dtype = to_dtype(t.scalar_type(), name);
    w.shape.assign(t.sizes().begin(), t.sizes().end());
    w.data = t.data_ptr();
    out.push_back(std::move(w));
  }
  st::write(path, out, metadata);
}

void save_state(const torch::nn::Module& module, const std::string& path, const std::string& prefix,
                const std::map<std::string, std::string>& metadata) {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& item : module.named_parameters(true)) tensors.emplace_back(prefix + item.key(), item.value());
  for (const auto& item : module.named_buffers(true)) tensors.emplace_back(prefix + item.key(), item.value());
  save_tensors(tensors, path, metadata);
}

}  // namespace mom::models
