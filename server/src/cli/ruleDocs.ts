// What docs/language.md says of each diagnostic code (its Diagnostics table: meaning and fix),
// for the SARIF rules code scanning shows next to a finding.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface RuleDoc {
  /** The first sentence of the meaning, as plain text. */
  summary: string;
  meaning: string;
  fix: string;
}

/** Markdown inline code and links as plain text: SARIF's `text` fields are not rendered. */
function plain(markdown: string): string {
  return markdown.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`([^`]*)`/g, '$1').replace(/\*\*([^*]*)\*\*/g, '$1').trim();
}

/** Rows `| <a id="code"></a>`code` | E | meaning | fix |` of the reference's Diagnostics table. */
export function parseRuleDocs(markdown: string): Map<string, RuleDoc> {
  const rules = new Map<string, RuleDoc>();
  for (const line of markdown.split('\n')) {
    const row = /^\|\s*<a id="([\w-]+)"><\/a>`[\w-]+`\s*\|\s*[EW]\s*\|(.*)\|(.*)\|\s*$/.exec(line);
    if (!row) continue;
    const meaning = plain(row[2]!);
    const sentence = /^.*?[.:](?=\s|$)/.exec(meaning)?.[0] ?? meaning;
    rules.set(row[1]!, { summary: sentence.replace(/:$/, '.'), meaning, fix: plain(row[3]!) });
  }
  return rules;
}

/** docs/language.md from the bundle (npm package: dist/ → ../docs) or the compiled sources (out/…). */
export function readRuleDocs(from: string = __dirname): Map<string, RuleDoc> {
  for (let folder = from, i = 0; i < 6; i++, folder = dirname(folder)) {
    const path = join(folder, 'docs', 'language.md');
    if (existsSync(path)) return parseRuleDocs(readFileSync(path, 'utf8'));
  }
  return new Map();
}
