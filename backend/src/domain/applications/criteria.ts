// A fund's criteria against a family's answers: per criterion passes, fails, or not answered yet. The
// pre-check, the submit check and the staff's review all judge with this one function.
import type { Answers, Criterion, CriterionResult } from "@tegoed/sdk";

export type Outcome = "likely" | "unlikely" | "incomplete";

function judge(criterion: Criterion, answer: unknown): boolean | null {
  if (answer === undefined || answer === null || answer === "") return null;
  switch (criterion.kind) {
    case "yes-no":
      return typeof answer === "boolean" ? answer === criterion.expected : false;
    case "number":
      if (typeof answer !== "number" || !Number.isInteger(answer)) return false;
      return (criterion.min === undefined || answer >= criterion.min) && (criterion.max === undefined || answer <= criterion.max);
    case "date":
      // ISO dates compare as text.
      if (typeof answer !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(answer)) return false;
      return (criterion.from === undefined || answer >= criterion.from) && (criterion.to === undefined || answer <= criterion.to);
    case "choice":
      return typeof answer === "string" ? criterion.accepted.includes(answer) : false;
  }
}

/**
 * Judges every criterion. A date criterion for children judges each child's date of birth (all must
 * pass); without children it is not answered yet.
 */
export function evaluate(criteria: readonly Criterion[], answers: Answers, childBirthDates: readonly string[]): { outcome: Outcome; results: CriterionResult[] } {
  const results = criteria.map((criterion): CriterionResult => {
    if (criterion.kind === "date" && criterion.children) {
      if (childBirthDates.length === 0) return { criterionId: criterion.id, passes: null };
      return { criterionId: criterion.id, passes: childBirthDates.every((date) => judge(criterion, date) === true) };
    }
    return { criterionId: criterion.id, passes: judge(criterion, answers[criterion.id]) };
  });
  const outcome: Outcome = results.some((r) => r.passes === false) ? "unlikely" : results.some((r) => r.passes === null) ? "incomplete" : "likely";
  return { outcome, results };
}

/** The ids a family must answer (children's date criteria are answered by the children's dates). */
export function questionsToAnswer(criteria: readonly Criterion[]): string[] {
  return criteria.filter((c) => !(c.kind === "date" && c.children)).map((c) => c.id);
}
