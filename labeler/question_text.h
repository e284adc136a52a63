// Turning an lm-eval prompt back into the question a user would ask.
#pragma once

#include <string>

namespace mom::labeler {

// Rules (documented in docs/labeler.md):
//  1. humaneval* tasks: the doc's `prompt` field (signature + docstring) when given, since the
//     instruct prompt wraps it in fixed instructions and a code-fence prefix.
//  2. A leading task description paragraph ("The following are multiple choice questions
//     (with answers) about X.\n\n", mmlu) is dropped.
//  3. A leading "Question:" / "Q:" label is dropped (other section labels such as logiqa's
//     "Passage:" stay: they carry structure).
//  4. The trailing answer cue ("Answer:", "A:") and surrounding whitespace are dropped.
//  Listed choices ("A. ...") stay, since the prompt shows them to the model.
std::string question_text(const std::string& task, const std::string& prompt,
                          const std::string& doc_prompt);

}  // namespace mom::labeler
