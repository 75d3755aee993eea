/**
 * Whether a git config file's text names another file git reads with it (`[include]`,
 * `[includeIf "…"]`): then what the text says is not all git answers, and a reader of the file
 * must ask git instead.
 */
export function namesAnotherFile(configText: string): boolean {
  return /^\s*\[\s*include/im.test(configText);
}
