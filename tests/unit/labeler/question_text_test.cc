// Prompt -> question text rules.
#include <gtest/gtest.h>

#include "labeler/question_text.h"

namespace mom::labeler {
namespace {

TEST(QuestionText, StripsHeaderQuestionLabelAndAnswerCue) {
  EXPECT_EQ(question_text("arc_challenge", "Question: Why is the sky blue?\nAnswer:", ""),
            "Why is the sky blue?");
  EXPECT_EQ(question_text("mmlu_anatomy",
                          "The following are multiple choice questions (with answers) about anatomy.\n\n"
                          "Which bone?\nA. femur\nB. tibia\nAnswer:",
                          ""),
            "Which bone?\nA. femur\nB. tibia");
  // logiqa keeps its section labels.
  EXPECT_EQ(question_text("logiqa", "Passage: P\nQuestion: Q\nChoices:\nA. x\nAnswer:", ""),
            "Passage: P\nQuestion: Q\nChoices:\nA. x");
  EXPECT_EQ(question_text("humaneval_instruct", "Write a solution...```def f():\n Here is", "def f():\n  \"\"\"doc\"\"\"\n"),
            "def f():\n  \"\"\"doc\"\"\"");
}

}  // namespace
}  // namespace mom::labeler
