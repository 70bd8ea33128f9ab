/**
 * The language table of docs/languages.md is generated from the registry (`npm run docs`); a test keeps it in
 * sync, so the documented names and fence aliases are always the ones the addon registers.
 */
import { type LanguageInfo, registeredLanguages } from './languages.js';

const START = '<!-- languages:table (generated from the registry by `npm run docs`; do not edit) -->';
const END = '<!-- /languages:table -->';

/** How a language's bodies open, or that it has none (a host-only language: HTML). */
const bodies = (l: LanguageInfo): string =>
  l.hostOnly ? 'none (host of injections)' : l.braced ? 'opened by a token' : 'indentation';

/** The Markdown table of the registered languages (test-only ones left out). */
export function languageTableMarkdown(): string {
  const rows = registeredLanguages()
    .filter((l) => !l.testOnly)
    .map(
      (l, i) =>
        `| ${i + 1} | ${l.displayName} | \`${l.name}\` | ${l.fenceAliases.map((a) => `\`${a}\``).join(', ')} | ` +
        `${bodies(l)} | [${l.name}](languages/${l.name}.md) |`,
    );
  return [
    START,
    '| detection order | language | segment tag | fence aliases | bodies | rules and figures |',
    '|---|---|---|---|---|---|',
    ...rows,
    END,
  ].join('\n');
}

/** docs/languages.md with its generated table replaced by the current one. */
export function spliceLanguageTable(doc: string): string {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error('docs/languages.md: the generated language table markers are missing');
  return doc.slice(0, a) + languageTableMarkdown() + doc.slice(b + END.length);
}
