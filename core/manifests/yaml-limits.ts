/**
 * Limits checked on YAML text before it is parsed: parsing builds a syntax tree whose size
 * grows much faster than the text (400 KB of `[[[…` takes ~300 MB), so the nesting depth is
 * measured on the lexer's token stream, which is cheap and linear, and a text nested deeper
 * than any manifest needs is refused without being parsed. Aliases are capped when documents
 * are converted (`maxAliasCount` in parse.ts).
 */
import { Lexer } from 'yaml';

/** Deeper than any Kargo manifest (a Stage's steps are ~12 levels deep). */
export const MAX_YAML_DEPTH = 64;

export interface YamlLimitProblem {
  /** 1-based position of the document where the limit was crossed. */
  document: number;
  message: string;
}

const NEWLINES = new Set(['\n', '\r\n', '']);
const DOCUMENT_STARTS = new Set(['---', '\u0002']);
const BLOCK_INDICATORS = new Set(['-', '?', ':']);
const SCALAR = '\u001f';

/**
 * The first place `text` nests deeper than `maxDepth`, or undefined. Depth counts open flow
 * collections (`[`, `{`), open block collections (by indentation) and the block indicators
 * (`- `, `? `, `: `) on the current line; it over-counts real nesting by at most 2x, which a
 * limit this far above real manifests absorbs.
 */
export function yamlNestingProblem(text: string, maxDepth = MAX_YAML_DEPTH): YamlLimitProblem | undefined {
  let document = 0;
  let flow = 0;
  let blockIndents: number[] = [];
  let lineIndicators = 0;
  let atLineStart = true;
  let indent = 0;
  let scalarNext = false;
  for (const token of new Lexer().lex(text)) {
    if (scalarNext) {
      scalarNext = false;
      // Block scalar content ends with its newline: the next token starts a line.
      if (token.endsWith('\n')) {
        atLineStart = true;
        indent = 0;
      } else if (atLineStart) openLine();
      continue;
    }
    if (NEWLINES.has(token)) {
      atLineStart = true;
      indent = 0;
      continue;
    }
    if (DOCUMENT_STARTS.has(token)) {
      if (token === '---' || document === 0) document++;
      flow = 0;
      blockIndents = [];
      continue;
    }
    if (atLineStart && token.startsWith(' ')) {
      indent = token.length;
      continue;
    }
    if (token.startsWith(' ') || token.startsWith('\t') || token.startsWith('#')) continue;
    if (token === SCALAR) {
      scalarNext = true;
      if (atLineStart) openLine();
      continue;
    }
    if (atLineStart) openLine();
    if (flow === 0 && BLOCK_INDICATORS.has(token)) lineIndicators++;
    else if (token === '[' || token === '{') flow++;
    else if ((token === ']' || token === '}') && flow > 0) flow--;
    const depth = blockIndents.length + lineIndicators + flow;
    if (depth > maxDepth) {
      return { document: Math.max(document, 1), message: `the YAML is nested deeper than ${maxDepth} levels; no manifest needs that many` };
    }
  }
  return undefined;

  function openLine(): void {
    atLineStart = false;
    lineIndicators = 0;
    if (flow > 0) return;
    while (blockIndents.length > 0 && blockIndents[blockIndents.length - 1]! >= indent) blockIndents.pop();
    blockIndents.push(indent);
  }
}
