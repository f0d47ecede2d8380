// The project's naming rules for new features, checked in the browser before creating one:
// `only_allow_lower_case_feature_names` (upstream enforces it in its UI only, so the API does
// not) and `feature_name_regex` (the API checks it too; the whole name must match).
import type { ProjectDetail } from '../../api/feature';

/** What is wrong with a new feature's name under the project's rules, or undefined. */
export function nameProblem(project: ProjectDetail | undefined, name: string): string | undefined {
  const trimmed = name.trim();
  if (!project || trimmed === '') return undefined;
  if (project.only_allow_lower_case_feature_names && trimmed !== trimmed.toLowerCase()) {
    return `This project allows lower-case feature names only: try “${trimmed.toLowerCase()}”.`;
  }
  const regex = project.feature_name_regex;
  if (regex) {
    let pattern: RegExp | undefined;
    try {
      pattern = new RegExp(`^(?:${regex})$`, 'u');
    } catch {
      // A pattern JavaScript cannot read: the server checks it.
    }
    if (pattern && !pattern.test(trimmed)) return `Feature names in this project must match ${regex}.`;
  }
  return undefined;
}
