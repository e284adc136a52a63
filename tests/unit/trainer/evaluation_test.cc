// Routing metrics on a hand-made dataset whose numbers were worked out by hand (see the table in
// the comment), and the routing policy's rule.
#include "trainer/evaluation.h"

#include <gtest/gtest.h>

#include "coordinator/routing_policy.h"
#include "core/error.h"

namespace mom::trainer {
namespace {

// Models A, B, C (costs 1, 2, 10). "+" right, "-" wrong, "x" absent; pick = router's choice.
//        q  dataset  A B C  label pick  routed
//        0  arc      + - -  A     A     right
//        1  arc      + + -  B     B     right
//        2  arc      - + -  B     A     wrong
//        3  arc      - - +  C     C     right
//        4  arc      - - -  A     A     wrong (nobody right)
//        5  arc      + - x  A     C     wrong (absent counts as wrong when picked)
//        6  mmlu     - + -  B     B     right
//        7  mmlu     - + +  C     C     right
//        8  mmlu     + - -  A     B     wrong
//        9  mmlu     - + x  B     B     right
// all:  A 4/10, B 5/10, C 2/10 -> best single B 0.5; oracle 9/10; routed 6/10; headroom 0.25;
//       label accuracy 7/10; mean cost (1*3 + 2*4 + 10*3) / 10 = 4.1.
// arc:  A 3/6 best; oracle 5/6; routed 3/6 -> headroom 0.   mmlu: B 3/4; oracle 4/4; routed 3/4.
LabeledData hand_made() {
  LabeledData d;
  d.path = "hand-made";
  d.model_ids = {1, 2, 3};
  d.model_names = {"A", "B", "C"};
  struct Row {
    const char* dataset;
    const char* outcome;
    int label;
  };
  std::vector<Row> rows = {{"arc", "+--", 0}, {"arc", "++-", 1}, {"arc", "-+-", 1}, {"arc", "--+", 2},
                           {"arc", "---", 0}, {"arc", "+-x", 0}, {"mmlu", "-+-", 1}, {"mmlu", "-++", 2},
                           {"mmlu", "+--", 0}, {"mmlu", "-+x", 1}};
  for (const Row& r : rows) {
    LabeledQuestion q;
    q.text = "q";
    q.dataset = r.dataset;
    q.label = r.label;
    for (int m = 0; m < 3; ++m) {
      q.correct.push_back(r.outcome[m] == '+');
      q.absent.push_back(r.outcome[m] == 'x');
    }
    d.questions.push_back(q);
  }
  return d;
}

TEST(Evaluation, HandMadeNumbers) {
  LabeledData d = hand_made();
  std::vector<size_t> all = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<int> picks = {0, 1, 0, 2, 0, 2, 1, 2, 1, 1};
  RouteMetrics m = evaluate_routing(d, all, picks, {1, 2, 10});
  EXPECT_EQ(m.overall.questions, 10u);
  EXPECT_DOUBLE_EQ(m.overall.routed_accuracy, 0.6);
  EXPECT_EQ(m.overall.best_single_model, "B");
  EXPECT_DOUBLE_EQ(m.overall.best_single_accuracy, 0.5);
  EXPECT_DOUBLE_EQ(m.overall.oracle_accuracy, 0.9);
  ASSERT_TRUE(m.overall.headroom_captured);
  EXPECT_NEAR(*m.overall.headroom_captured, 0.25, 1e-12);
  EXPECT_DOUBLE_EQ(m.overall.label_accuracy, 0.7);
  EXPECT_NEAR(m.overall.mean_cost, 4.1, 1e-12);

  ASSERT_EQ(m.per_dataset.size(), 2u);
  const RouteScores& arc = m.per_dataset.at("arc");
  EXPECT_EQ(arc.questions, 6u);
  EXPECT_EQ(arc.best_single_model, "A");
  EXPECT_DOUBLE_EQ(arc.best_single_accuracy, 0.5);
  EXPECT_NEAR(arc.oracle_accuracy, 5.0 / 6, 1e-12);
  EXPECT_DOUBLE_EQ(arc.routed_accuracy, 0.5);
  EXPECT_NEAR(*arc.headroom_captured, 0.0, 1e-12);
  const RouteScores& mmlu = m.per_dataset.at("mmlu");
  EXPECT_EQ(mmlu.best_single_model, "B");
  EXPECT_DOUBLE_EQ(mmlu.best_single_accuracy, 0.75);
  EXPECT_DOUBLE_EQ(mmlu.oracle_accuracy, 1.0);
  EXPECT_DOUBLE_EQ(mmlu.routed_accuracy, 0.75);

  Json j = route_metrics_json(m);
  EXPECT_EQ(j["questions"], 10);
  EXPECT_EQ(j["best_single_model"], "B");
  EXPECT_NEAR(j["headroom_captured"].get<double>(), 0.25, 1e-12);
  EXPECT_EQ(j["per_dataset"]["mmlu"]["questions"], 4);
  EXPECT_NE(route_metrics_table(m).find("all"), std::string::npos);
}

TEST(Evaluation, HeadroomUndefinedWhenOracleEqualsBest) {
  LabeledData d = hand_made();
  RouteMetrics m = evaluate_routing(d, {6, 9}, {1, 1}, {});  // B right on both: oracle = best = 1
  EXPECT_FALSE(m.overall.headroom_captured);
  EXPECT_TRUE(route_metrics_json(m)["headroom_captured"].is_null());
}

TEST(Evaluation, ModelAccuracies) {
  auto acc = model_accuracies(hand_made(), {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_DOUBLE_EQ(acc[0], 0.4);
  EXPECT_DOUBLE_EQ(acc[1], 0.5);
  EXPECT_DOUBLE_EQ(acc[2], 0.2);
}

TEST(RoutingPolicy, FallbackUnlessACandidateBeatsItByTheMargin) {
  RoutingPolicy p;
  p.fallback = 0;
  p.candidates = {1, 2};
  p.margin = 0.1;
  EXPECT_EQ(p.choose({0.5f, 0.55f, 0.7f}), 2);
  EXPECT_EQ(p.choose({0.5f, 0.55f, 0.58f}), 0);
  EXPECT_EQ(p.choose({0.5f, 0.65f, 0.62f}), 1);  // both beat it: the higher one
  p.costs = {1, 2, 10};
  p.cost_weight = 0.05;                          // C: 0.7 - 0.5 = 0.2; A: 0.45
  EXPECT_EQ(p.choose({0.5f, 0.55f, 0.7f}), 0);
  p.cost_weight = 0;
  p.candidates = {1};                            // C not shortlisted
  EXPECT_EQ(p.choose({0.5f, 0.55f, 0.99f}), 0);
}

TEST(RoutingPolicy, ArgmaxWithoutFallback) {
  RoutingPolicy p;
  EXPECT_EQ(p.choose({0.1f, 0.7f, 0.2f}), 1);
  p.costs = {0, 10, 0};
  p.cost_weight = 0.1;  // B: 0.7 - 1.0
  EXPECT_EQ(p.choose({0.1f, 0.7f, 0.2f}), 2);
}

TEST(RoutingPolicy, JsonRoundTrip) {
  RoutingPolicy p;
  p.fallback = 1;
  p.candidates = {0, 2};
  p.costs = {1, 2, 10};
  p.cost_weight = 0.3;
  p.margin = 0.05;
  std::vector<std::string> labels = {"A", "B", "C"};
  Json j = p.to_json(labels);
  EXPECT_EQ(j["fallback"], "B");
  RoutingPolicy q = RoutingPolicy::from_json(j, labels, "policy.json");
  EXPECT_EQ(q.fallback, 1);
  EXPECT_EQ(q.candidates, p.candidates);
  EXPECT_EQ(q.costs, p.costs);
  EXPECT_DOUBLE_EQ(q.cost_weight, 0.3);
  EXPECT_DOUBLE_EQ(q.margin, 0.05);
  EXPECT_THROW(RoutingPolicy::from_json(j, {"A", "C"}, "policy.json"), Error);
}

TEST(Evaluation, TuneMarginPrefersTheLargestBestMargin) {
  // Fallback B, candidate A. q1 both right, q2 only B right, q0 only A right.
  LabeledData d = hand_made();
  std::vector<size_t> idx = {1, 2, 0};
  std::vector<std::vector<float>> scores = {{0.6f, 0.5f, 0}, {0.65f, 0.5f, 0}, {0.9f, 0.5f, 0}};
  RoutingPolicy p;
  p.fallback = 1;
  p.candidates = {0};
  // margins 0, 0.1 -> 2/3 (q2 goes to A); 0.2, 0.3 -> 3/3; 0.5 -> 2/3 (q0 stays on B)
  EXPECT_DOUBLE_EQ(tune_margin(d, idx, scores, p, {0, 0.1, 0.2, 0.3, 0.5}), 0.3);
}

TEST(Evaluation, SweepListsRouterAndSingleModels) {
  LabeledData d = hand_made();
  std::vector<size_t> idx = {1, 2, 0};
  std::vector<std::vector<float>> scores = {{0.6f, 0.5f, 0}, {0.65f, 0.5f, 0}, {0.9f, 0.5f, 0}};
  RoutingPolicy p;
  p.fallback = 1;
  p.candidates = {0};
  p.costs = {1, 2, 10};
  auto points = sweep_cost_weight(d, idx, scores, p, {0, 1});
  ASSERT_EQ(points.size(), 5u);
  EXPECT_NEAR(points[0].accuracy, 2.0 / 3, 1e-12);  // lambda 0: A everywhere
  EXPECT_DOUBLE_EQ(points[0].mean_cost, 1.0);
  EXPECT_EQ(points[2].name, "A");
  EXPECT_DOUBLE_EQ(points[3].mean_cost, 2.0);
}

TEST(Evaluation, ShortlistCandidates) {
  LabeledData d = hand_made();
  d.model_ids = {1, 27, 3};  // 27 is a registry id, not "the top 27"
  std::vector<double> acc = {0.4, 0.5, 0.2};
  EXPECT_EQ(shortlist_candidates("", d, acc), (std::vector<int>{1, 0, 2}));
  EXPECT_EQ(shortlist_candidates("top2", d, acc), (std::vector<int>{1, 0}));
  EXPECT_EQ(shortlist_candidates("top9", d, acc), (std::vector<int>{1, 0, 2}));
  EXPECT_EQ(shortlist_candidates("all", d, acc), (std::vector<int>{1, 0, 2}));
  EXPECT_EQ(shortlist_candidates("27", d, acc), (std::vector<int>{1}));
  EXPECT_EQ(shortlist_candidates("C,A", d, acc), (std::vector<int>{2, 0}));
  EXPECT_THROW(shortlist_candidates("top0", d, acc), Error);
  EXPECT_THROW(shortlist_candidates("A,Z", d, acc), Error);
}


TEST(RoutingPolicy, OutOfDistributionQuestionsGoToTheFallback) {
  RoutingPolicy p;
  p.fallback = 0;
  p.candidates = {1, 2};
  p.ood_threshold = 0.3;
  p.ood_index = "similarity_index.safetensors";
  ASSERT_TRUE(p.ood_gate());
  EXPECT_EQ(p.choose({0.1f, 0.2f, 0.9f}, 0.31), 2);  // close enough: the router decides
  EXPECT_EQ(p.choose({0.1f, 0.2f, 0.9f}, 0.29), 0);  // far: the fallback, whatever the scores
  EXPECT_EQ(p.choose({0.1f, 0.2f, 0.9f}), 2);        // no similarity given: in distribution
  p.ood_threshold = 0;
  EXPECT_EQ(p.choose({0.1f, 0.2f, 0.9f}, 0.0), 2);   // gate off
  RoutingPolicy argmax;                              // no fallback: nothing to fall back to
  argmax.ood_threshold = 0.3;
  EXPECT_FALSE(argmax.ood_gate());
  EXPECT_EQ(argmax.choose({0.1f, 0.7f, 0.2f}, 0.0), 1);
}

TEST(RoutingPolicy, OutOfDistributionJson) {
  std::vector<std::string> labels = {"A", "B", "C"};
  RoutingPolicy p;
  p.fallback = 1;
  EXPECT_TRUE(p.to_json(labels)["ood"].is_null());
  p.ood_threshold = 0.125;
  p.ood_neighbours = 7;
  p.ood_index = "index.safetensors";
  Json j = p.to_json(labels);
  RoutingPolicy q = RoutingPolicy::from_json(j, labels, "policy.json");
  EXPECT_DOUBLE_EQ(q.ood_threshold, 0.125);
  EXPECT_EQ(q.ood_neighbours, 7);
  EXPECT_EQ(q.ood_index, "index.safetensors");
  j["ood"]["index"] = "";
  try {
    RoutingPolicy::from_json(j, labels, "dir/routing_policy.json");
    FAIL() << "accepted a gate without its index";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dir/routing_policy.json: ood.index"), std::string::npos) << e.what();
  }
  j["ood"]["index"] = "i";
  j["ood"]["threshold"] = 1.5;
  EXPECT_THROW(RoutingPolicy::from_json(j, labels, "p.json"), Error);
}

TEST(Evaluation, OodThresholdIsAQuantileOfHeldOutSimilarity) {
  std::vector<double> s = {0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 1.0, 0.4, 0.8, 0.6};
  double t = ood_threshold_at_quantile(s, 0.2);
  EXPECT_DOUBLE_EQ(t, 0.3);  // 0.1 and 0.2 fall below: 20%
  EXPECT_DOUBLE_EQ(ood_threshold_at_quantile(s, 0), 0);
  EXPECT_DOUBLE_EQ(ood_threshold_at_quantile({}, 0.1), 0);
  // Gated questions in route_all: the fallback (B) wherever similarity < threshold.
  RoutingPolicy p;
  p.fallback = 1;
  p.candidates = {0};
  p.ood_threshold = t;
  p.ood_index = "x";
  std::vector<std::vector<float>> scores(s.size(), std::vector<float>{0.9f, 0.1f, 0.f});
  std::vector<int> picks = route_all(p, scores, s);
  for (size_t k = 0; k < s.size(); ++k) EXPECT_EQ(picks[k], s[k] < 0.3 ? 1 : 0) << k;
  EXPECT_THROW(route_all(p, scores, {0.5}), Error);
}

}  // namespace
}  // namespace mom::trainer
