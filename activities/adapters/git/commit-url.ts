/** `https://host/org/repo(.git)` → a browsable commit URL for GitHub/GitLab/Bitbucket-style hosts. */
export function commitURL(repoURL: string, sha: string): string | undefined {
  const m = /^(https?):\/\/(?:[^@/]*@)?([^/]+)\/(.+?)(?:\.git)?\/*$/i.exec(repoURL.trim());
  if (!m) return undefined;
  const [, scheme, host, repoPath] = m;
  if (!scheme || !host || !repoPath) return undefined;
  const h = host.toLowerCase();
  const base = `${scheme.toLowerCase()}://${host}/${repoPath}`;
  if (h.includes('github')) return `${base}/commit/${sha}`;
  if (h.includes('gitlab')) return `${base}/-/commit/${sha}`;
  if (h.includes('bitbucket')) return `${base}/commits/${sha}`;
  if (h.includes('gitea') || h.includes('codeberg')) return `${base}/commit/${sha}`;
  return undefined;
}
