/**
 * What promotions left on their projects' branches, read from the GitOps repositories: each
 * promotion's commit found by its `Shunt-Promotion` trailer, and each stage's deployed tag.
 */
import { deployedTag, promotionCommits } from '../../test/support/gitops-fixture.js';

/**
 * How many of `promotions` made exactly one commit on their project's branch (`repos`: project →
 * repository), and how many commits there are besides those (another promotion's, or a second
 * one of the same).
 */
export async function oneCommitEach(repos: Record<string, string>, promotions: { project: string; name: string }[]): Promise<{ once: number; others: number }> {
  let once = 0;
  let commits = 0;
  for (const [project, repo] of Object.entries(repos)) {
    const made = (await promotionCommits(repo)).map((c) => c.promotion);
    commits += made.length;
    for (const p of promotions) if (p.project === project && made.filter((m) => m === p.name).length === 1) once++;
  }
  return { once, others: commits - once };
}

/** How many of `stages` (project → stage names) have `tag` deployed on their project's branch. */
export async function stagesAt(repos: Record<string, string>, stages: Record<string, string[]>, tag: string): Promise<number> {
  let count = 0;
  for (const [project, names] of Object.entries(stages)) {
    for (const stage of names) if ((await deployedTag(repos[project]!, stage)) === tag) count++;
  }
  return count;
}
