// Samples JSONL parser on simdjson's DOM API (one reused parser per call; callers parallelise
// across files).
#include "labeler/sample_record.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "core/error.h"
#include "labeler/question_text.h"

namespace mom::labeler {

const char* record_kind_name(RecordKind kind) {
  return kind == RecordKind::kMultipleChoice ? "multiple_choice" : "generate";
}

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// A line's fields before the filter is chosen.
struct RawRecord {
  SampleRecord record;
  std::string filter;
};

std::optional<double> parse_double(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<double> number_of(element e) {
  if (e.is_number()) return e.get_double().value();
  if (e.is_bool()) return e.get_bool().value() ? 1.0 : 0.0;
  if (e.is_string()) return parse_double(e.get_string().value());
  return std::nullopt;
}

// Multiple choice records log one [loglikelihood, is_greedy] pair per choice.
std::optional<std::vector<double>> choice_loglikelihoods(element filtered_resps) {
  array choices;
  if (filtered_resps.get_array().get(choices) != simdjson::SUCCESS || choices.size() < 2) {
    return std::nullopt;
  }
  std::vector<double> lls;
  for (element choice : choices) {
    array pair;
    if (choice.get_array().get(pair) != simdjson::SUCCESS || pair.size() != 2) return std::nullopt;
    auto ll = number_of(pair.at(0).value());
    element greedy = pair.at(1).value();
    bool greedy_ok = greedy.is_bool() ||
                     (greedy.is_string() && (greedy.get_string().value() == "True" ||
                                             greedy.get_string().value() == "False"));
    if (!ll || !greedy_ok) return std::nullopt;
    lls.push_back(*ll);
  }
  return lls;
}

std::string trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Continuation strings of a multiple-choice record (arguments.gen_args_i.arg_1).
std::vector<std::string> continuations(object arguments, size_t n) {
  std::vector<std::string> out(n);
  for (size_t i = 0; i < n; ++i) {
    element args;
    if (arguments[std::string("gen_args_") + std::to_string(i)].get(args) != simdjson::SUCCESS) continue;
    std::string_view cont;
    if (args["arg_1"].get_string().get(cont) == simdjson::SUCCESS) out[i] = trimmed(cont);
  }
  return out;
}

// The gold choice index. The harness logs `target` as an index (2, or "2": an all-digit target
// is an index, as lm-eval's doc_to_target makes it), the gold choice's text (" A" for csqa) or a
// letter. Candidates in that order; the first consistent with the logged `acc` (acc == 1 iff the
// first argmax is gold) wins, so a target the rules misread cannot silently pick a wrong choice.
std::optional<size_t> gold_index(element target, const std::vector<std::string>& conts,
                                 const std::vector<double>& lls, bool acc) {
  size_t n = lls.size();
  std::vector<size_t> candidates;
  auto add = [&](size_t i) {
    if (i < n && std::find(candidates.begin(), candidates.end(), i) == candidates.end()) {
      candidates.push_back(i);
    }
  };
  if (target.is_int64() || target.is_uint64()) {
    int64_t v = target.is_int64() ? target.get_int64().value()
                                   : static_cast<int64_t>(target.get_uint64().value());
    if (v >= 0) add(static_cast<size_t>(v));
  } else if (target.is_string()) {
    std::string t = trimmed(target.get_string().value());
    // The harness turns an all-digit target into a choice index before anything else, so
    // "2" is choice 2 even when some choice's text is "2".
    if (!t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        t.size() < 6) {
      add(static_cast<size_t>(std::stoul(t)));
    }
    for (size_t i = 0; i < n; ++i) {
      if (!conts[i].empty() && conts[i] == t) add(i);
    }
    if (t.size() == 1 && t[0] >= 'A' && t[0] <= 'Z') add(static_cast<size_t>(t[0] - 'A'));
    if (t.size() == 1 && t[0] >= 'a' && t[0] <= 'z') add(static_cast<size_t>(t[0] - 'a'));
  }
  size_t argmax = static_cast<size_t>(std::max_element(lls.begin(), lls.end()) - lls.begin());
  for (size_t c : candidates) {
    if ((argmax == c) == acc) return c;
  }
  return std::nullopt;
}

double softmax_probability(const std::vector<double>& lls, size_t index) {
  double max = *std::max_element(lls.begin(), lls.end());
  double sum = 0;
  for (double ll : lls) sum += std::exp(ll - max);
  return std::exp(lls[index] - max) / sum;
}

std::string target_text(element target) {
  if (target.is_string()) return std::string(target.get_string().value());
  return simdjson::to_string(target);
}

// The correctness metric of a generation record: exact_match, pass@1, acc, else the first
// metric the record lists with a numeric value.
std::optional<double> generation_score(object line) {
  for (const char* name : {"exact_match", "pass@1", "acc"}) {
    element v;
    if (line[name].get(v) == simdjson::SUCCESS) {
      if (auto num = number_of(v)) return num;
    }
  }
  array metrics;
  if (line["metrics"].get_array().get(metrics) == simdjson::SUCCESS) {
    for (element m : metrics) {
      std::string_view name;
      if (m.get_string().get(name) != simdjson::SUCCESS) continue;
      element v;
      if (line[name].get(v) == simdjson::SUCCESS) {
        if (auto num = number_of(v)) return num;
      }
    }
  }
  return std::nullopt;
}

RawRecord parse_line(object line, const std::string& task, const ParseOptions& options,
                     const std::string& where) {
  RawRecord raw;
  SampleRecord& r = raw.record;
  int64_t doc_id;
  if (line["doc_id"].get_int64().get(doc_id) != simdjson::SUCCESS) {
    throw Error(where + ": field 'doc_id' missing or not an integer");
  }
  r.doc_id = doc_id;
  std::string_view sv;
  if (line["doc_hash"].get_string().get(sv) == simdjson::SUCCESS) r.doc_hash = std::string(sv);
  raw.filter = line["filter"].get_string().get(sv) == simdjson::SUCCESS ? std::string(sv) : "none";

  element filtered;
  if (line["filtered_resps"].get(filtered) != simdjson::SUCCESS) {
    throw Error(where + ": field 'filtered_resps' missing");
  }
  object arguments;
  bool has_arguments = line["arguments"].get_object().get(arguments) == simdjson::SUCCESS;

  if (auto lls = choice_loglikelihoods(filtered)) {
    r.kind = RecordKind::kMultipleChoice;
    element acc_el;
    if (line["acc"].get(acc_el) != simdjson::SUCCESS || !number_of(acc_el)) {
      throw Error(where + ": multiple-choice record without a numeric 'acc' metric");
    }
    r.correct = *number_of(acc_el) > 0.5;
    element target;
    if (line["target"].get(target) != simdjson::SUCCESS) {
      throw Error(where + ": field 'target' missing");
    }
    auto conts = has_arguments ? continuations(arguments, lls->size())
                               : std::vector<std::string>(lls->size());
    auto gold = gold_index(target, conts, *lls, r.correct);
    if (!gold) {
      throw Error(where + ": cannot tell the gold choice from target '" + target_text(target) +
                  "' consistently with acc=" + (r.correct ? "1" : "0") + " over " +
                  std::to_string(lls->size()) + " choices");
    }
    r.confidence = softmax_probability(*lls, *gold);
  } else {
    r.kind = RecordKind::kGenerate;
    auto score = generation_score(line);
    if (!score) {
      throw Error(where + ": generation record without a numeric exact_match / pass@1 / acc metric");
    }
    r.correct = *score > 0.5;
  }

  if (options.want_text) {
    std::string prompt;
    element args0;
    if (has_arguments && arguments["gen_args_0"].get(args0) == simdjson::SUCCESS &&
        args0["arg_0"].get_string().get(sv) == simdjson::SUCCESS) {
      prompt = std::string(sv);
    }
    std::string doc_prompt;
    if (line["doc"]["prompt"].get_string().get(sv) == simdjson::SUCCESS) doc_prompt = std::string(sv);
    if (prompt.empty() && doc_prompt.empty()) {
      throw Error(where + ": no prompt (arguments.gen_args_0.arg_0) to take the question text from");
    }
    r.text = question_text(task, prompt, doc_prompt);
  }
  return raw;
}

}  // namespace

std::string choose_filter(const std::vector<std::string>& filters_seen, const std::string& requested,
                          const std::string& path) {
  auto has = [&](const std::string& f) {
    return std::find(filters_seen.begin(), filters_seen.end(), f) != filters_seen.end();
  };
  if (filters_seen.size() == 1) return filters_seen.front();
  std::string listed;
  for (const auto& f : filters_seen) listed += (listed.empty() ? "" : ", ") + f;
  if (!requested.empty()) {
    if (has(requested)) return requested;
    throw Error(path + ": filter '" + requested + "' not logged; this file has: " + listed);
  }
  if (has("flexible-extract")) return "flexible-extract";
  throw Error(path + ": each doc is logged once per filter (" + listed +
              "); choose one with --filter NAME");
}

ParsedFile parse_samples(const std::string& path, const std::string& task, std::string content,
                         const ParseOptions& options) {
  ParsedFile out;
  out.path = path;
  out.task = task;
  out.bytes = content.size();
  size_t data_size = content.size();
  content.append(simdjson::SIMDJSON_PADDING, '\0');  // lets simdjson read lines in place

  simdjson::dom::parser parser;
  std::vector<RawRecord> raws;
  std::vector<std::string> filters_seen;
  size_t pos = 0;
  size_t line_number = 0;
  while (pos < data_size) {
    size_t end = content.find('\n', pos);
    if (end == std::string::npos || end > data_size) end = data_size;
    ++line_number;
    const char* begin = content.data() + pos;
    size_t length = end - pos;
    pos = end + 1;
    std::string_view view(begin, length);
    if (view.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    std::string where = path + ":" + std::to_string(line_number);
    try {
      element doc;
      auto error = parser.parse(begin, length, false).get(doc);
      if (error) throw Error(where + ": malformed JSON: " + simdjson::error_message(error));
      object line;
      if (doc.get_object().get(line) != simdjson::SUCCESS) throw Error(where + ": not a JSON object");
      RawRecord raw = parse_line(line, task, options, where);
      raw.record.line = line_number;
      if (std::find(filters_seen.begin(), filters_seen.end(), raw.filter) == filters_seen.end()) {
        filters_seen.push_back(raw.filter);
      }
      raws.push_back(std::move(raw));
    } catch (const Error&) {
      if (!options.skip_bad_lines) throw;
      ++out.bad_lines;
    } catch (const simdjson::simdjson_error& e) {
      if (!options.skip_bad_lines) throw Error(where + ": unexpected JSON shape: " + e.what());
      ++out.bad_lines;
    }
  }
  if (raws.empty()) {
    throw Error(path + ": no sample records" +
                (out.bad_lines ? " (" + std::to_string(out.bad_lines) + " bad lines skipped)" : ""));
  }
  out.filters_seen = filters_seen;
  out.filter = choose_filter(filters_seen, options.filter, path);
  std::map<int64_t, size_t> seen;
  for (auto& raw : raws) {
    if (raw.filter != out.filter) continue;
    auto [it, inserted] = seen.emplace(raw.record.doc_id, raw.record.line);
    if (!inserted) {
      throw Error(path + ":" + std::to_string(raw.record.line) + ": doc_id " +
                  std::to_string(raw.record.doc_id) + " already logged at line " +
                  std::to_string(it->second) + " for filter '" + out.filter + "'");
    }
    out.records.push_back(std::move(raw.record));
  }
  return out;
}

}  // namespace mom::labeler
