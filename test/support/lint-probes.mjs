// Lints probe sources as if they were project files, in one ESLint instance (one type-aware program
// for every probe). Reads [{ asFile, source }] as JSON on stdin; prints the rule ids fired per probe.
import { ESLint } from 'eslint';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const probes = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const eslint = new ESLint({ cwd: process.cwd() });
const fired = [];
for (const { asFile, source } of probes) {
  const results = await eslint.lintText(source, { filePath: asFile });
  fired.push(results.flatMap((r) => r.messages.map((m) => m.ruleId)));
}
process.stdout.write(JSON.stringify(fired));
